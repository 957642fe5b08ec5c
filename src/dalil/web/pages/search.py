"""The search page behind the search box of every page: ``services.search.search`` (the
service of ``dalil search`` and ``GET /api/v1/search``), within the user's permissions.
Searching legal names is a form sent with the session's CSRF token and a reason (it is
logged like a reveal)."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response
from markupsafe import Markup

from dalil.display.jsonout import jsonable
from dalil.display.messages import error_in_words
from dalil.errors import InputError
from dalil.services import evidence as evidence_service
from dalil.services import kernel
from dalil.services import search as search_service
from dalil.web.context import PageCtx, render

router = APIRouter(include_in_schema=False)

PAGE = 20
_PLURAL = {"source": "sources", "incident": "incidents", "act": "acts", "site": "sites",
           "unit": "units", "person": "persons"}  # fmt: skip
_MARKS = re.compile(r"</?mark>")


def safe_snippet(snippet: str) -> Markup:
    """The service's snippet (escaped text, matches in ``<mark>``) as markup; anything
    else that looks like a tag is escaped again rather than trusted."""
    if "<" in _MARKS.sub("", snippet) or ">" in _MARKS.sub("", snippet):
        return Markup(html.escape(snippet))
    return Markup(snippet)


def _results(
    ctx: PageCtx, q: str, kind: str, offset: int, *, protected: bool, reason: str | None
) -> dict[str, Any]:
    kinds = [kind] if kind else None
    with ctx.act(write=True) as sc:  # a search of evidence text or names is logged
        res = dict(jsonable(search_service.search(
            sc, q, kinds=kinds, limit=PAGE, offset=offset,
            include_protected=protected, reason=reason,
        )))  # fmt: skip
        for hit in res["hits"]:
            if hit["kind"] == "evidence":
                sha = evidence_service.resolve_item(sc, hit["id"]).sha256
                hit["url"] = f"/evidence/{sha}"
            else:
                hit["url"] = f"/{_PLURAL[hit['kind']]}/{hit['id']}"
            hit["snippet_html"] = safe_snippet(str(hit["snippet"]))
        res["can_reveal"] = sc.can(kernel.PROTECTED_REVEAL)
    return res


@router.get("/search")
def search_page(
    ctx: PageCtx,
    q: str = Query("", max_length=500),
    kind: str = Query("", pattern="^(|source|evidence|incident|act|site|unit|person)$"),
    offset: int = Query(0, ge=0, le=10**6),
) -> Response:
    """Ranked hits with highlighted snippets; an empty query shows the form only."""
    res = None
    if q.strip():
        res = _results(ctx, q, kind, offset, protected=False, reason=None)
    with ctx.act() as sc:
        can_reveal = sc.can(kernel.PROTECTED_REVEAL)
    return render(ctx, "search.html", q=q, kind=kind, res=res, kinds=search_service.KINDS,
                  can_reveal=can_reveal, protected=False, reason="", limit=PAGE)  # fmt: skip


@router.post("/search")
def search_protected(
    ctx: PageCtx,
    q: str = Form(..., min_length=1, max_length=500),
    reason: str = Form(..., max_length=1000),
    kind: str = Form("", pattern="^(|source|evidence|incident|act|site|unit|person)$"),
) -> Response:
    """The same search including legal names (reveal permission, a reason; logged)."""
    try:
        res = _results(ctx, q, kind, 0, protected=True, reason=reason)
    except InputError as e:  # the reason is missing or too short: say so beside it
        return render(ctx, "search.html", status_code=422, q=q, kind=kind, res=None,
                      kinds=search_service.KINDS, can_reveal=True, protected=True,
                      reason=reason, limit=PAGE, reason_error=error_in_words(e, ctx.lang))  # fmt: skip
    return render(ctx, "search.html", q=q, kind=kind, res=res, kinds=search_service.KINDS,
                  can_reveal=True, protected=True, reason=reason, limit=PAGE)  # fmt: skip
