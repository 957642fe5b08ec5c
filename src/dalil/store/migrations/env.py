"""Alembic environment for dalil case databases (driven from dalil.store.migrate)."""

from __future__ import annotations

from alembic import context

from dalil.store.base import Base
from dalil.store.migrate import import_all_models

import_all_models()
target_metadata = Base.metadata
config = context.config


def run_migrations_online() -> None:
    conn = config.attributes.get("connection")
    if conn is None:
        engine = config.attributes.get("engine")
        if engine is None:
            raise RuntimeError("dalil migrations need a connection or engine (use dalil upgrade)")
        with engine.begin() as conn:
            _run(conn)
    else:
        _run(conn)


def _run(conn: object) -> None:
    context.configure(
        connection=conn,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
