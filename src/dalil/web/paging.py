"""Database-side pages of the plain record lists — a stopgap until the service layer's
list functions take ``limit``/``offset``.

``persons.list_persons``, ``records.list_`` and ``evidence.list_items`` return every row;
cutting a page out of 100,000 persons after loading them all costs seconds per request.
Each function here does exactly what the corresponding service function does — the same
permission check through the service context (``ctx.require(CASE_READ)``, with the same
wording), the same model, the same ``ORDER BY id`` — but with ``LIMIT/OFFSET`` and a
``COUNT``. ``tests/web/test_paging.py`` checks that every page equals the matching slice
of the service function's result, so the two cannot drift apart unnoticed. When the
service functions accept ``limit``/``offset`` the backend uses them instead and this
module can go.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from dalil import access

#: web kind -> (model import path, what the service says when refusing)
_WHAT = {
    "persons": "read persons",
    "evidence": "list evidence",
}


def _model(kind: str, record_kind: str | None) -> tuple[Any, str]:
    if kind == "persons":
        from dalil.model.person import Person

        return Person, _WHAT["persons"]
    if kind == "evidence":
        from dalil.model.evidence import EvidenceItem

        return EvidenceItem, _WHAT["evidence"]
    from dalil.services.records import spec_for

    assert record_kind is not None
    return spec_for(record_kind).model, f"read {record_kind} records"


def page(ctx: Any, kind: str, record_kind: str | None, *, limit: int,
         offset: int) -> tuple[list[Any], int]:
    """(rows ``offset .. offset+limit`` in id order, total rows)."""
    model, what = _model(kind, record_kind)
    ctx.require(access.CASE_READ, what)
    rows = list(ctx.session.scalars(select(model).order_by(model.id).limit(limit).offset(offset)))
    total = int(ctx.session.scalar(select(func.count()).select_from(model)) or 0)
    return rows, total
