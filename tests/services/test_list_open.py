"""The column-query list reads used by the workbench return exactly what the ORM lists
return through ``to_dict()`` (same keys, values, order and paging) and keep the same
permission check; protected ciphertext is never part of their result."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.core.case import Case
from dalil.errors import InputError
from dalil.services import persons, records


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Case:
    import os

    os.environ.setdefault("DALIL_KDF_PROFILE", "test")
    case = Case.init(tmp_path_factory.mktemp("lo") / "case", "fictional passphrase", admin="admin")
    with case.act("admin") as ctx:
        for i in range(23):
            persons.add_person(
                ctx,
                pseudonym=f"V-{i:03d}",
                roles=["victim"] if i % 3 else [],
                sex=("male", "female", None)[i % 3],
                age=i or None,
                notes="fictional <b>note</b>" if i % 4 == 0 else None,
                **({"legal_name": f"Fictional Person {i}"} if i % 5 == 0 else {}),
            )
        inc = records.add(ctx, "incident", title="Fictional incident", date_start="2025-03")
        for i in range(11):
            records.add(
                ctx,
                "source",
                kind="report",
                title=f"Fictional source {i}",
                published=f"2024-0{1 + i % 9}",
            )
            records.add(ctx, "site", name=f"Fictional site {i}", site_type="other")
        records.add(ctx, "act", incident_id=inc.id, victim_id=1, act_type="killing")
    return case


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(limit=st.one_of(st.none(), st.integers(0, 30)), offset=st.integers(0, 30))
def test_open_person_page_equals_orm_page(filled: Case, limit: int | None, offset: int) -> None:
    with filled.act("admin", write=False) as ctx:
        fast = persons.list_persons_open(ctx, limit=limit, offset=offset)
        slow = [p.to_dict() for p in persons.list_persons(ctx, limit=limit, offset=offset)]
    assert fast == slow
    assert [list(d) for d in fast] == [list(d) for d in slow]  # same key order


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(["source", "site", "incident", "act", "unit"]),
    limit=st.one_of(st.none(), st.integers(0, 15)),
    offset=st.integers(0, 15),
)
def test_open_record_page_equals_orm_page(
    filled: Case, kind: str, limit: int | None, offset: int
) -> None:
    with filled.act("admin", write=False) as ctx:
        fast = records.list_open(ctx, kind, limit=limit, offset=offset)
        slow = [r.to_dict() for r in records.list_(ctx, kind, limit=limit, offset=offset)]
    assert fast == slow
    assert [list(d) for d in fast] == [list(d) for d in slow]


def test_open_person_list_never_carries_protected_ciphertext(filled: Case) -> None:
    with filled.act("admin", write=False) as ctx:
        rows = persons.list_persons_open(ctx)
    assert any("legal_name" in r["protected_fields"] for r in rows)
    for r in rows:
        assert not any(k.endswith(("_enc", "_index")) or k == "legal_name" for k in r)
        assert "Fictional Person" not in repr(r)


def test_open_lists_refuse_negative_pages(filled: Case) -> None:
    with filled.act("admin", write=False) as ctx:
        with pytest.raises(InputError):
            persons.list_persons_open(ctx, limit=-1)
        with pytest.raises(InputError):
            records.list_open(ctx, "source", offset=-1)
