"""The dashboard: record counts, recent activity, audit and fixity status."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

from dalil.web.context import PageCtx, finish, render
from dalil.web.kinds import KINDS
from dalil.web.pages.common import backend

router = APIRouter(include_in_schema=False)


@router.get("/")
def dashboard(ctx: PageCtx) -> Response:
    data = backend(ctx).dashboard(ctx.user)
    return render(ctx, "dashboard.html", data=data, kinds=KINDS)


@router.post("/fixity")
def fixity(ctx: PageCtx) -> Response:
    """Queue a fixity check of every evidence file (a job) and follow it."""
    job = backend(ctx).submit_job(ctx.user, "fixity", {})
    resp = RedirectResponse(f"/jobs/{job['id']}", status_code=303)
    finish(ctx, resp)
    return resp
