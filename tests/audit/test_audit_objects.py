"""A record's history is found through the index of object ids (``audit_objects``),
not by reading every entry of the log: the same entries as an exact match on
``object_ids``, the newest first when limited; migration 0022 builds the index for the
entries written before it."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import select, text

from dalil.core import audit
from dalil.core.audit import AuditEntry, AuditObject
from dalil.core.case import Case
from dalil.store.migrate import alembic_config, upgrade

NAMED = [
    ["person:7"],
    ["person:77"],
    ["person:7", "incident:3"],
    ["incident:3"],
    ["person:7", "person:7"],  # the same id twice in one entry: indexed once
    ["person:70", "person:%"],  # LIKE's wildcard in an id matches nothing else
    [],
]


def _write(case: Case) -> None:
    for i, ids in enumerate(NAMED):
        with case.act() as ctx:
            ctx.audit("test.note", ids, detail={"n": i})


def _exact(case: Case, object_id: str) -> list[int]:
    with case.system_session(write=False) as s:
        rows = s.execute(select(AuditEntry.seq, AuditEntry.object_ids)).all()
    return sorted(seq for seq, ids in rows if object_id in json.loads(ids))


def _index(case: Case) -> list[tuple[str, int]]:
    with case.system_session(write=False) as s:
        return sorted(
            (o, int(q)) for o, q in s.execute(select(AuditObject.object_id, AuditObject.seq))
        )


def test_history_of_a_record_is_its_exact_entries_newest_last(any_case: Case) -> None:
    _write(any_case)
    with any_case.system_session(write=False) as s:
        for oid in ("person:7", "person:77", "incident:3", "person:%", "person:"):
            got = [e.seq for e in audit.query(s, object_id=oid)]
            assert got == _exact(any_case, oid), oid
        seven = _exact(any_case, "person:7")
        assert len(seven) == 3
        assert [e.seq for e in audit.query(s, object_id="person:7", limit=2)] == seven[-2:]
        assert [e.seq for e in audit.query(s, object_id="person:7", action="test.note")] == seven
        assert audit.query(s, object_id="person:%") and not audit.query(s, object_id="person:")
    # every (id, entry) pair of the log is in the index, once
    pairs = {(o, seq) for seq, ids in _pairs(any_case) for o in json.loads(ids)}
    assert _index(any_case) == sorted(pairs)


def _pairs(case: Case) -> list[tuple[int, str]]:
    with case.system_session(write=False) as s:
        return [(int(q), i) for q, i in s.execute(select(AuditEntry.seq, AuditEntry.object_ids))]


def test_the_migration_builds_the_index_for_earlier_entries(any_case: Case) -> None:
    _write(any_case)
    before = _index(any_case)
    assert before
    with any_case.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0019_review_team")
        assert "audit_objects" not in {
            r[0]
            for r in conn.execute(
                text("SELECT name FROM sqlite_master WHERE type='table'")
                if conn.dialect.name == "sqlite"
                else text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
        }
    upgrade(any_case.engine)
    assert _index(any_case) == before
    with any_case.system_session(write=False) as s:
        assert [e.seq for e in audit.query(s, object_id="person:7")] == _exact(any_case, "person:7")
