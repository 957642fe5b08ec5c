"""Keyset pages of a list in id order: the rows after (or before) a known id.

``OFFSET n`` makes the database read and skip *n* rows, so a page deep in a list of
100,000 persons costs as much as reading the list up to it (and without planner
statistics PostgreSQL sorts the whole table for it). A page "after id X" reads only its
own rows through the primary key, wherever it is; the list pages link to the next and
previous page that way. A page is the same either way as long as no row was added,
retracted or restored in between (and a keyset page skips or repeats none when one was).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import bindparam

from dalil.errors import InputError

#: The bounds of a page, bound as parameters of the same names in :func:`bound_page`.
BOUNDS = ("after", "before", "limit", "offset")


def cut(
    q: Any, id_column: Any, *, after: int | None, before: int | None, order: str | None
) -> tuple[Any, bool]:
    """*q* (ordered by id) limited to ids above *after* or below *before*; the second value
    says whether the rows come newest first and must be reversed (a page *before* an id is
    read backwards from it). Without either bound, *q* unchanged."""
    if after is None and before is None:
        return q, False
    if order and order != "id":
        raise InputError("after/before page only a list in id order", field="order")
    if after is not None and before is not None:
        raise InputError("give after or before, not both")
    if after is not None:
        return q.where(id_column > after).order_by(None).order_by(id_column.asc()), False
    return q.where(id_column < before).order_by(None).order_by(id_column.desc()), True


def bound_page(
    cache: dict[tuple[Hashable, ...], tuple[Any, bool]],
    key: tuple[Hashable, ...],
    build: Callable[[Any, Any, Any, Any], tuple[Any, bool]],
    *,
    after: int | None,
    before: int | None,
    limit: int | None,
    offset: int | None,
) -> tuple[Any, bool, dict[str, Any]]:
    """A page statement built once per *key* and shape, its bounds as parameters.

    *build(after, before, limit, offset)* makes the statement and says whether its rows
    come backwards (as :func:`cut`); it is called with a ``bindparam`` for each bound
    given and ``None`` for the others (an offset of 0 counts as none), once per *key* and
    set of bounds given, and kept in *cache*. Invalid input raises while it is built, so
    no statement of it is kept. Returns the statement, whether its rows come backwards,
    and the parameters to execute it with."""
    given = (after is not None, before is not None, limit is not None, bool(offset))
    shape = (*key, *given)
    built = cache.get(shape)
    if built is None:
        built = cache[shape] = build(
            *(bindparam(n) if g else None for n, g in zip(BOUNDS, given, strict=True))
        )
    values = (after, before, limit, offset)
    params = {n: v for n, v, g in zip(BOUNDS, values, given, strict=True) if g}
    return built[0], built[1], params
