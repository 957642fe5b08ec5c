"""``GET /api/v1/search``: case-wide search within the caller's permissions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from dalil.services import search as search_service
from dalil.web.context import ApiCtx
from dalil.web.problems import ERRORS

router = APIRouter()
_KIND_QUERY = Query(None, description="Only hits of these kinds (repeatable)")


class SearchHit(BaseModel):
    kind: str = Field(description="source, evidence, incident, act, site, unit or person")
    id: int
    label: str
    snippet: str = Field(description="HTML-escaped text, each matching word in <mark>")
    score: float


class SearchResult(BaseModel):
    query: str
    total: int = Field(ge=0)
    limit: int
    offset: int
    hits: list[SearchHit]


@router.get("/search", response_model=SearchResult, responses=ERRORS)
def search(
    ctx: ApiCtx,
    q: str = Query(..., min_length=1, max_length=500, description="What to search for"),
    kind: list[str] | None = _KIND_QUERY,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=10**6),
    protected: bool = Query(False, description="Also search legal names (reason needed)"),
    reason: str | None = Query(None, max_length=1000, description="Why (for protected)"),
) -> dict[str, Any]:
    """Search source texts, OCR texts, evidence names and notes, incidents, acts, sites,
    units and pseudonyms (and, with ``protected=true`` and a reason, legal names — logged
    like a reveal). Hits are ranked, best first, with a highlighted snippet."""
    with ctx.act(write=True) as sc:  # may log search.read / person.search_protected
        return dict(
            search_service.search(
                sc, q, kinds=kind, limit=limit, offset=offset,
                include_protected=protected, reason=reason,
            )
        )  # fmt: skip
