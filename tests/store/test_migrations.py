"""Migrations: every head applies, and the models match the migrated schema exactly."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from dalil.core.case import Case
from dalil.store.base import Base
from dalil.store.migrate import current_heads, import_all_models, script_heads, upgrade


def _diff(case: Case) -> list[Any]:
    import_all_models()
    with case.engine.connect() as conn, warnings.catch_warnings():
        # The PostgreSQL-only GIN index of persons' roles (an expression): SQLite has
        # none, and alembic says it cannot compare it there.
        warnings.filterwarnings("ignore", message=".*expression-based index 'ix_persons_roles'")
        mc = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(mc, Base.metadata)


def test_models_without_migration_are_detected_autogenerate_finds_no_difference(
    any_case: Case,
) -> None:
    assert current_heads(any_case.engine) == script_heads()
    diff = _diff(any_case)
    assert diff == [], f"models and migrations differ (write a migration): {diff}"


def test_upgrade_twice_is_a_no_op(any_case: Case) -> None:
    before = set(inspect(any_case.engine).get_table_names())
    upgrade(any_case.engine)
    assert set(inspect(any_case.engine).get_table_names()) == before
    assert {"persons", "audit_log", "users", "evidence_items"} <= before


def test_foundation_migration_is_root_of_every_head() -> None:
    from alembic.script import ScriptDirectory

    from dalil.store.migrate import alembic_config

    sd = ScriptDirectory.from_config(alembic_config())
    for head in sd.get_heads():
        revs = [r.revision for r in sd.walk_revisions("base", head)]
        assert "0001_foundation" in revs, f"head {head} does not descend from 0001_foundation"


def test_one_migration_chain() -> None:
    """One head: a new revision's down_revision is the current head, never an older one."""
    heads = script_heads()
    assert len(heads) == 1, f"several Alembic heads {sorted(heads)}: re-point the new revision"


def test_sqlite_pragmas_wal_and_foreign_keys(case: Case) -> None:
    with case.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000


def test_foreign_keys_enforced_by_the_database(case: Case) -> None:
    from sqlalchemy.exc import IntegrityError

    from dalil.model.act import Act

    with pytest.raises(IntegrityError), case.system_session() as s:
        s.add(Act(incident_id=999, victim_id=999, act_type="killing", status="unknown"))
        s.flush()
