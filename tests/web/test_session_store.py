"""Sessions kept in the case database (``DbSessionStore``) on SQLite and PostgreSQL:
what a request saved is what the next one loads, an ended or expired session is gone,
and on PostgreSQL the load is one statement outside a transaction that leaves the
pooled connection transactional for the next user of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from dalil.core.case import Case
from dalil.web.sessions import DbSessionStore


def test_session_round_trip_and_end(any_case: Case) -> None:
    now = [1_000_000.0]
    store = DbSessionStore(any_case, idle_seconds=600, max_age_seconds=3600, clock=lambda: now[0])
    s = store.create()
    s.user, s.role = "admin", "admin"
    s.flash.append("saved (fictional)")
    s.totp_pending = {"secret": b"\x00\x01fictional"}
    store.save(s)

    statements: list[tuple[str, Any]] = []

    def on_statement(conn: Any, _cur: Any, sql: str, *_a: Any) -> None:
        # whether the statement ran inside a transaction (PostgreSQL: psycopg's status)
        info = getattr(conn.connection.dbapi_connection, "info", None)
        statements.append((sql, getattr(info, "transaction_status", None)))

    event.listen(any_case.engine, "after_cursor_execute", on_statement)
    try:
        got = store.get(s.id)
    finally:
        event.remove(any_case.engine, "after_cursor_execute", on_statement)
    assert got is not None
    assert (got.csrf, got.user, got.role, got.flash) == (s.csrf, "admin", "admin", s.flash)
    assert got.totp_pending == {"secret": b"\x00\x01fictional"}
    if any_case.engine.dialect.name == "postgresql":
        from psycopg.pq import TransactionStatus

        # one statement, and no transaction open after it (no BEGIN, no COMMIT)
        assert [st for _sql, st in statements] == [TransactionStatus.IDLE], statements

    # The pooled connection the load used is transactional again: a write rolled back
    # leaves nothing behind.
    from dalil.services import persons

    try:
        with any_case.act("admin") as ctx:
            persons.add_person(ctx, pseudonym="S-rollback", roles=["witness"])
            raise RuntimeError("roll back (fictional)")
    except RuntimeError:
        pass
    with any_case.act("admin", write=False) as ctx:
        assert not [p for p in persons.list_persons(ctx) if p.pseudonym == "S-rollback"]

    assert store.get("no-such-session") is None
    now[0] += 601  # idle too long
    assert store.get(s.id) is None
    s2 = store.create()
    store.destroy(s2)
    assert store.get(s2.id) is None
