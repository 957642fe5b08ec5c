"""The audit log: filter and verify."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import Response

from dalil.errors import PermissionDenied
from dalil.web.context import PageCtx, render
from dalil.web.handlers import overview
from dalil.web.kinds import KINDS
from dalil.web.pages.common import MAX_PAGE, PAGE_SIZE

router = APIRouter(include_in_schema=False)


@router.get("/audit")
def audit_page(
    ctx: PageCtx,
    actor: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
    object: str | None = Query(None, max_length=128),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Response:
    page = overview.audit(
        ctx,
        actor=actor or None,
        action=action or None,
        object_id=object or None,
        limit=limit,
        offset=offset,
    )
    from urllib.parse import urlencode

    filters = {"actor": actor or "", "action": action or "", "object": object or ""}
    kept = {k: v for k, v in filters.items() if v}
    return render(
        ctx,
        "audit.html",
        page=page,
        limit=limit,
        offset=offset,
        filters=filters,
        filter_query=("&" + urlencode(kept)) if kept else "",
        verify=None,
    )


@router.post("/audit/verify")
def audit_verify(ctx: PageCtx) -> Response:
    result = overview.audit_verify(ctx)
    try:
        page = overview.audit(ctx, limit=PAGE_SIZE, offset=0)
    except PermissionDenied:  # may verify but not read entries: show it on the dashboard
        data = overview.dashboard(ctx)
        return render(ctx, "dashboard.html", data=data, kinds=KINDS, verify=result)
    return render(
        ctx,
        "audit.html",
        page=page,
        limit=PAGE_SIZE,
        offset=0,
        filters={"actor": "", "action": "", "object": ""},
        filter_query="",
        verify=result,
    )
