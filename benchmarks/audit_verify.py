"""Benchmark: `dalil.core.audit.verify` over a large log (SQLite by default, or PostgreSQL).

Builds a log of N valid entries (bulk-loaded with the real hash function, one signed
checkpoint per --checkpoint-every entries, as `audit.checkpoint` keeps them), then times
verify and prints entries/s (target: >= 200,000 entries/s over 1,000,000 entries on
SQLite). As a baseline in the same run it times a bare fetch of the same rows through
the same DB-API cursor, so the ratio shows what hashing and checking cost over reading.

    .venv/bin/python benchmarks/audit_verify.py --entries 1000000
    .venv/bin/python benchmarks/audit_verify.py --entries 1000000 \\
        --database postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from dalil.core import audit
from dalil.store.base import Base

TABLES = [audit.AuditEntry.__table__, audit.AuditCheckpoint.__table__]
SELECT = (
    "SELECT seq, ts, actor, action, object_ids, digest, detail, prev_hash, entry_hash "
    "FROM audit_log ORDER BY seq"
)


def generate(
    n: int, every: int, key: Ed25519PrivateKey, cps: list[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """Yield n chained entries (fictional); append checkpoint rows to *cps*."""
    fp = audit._fingerprint(key.public_key())
    prev = audit.GENESIS_HASH
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
        yield (seq, ts, actor, action, oids, digest, detail, prev, h)
        prev = h
        if seq % every == 0 or seq == n:
            msg = audit.checkpoint_message(seq, h, ts, fp)
            cps.append((seq, h, ts, fp, base64.b64encode(key.sign(msg)).decode()))


def build_sqlite(db: Path, n: int, every: int, key: Ed25519PrivateKey) -> Engine:
    engine = create_engine(f"sqlite:///{db}", poolclass=NullPool)
    Base.metadata.create_all(engine, tables=TABLES)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    cps: list[tuple[Any, ...]] = []
    con.executemany(
        "INSERT INTO audit_log VALUES (?,?,?,?,?,?,?,?,?)", generate(n, every, key, cps)
    )
    con.executemany(
        "INSERT INTO audit_checkpoint (seq, head_hash, ts, key_fingerprint, signature) "
        "VALUES (?,?,?,?,?)",
        cps,
    )
    con.commit()
    con.close()
    return engine


def build_postgres(url: str, schema: str, n: int, every: int, key: Ed25519PrivateKey) -> Engine:
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"}
    )
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    Base.metadata.create_all(engine, tables=TABLES)
    cps: list[tuple[Any, ...]] = []
    with engine.begin() as conn:
        raw: Any = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy("COPY audit_log FROM STDIN") as copy:
            for row in generate(n, every, key, cps):
                copy.write_row(row)
        with raw.cursor() as cur:
            cur.executemany(
                "INSERT INTO audit_checkpoint (seq, head_hash, ts, key_fingerprint, signature) "
                "VALUES (%s,%s,%s,%s,%s)",
                cps,
            )
    return engine


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--checkpoint-every", type=int, default=audit.CHECKPOINT_BLOCK)
    ap.add_argument(
        "--database",
        default=None,
        help="a PostgreSQL URL (a temporary schema is created and dropped); default SQLite",
    )
    args = ap.parse_args()
    key = Ed25519PrivateKey.generate()
    work = Path(tempfile.mkdtemp(prefix="dalil-audit-"))
    schema = f"bench_audit_{secrets.token_hex(4)}"
    try:
        t0 = time.perf_counter()
        if args.database:
            engine = build_postgres(args.database, schema, args.entries, args.checkpoint_every, key)
        else:
            engine = build_sqlite(work / "case.db", args.entries, args.checkpoint_every, key)
        kind = engine.dialect.name
        print(f"built {args.entries} entries on {kind} in {time.perf_counter() - t0:.1f} s")
        print(f"load average before timing: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")

        with engine.connect() as conn:
            raw: Any = conn.connection.driver_connection
            t0, c0 = time.perf_counter(), time.process_time()
            cur = raw.cursor(name="bench_fetch") if kind == "postgresql" else raw.cursor()
            cur.execute(SELECT)
            fetched = 0
            while rows := cur.fetchmany(4096):
                fetched += len(rows)
            cur.close()
            t_fetch, c_fetch = time.perf_counter() - t0, time.process_time() - c0
            conn.rollback()

            t0, c0 = time.perf_counter(), time.process_time()
            result = audit.verify(conn, key.public_key())
            t_verify, c_verify = time.perf_counter() - t0, time.process_time() - c0
        engine.dispose()
        assert result.ok, result.reason
        assert result.entries == args.entries
        print(f"fetch only: {fetched} rows in {t_fetch:.3f} s = {fetched / t_fetch:,.0f} rows/s")
        print(
            f"verify:     {result.entries} entries, {result.checkpoints} checkpoints in "
            f"{t_verify:.3f} s = {result.entries / t_verify:,.0f} entries/s (target >= 200,000)"
        )
        print(f"ratio verify / fetch time: {t_verify / t_fetch:.2f}x")
        print(
            f"CPU time of this process (less sensitive to a shared machine): fetch "
            f"{c_fetch:.3f} s, verify {c_verify:.3f} s = "
            f"{result.entries / c_verify:,.0f} entries per CPU-second"
        )
    finally:
        if args.database:
            admin = create_engine(args.database, poolclass=NullPool)
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
