"""Alembic migrations shipped inside the package (work from an installed wheel).

``upgrade(engine)`` applies every head (each capability has its own branch off
``0001_foundation``). ``import_all_models()`` imports every module that defines
tables on :class:`dalil.store.base.Base`, so ``Base.metadata`` is complete.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import dalil

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

#: Foundation modules with tables (beyond dalil.model.*).
_FOUNDATION_MODULES = ["dalil.core.access", "dalil.core.audit"]


def import_all_models() -> list[str]:
    """Import every module that declares tables; returns the names imported.

    Convention: foundation tables live in ``dalil.model.*``, ``dalil.core.access`` and
    ``dalil.core.audit``; each other capability keeps its tables in ``dalil.<pkg>.models``
    (a module or package).
    """
    names: list[str] = []
    model_pkg = importlib.import_module("dalil.model")
    for info in pkgutil.iter_modules(model_pkg.__path__):
        names.append(f"dalil.model.{info.name}")
    names += _FOUNDATION_MODULES
    for info in pkgutil.iter_modules(dalil.__path__):
        if info.ispkg and info.name not in ("model", "store", "commands"):
            sub = Path(dalil.__path__[0]) / info.name
            if (sub / "models.py").exists() or (sub / "models" / "__init__.py").exists():
                names.append(f"dalil.{info.name}.models")
    imported = []
    for name in names:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
            continue
        imported.append(name)
    return imported


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads", *, keys: object | None = None) -> None:
    """Apply migrations up to *revision* (default: every head).

    *keys* (the case's unlocked keys) is handed to migrations that must decrypt or
    re-index protected data (``cfg.attributes["keys"]``); such a migration refuses to run
    without them when there is data to re-index."""
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        cfg.attributes["keys"] = keys
        command.upgrade(cfg, revision)


def current_heads(engine: Engine) -> set[str]:
    # A read: on SQLite a deferred transaction, so opening a case does not wait for a
    # long write of another process (a linkage job) to finish.
    with engine.connect() as conn:
        conn = conn.execution_options(dalil_begin="DEFERRED")
        return set(MigrationContext.configure(conn).get_current_heads())


def script_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def needs_upgrade(engine: Engine) -> bool:
    return current_heads(engine) != script_heads()
