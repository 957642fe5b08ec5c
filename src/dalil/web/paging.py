"""Pages of the plain record lists, cut in the database by the service layer.

``persons.list_persons_open``, ``records.list_open`` (the open fields as dicts, read
with one column query) and ``evidence.list_items`` take ``limit``/``offset`` and have
count functions (``count_persons``, ``count``,
``count_items``); they check the permission. This module only picks the pair for a web
kind. ``tests/web/test_paging.py`` checks that every page equals the matching slice of
the unpaged list.

Counting a large table on every page view costs as much as reading the page, so a total
of at least :data:`CACHE_FROM` rows is remembered for :data:`COUNT_SECONDS` (per case,
kind and filters: ``/persons?sex=female`` counted 37 ms of 100,000 persons on every
view): the "of N" under a list of 100,000 persons may lag by a few rows for that long.
Smaller totals are counted every time; at most :data:`CACHE_SIZE` totals are kept.
While one request counts an expired total again, the others show the last one. The
page itself (and the permission check of the list function) is never cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

COUNT_SECONDS = 2.0
CACHE_FROM = 10_000
CACHE_SIZE = 256

_counts: dict[tuple[int, str, str], tuple[float, int]] = {}
#: Totals being counted again now: the other requests of the moment show the last one
#: instead of all counting at once (50 users, one expired total: one count, not 25).
_counting: set[tuple[int, str, str]] = set()
_lock = threading.Lock()


def _total(ctx: Any, kind: str, count: Callable[[], int], filters: str = "") -> int:
    key = (id(ctx.case), kind, filters)
    now = time.monotonic()
    with _lock:
        hit = _counts.get(key)
        if hit is not None and now - hit[0] >= COUNT_SECONDS and key in _counting:
            return hit[1]  # another request is counting it again: the last total meanwhile
        if hit is None or now - hit[0] >= COUNT_SECONDS:
            _counting.add(key)
    if hit is not None and now - hit[0] < COUNT_SECONDS:
        return hit[1]
    try:
        total = int(count())
    finally:
        with _lock:
            _counting.discard(key)
    with _lock:
        if total >= CACHE_FROM:
            _counts.pop(key, None)
            _counts[key] = (now, total)
            while len(_counts) > CACHE_SIZE:  # the oldest first (insertion order)
                del _counts[next(iter(_counts))]
        else:
            _counts.pop(key, None)
    return total


def page(
    ctx: Any,
    kind: str,
    record_kind: str | None,
    *,
    limit: int,
    offset: int,
    filters: dict[str, Any] | None = None,
    after: int | None = None,
    before: int | None = None,
) -> tuple[list[Any], int]:
    """(rows ``offset .. offset+limit``, total rows), in id order unless *filters* has an
    ``order``; *filters* narrow the list (the service functions check them). In id
    order, *after*/*before* an id cut the page by the key instead (*offset* then only
    numbers it; :mod:`dalil.services.keyset`). A large total is remembered briefly,
    per filters (see the module docstring)."""
    filters = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
    order = filters.pop("order", None)
    keys: dict[str, Any] = {"after": after, "before": before}

    # the filters that narrow the count, as one key (the order of rows does not count)
    narrowed = repr(sorted((k, str(v)) for k, v in filters.items()))

    def total(count: Callable[[], int]) -> int:
        return _total(ctx, kind, count, narrowed)

    if kind == "persons":
        from dalil.services import persons

        people: list[Any] = persons.list_persons_open(
            ctx, limit=limit, offset=offset, order=order, **keys, **filters
        )
        return people, total(lambda: persons.count_persons(ctx, **filters))
    if kind == "evidence":
        from dalil.services import evidence

        ev: dict[str, Any] = dict(filters)
        if "sensitive" in ev:
            ev["sensitive"] = ev["sensitive"] in ("1", "true", "yes", True)
        items: list[Any] = evidence.list_items(ctx, limit=limit, offset=offset, **keys, **ev)
        return items, total(lambda: evidence.count_items(ctx, **ev))
    from dalil.services import records

    assert record_kind is not None
    rows = records.list_open(
        ctx, record_kind, limit=limit, offset=offset, order=order, **keys, **filters
    )
    return rows, total(lambda: records.count(ctx, record_kind, **filters))
