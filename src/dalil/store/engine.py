"""Database engines and sessions for a case database (SQLite or PostgreSQL).

SQLite: WAL journal, foreign keys on, a generous busy timeout, and ``BEGIN IMMEDIATE``
for write transactions, so concurrent writers queue instead of failing and the audit
chain sees one writer at a time. Read-only sessions use a deferred ``BEGIN``.

PostgreSQL: the same schema; the audit append serialises writers with an advisory lock
(see :func:`lock_for_audit`). A pooled connection is pinged before use only when it has
lain idle in the pool for :data:`PING_IDLE_SECONDS` (a dropped one is then replaced
before the request sees it): pinging every checkout cost a round trip per transaction,
a third of a short read's round trips. A connection the server drops while in steady
use fails the one request using it; the pool then replaces every connection older.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from dalil.errors import InputError

#: Milliseconds a writer waits for the SQLite lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 60_000
#: Key of the PostgreSQL advisory lock that serialises audit-log appends.
AUDIT_ADVISORY_LOCK = 0x64616C696C  # "dalil"
#: Seconds a pooled PostgreSQL connection may lie idle before it is pinged on checkout.
PING_IDLE_SECONDS = 10.0


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and use the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    try:
        make_url(url)
    except Exception as e:  # sqlalchemy.exc.ArgumentError
        raise InputError(f"not a database URL: {redact_url(url)}") from e
    return url


def redact_url(url: str) -> str:
    """The URL without its password, for messages and case.toml display."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable database URL>"


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine configured for dalil's transaction rules (see module docstring)."""
    url = normalise_url(url)
    if is_sqlite(url):
        # Connections are pooled: a long-running server would otherwise pay for a connect
        # and four PRAGMAs on every request. The pool keeps more connections than the web
        # server has threads using them (worker threads, background jobs), opened only
        # when needed: a smaller pool (8) made overflow connections close on every return
        # and reconnect on the next request. Pass poolclass=NullPool to keep none open.
        pooling: dict[str, Any] = (
            {} if kwargs.get("poolclass") is NullPool else {"pool_size": 48, "max_overflow": 16}
        )
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            **{**pooling, **kwargs},
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            # Take transaction control away from the sqlite3 module: we emit BEGIN ourselves.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA foreign_keys = ON")
            # FULL: a committed audit entry survives a power cut (the witness file of
            # the signed head is fsynced after commit and must never be ahead of the log).
            cur.execute("PRAGMA synchronous = FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            mode = conn.get_execution_options().get("dalil_begin", "IMMEDIATE")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

        return engine
    engine = create_engine(url, **kwargs)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection on checkout when it has been idle for
    :data:`PING_IDLE_SECONDS`; one that does not answer is replaced by the pool."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["dalil_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("dalil_idle_since", None)
        if since is None or time.monotonic() - since < PING_IDLE_SECONDS:
            return  # just opened, or back from use moments ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as e:  # gone: the pool invalidates it and checks out another
            raise exc.DisconnectionError("connection lost while idle in the pool") from e


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)


def lock_for_audit(session: Session) -> None:
    """Serialise audit appends across processes.

    On SQLite the write transaction already holds the database lock (BEGIN IMMEDIATE);
    on PostgreSQL take a transaction-scoped advisory lock.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_ADVISORY_LOCK})


#: Rows changed since a table's last ANALYZE from which :func:`analyze_stale` analyses it.
ANALYZE_MIN_ROWS = 1000


def analyze_stale(
    engine: Engine, min_rows: int = ANALYZE_MIN_ROWS, *, every_table: bool = False
) -> list[str]:
    """PostgreSQL: ``ANALYZE`` the tables whose planner statistics lag far behind their
    contents (never analysed, or changed by more than autovacuum's own threshold of 10 %
    since) and that had at least *min_rows* rows inserted, updated or deleted since (or,
    never analysed, fill at least ``min_rows // 100`` pages; with
    *every_table*: all tables of the schema, as after a restore); return their names
    (SQLite, or nothing to do: ``[]``).

    Without statistics PostgreSQL guesses a table's size from its pages and underestimates
    it several times over: after a bulk load (a restore, a large import, or a case
    generated for a benchmark) a page of 50 rows at offset 5,000 was planned as a sort of
    the whole table (100,000 persons: 33 ms instead of 1.6 ms by ``EXPLAIN ANALYZE``).
    Autovacuum analyses such a table within a minute; where it is off or has not run
    yet, this does once what it would have done. ``ANALYZE`` reads a sample of each table
    and blocks neither readers nor writers."""
    if engine.dialect.name != "postgresql":
        return []
    if every_table:
        query = text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    else:
        query = text(
            "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
            "WHERE s.schemaname = current_schema() AND ((s.n_mod_since_analyze >= :n "
            "AND s.n_mod_since_analyze > 50 + 0.1 * GREATEST(c.reltuples, 0)) "
            # never analysed nor vacuumed (PostgreSQL 14+), though its counters were
            # reset (a database copied from a template, a crash): by its size on disk
            "OR (c.reltuples < 0 AND pg_relation_size(c.oid) >= :pages * "
            "current_setting('block_size')::int)) "
            "ORDER BY s.relname"
        ).bindparams(n=min_rows, pages=max(1, min_rows // 100))
    with engine.connect() as conn:
        names = [str(n) for n in conn.execute(query).scalars()]
        conn.rollback()
    if names:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            quote = engine.dialect.identifier_preparer.quote
            conn.exec_driver_sql("ANALYZE " + ", ".join(quote(n) for n in names))
    return names
