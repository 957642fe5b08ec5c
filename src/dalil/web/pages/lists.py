"""Victim lists: lists, review queue, decisions, linkage runs; estimates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dalil.display.maps import estimate_plot
from dalil.errors import Conflict, InputError, NotFound
from dalil.web.context import Ctx, PageCtx, finish, render
from dalil.web.handlers import jobs as job_handlers
from dalil.web.handlers import lists

router = APIRouter(include_in_schema=False)


@router.get("/lists")
def lists_page(ctx: PageCtx) -> Response:
    return render(
        ctx,
        "lists.html",
        lists=lists.victim_lists(ctx),
        queue=lists.review_queue(ctx),
        revealed=False,
    )


@router.post("/lists/review")
def lists_review_reveal(
    ctx: PageCtx, reason: str = Form(..., min_length=1, max_length=1000)
) -> Response:
    return render(
        ctx,
        "lists.html",
        lists=lists.victim_lists(ctx),
        queue=lists.review_queue(ctx, reason=reason),
        revealed=True,
    )


@router.post("/lists/decide")
def lists_decide(
    ctx: PageCtx,
    pair: str = Form(..., max_length=40),
    verdict: str = Form(..., max_length=10),
    note: str = Form("", max_length=1000),
) -> Response:
    lists.decide_pair(ctx, pair, verdict, note)
    resp = RedirectResponse("/lists", status_code=303)
    finish(ctx, resp)
    return resp


def start_linkage(ctx: Ctx) -> dict[str, Any]:
    """Queue a linkage run as the request's user (a job; job workers run it). The service
    checks the permission at once (403 here); a second run waits for the first."""
    return job_handlers.submit(ctx, "linkage", {})


@router.post("/lists/link")
def lists_link(ctx: PageCtx) -> Response:
    job = start_linkage(ctx)
    resp = RedirectResponse(f"/jobs/{job['id']}", status_code=303)
    finish(ctx, resp)
    return resp


@router.get("/estimates")
def estimates_page(
    ctx: PageCtx,
    method: str = Query("loglinear", pattern="^(loglinear|bma)$"),
) -> Response:
    try:
        result = lists.estimate(ctx, method)
    except (NotFound, Conflict) as e:  # no lists yet, or not linked yet: say so on the page
        return render(
            ctx, "estimates.html", result=None, method=method, plot=None, message=e.message
        )
    return render(
        ctx,
        "estimates.html",
        result=result,
        method=method,
        message=None,
        plot=estimate_plot(
            result,
            title=ctx._("Estimates by model, with intervals"),
            observed_label=ctx._("documented"),
        ),
    )


# --- import with column mapping ---------------------------------------------------------

MAX_LIST_UPLOAD = 20 * 1024 * 1024  # bytes kept in server memory between the steps


def _upload(ctx: PageCtx) -> dict[str, Any] | None:
    return ctx.session.list_upload if ctx.session is not None else None


def _import_form(ctx: PageCtx, error: str | None = None, status_code: int = 200) -> Response:
    return render(ctx, "list_import.html", status_code=status_code, step="upload", error=error)


@router.get("/lists/import")
def list_import_page(ctx: PageCtx) -> Response:
    return _import_form(ctx)


@router.post("/lists/import")
async def list_import_upload(
    ctx: PageCtx,
    file: UploadFile = File(...),  # noqa: B008
    name: str = Form(..., min_length=1, max_length=100),
) -> Response:
    """Step 1: the file is read into memory (never written into the case) and its columns
    are shown against the standard fields."""
    data = await file.read(MAX_LIST_UPLOAD + 1)
    if len(data) > MAX_LIST_UPLOAD:
        return _import_form(
            ctx,
            ctx._(
                "The file is too large for the web import (20 MB); "
                "use the command line: dalil lists import."
            ),
            413,
        )
    filename = file.filename or "list.csv"
    try:
        cols = await run_in_threadpool(lists.list_file_columns, ctx, filename, data)
    except InputError as e:
        return _import_form(ctx, str(e), 422)
    if ctx.session is not None:
        ctx.session.list_upload = {"filename": filename, "data": data, "name": name}
    return render(
        ctx,
        "list_import.html",
        step="map",
        upload={"filename": filename, "name": name},
        cols=cols,
        error=None,
    )


def _mapping(form: Any, columns: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i, col in enumerate(columns):
        fld = str(form.get(f"map_{i}") or "")
        if fld:
            out[col] = fld
    return out


async def _step(ctx: PageCtx, request: Request, confirm: bool) -> Response:
    if confirm:
        lists.may_import_lists(ctx)
    up = _upload(ctx)
    if up is None:
        resp = RedirectResponse("/lists/import", status_code=303)
        finish(ctx, resp)
        return resp
    form = await request.form()
    cols = await run_in_threadpool(lists.list_file_columns, ctx, up["filename"], up["data"])
    mapping = _mapping(form, cols["columns"])
    try:
        if not confirm:
            report = await run_in_threadpool(
                lists.check_list_file, ctx, up["filename"], up["data"], mapping, up["name"]
            )
            return render(
                ctx,
                "list_import.html",
                step="check",
                upload=up,
                cols=cols,
                mapping=mapping,
                report=report,
                error=None,
            )
        result = await run_in_threadpool(
            lists.import_list_file, ctx, up["filename"], up["data"], mapping, up["name"]
        )
    except (InputError, Conflict) as e:
        return render(
            ctx,
            "list_import.html",
            status_code=422,
            step="map",
            upload=up,
            cols={**cols, "guessed": mapping},
            error=str(e),
        )
    assert ctx.session is not None
    ctx.session.list_upload = None
    return render(
        ctx,
        "list_import.html",
        step="done",
        upload=up,
        result=result,
        report=result.get("report", {}),
        error=None,
    )


@router.post("/lists/import/check")
async def list_import_check(ctx: PageCtx, request: Request) -> Response:
    """Step 2: validate with the chosen mapping; nothing is stored."""
    return await _step(ctx, request, confirm=False)


@router.post("/lists/import/confirm")
async def list_import_confirm(ctx: PageCtx, request: Request) -> Response:
    """Step 3: import (all or nothing; the original file is kept as sensitive evidence)."""
    return await _step(ctx, request, confirm=True)
