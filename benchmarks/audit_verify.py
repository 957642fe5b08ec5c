"""Benchmark: `dalil.audit.verify` over a large log on SQLite.

Builds a log of N valid entries (bulk-inserted with the real hash function, one signed
checkpoint every --checkpoint-every entries) in a temp SQLite file, then times verify
and prints entries/s (target: >= 200,000 entries/s over 1,000,000 entries). As a
baseline in the same run it times a bare fetch of the same rows through the same
DBAPI cursor, so the ratio shows what the hashing costs over reading.

    .venv/bin/python benchmarks/audit_verify.py --entries 1000000
"""

from __future__ import annotations

import argparse
import base64
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine

from dalil import audit
from dalil.store.base import Base


def build(db: Path, n: int, every: int, key: Ed25519PrivateKey) -> None:
    engine = create_engine(f"sqlite:///{db}")
    Base.metadata.create_all(
        engine, tables=[audit.AuditEntry.__table__, audit.AuditCheckpoint.__table__]
    )
    engine.dispose()
    fp = audit._fingerprint(key.public_key())
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    prev = audit.GENESIS_HASH
    batch: list[tuple[object, ...]] = []
    cps: list[tuple[object, ...]] = []
    for seq in range(1, n + 1):
        ts = f"2026-01-01T00:00:{seq % 60:02d}.{seq % 1000000:06d}Z"
        actor = ("admin", "investigator-a", "analyst-b")[seq % 3]
        action = ("person.add", "evidence.add", "person.reveal", "evidence.get")[seq % 4]
        oids = audit.canonical_json([f"person:{seq}"])
        digest = f"{seq:064x}"
        detail = audit.canonical_json(
            {"reason": "fictional benchmark entry"} if seq % 4 == 2 else {}
        )
        h = audit.entry_hash(seq, ts, actor, action, oids, digest, detail, prev)
        batch.append((seq, ts, actor, action, oids, digest, detail, prev, h))
        prev = h
        if seq % every == 0 or seq == n:
            msg = audit.checkpoint_message(seq, h, ts, fp)
            cps.append((seq, h, ts, fp, base64.b64encode(key.sign(msg)).decode()))
        if len(batch) >= 50_000:
            con.executemany("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?)", batch)
            batch.clear()
    con.executemany("INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?)", batch)
    con.executemany(
        "INSERT INTO audit_checkpoint (seq, head_hash, ts, key_fingerprint, signature) "
        "VALUES (?,?,?,?,?)",
        cps,
    )
    con.commit()
    con.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--checkpoint-every", type=int, default=1000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dalil-audit-"))
    try:
        db = work / "case.db"
        key = Ed25519PrivateKey.generate()
        t0 = time.perf_counter()
        build(db, args.entries, args.checkpoint_every, key)
        print(f"built {args.entries} entries in {time.perf_counter() - t0:.1f} s")

        engine = create_engine(f"sqlite:///{db}")
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None
            t0 = time.perf_counter()
            cur = raw.cursor()
            cur.execute(
                "SELECT seq, ts, actor, action, object_ids, digest, detail, prev_hash, "
                "entry_hash FROM audit_log ORDER BY seq"
            )
            fetched = 0
            while rows := cur.fetchmany(4096):
                fetched += len(rows)
            cur.close()
            t_fetch = time.perf_counter() - t0

            t0 = time.perf_counter()
            result = audit.verify(conn, key.public_key())
            t_verify = time.perf_counter() - t0
        engine.dispose()
        assert result.ok, result.reason
        assert result.entries == args.entries
        print(f"fetch only: {fetched} rows in {t_fetch:.3f} s = {fetched / t_fetch:,.0f} rows/s")
        print(
            f"verify:     {result.entries} entries, {result.checkpoints} checkpoints in "
            f"{t_verify:.3f} s = {result.entries / t_verify:,.0f} entries/s (target >= 200,000)"
        )
        print(f"ratio verify / fetch time: {t_verify / t_fetch:.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
