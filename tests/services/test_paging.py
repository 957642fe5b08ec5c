"""Service-level paging: ``limit``/``offset`` pages equal slices of the full list, the
count functions agree with it, and paging keeps the permission check."""

from __future__ import annotations

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
