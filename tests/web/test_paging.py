"""The database-side pages equal the service functions' results, sliced (so the
stopgap in dalil.web.paging cannot drift from the service layer unnoticed)."""

from __future__ import annotations

from typing import Any

import pytest

from dalil.core.case import Case
from dalil.display.jsonout import jsonable
from dalil.errors import PermissionDenied
from dalil.testing import TEST_PASSPHRASE
from dalil.web import paging
from dalil.web.handlers.records import RECORD_KINDS

from .conftest import USERS


def _service_rows(ctx: Any, kind: str) -> list[Any]:
    from dalil.services import evidence, persons, records

    if kind == "persons":
        return persons.list_persons(ctx)
    if kind == "evidence":
        return evidence.list_items(ctx)
    return records.list_(ctx, RECORD_KINDS[kind])


@pytest.mark.parametrize("kind", ["persons", *RECORD_KINDS, "evidence"])
def test_every_page_is_the_matching_slice_of_the_service_list(
    seeded: dict[str, Any], kind: str
) -> None:
    case = Case.open(seeded["root"], TEST_PASSPHRASE)
    try:
        with case.act(USERS["viewer"], write=False) as ctx:
            full = [jsonable(r) for r in _service_rows(ctx, kind)]
            for limit in (1, 2, 3, 500):
                for offset in range(0, len(full) + 2):
                    rows, total = paging.page(
                        ctx, kind, RECORD_KINDS.get(kind), limit=limit, offset=offset
                    )
                    assert total == len(full)
                    assert [jsonable(r) for r in rows] == full[offset : offset + limit]
    finally:
        case.close()


def test_paging_checks_the_same_permission(seeded: dict[str, Any]) -> None:
    from dalil.core.access import Actor

    case = Case.open(seeded["root"], TEST_PASSPHRASE)
    try:
        with (
            case.act(Actor(name="nobody", role="no-such-role"), write=False) as ctx,
            pytest.raises(PermissionDenied),
        ):
            paging.page(ctx, "persons", None, limit=5, offset=0)
    finally:
        case.close()


def test_large_totals_are_remembered_briefly_and_small_ones_never(monkeypatch: Any) -> None:
    from types import SimpleNamespace

    calls: list[int] = []

    def counter(n: int) -> Any:
        def count() -> int:
            calls.append(n)
            return n

        return count

    ctx = SimpleNamespace(case=object())
    monkeypatch.setattr(paging, "CACHE_FROM", 100)
    assert paging._total(ctx, "persons", counter(5)) == 5
    assert paging._total(ctx, "persons", counter(6)) == 6  # small: counted again
    assert paging._total(ctx, "persons", counter(500)) == 500
    assert paging._total(ctx, "persons", counter(501)) == 500  # remembered
    assert calls == [5, 6, 500]
    monkeypatch.setattr(paging, "COUNT_SECONDS", 0.0)
    assert paging._total(ctx, "persons", counter(502)) == 502  # expired
