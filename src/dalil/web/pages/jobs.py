"""Jobs: long work (linkage runs, fixity checks, reports …) followed in the browser."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse, Response

from dalil.web.context import N_, PageCtx, finish, render
from dalil.web.handlers import jobs as job_handlers

router = APIRouter(include_in_schema=False)

STATES = ("queued", "running", "done", "failed", "cancelled")
# Words shown for states and job kinds (translated in the page through the catalog).
_WORDS = (
    N_("queued"),
    N_("running"),
    N_("done"),
    N_("failed"),
    N_("cancelled"),
    N_("Fixity check"),
    N_("Linkage run"),
    N_("Estimate"),
    N_("Report"),
    N_("Vetting screen"),
    N_("Evidence bag export"),
    N_("Media analysis"),
    N_("OCR"),
    N_("Estimate"),
)


@router.get("/jobs")
def jobs_page(
    ctx: PageCtx,
    state: str | None = Query(None, pattern="^(queued|running|done|failed|cancelled)$"),
    mine: bool = False,
) -> Response:
    assert ctx.user is not None
    rows = job_handlers.list_jobs(
        ctx, state=state, owner=ctx.user.name if mine else None, limit=100
    )
    return render(ctx, "jobs.html", jobs=rows, state=state, mine=mine, states=STATES)


@router.get("/jobs/{job_id}")
def job_page(ctx: PageCtx, job_id: int) -> Response:
    job = job_handlers.get(ctx, job_id)
    for line in job.get("log", []):
        if line.get("message_id"):
            line["html"] = job_handlers.as_html(line["message_id"], line.get("params"), ctx.lang)
    err = job.get("error_message")
    if err:
        job["error_html"] = job_handlers.as_html(err["id"], err.get("params"), ctx.lang)
    estimate = None
    if job["kind"] == "estimate" and isinstance(job.get("result"), dict):
        from dalil.web.handlers.estimates import result_view

        estimate = result_view(job["result"], ctx.lang)
    capture = None
    if job["kind"] == "capture" and isinstance(job.get("result"), dict):
        capture = job_handlers.capture_summary(ctx, job["result"])
    stale = None
    if job["kind"] in ("estimate", "linkage") and job["state"] == "done":
        stale = job_handlers.staleness(ctx, job)
    return render(ctx, "job.html", job=job, estimate=estimate, stale=stale, capture=capture)


@router.post("/jobs/{job_id}/cancel")
def job_cancel(ctx: PageCtx, job_id: int) -> Response:
    job_handlers.cancel(ctx, job_id)
    resp = RedirectResponse(f"/jobs/{job_id}", status_code=303)
    finish(ctx, resp)
    return resp


@router.get("/jobs/{job_id}/files/{name}")
def job_file(ctx: PageCtx, job_id: int, name: str) -> Response:
    return job_handlers.download(ctx, job_id, name)


@router.get("/lists/jobs/{job_id}")
def old_linkage_job(ctx: PageCtx, job_id: int) -> Response:
    """Where linkage runs used to be followed: the jobs page now."""
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
