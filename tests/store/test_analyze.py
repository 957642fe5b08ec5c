"""``analyze_stale``: PostgreSQL tables without planner statistics are analysed once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import text

from dalil.store.engine import analyze_stale, make_engine


def _pending(url: str, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT coalesce(max(n_mod_since_analyze), 0) FROM pg_stat_user_tables "
                        "WHERE schemaname = current_schema() AND relname = :t"
                    ),
                    {"t": table},
                ).scalar_one()
            )
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_bulk_loaded_table_is_analysed_once(pg_schema_url: str) -> None:
    engine = make_engine(pg_schema_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE big (id serial PRIMARY KEY, x int)"))
            conn.execute(text("CREATE TABLE small (id serial PRIMARY KEY, x int)"))
            conn.execute(text("INSERT INTO big (x) SELECT g FROM generate_series(1, 3000) g"))
            conn.execute(text("INSERT INTO small (x) SELECT g FROM generate_series(1, 20) g"))
    finally:
        engine.dispose()  # the backend ends and reports its counts
    deadline = time.monotonic() + 15
    while _pending(pg_schema_url, "big") < 3000:
        assert time.monotonic() < deadline, "PostgreSQL never reported the inserted rows"
        time.sleep(0.2)

    engine = make_engine(pg_schema_url)
    try:
        with engine.connect() as conn:
            before = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'big'::regclass")
            ).scalar_one()
        assert before <= 0  # never analysed: the planner guesses the size from pages
        assert analyze_stale(engine) == ["big"]  # "small" is below the threshold
        with engine.connect() as conn:
            after = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'big'::regclass")
            ).scalar_one()
            stats = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stats WHERE schemaname = current_schema() "
                    "AND tablename = 'big'"
                )
            ).scalar_one()
        assert after == 3000
        assert stats == 2  # both columns
    finally:
        engine.dispose()
    assert _pending(pg_schema_url, "big") == 0
    engine = make_engine(pg_schema_url)
    try:
        assert analyze_stale(engine) == []  # nothing has changed since
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_never_analysed_table_is_found_by_its_size_when_its_counters_were_reset(
    pg_schema_url: str,
) -> None:
    """A database copied from a template (or after a crash) has no counts of the rows
    changed; a table never analysed is then known by its size on disk."""
    engine = make_engine(pg_schema_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE big (id serial PRIMARY KEY, x int)"))
            conn.execute(text("INSERT INTO big (x) SELECT g FROM generate_series(1, 5000) g"))
        engine.dispose()  # the backend ends and reports its counts, then they are reset
        deadline = time.monotonic() + 15
        while _pending(pg_schema_url, "big") < 5000:
            assert time.monotonic() < deadline, "PostgreSQL never reported the inserted rows"
            time.sleep(0.2)
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_stat_reset_single_table_counters('big'::regclass)"))
        assert _pending(pg_schema_url, "big") == 0
        assert analyze_stale(engine) == ["big"]
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'big'::regclass")
            ).scalar_one()
        assert rows == 5000
        assert analyze_stale(engine) == []
    finally:
        engine.dispose()


def test_sqlite_has_nothing_to_analyse(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (id integer PRIMARY KEY)"))
            conn.execute(text("INSERT INTO t (id) VALUES (1), (2)"))
        assert analyze_stale(engine, min_rows=1) == []
    finally:
        engine.dispose()
