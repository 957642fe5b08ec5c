"""Victim lists: lists, review queue, decisions, linkage runs; estimates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dalil.display.messages import Message, error_in_words, in_words
from dalil.errors import Conflict, InputError, NotFound
from dalil.services import kernel as access
from dalil.web.context import N_, Ctx, PageCtx, render, see_other
from dalil.web.handlers import estimates as est
from dalil.web.handlers import jobs as job_handlers
from dalil.web.handlers import lists

router = APIRouter(include_in_schema=False)


#: The review queue's orders (``?order=``): most uncertain first, or the decisions
#: expected to change the estimate most first (docs/linkage.md, "Review order").
QUEUE_ORDER = "^(uncertainty|effect)$"


@router.get("/lists")
def lists_page(ctx: PageCtx, order: str = Query("uncertainty", pattern=QUEUE_ORDER)) -> Response:
    return render(
        ctx,
        "lists.html",
        lists=lists.victim_lists(ctx),
        queue=lists.review_queue(ctx, order=order),
        revealed=False,
        order=order,
    )


@router.post("/lists/review")
def lists_review_reveal(
    ctx: PageCtx,
    reason: str = Form(..., min_length=1, max_length=1000),
    order: str = Form("uncertainty", pattern=QUEUE_ORDER),
) -> Response:
    return render(
        ctx,
        "lists.html",
        lists=lists.victim_lists(ctx),
        queue=lists.review_queue(ctx, reason=reason, order=order),
        revealed=True,
        order=order,
    )


#: Refusals of a split or merge in words (by the service error's code); any other is
#: shown as the service words it.
_CLUSTER_ERRORS = {
    "decided_apart": N_(
        "A reviewer decided that two of these records are different people: decide that "
        "pair again (or run the linkage to apply a split) before merging."
    ),
    "split_none": N_("Tick the records to split off."),
    "split_all": N_("A split must leave at least one record with this victim."),
}
_CLUSTER_FIELDS = ("list", "record", "sex", "age", "birth_year", "date_of_death",
                   "place_of_death", "governorate")  # fmt: skip


def _cluster_page(
    ctx: PageCtx,
    person_id: int,
    *,
    query: str | None = None,
    done: str | None = None,
    error: str | None = None,
    status_code: int = 200,
    reason: str | None = None,
    reason_error: str | None = None,
) -> Response:
    from dalil.web.linkage_words import SEX_WORDS

    view = lists.cluster_view(ctx, person_id, query=query, reason=reason)
    return render(ctx, "list_cluster.html", status_code=status_code, person=view["person"],
                  sex_words=SEX_WORDS,
                  records=view["records"], links=view["links"], fields=_CLUSTER_FIELDS,
                  candidates=view["candidates"], query=query or "", done=done,
                  error=error, revealed=reason is not None,
                  reason_error=reason_error)  # fmt: skip


def _cluster_refused(ctx: PageCtx, person_id: int, e: InputError) -> Response:
    """The cluster page again (422), a refused split or merge said on it in words."""
    return _cluster_page(
        ctx,
        person_id,
        error=_CLUSTER_ERRORS.get(e.code, error_in_words(e, ctx.lang)),
        status_code=422,
    )


@router.get("/lists/clusters/{person_id}")
def lists_cluster(
    ctx: PageCtx,
    person_id: int = Path(..., ge=1, le=2**62),
    q: str = Query("", max_length=100),
    done: str = Query("", max_length=10),
) -> Response:
    """A victim's cluster: its list records field by field and each link explained in
    words; split and merge as decisions (``q``: search the victim to merge with)."""
    return _cluster_page(ctx, person_id, query=q or None,
                         done=done if done in ("split", "merge") else None)  # fmt: skip


@router.post("/lists/clusters/{person_id}/names")
def lists_cluster_names(
    ctx: PageCtx,
    person_id: int = Path(..., ge=1, le=2**62),
    reason: str = Form("", max_length=1000),
) -> Response:
    """The cluster with the names of its records (``lists cluster --reason``: the same
    service call, ``linkage.reveal``, logged with the reason)."""
    try:
        return _cluster_page(ctx, person_id, reason=reason)
    except InputError as e:
        if e.field != "reason":
            raise
        return _cluster_page(ctx, person_id, status_code=422, reason_error=_REASON_ERROR)


#: A reason too short to show the names, next to its field.
_REASON_ERROR = N_("State why the names are needed (at least 5 characters).")


@router.post("/lists/clusters/{person_id}/split")
async def lists_cluster_split(
    ctx: PageCtx, request: Request, person_id: int = Path(..., ge=1, le=2**62)
) -> Response:
    form = await request.form()
    raw = [str(v) for v in form.getlist("record")][:10_000]
    note = str(form.get("note") or "")[:1000]
    try:
        if not all(v.isdigit() and len(v) < 19 for v in raw):
            raise InputError(Message(N_("records: give list record ids")), field="record")
        await run_in_threadpool(lists.split_cluster, ctx, person_id, [int(v) for v in raw], note)
    except InputError as e:  # none ticked, all ticked: said on the page
        return await run_in_threadpool(_cluster_refused, ctx, person_id, e)
    return see_other(ctx, f"/lists/clusters/{person_id}?done=split")


@router.post("/lists/clusters/{person_id}/merge")
def lists_cluster_merge(
    ctx: PageCtx,
    person_id: int = Path(..., ge=1, le=2**62),
    other: int = Form(..., ge=1, le=2**62),
    note: str = Form("", max_length=1000),
) -> Response:
    try:
        lists.merge_clusters(ctx, person_id, other, note)
    except InputError as e:  # a reviewer decided two of the records are different people
        return _cluster_refused(ctx, person_id, e)
    return see_other(ctx, f"/lists/clusters/{person_id}?done=merge")


@router.post("/lists/decide")
def lists_decide(
    ctx: PageCtx,
    pair: str = Form(..., max_length=40),
    verdict: str = Form(..., max_length=10),
    note: str = Form("", max_length=1000),
) -> Response:
    lists.decide_pair(ctx, pair, verdict, note)
    return see_other(ctx, "/lists")


def start_linkage(ctx: Ctx) -> dict[str, Any]:
    """Queue a linkage run as the request's user (a job; job workers run it). The service
    checks the permission at once (403 here); a second run waits for the first."""
    return job_handlers.submit(ctx, "linkage", {})


@router.post("/lists/link")
def lists_link(ctx: PageCtx) -> Response:
    job = start_linkage(ctx)
    return see_other(ctx, f"/jobs/{job['id']}")


_FIELDS = {
    "method": "method",
    "strata": "strata",
    "linkage draws": "linkage_draws",
    "allocate": "allocate",
    "seed": "seed",
}


def _estimates_page(
    ctx: PageCtx,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    try:
        hist: dict[str, Any] | None = lists.stored_histories(ctx)
        message = None
    except (NotFound, Conflict) as e:  # no lists yet, or not linked yet: say so on the page
        hist, message = None, error_in_words(e, ctx.lang)
    return render(
        ctx,
        "estimates.html",
        status_code=status_code,
        recorded=est.recorded(ctx),
        histories=hist,
        message=message,
        values=values or {},
        errors=errors or {},
        can_run=est.may(ctx, access.ANALYSIS_RUN),
        can_publish=est.may(ctx, access.FINDING_SIGNOFF),
        **est.form_choices(),
    )


@router.get("/estimates")
def estimates_page(ctx: PageCtx) -> Response:
    return _estimates_page(ctx)


@router.post("/estimates/run")
def estimates_run(
    ctx: PageCtx,
    method: str = Form("loglinear", max_length=20),
    strata: str = Form("", max_length=40),
    linkage_draws: str = Form("20", max_length=10),
    allocate: str = Form("proportional", max_length=20),
    seed: str = Form("", max_length=20),
) -> Response:
    values = {
        "method": method,
        "strata": strata,
        "linkage_draws": linkage_draws,
        "allocate": allocate,
        "seed": seed,
    }
    try:
        job = est.run(ctx, {k: v.strip() for k, v in values.items()})
    except InputError as e:
        text = str(e)
        field = next((f for p, f in _FIELDS.items() if text.startswith(p)), "method")
        return _estimates_page(
            ctx, values=values, errors={field: error_in_words(e, ctx.lang)}, status_code=422
        )
    return see_other(ctx, f"/jobs/{job['id']}")


@router.post("/estimates/record")
def estimates_record(
    ctx: PageCtx,
    job: int = Form(..., ge=1, le=2**62),
    label: str = Form("", max_length=300),
    note: str = Form("", max_length=2000),
) -> Response:
    try:
        rid = est.record(ctx, job, label, note)
    except InputError as e:
        data = job_handlers.get(ctx, job)
        return render(
            ctx,
            "job.html",
            status_code=422,
            job=data,
            estimate=est.result_view(data["result"], ctx.lang)
            if isinstance(data.get("result"), dict)
            else None,
            record_error=error_in_words(e, ctx.lang),
            record_values={"label": label, "note": note},
        )
    return see_other(ctx, f"/estimates#estimate-{rid}")


@router.post("/estimates/{estimate_id}/publish")
def estimates_publish(
    ctx: PageCtx,
    estimate_id: int = Path(..., ge=1, le=2**62),
    reason: str = Form("", max_length=2000),
) -> Response:
    try:
        est.publish(ctx, estimate_id, reason)
    except InputError as e:
        return _estimates_page(
            ctx, errors={f"reason-{estimate_id}": error_in_words(e, ctx.lang)}, status_code=422
        )
    return see_other(ctx, f"/estimates#estimate-{estimate_id}")


# --- import with column mapping ---------------------------------------------------------

MAX_LIST_UPLOAD = 20 * 1024 * 1024  # bytes kept in server memory between the steps


def _upload(ctx: PageCtx) -> dict[str, Any] | None:
    return ctx.session.list_upload if ctx.session is not None else None


def _import_form(ctx: PageCtx, error: str | None = None, status_code: int = 200) -> Response:
    return render(ctx, "list_import.html", status_code=status_code, step="upload", error=error)


@router.get("/lists/import")
def list_import_page(
    ctx: PageCtx,
    job: int | None = Query(None, ge=1, le=2**62),
    check: int | None = Query(None, ge=1, le=2**62),
) -> Response:
    """The upload form; with ``?check=N``, the validation report of finished check job
    *N* with the import form; with ``?job=N``, the outcome of finished import job *N*
    (the list and its validation report, row by row)."""
    if check is not None:
        return _checked(ctx, check)
    if job is None:
        return _import_form(ctx)
    result = lists.import_job_result(ctx, job)
    if result is None:  # not finished (or not an import): its job page follows it
        return RedirectResponse(f"/jobs/{job}", status_code=303)
    return render(
        ctx,
        "list_import.html",
        step="done",
        upload={"name": result.get("name"), "filename": result.get("original_name")},
        result=result,
        report=_report_in_words(ctx, result.get("report", {})),
        error=None,
    )


def _checked(ctx: PageCtx, job_id: int) -> Response:
    """Step 2's outcome: the report of check job *job_id*, the mapping it was checked
    with kept (to change and check again, or to import with)."""
    result = lists.check_job_result(ctx, job_id)
    if result is None:  # not finished, failed (or not a check): its job page says so
        return RedirectResponse(f"/jobs/{job_id}", status_code=303)
    up = _upload(ctx)
    cols = up.get("cols") if up is not None else None
    if up is None or not isinstance(cols, dict) or up.get("filename") != result.get("filename"):
        return see_other(ctx, "/lists/import")  # the upload is no longer held: start again
    return render(
        ctx,
        "list_import.html",
        step="check",
        upload=up,
        cols=cols,
        mapping=dict(result.get("mapping") or {}),
        report=_report_in_words(ctx, dict(result.get("report") or {})),
        error=None,
    )


@router.post("/lists/import")
async def list_import_upload(
    ctx: PageCtx,
    file: UploadFile = File(...),  # noqa: B008
    name: str = Form(..., min_length=1, max_length=100),
) -> Response:
    """Step 1: the file is read into memory (never written into the case) and its columns
    are shown against the standard fields; they are kept with the upload, so the next
    steps do not read the file again."""
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
        return _import_form(ctx, error_in_words(e, ctx.lang), 422)
    if ctx.session is not None:
        ctx.session.list_upload = {"filename": filename, "data": data, "name": name, "cols": cols}
    return render(
        ctx,
        "list_import.html",
        step="map",
        upload={"filename": filename, "name": name},
        cols=cols,
        error=None,
    )


def _report_in_words(ctx: Ctx, report: dict[str, Any]) -> dict[str, Any]:
    """The validation report with each row's reason in the page's language (a reason
    kept as a message id; one written before is shown as it was)."""
    issues = []
    for issue in report.get("issues") or []:
        said = issue.get("message") if isinstance(issue, dict) else None
        if isinstance(said, dict) and said.get("id"):
            issue = {**issue, "reason": in_words(str(said["id"]), said.get("params"), ctx.lang)}
        issues.append(issue)
    return {**report, "issues": issues}


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
        return see_other(ctx, "/lists/import")
    form = await request.form()
    held = up.get("cols")
    if isinstance(held, dict):
        cols: dict[str, Any] = held
    else:  # an upload held from before the columns were kept with it
        cols = await run_in_threadpool(lists.list_file_columns, ctx, up["filename"], up["data"])
        up["cols"] = cols
    mapping = _mapping(form, [str(c) for c in cols["columns"]])
    try:
        # The mapping's own faults are said at once, next to it (the file is not read);
        # the file itself is read by a job, never in the request.
        lists.check_mapping(ctx, up["filename"], [str(c) for c in cols["columns"]], mapping)
        submit = lists.submit_list_import if confirm else lists.submit_list_check
        job = await run_in_threadpool(submit, ctx, up["filename"], up["data"], mapping, up["name"])
    except (InputError, Conflict) as e:
        return render(
            ctx,
            "list_import.html",
            status_code=422,
            step="map",
            upload=up,
            cols={**cols, "guessed": mapping},
            error=error_in_words(e, ctx.lang),
            mapping_error=True,
        )
    if confirm:
        assert ctx.session is not None
        ctx.session.list_upload = None
    return see_other(ctx, f"/jobs/{job['id']}")


@router.post("/lists/import/check")
async def list_import_check(ctx: PageCtx, request: Request) -> Response:
    """Step 2: queue the check of the file with the chosen mapping as a job and show its
    page (nothing is stored); the report is at ``/lists/import?check=N``. A mapping at
    fault is said at once, next to it."""
    return await _step(ctx, request, confirm=False)


@router.post("/lists/import/confirm")
async def list_import_confirm(ctx: PageCtx, request: Request) -> Response:
    """Step 3: queue the import as a job and show its page (all or nothing; the original
    file is kept as sensitive evidence); the report is at ``/lists/import?job=N``."""
    return await _step(ctx, request, confirm=True)
