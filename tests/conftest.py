"""Shared fixtures for the whole suite (owned by the case store; see docs/dev/services.md).

- ``DALIL_KDF_PROFILE=test``: cheap argon2 parameters, so tests can create many cases.
- ``passphrase``: the passphrase every test case uses.
- ``new_case(...)``: create an unlocked SQLite case in a temp folder (closed at teardown).
- ``case``: one fresh SQLite case; ``any_case``: the same, parametrised over SQLite and
  PostgreSQL (a fresh schema per test; skipped when ``DALIL_TEST_POSTGRES`` is unset).
- ``dalil``: run the CLI in-process (through the real error handling: exit 2 on
  DalilError) with ``DALIL_CASE``/``DALIL_PASSPHRASE`` pointing at a case.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ["DALIL_KDF_PROFILE"] = "test"
# Never let a developer's environment leak into tests.
for _var in ("DALIL_CASE", "DALIL_USER", "DALIL_PASSPHRASE"):
    os.environ.pop(_var, None)

import pytest  # noqa: E402

from dalil.core.case import Case  # noqa: E402
from dalil.testing import TEST_PASSPHRASE, DalilRunner  # noqa: E402


@pytest.fixture
def passphrase() -> str:
    return TEST_PASSPHRASE


@pytest.fixture
def new_case(tmp_path: Path) -> Iterator[Callable[..., Case]]:
    """Factory: ``new_case(admin="coord", database=None, name="case") -> Case`` (unlocked)."""
    opened: list[Case] = []

    def make(*, admin: str = "admin", database: str | None = None, name: str = "case") -> Case:
        c = Case.init(tmp_path / name, TEST_PASSPHRASE, admin=admin, database=database)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def case(new_case: Callable[..., Case]) -> Case:
    """A fresh, unlocked SQLite case whose admin is ``admin``."""
    return new_case()


def postgres_url() -> str | None:
    return os.environ.get("DALIL_TEST_POSTGRES") or None


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema (dropped afterwards)."""
    base = postgres_url()
    if not base:
        pytest.skip(
            "PostgreSQL not configured: set DALIL_TEST_POSTGRES (e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    from sqlalchemy import create_engine, text

    schema = "t_" + secrets.token_hex(6)
    admin_engine = create_engine(base)
    try:
        with admin_engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # server down although configured: fail loudly, do not skip
        admin_engine.dispose()
        raise RuntimeError(f"DALIL_TEST_POSTGRES is set but unusable: {type(e).__name__}") from e
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin_engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin_engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_case(request: pytest.FixtureRequest, new_case: Callable[..., Case]) -> Case:
    """A fresh case on SQLite, then on PostgreSQL (skipped when not configured)."""
    if request.param == "sqlite":
        return new_case()
    url = request.getfixturevalue("pg_schema_url")
    return new_case(database=url)


@pytest.fixture
def dalil(case: Case) -> DalilRunner:
    """CLI runner bound to the ``case`` fixture (its folder and passphrase in the env)."""
    return DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})


@pytest.fixture
def dalil_env() -> Callable[..., DalilRunner]:
    """``dalil_env(DALIL_CASE=…, …) -> DalilRunner`` for tests that need their own env."""
    return lambda **env: DalilRunner(env)
