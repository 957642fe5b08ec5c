"""The dashboard: record counts, recent activity, audit and fixity status."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from dalil.web.context import PageCtx, render
from dalil.web.handlers import evidence, overview
from dalil.web.kinds import KINDS

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(ctx: PageCtx) -> Response:
    data = overview.dashboard(ctx)
    return render(ctx, "dashboard.html", data=data, kinds=KINDS)


@router.post("/fixity")
def fixity(ctx: PageCtx) -> Response:
    result = evidence.fixity(ctx)
    data = overview.dashboard(ctx)
    return render(ctx, "dashboard.html", data=data, kinds=KINDS, fixity=result)
