"""The independent verifier printed in docs/crypto.md §3.5 agrees with dalil.core.audit.verify."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from dalil.core import audit
from dalil.store.base import Base

from .conftest import TABLES, sqlite_engine

DOC = Path(__file__).resolve().parents[2] / "docs" / "crypto.md"


def _doc_verifier() -> Any:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### 3.5") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "docs/crypto.md §3.5 has no python block"
    namespace: dict[str, Any] = {"__name__": "doc_verifier"}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    return namespace["verify_case"]


@pytest.fixture
def case_log(tmp_path: Path) -> tuple[Path, Path, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    db = tmp_path / "case.db"
    engine = sqlite_engine(db)
    Base.metadata.create_all(engine, tables=TABLES)
    with Session(engine) as s:
        for i in range(1, 9):
            audit.append(
                s,
                actor="محقق" if i % 2 else "admin",
                action="person.reveal",
                object_ids=[f"person:{i}"],
                detail={"reason": f"سبب خيالي {i}"},
            )
            if i in (4, 8):
                audit.checkpoint(s, key, keep_every=4)
        s.commit()
    engine.dispose()
    pem = tmp_path / "audit_public.pem"
    pem.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return db, pem, key


def _sql(db: Path, statement: str) -> None:
    import sqlite3

    con = sqlite3.connect(db)
    con.execute(statement)
    con.commit()
    con.close()


def test_documented_verifier_accepts_an_untouched_log(case_log: tuple[Path, Path, Any]) -> None:
    db, pem, _ = case_log
    assert _doc_verifier()(str(db), str(pem)) == "ok"


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE audit_log SET actor = 'x' WHERE seq = 3", "entry 3"),
        ("DELETE FROM audit_log WHERE seq = 5", "entry 5"),
        ("DELETE FROM audit_log WHERE seq > 6", "truncated"),
        ("UPDATE audit_checkpoint SET ts = '2020-01-01T00:00:00Z' WHERE seq = 4", "entry 4"),
    ],
)
def test_documented_verifier_and_dalil_agree_on_tampering(
    case_log: tuple[Path, Path, Ed25519PrivateKey], tamper: str, expected: str
) -> None:
    db, pem, key = case_log
    _sql(db, tamper)
    assert expected in _doc_verifier()(str(db), str(pem))
    engine = sqlite_engine(db)
    with engine.connect() as conn:
        result = audit.verify(conn, key.public_key())
    engine.dispose()
    assert not result.ok
