"""Two processes appending to the same log at once: no gap, no fork, nothing lost."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dalil.core import audit

from .conftest import Db

_WRITER = """
import sys, time
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from dalil.core import audit

kind, url, schema, name, start = sys.argv[1:6]
if kind == "sqlite":
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _c(dbapi_conn, _r):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA busy_timeout=60000")

    @event.listens_for(engine, "begin")
    def _b(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
else:
    engine = create_engine(url, poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"})
while time.time() < float(start):
    time.sleep(0.001)
for i in range(40):
    with Session(engine) as s:
        audit.append(s, actor=name, action="person.add", object_ids=[f"person:{name}-{i}"])
        s.commit()
print("done")
"""


def test_two_processes_appending_at_once_keep_one_unbroken_chain(
    db: Db, signing_key: Ed25519PrivateKey
) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    start = str(time.time() + 1.5)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, db.kind, db.url, db.schema or "", name, start],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for name in ("writer-a", "writer-b")
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    with db.session() as s:
        audit.checkpoint(s, signing_key)
        s.commit()
        entries = audit.query(s)
    assert [e.seq for e in entries] == list(range(1, 81))
    assert {e.actor for e in entries} == {"writer-a", "writer-b"}
    for name in ("writer-a", "writer-b"):
        mine = [e.object_ids for e in entries if e.actor == name]
        assert mine == [f'["person:{name}-{i}"]' for i in range(40)]
    with db.engine.connect() as conn:
        result = audit.verify(conn, signing_key.public_key())
    assert result.ok, result.reason
    assert result.entries == 80 and result.sealed_seq == 80
