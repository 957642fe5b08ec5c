"""Pages of the plain record lists, cut in the database by the service layer.

``persons.list_persons``, ``records.list_`` and ``evidence.list_items`` take
``limit``/``offset`` and have count functions (``count_persons``, ``count``,
``count_items``); they check the permission. This module only picks the pair for a web
kind. ``tests/web/test_paging.py`` checks that every page equals the matching slice of
the unpaged list.
"""

from __future__ import annotations

from typing import Any


def page(ctx: Any, kind: str, record_kind: str | None, *, limit: int,
         offset: int) -> tuple[list[Any], int]:
    """(rows ``offset .. offset+limit`` in id order, total rows)."""
    if kind == "persons":
        from dalil.services import persons

        return (persons.list_persons(ctx, limit=limit, offset=offset),
                persons.count_persons(ctx))
    if kind == "evidence":
        from dalil.services import evidence

        return evidence.list_items(ctx, limit=limit, offset=offset), evidence.count_items(ctx)
    from dalil.services import records

    assert record_kind is not None
    return (records.list_(ctx, record_kind, limit=limit, offset=offset),
            records.count(ctx, record_kind))
