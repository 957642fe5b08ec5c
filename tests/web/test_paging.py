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


@pytest.mark.parametrize("kind", ["persons", *RECORD_KINDS, "evidence"])
def test_keyset_pages_equal_the_offset_slices(seeded: dict[str, Any], kind: str) -> None:
    """Walking forward (after the last id shown) and back (before the first) gives the
    same pages as offsets, the last page and the first included."""
    case = Case.open(seeded["root"], TEST_PASSPHRASE)
    try:
        with case.act(USERS["viewer"], write=False) as ctx:
            full = [jsonable(r) for r in _service_rows(ctx, kind)]
            for limit in (1, 2, 3):
                pages: list[list[Any]] = []
                after = None
                for offset in range(0, len(full), limit):
                    rows, _total = paging.page(
                        ctx, kind, RECORD_KINDS.get(kind), limit=limit, offset=0, after=after
                    )
                    got = [jsonable(r) for r in rows]
                    assert got == full[offset : offset + limit]
                    pages.append(got)
                    after = got[-1]["id"]
                rows, _total = paging.page(  # past the last page: nothing
                    ctx, kind, RECORD_KINDS.get(kind), limit=limit, offset=0, after=after
                )
                assert rows == []
                for i in range(len(pages) - 1, 0, -1):
                    rows, _total = paging.page(
                        ctx,
                        kind,
                        RECORD_KINDS.get(kind),
                        limit=limit,
                        offset=0,
                        before=pages[i][0]["id"],
                    )
                    assert [jsonable(r) for r in rows] == pages[i - 1]
    finally:
        case.close()


def _links(html: str) -> dict[str, str]:
    import re

    return {
        rel: href.replace("&amp;", "&")
        for href, rel in re.findall(r'<a href="([^"]+)" rel="(next|prev)"', html)
    }


def _first_cells(html: str) -> list[str]:
    import re

    return re.findall(r'<tr><td><a href="/persons/(\d+)">', html)


def test_list_page_links_walk_by_key_to_the_last_page_and_back(client: Any) -> None:
    client.login("viewer")
    every = _first_cells(client.get("/persons?limit=500").text)
    assert len(every) >= 4, "the seeded case needs a few persons"
    url = "/persons?limit=3"
    seen: list[list[str]] = []
    while True:
        r = client.get(url)
        assert r.status_code == 200
        seen.append(_first_cells(r.text))
        links = _links(r.text)
        if "next" not in links:
            break
        assert f"after={seen[-1][-1]}" in links["next"]  # cut by the key, numbered by offset
        assert f"offset={3 * len(seen)}" in links["next"]
        url = links["next"]
    assert [pid for page in seen for pid in page] == every  # the last page ends the list
    assert len(seen) == -(-len(every) // 3)
    assert "Showing" in r.text and f"of {len(every)}" in r.text
    back: list[list[str]] = [seen[-1]]
    while "prev" in (links := _links(r.text)):
        if len(back) < len(seen) - 1:
            assert f"before={back[-1][0]}" in links["prev"]
        else:  # the first page is the plain first page
            assert "before=" not in links["prev"]
        r = client.get(links["prev"])
        back.append(_first_cells(r.text))
    assert back[::-1] == seen


def test_sorted_list_pages_by_offset(client: Any) -> None:
    client.login("viewer")
    r = client.get("/persons?limit=2&order=-pseudonym")
    links = _links(r.text)
    assert "after=" not in links["next"] and "order=-pseudonym" in links["next"]
    # a key in the address of a sorted list is ignored, not misapplied
    r2 = client.get("/persons?limit=2&order=-pseudonym&offset=2&after=999999")
    r3 = client.get("/persons?limit=2&order=-pseudonym&offset=2")
    assert _first_cells(r2.text) == _first_cells(r3.text) != []


def test_large_filtered_totals_are_remembered_per_filters(monkeypatch: Any) -> None:
    from types import SimpleNamespace

    ctx = SimpleNamespace(case=object())
    monkeypatch.setattr(paging, "_counts", {})  # nothing left from another test
    monkeypatch.setattr(paging, "CACHE_FROM", 100)
    monkeypatch.setattr(paging, "CACHE_SIZE", 2)
    assert paging._total(ctx, "persons", lambda: 500) == 500
    assert paging._total(ctx, "persons", lambda: 300, "sex=female") == 300  # not the 500
    assert paging._total(ctx, "persons", lambda: 301, "sex=female") == 300  # remembered
    assert paging._total(ctx, "persons", lambda: 200, "sex=male") == 200
    # at most CACHE_SIZE totals: the oldest (the unfiltered one) was let go
    assert paging._total(ctx, "persons", lambda: 501) == 501
    # ... and now the female one (older than the male one, still remembered)
    assert paging._total(ctx, "persons", lambda: 201, "sex=male") == 200
    assert paging._total(ctx, "persons", lambda: 302, "sex=female") == 302


def test_an_expired_total_is_counted_by_one_request_at_a_time(monkeypatch: Any) -> None:
    import threading
    from types import SimpleNamespace

    ctx = SimpleNamespace(case=object())
    monkeypatch.setattr(paging, "_counts", {})  # nothing left from another test
    monkeypatch.setattr(paging, "_counting", set())
    monkeypatch.setattr(paging, "CACHE_FROM", 100)
    assert paging._total(ctx, "persons", lambda: 500) == 500
    monkeypatch.setattr(paging, "COUNT_SECONDS", 0.0)  # expired from now on
    started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        started.set()
        assert release.wait(10)
        return 600

    got: list[int] = []
    t = threading.Thread(target=lambda: got.append(paging._total(ctx, "persons", slow)))
    t.start()
    assert started.wait(10)
    # meanwhile another request shows the last total instead of counting as well
    assert paging._total(ctx, "persons", lambda: 700) == 500
    release.set()
    t.join(10)
    assert got == [600] and calls == [1]
    assert paging._total(ctx, "persons", lambda: 701) == 701  # nobody counting: counts
