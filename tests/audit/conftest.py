"""Fixtures for the audit tests: a real database holding only the audit tables.

``db`` is parametrised over SQLite (a file, WAL, ``BEGIN IMMEDIATE`` write transactions,
as a case database is opened) and PostgreSQL (a fresh schema per test, dropped after;
skipped unless ``DALIL_TEST_POSTGRES`` names a server).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from dalil.core.audit import AuditCheckpoint, AuditEntry, AuditObject
from dalil.store.base import Base

TABLES = [AuditEntry.__table__, AuditObject.__table__, AuditCheckpoint.__table__]


def sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool, connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA journal_mode=WAL")
        dbapi_conn.execute("PRAGMA busy_timeout=60000")

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@dataclass
class Db:
    engine: Engine
    url: str
    kind: str
    schema: str | None = None

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def sql(self, statement: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(statement), params)


def pg_url() -> str | None:
    return os.environ.get("DALIL_TEST_POSTGRES") or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Db]:
    if request.param == "sqlite":
        path = tmp_path / "case.db"
        engine = sqlite_engine(path)
        Base.metadata.create_all(engine, tables=TABLES)
        yield Db(engine, f"sqlite:///{path}", "sqlite")
        engine.dispose()
        return
    url = pg_url()
    if url is None:
        pytest.skip("DALIL_TEST_POSTGRES is not set: no PostgreSQL server to test against")
    schema = f"t_audit_{secrets.token_hex(6)}"
    admin = create_engine(url, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"options": f"-csearch_path={schema}"}
    )
    try:
        Base.metadata.create_all(engine, tables=TABLES)
        yield Db(engine, url, "postgresql", schema)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()
