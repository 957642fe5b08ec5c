"""PostgreSQL connections are pinged before use only after lying idle in the pool: a
busy server does not pay a round trip per transaction, and a connection the server
dropped while idle is replaced before a request sees it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from dalil.store import engine as engine_mod

pytestmark = pytest.mark.postgres


def _pings(engine: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = engine.dialect.do_ping

    def counting(dbapi_conn: Any) -> bool:
        calls.append(1)
        return bool(real(dbapi_conn))

    monkeypatch.setattr(engine.dialect, "do_ping", counting)
    return calls


def test_busy_connections_are_not_pinged(
    pg_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_mod.make_engine(pg_schema_url)
    try:
        pings = _pings(engine, monkeypatch)
        for _ in range(5):
            with engine.connect() as conn:
                assert conn.execute(text("SELECT 1")).scalar() == 1
        assert pings == []
    finally:
        engine.dispose()


def test_a_connection_dropped_while_idle_is_replaced(
    pg_schema_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_mod.make_engine(pg_schema_url)
    try:
        with engine.connect() as other:
            with engine.connect() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            # back in the pool, the connection is ended by the server
            assert other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        monkeypatch.setattr(engine_mod, "PING_IDLE_SECONDS", 0.0)
        pings = _pings(engine, monkeypatch)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
        assert pings
    finally:
        engine.dispose()
