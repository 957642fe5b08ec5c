"""REST: jobs (``dalil jobs``): list, follow, cancel, download an output file."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from dalil.web.context import ApiCtx
from dalil.web.handlers import jobs as job_handlers
from dalil.web.problems import ERRORS

router = APIRouter()


@router.get("/jobs", response_model=list[dict[str, Any]], responses=ERRORS)
def list_jobs(
    ctx: ApiCtx,
    state: str | None = Query(None, pattern="^(queued|running|done|failed|cancelled)$"),
    owner: str | None = Query(None, max_length=64),
    kind: str | None = Query(None, max_length=64),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[dict[str, Any]]:
    """Jobs, newest first (`dalil jobs list --json`)."""
    return job_handlers.list_jobs(
        ctx, state=state, owner=owner, kind=kind, limit=limit, offset=offset
    )


@router.get("/jobs/{job_id}", response_model=dict[str, Any], responses=ERRORS)
def job_status(ctx: ApiCtx, job_id: int) -> dict[str, Any]:
    """State, progress (0-1), log, and result and files (for the owner, an admin, or a role
    allowed to run that kind) of a job (`dalil jobs show ID --json`); `messages` repeats
    the log's words."""
    return job_handlers.get(ctx, job_id)


@router.post("/jobs/{job_id}/cancel", response_model=dict[str, Any], responses=ERRORS)
def cancel_job(ctx: ApiCtx, job_id: int) -> dict[str, Any]:
    """Cancel a job (owner or admin): a queued one at once, a running one soon."""
    return job_handlers.cancel(ctx, job_id)


@router.get("/jobs/{job_id}/files/{name}", responses=ERRORS)
def job_file(ctx: ApiCtx, job_id: int, name: str) -> Response:
    """An output file of a job (a report, an evidence bag …), streamed from the vault with
    bounded memory (`Content-Length`, `Repr-Digest`, `X-Content-SHA256`); logged
    `job.file_get`."""
    return job_handlers.download(ctx, job_id, name)
