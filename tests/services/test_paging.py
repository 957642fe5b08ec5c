"""Service-level paging: ``limit``/``offset`` pages equal slices of the full list, the
count functions agree with it, and paging keeps the permission check."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.core.access import Actor
from dalil.core.case import Case
from dalil.errors import InputError, PermissionDenied
from dalil.services import evidence, persons, records


@pytest.fixture
def filled(case: Case) -> Case:
    with case.act() as ctx:
        for i in range(7):
            persons.add_person(
                ctx, pseudonym=f"P-{i}", roles=["witness"] if i % 2 else ["victim"]
            )  # fictional
            records.add(
                ctx, "source", kind="report" if i % 3 else "article", title=f"Fictional report {i}"
            )
    for i in range(5):
        evidence.add_bytes(
            case,
            case.actor(None),
            f"fictional item {i}".encode(),
            name=f"i{i}.txt",
            copy_kind="working" if i % 2 else "evidentiary",
        )
    return case


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(limit=st.integers(0, 9), offset=st.integers(0, 9), role=st.sampled_from([None, "witness"]))
def test_person_pages_are_slices_of_the_full_list(
    filled: Case, limit: int, offset: int, role: str | None
) -> None:
    with filled.act(write=False) as ctx:
        full = [p.id for p in persons.list_persons(ctx, role=role)]
        page = [p.id for p in persons.list_persons(ctx, role=role, limit=limit, offset=offset)]
        assert page == full[offset : offset + limit]
        assert persons.count_persons(ctx, role=role) == len(full)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(0, 9), offset=st.integers(0, 9), src_kind=st.sampled_from([None, "report"])
)
def test_record_pages_are_slices_and_count_honours_filters(
    filled: Case, limit: int, offset: int, src_kind: str | None
) -> None:
    with filled.act(write=False) as ctx:
        full = [r.id for r in records.list_(ctx, "source", kind=src_kind)]
        page = [
            r.id for r in records.list_(ctx, "source", kind=src_kind, limit=limit, offset=offset)
        ]
        assert page == full[offset : offset + limit]
        assert records.count(ctx, "source", kind=src_kind) == len(full)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    limit=st.integers(0, 7), offset=st.integers(0, 7), copy_kind=st.sampled_from([None, "working"])
)
def test_evidence_pages_are_slices_and_count_honours_filters(
    filled: Case, limit: int, offset: int, copy_kind: str | None
) -> None:
    with filled.act(write=False) as ctx:
        full = [i.id for i in evidence.list_items(ctx, copy_kind=copy_kind)]
        page = [
            i.id for i in evidence.list_items(ctx, copy_kind=copy_kind, limit=limit, offset=offset)
        ]
        assert page == full[offset : offset + limit]
        assert evidence.count_items(ctx, copy_kind=copy_kind) == len(full)


def test_unknown_role_cannot_page_or_count_anything(filled: Case) -> None:
    nobody = Actor(name="nobody", role="no-such-role")
    calls = [
        lambda ctx: persons.list_persons(ctx, limit=1),
        persons.count_persons,
        lambda ctx: records.list_(ctx, "source", limit=1),
        lambda ctx: records.count(ctx, "source"),
        lambda ctx: evidence.list_items(ctx, limit=1),
        evidence.count_items,
    ]
    for call in calls:
        with pytest.raises(PermissionDenied), filled.act(nobody, write=False) as ctx:
            call(ctx)


def test_negative_limit_or_offset_is_refused(filled: Case) -> None:
    with filled.act(write=False) as ctx:
        with pytest.raises(InputError, match="offset"):
            persons.list_persons(ctx, offset=-1)
        with pytest.raises(InputError, match="limit"):
            records.list_(ctx, "source", limit=-3)
        with pytest.raises(InputError, match="offset"):
            evidence.list_items(ctx, offset=-2)


def test_a_role_filter_lists_exactly_the_persons_with_that_role(any_case: Case) -> None:
    """On SQLite and PostgreSQL (where the filter is served by an index of the roles),
    the list and the count by role equal the persons whose roles hold it, the role a
    prefix of another ("victim" in a note) not mistaken for it."""
    roles = [["victim"], ["witness", "relative"], ["relative"], [], ["victim", "witness"],
             ["survivor"], ["official", "victim"]]  # fmt: skip
    with any_case.act() as ctx:
        for i, r in enumerate(roles):
            persons.add_person(ctx, pseudonym=f"R-{i}", roles=r, notes='"victim" in a note')
    with any_case.act(write=False) as ctx:
        every = persons.list_persons_open(ctx)
        for role in ("victim", "witness", "relative", "survivor", "suspect", "official"):
            want = [p["id"] for p in every if role in p["roles"]]
            got = [p["id"] for p in persons.list_persons_open(ctx, role=role)]
            assert got == want, role
            assert persons.count_persons(ctx, role=role) == len(want)
            assert [p.id for p in persons.list_persons(ctx, role=role)] == want
            assert [p["id"] for p in persons.list_persons_open(ctx, role=role, limit=1)] == want[:1]


@pytest.mark.postgres
def test_postgresql_finds_a_role_through_the_index(pg_schema_url: str, new_case: Any) -> None:
    """The plan of a role filter on PostgreSQL reads the roles index (sequential scans
    off, as a large table would have the planner choose)."""
    import json

    from sqlalchemy import select, text

    from dalil.model.person import Person
    from dalil.services.persons import role_clause

    case = new_case(database=pg_schema_url)
    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="R-1", roles=["witness"])
    with case.act(write=False) as ctx:
        q = select(Person.id).where(role_clause(ctx, "witness"))
        compiled = q.compile(dialect=ctx.session.get_bind().dialect)
        params = {k: json.dumps(v) if isinstance(v, list) else v
                  for k, v in compiled.params.items()}  # fmt: skip
        conn = ctx.session.connection()
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        rows = conn.exec_driver_sql("EXPLAIN " + str(compiled), params)
        plan = "\n".join(r[0] for r in rows)
    assert "ix_persons_roles" in plan, plan
