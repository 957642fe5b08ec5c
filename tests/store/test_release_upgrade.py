"""A case made by the last release (before the migration chain was closed into one) upgrades
to the current schema with its records unchanged, on SQLite and PostgreSQL.

The release's case is built by the release's migrations: ``Case.init`` runs with the
migrations applied up to that release's two heads only, and records are then written as
that release wrote them (services whose tables have not changed since; raw SQL for
``persons``, which has gained a column). ``dalil upgrade`` must then reach the one head,
keep every row of every table as it was, re-index the legal names (the one intended
change) and leave a log that verifies.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, insert, select

from dalil.core.audit import AuditEntry, AuditObject
from dalil.core.case import Case
from dalil.model.common import utcnow
from dalil.store import migrate
from dalil.testing import TEST_PASSPHRASE, DalilRunner

#: The heads of the last release: two branches, closed by 0012_one_chain.
RELEASE_HEADS = ("0003_linkage", "0004b_open_estimates")
#: Boolean columns added after the release to tables the release's writes below fill
#: (0020 users.must_change_password, 0023 evidence_items.graphic).
TODAY_COLUMNS = (("users", "must_change_password"), ("evidence_items", "graphic"))
#: Columns a later migration rewrites on purpose (the folded legal-name index, 0011).
REWRITTEN = {("persons", "legal_name_index")}

LEGAL_NAME = "مُحَمَّد الفرضي"  # fictional, with diacritics the release's index kept

LIST_CSV = (
    "record_id,full_name,sex,date_of_death\n"
    "1,Fictional Nadim Qasir,m,2025-03-07\n"
    "2,Fictional Huda Barakat,f,2025-03-08\n"
)


def _release_case(
    new_case: Callable[..., Case], monkeypatch: pytest.MonkeyPatch, database: str | None
) -> Case:
    real_upgrade = migrate.upgrade

    def release_upgrade(engine: Any, revision: str = "heads", **_kw: Any) -> None:
        for head in RELEASE_HEADS:
            real_upgrade(engine, head)
        # Today's audit writes also fill the index of object ids (0022), which the
        # release did not have: made here for the writes below, dropped before upgrading.
        AuditObject.__table__.create(engine)
        # Columns today's writes fill (the admin's user row, the evidence item), added
        # since the release: made here with their defaults, dropped before upgrading.
        with engine.begin() as conn:
            for table, column in TODAY_COLUMNS:
                conn.exec_driver_sql(
                    f"ALTER TABLE {table} ADD COLUMN {column} BOOLEAN NOT NULL DEFAULT false"
                )

    with monkeypatch.context() as m:
        m.setattr(migrate, "upgrade", release_upgrade)
        case = new_case(database=database)
    assert migrate.current_heads(case.engine) == set(RELEASE_HEADS)
    return case


def _fill_as_the_release_did(case: Case, tmp_path: Path) -> None:
    from dalil.services import evidence, lists, records
    from dalil.services.estimates import record_estimate

    with case.act("admin") as sc:
        src = records.add(sc, "source", title="Fictional report", kind="report")
        records.add(sc, "incident", title="Fictional incident", date_start="2025-03-07")
        records.add(sc, "site", name="Fictional site", site_type="burial")
        record_estimate(sc, "fictional", {"observed": 2, "estimate": 3.0, "ci": [2.0, 9.0]})
    evidence.add_bytes(case, case.actor("admin"), b"a fictional statement", name="st.txt",
                       source_id=src.id)  # fmt: skip
    f = tmp_path / "fictional-list.csv"
    f.write_text(LIST_CSV, encoding="utf-8")
    lists.import_list(case, "admin", f, list_name="Fictional list")
    # persons has gained a column since the release: written as the release wrote it.
    keys = case.keys
    persons = MetaData()
    persons.reflect(case.engine, only=["persons"])
    t = persons.tables["persons"]
    now = utcnow()
    with case.engine.begin() as conn:
        pid = conn.execute(
            insert(t).values(pseudonym="W-1", roles=["witness"], created_at=now, updated_at=now)
        ).inserted_primary_key[0]
        conn.execute(
            t.update()
            .where(t.c.id == pid)
            .values(
                legal_name_enc=keys.encrypt_field(
                    json.dumps(LEGAL_NAME, ensure_ascii=False, separators=(",", ":")),
                    f"person:{pid}:legal_name",
                ),
                legal_name_index=keys.blind_index(LEGAL_NAME, "person.legal_name"),
            )
        )


def _snapshot(case: Case) -> dict[str, list[dict[str, Any]]]:
    md = MetaData()
    md.reflect(case.engine)
    out: dict[str, list[dict[str, Any]]] = {}
    with case.engine.connect() as conn:
        for name, t in sorted(md.tables.items()):
            if name == "alembic_version":
                continue
            keep = [c for c in t.c if (name, c.name) not in REWRITTEN]
            order = list(t.primary_key.columns) or keep
            rows = conn.execute(select(*keep).order_by(*order)).mappings().all()
            out[name] = [dict(r) for r in rows]
    return out


@pytest.mark.parametrize("db", ["sqlite", "postgres"])
def test_a_case_made_by_the_last_release_upgrades_unchanged(
    db: str,
    new_case: Callable[..., Case],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    database = None if db == "sqlite" else request.getfixturevalue("pg_schema_url")
    case = _release_case(new_case, monkeypatch, database)
    _fill_as_the_release_did(case, tmp_path)
    AuditObject.__table__.drop(case.engine)  # the release's schema had no such table
    with case.engine.begin() as conn:  # nor these columns
        for table, column in TODAY_COLUMNS:
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
    before = _snapshot(case)
    assert sum(len(v) for v in before.values()) > 20
    root = case.root
    case.close()

    dalil = DalilRunner({"DALIL_CASE": str(root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    r = dalil("upgrade")
    assert r.exit_code == 0, r.stderr

    with Case.open(root, TEST_PASSPHRASE) as upgraded:  # refuses a case that needs migrating
        assert migrate.current_heads(upgraded.engine) == migrate.script_heads()
        assert len(migrate.script_heads()) == 1  # one chain
        after = _snapshot(upgraded)
        for table, rows in before.items():
            cols = list(rows[0]) if rows else []
            kept = [{k: r[k] for k in cols} for r in after[table]]
            assert kept == rows, f"{table}: rows changed by the upgrade"
        from dalil.services import persons

        with upgraded.act("admin") as sc:  # the re-indexed legal name, folded
            found = persons.find_by_legal_name(sc, "محمد الفرضي", reason="upgrade test")
        assert [p.pseudonym for p in found] == ["W-1"]
        # the upgrade built the index of object ids from the release's entries
        with upgraded.system_session(write=False) as s:
            log = s.execute(select(AuditEntry.seq, AuditEntry.object_ids)).all()
            index = set(s.execute(select(AuditObject.object_id, AuditObject.seq)).tuples())
        assert index and index == {(o, q) for q, ids in log for o in json.loads(ids)}
    assert dalil("audit", "verify").exit_code == 0
