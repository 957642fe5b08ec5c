"""Keyset pages of a list in id order: the rows after (or before) a known id.

``OFFSET n`` makes the database read and skip *n* rows, so a page deep in a list of
100,000 persons costs as much as reading the list up to it (and without planner
statistics PostgreSQL sorts the whole table for it). A page "after id X" reads only its
own rows through the primary key, wherever it is; the list pages link to the next and
previous page that way. A page is the same either way as long as no row was added,
retracted or restored in between (and a keyset page skips or repeats none when one was).
"""

from __future__ import annotations

from typing import Any

from dalil.errors import InputError


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
