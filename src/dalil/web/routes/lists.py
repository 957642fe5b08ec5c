"""Victim lists: lists, review queue, decisions, linkage runs; estimates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from dalil.errors import Conflict, NotFound, PermissionDenied
from dalil.web.context import Ctx, PageCtx, finish, render
from dalil.web.mapsvg import estimate_plot
from dalil.web.routes.common import backend

router = APIRouter(include_in_schema=False)


@router.get("/lists")
def lists_page(ctx: PageCtx) -> Response:
    b = backend(ctx)
    return render(ctx, "lists.html", lists=b.victim_lists(ctx.user),
                  queue=b.review_queue(ctx.user), revealed=False)


@router.post("/lists/review")
def lists_review_reveal(
    ctx: PageCtx, reason: str = Form(..., min_length=1, max_length=1000)
) -> Response:
    b = backend(ctx)
    return render(ctx, "lists.html", lists=b.victim_lists(ctx.user),
                  queue=b.review_queue(ctx.user, reason=reason), revealed=True)


@router.post("/lists/decide")
def lists_decide(
    ctx: PageCtx,
    pair: str = Form(..., max_length=40),
    verdict: str = Form(..., max_length=10),
    note: str = Form("", max_length=1000),
) -> Response:
    backend(ctx).decide_pair(ctx.user, pair, verdict, note)
    resp = RedirectResponse("/lists", status_code=303)
    finish(ctx, resp)
    return resp


def start_linkage(ctx: Ctx) -> Any:
    """Start a linkage run as the request's user, in the background. The service checks
    the permission as its first step; a refusal arrives within moments and is answered
    here (403) rather than as a failed job."""
    bridge = backend(ctx)
    principal = ctx.user
    assert principal is not None
    job = ctx.request.app.state.jobs.start(
        "linkage", principal.name, lambda say: bridge.link_lists(principal, say))
    job.wait(2.0)
    if isinstance(job.exception, PermissionDenied):
        raise job.exception
    return job


@router.post("/lists/link")
def lists_link(ctx: PageCtx) -> Response:
    job = start_linkage(ctx)
    resp = RedirectResponse(f"/lists/jobs/{job.id}", status_code=303)
    finish(ctx, resp)
    return resp


@router.get("/lists/jobs/{job_id}")
def lists_job(ctx: PageCtx, job_id: str) -> Response:
    job = ctx.request.app.state.jobs.get(job_id)
    return render(ctx, "job.html", job=job.to_dict())


@router.get("/estimates")
def estimates_page(
    ctx: PageCtx, method: str = Query("loglinear", pattern="^(loglinear|bma)$"),
) -> Response:
    try:
        result = backend(ctx).estimate(ctx.user, method)
    except (NotFound, Conflict) as e:  # no lists yet, or not linked yet: say so on the page
        return render(ctx, "estimates.html", result=None, method=method, plot=None,
                      message=e.message)
    return render(ctx, "estimates.html", result=result, method=method, message=None,
                  plot=estimate_plot(result, title=ctx._("Estimates by model, with intervals"),
                                     observed_label=ctx._("documented")))
