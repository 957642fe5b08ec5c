"""Sources: add, and compare two sources (stored or pasted texts)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from dalil.display.messages import error_in_words
from dalil.errors import DalilError, PermissionDenied
from dalil.sources.render import mark_runs
from dalil.web.context import PageCtx, finish, render
from dalil.web.forms import ERROR_WORDS
from dalil.web.handlers import records
from dalil.web.handlers import sources as source_handlers
from dalil.web.pages.common import MAX_PAGE, MAX_TEXT

router = APIRouter(include_in_schema=False)


@router.get("/sources/new")
def source_new(ctx: PageCtx) -> Response:
    return render(ctx, "source_new.html", error=None, values={}, errors={}, error_words=ERROR_WORDS)


@router.post("/sources/new")
def source_create(
    ctx: PageCtx,
    title: str = Form(..., min_length=1, max_length=500),
    kind: str = Form("report", max_length=40),
    publisher: str = Form("", max_length=300),
    published: str = Form("", max_length=40),
    url: str = Form("", max_length=2000),
    language: str = Form("", max_length=20),
) -> Response:
    fields = {
        "title": title,
        "kind": kind,
        "publisher": publisher or None,
        "published": published or None,
        "url": url or None,
        "language": language or None,
    }
    try:
        record = source_handlers.add_source(ctx, fields)
    except DalilError as err:
        if isinstance(err, PermissionDenied):
            raise
        # shown next to its field (or above the form), with the input kept
        where = err.field if err.field in fields else None
        kind_of = {"published": "date", "url": "url", "kind": "choice", "title": "required"}
        return render(
            ctx,
            "source_new.html",
            status_code=422,
            error=None if where else error_in_words(err, ctx.lang),
            errors={where: kind_of.get(where, "text")} if where else {},
            error_words=ERROR_WORDS,
            values={k: v or "" for k, v in fields.items()},
        )
    resp = RedirectResponse(f"/sources/{record['id']}", status_code=303)
    finish(ctx, resp)
    return resp


def _with_changed_words(result: dict[str, Any] | None) -> dict[str, Any] | None:
    """Each quotation with the words it changed marked on both sides (``text_parts``:
    words the derivative added; ``source_parts``: source words it left out or replaced)."""
    if not result:
        return result
    for q in result.get("quotes", []):
        q["text_parts"] = mark_runs(q.get("text") or "", q.get("added") or [])
        q["source_parts"] = mark_runs(q.get("source_text") or "", q.get("omitted") or [])
    return result


@router.get("/sources/compare")
def source_compare(
    ctx: PageCtx,
    a: str | None = Query(None, max_length=64),
    b: str | None = Query(None, max_length=64),
) -> Response:
    sources = records.list_page(ctx, "sources", limit=MAX_PAGE, offset=0)["items"]
    result = _with_changed_words(source_handlers.compare_sources(ctx, a, b) if a and b else None)
    return render(ctx, "compare.html", sources=sources, a=a, b=b, result=result, texts={},
                  errors={}, error_words=ERROR_WORDS)  # fmt: skip


@router.post("/sources/compare")
def source_compare_texts(
    ctx: PageCtx,
    earlier: str = Form(..., min_length=1, max_length=MAX_TEXT),
    later: str = Form(..., min_length=1, max_length=MAX_TEXT),
    earlier_date: str = Form("", max_length=40),
    later_date: str = Form("", max_length=40),
) -> Response:
    texts = {
        "earlier": earlier,
        "later": later,
        "earlier_date": earlier_date,
        "later_date": later_date,
    }
    days: dict[str, str | None] = {}
    errors: dict[str, str] = {}
    for name in ("earlier_date", "later_date"):
        days[name], why = _day(texts[name])
        if why:
            errors[name] = why
    sources = records.list_page(ctx, "sources", limit=MAX_PAGE, offset=0)["items"]
    if errors:  # next to the field, the texts kept
        return render(ctx, "compare.html", status_code=422, sources=sources, a=None, b=None,
                      result=None, texts=texts, errors=errors, error_words=ERROR_WORDS)  # fmt: skip
    result = _with_changed_words(
        source_handlers.compare_texts(
            ctx,
            {"text": earlier, "date": days["earlier_date"], "id": "earlier"},
            {"text": later, "date": days["later_date"], "id": "later"},
        )
    )
    return render(ctx, "compare.html", sources=sources, a=None, b=None, result=result,
                  texts=texts, errors={}, error_words=ERROR_WORDS)  # fmt: skip


def _day(typed: str) -> tuple[str | None, str | None]:
    """A day typed as people write it as ``YYYY-MM-DD``, or the error word: ``date``
    (not a date) or ``day`` (a month or a year where a day is needed)."""
    from dalil.errors import InputError
    from dalil.services.sources import typed_day

    try:
        return typed_day(typed), None
    except InputError as e:
        return None, "day" if e.code == "not_a_day" else "date"
