"""The dashboard: record counts, recent activity, audit and fixity status."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from dalil.web.context import PageCtx, finish, render
from dalil.web.handlers import jobs as job_handlers
from dalil.web.handlers import overview
from dalil.web.kinds import KINDS

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(ctx: PageCtx) -> Response:
    data = overview.dashboard(ctx)
    return render(ctx, "dashboard.html", data=data, kinds=KINDS)


@router.post("/fixity")
def fixity(ctx: PageCtx) -> Response:
    """Queue a fixity check of every evidence file (a job) and follow it."""
    job = job_handlers.submit(ctx, "fixity", {})
    resp = RedirectResponse(f"/jobs/{job['id']}", status_code=303)
    finish(ctx, resp)
    return resp
