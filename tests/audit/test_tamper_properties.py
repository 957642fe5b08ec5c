"""Property: any single tampering with a sealed entry is detected, at the right entry."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from dalil.core import audit
from dalil.store.base import Base

from .conftest import TABLES, sqlite_engine

KEY = Ed25519PrivateKey.from_private_bytes(b"\x05" * 32)
N = 12
COLUMNS = ["ts", "actor", "action", "object_ids", "digest", "detail", "prev_hash", "entry_hash"]


def _fresh_log(tmp: Path) -> Path:
    db = tmp / "case.db"
    engine = sqlite_engine(db)
    Base.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as s:
        for i in range(1, N + 1):
            audit.append(
                s,
                actor=f"user-{i % 3}",
                action="person.reveal",
                object_ids=[f"person:{i}"],
                detail={"reason": f"fictional reason {i}"},
            )
            audit.checkpoint(s, KEY)
        s.commit()
    engine.dispose()
    return db


def _verify(db: Path) -> audit.VerifyResult:
    engine = sqlite_engine(db)
    try:
        with engine.connect() as conn:
            return audit.verify(conn, KEY.public_key())
    finally:
        engine.dispose()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["modify", "delete", "swap"]),
    seq=st.integers(min_value=1, max_value=N),
    other=st.integers(min_value=1, max_value=N),
    column=st.sampled_from(COLUMNS),
    junk=st.text(min_size=1, max_size=8),
)
def test_any_single_tampering_of_a_sealed_log_is_detected(
    tmp_path_factory, kind: str, seq: int, other: int, column: str, junk: str
) -> None:
    db = _fresh_log(tmp_path_factory.mktemp("tamper"))
    assert _verify(db).ok
    con = sqlite3.connect(db)
    if kind == "modify":
        (old,) = con.execute(f"SELECT {column} FROM audit_log WHERE seq = ?", (seq,)).fetchone()
        new = old + junk
        con.execute(f"UPDATE audit_log SET {column} = ? WHERE seq = ?", (new, seq))
        expected = seq
    elif kind == "delete":
        con.execute("DELETE FROM audit_log WHERE seq = ?", (seq,))
        expected = seq
    else:
        if seq == other:
            other = seq % N + 1
        lo, hi = sorted((seq, other))
        con.execute("UPDATE audit_log SET seq = -1 WHERE seq = ?", (lo,))
        con.execute("UPDATE audit_log SET seq = ? WHERE seq = ?", (lo, hi))
        con.execute("UPDATE audit_log SET seq = ? WHERE seq = -1", (hi,))
        expected = lo
    con.commit()
    con.close()
    result = _verify(db)
    assert not result.ok
    assert result.first_bad_seq == expected, result.reason
    assert result.reason and (f"entry {expected}" in result.reason)
