"""Shared fixtures for the whole suite (owned by the case store; see docs/dev/services.md).

- ``DALIL_KDF_PROFILE=test``: cheap argon2 parameters, so tests can create many cases.
- ``passphrase``: the passphrase every test case uses.
- ``new_case(...)``: create an unlocked SQLite case in a temp folder (closed at teardown).
- ``case``: one fresh SQLite case; ``any_case``: the same, parametrised over SQLite and
  PostgreSQL (a fresh schema per test; skipped when ``DALIL_TEST_POSTGRES`` is unset).
  The fresh SQLite case is a copy of one made by ``Case.init`` once per test process
  (``Case.init`` runs every migration: ~0.7 s; a copy and ``Case.open`` ~0.05 s), so
  each test still gets its own folder and database; ``new_case`` always runs
  ``Case.init`` (tests that need cases with different keys use it).
- ``dalil``: run the CLI in-process (through the real error handling: exit 2 on
  DalilError) with ``DALIL_CASE``/``DALIL_PASSPHRASE`` pointing at a case.
"""

from __future__ import annotations

import os
import secrets
import shutil
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


@pytest.fixture(scope="session")
def fresh_case_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of a case just made by ``Case.init`` (admin ``admin``), closed and never
    opened again: ``case`` and ``any_case`` (SQLite) copy it."""
    root = tmp_path_factory.mktemp("fresh-case-template") / "case"
    Case.init(root, TEST_PASSPHRASE, admin="admin").close()
    return root


def copy_case(template: Path, root: Path) -> Case:
    """Copy the closed case folder *template* (with its SQLite database) to *root* and
    open the copy, unlocked."""
    shutil.copytree(template, root)
    return Case.open(root, TEST_PASSPHRASE)


@pytest.fixture
def case(tmp_path: Path, fresh_case_template: Path) -> Iterator[Case]:
    """A fresh, unlocked SQLite case whose admin is ``admin`` (a copy of a fresh case)."""
    c = copy_case(fresh_case_template, tmp_path / "case")
    yield c
    c.close()


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
        return request.getfixturevalue("case")
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


# Session fixtures that take long to build, and the xdist group of the test files that use
# them: with ``--dist loadgroup`` (``make test``) each group runs on one worker, so the
# fixture is built once per run, not once per worker. Other files are units of their own
# (a module's fixtures are built once).
_GROUPED_FIXTURES = {
    "snapshot": "report-snapshot",  # tests/report: the demo story's snapshot and reports
    "rendered": "report-snapshot",
    "review_base": "review-case",  # tests/linkage: the linked case with a review queue
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    groups: dict[str, str] = {}
    for item in items:
        for name in getattr(item, "fixturenames", ()):
            if name in _GROUPED_FIXTURES:
                groups.setdefault(item.nodeid.split("::", 1)[0], _GROUPED_FIXTURES[name])
    for item in items:
        group = groups.get(item.nodeid.split("::", 1)[0])
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
