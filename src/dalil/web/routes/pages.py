"""Pages: dashboard, record lists and details, persons with reveal, sources, evidence,
incidents (timeline and map), audit, users. Each calls the backend as the logged-in user;
the service layer behind it checks permissions and writes the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, HTTPException, Query
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from dalil.errors import Conflict, NotFound, PermissionDenied
from dalil.web.backend import NotAvailable, digest_headers
from dalil.web.context import Ctx, PageCtx, finish, render
from dalil.web.kinds import KINDS, PROTECTED_PERSON_FIELDS, Kind
from dalil.web.mapsvg import estimate_plot, incident_map

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
MAX_PAGE = 500
MAX_TEXT = 500_000  # characters per pasted text


def _backend(ctx: Ctx) -> Any:
    return ctx.request.app.state.backend


@router.get("/")
def dashboard(ctx: PageCtx) -> Response:
    data = _backend(ctx).dashboard(ctx.user)
    return render(ctx, "dashboard.html", data=data, kinds=KINDS)


def _list_page(kind: Kind) -> Any:
    def view(
        ctx: PageCtx,
        limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
        offset: int = Query(0, ge=0),
    ) -> Response:
        page = _backend(ctx).list_page(ctx.user, kind.name, limit=limit, offset=offset)
        return render(ctx, "list.html", kind=kind, page=page, limit=limit, offset=offset)

    view.__name__ = f"list_{kind.name}"
    return view


def _show_page(kind: Kind) -> Any:
    def view(ctx: PageCtx, item_id: str) -> Response:
        record = _backend(ctx).get(ctx.user, kind.name, item_id)
        extra: dict[str, Any] = {}
        if kind.name == "evidence":
            try:
                extra["custody"] = _backend(ctx).custody(ctx.user, item_id)
            except PermissionDenied:
                extra["custody"] = None  # the role may see metadata but not the ledger
        if kind.name == "sources":
            try:
                extra["reading"] = _backend(ctx).source_reading(ctx.user, item_id)
            except (NotAvailable, PermissionDenied):
                extra["reading"] = None  # the role may see the record but not its text
        return render(ctx, f"show_{kind.name}.html" if kind.name in ("persons", "sources", "evidence")
                      else "show.html", kind=kind, record=record,
                      protected=PROTECTED_PERSON_FIELDS, revealed=None, **extra)

    view.__name__ = f"show_{kind.name}"
    return view


# Specific pages first, so /sources/new is not taken for an id.
@router.get("/sources/new")
def source_new(ctx: PageCtx) -> Response:
    return render(ctx, "source_new.html", error=None, values={})


@router.post("/sources/new")
def source_create(
    ctx: PageCtx,
    title: str = Form(..., min_length=1, max_length=500),
    kind: str = Form("report", max_length=40),
    publisher: str = Form("", max_length=300),
    published: str = Form("", max_length=40),
    url: str = Form("", max_length=2000),
    language: str = Form("", max_length=20),
) -> Response:
    fields = {"title": title, "kind": kind, "publisher": publisher or None,
              "published": published or None, "url": url or None, "language": language or None}
    record = _backend(ctx).add_source(ctx.user, fields)
    resp = RedirectResponse(f"/sources/{record['id']}", status_code=303)
    finish(ctx, resp)
    return resp


@router.get("/sources/compare")
def source_compare(
    ctx: PageCtx,
    a: str | None = Query(None, max_length=64),
    b: str | None = Query(None, max_length=64),
) -> Response:
    sources = _backend(ctx).list_page(ctx.user, "sources", limit=MAX_PAGE, offset=0)["items"]
    result = _backend(ctx).compare_sources(ctx.user, a, b) if a and b else None
    return render(ctx, "compare.html", sources=sources, a=a, b=b, result=result, texts={})


@router.post("/sources/compare")
def source_compare_texts(
    ctx: PageCtx,
    earlier: str = Form(..., min_length=1, max_length=MAX_TEXT),
    later: str = Form(..., min_length=1, max_length=MAX_TEXT),
    earlier_date: str = Form("", max_length=10),
    later_date: str = Form("", max_length=10),
) -> Response:
    result = _backend(ctx).compare_texts(
        ctx.user, {"text": earlier, "date": earlier_date, "id": "earlier"},
        {"text": later, "date": later_date, "id": "later"})
    sources = _backend(ctx).list_page(ctx.user, "sources", limit=MAX_PAGE, offset=0)["items"]
    return render(ctx, "compare.html", sources=sources, a=None, b=None, result=result,
                  texts={"earlier": earlier, "later": later, "earlier_date": earlier_date,
                         "later_date": later_date})


@router.get("/evidence/upload")
def evidence_upload(ctx: PageCtx) -> Response:
    try:
        sources = _backend(ctx).list_page(ctx.user, "sources", limit=MAX_PAGE, offset=0)["items"]
    except NotAvailable:
        sources = []
    return render(ctx, "evidence_upload.html", sources=sources)


@router.get("/evidence/{sha256}/download")
def evidence_download(ctx: PageCtx, sha256: str) -> Response:
    meta, chunks = _backend(ctx).evidence_content(ctx.user, sha256)
    return StreamingResponse(chunks, media_type="application/octet-stream", headers={
        "Content-Disposition": _attachment(meta.get("original_name") or sha256),
        **digest_headers(meta),
    })


def _attachment(name: str) -> str:
    from urllib.parse import quote

    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "evidence"
    return f"attachment; filename=\"{safe}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.get("/incidents/timeline")
def incident_timeline(ctx: PageCtx) -> Response:
    page = _backend(ctx).list_page(ctx.user, "incidents", limit=MAX_PAGE, offset=0)
    items = sorted(page["items"], key=lambda r: str(r.get("date_start") or "9999"))
    return render(ctx, "timeline.html", items=items)


@router.get("/incidents/map")
def incident_map_page(ctx: PageCtx) -> Response:
    incidents = _backend(ctx).list_page(ctx.user, "incidents", limit=MAX_PAGE, offset=0)["items"]
    sites = _backend(ctx).list_page(ctx.user, "sites", limit=MAX_PAGE, offset=0)["items"]
    svg = incident_map(incidents, sites, title=ctx._("Map of incidents and sites"))
    return render(ctx, "map.html", svg=svg, incidents=incidents, sites=sites)


@router.post("/persons/{item_id}/reveal")
def person_reveal(
    ctx: PageCtx,
    item_id: str,
    reason: str = Form(..., min_length=1, max_length=1000),
) -> Response:
    revealed = _backend(ctx).reveal_person(ctx.user, item_id, reason)
    record = _backend(ctx).get(ctx.user, "persons", item_id)
    return render(ctx, "show_persons.html", kind=KINDS["persons"], record=record,
                  protected=PROTECTED_PERSON_FIELDS, revealed=revealed)


@router.get("/audit")
def audit_page(
    ctx: PageCtx,
    actor: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
    object: str | None = Query(None, max_length=128),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0),
) -> Response:
    page = _backend(ctx).audit(ctx.user, actor=actor or None, action=action or None,
                               object_id=object or None, limit=limit, offset=offset)
    from urllib.parse import urlencode

    filters = {"actor": actor or "", "action": action or "", "object": object or ""}
    kept = {k: v for k, v in filters.items() if v}
    return render(ctx, "audit.html", page=page, limit=limit, offset=offset, filters=filters,
                  filter_query=("&" + urlencode(kept)) if kept else "", verify=None)


@router.post("/audit/verify")
def audit_verify(ctx: PageCtx) -> Response:
    result = _backend(ctx).audit_verify(ctx.user)
    try:
        page = _backend(ctx).audit(ctx.user, limit=PAGE_SIZE, offset=0)
    except PermissionDenied:  # may verify but not read entries: show it on the dashboard
        data = _backend(ctx).dashboard(ctx.user)
        return render(ctx, "dashboard.html", data=data, kinds=KINDS, verify=result)
    return render(ctx, "audit.html", page=page, limit=PAGE_SIZE, offset=0,
                  filters={"actor": "", "action": "", "object": ""}, filter_query="",
                  verify=result)


@router.post("/fixity")
def fixity(ctx: PageCtx) -> Response:
    result = _backend(ctx).fixity(ctx.user)
    data = _backend(ctx).dashboard(ctx.user)
    return render(ctx, "dashboard.html", data=data, kinds=KINDS, fixity=result)


@router.get("/users")
def users_page(ctx: PageCtx) -> Response:
    users = _backend(ctx).users(ctx.user)
    return render(ctx, "users.html", users=users, roles=_backend(ctx).roles(), message=None)


@router.post("/users")
def users_add(
    ctx: PageCtx,
    name: str = Form(..., min_length=1, max_length=64),
    role: str = Form(..., max_length=20),
    password: str = Form(..., min_length=8, max_length=1000),
) -> Response:
    _backend(ctx).add_user(ctx.user, name, role, password)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


@router.post("/users/{name}/revoke-tokens")
def users_revoke(ctx: PageCtx, name: str) -> Response:
    _backend(ctx).revoke_tokens(ctx.user, name)
    resp = RedirectResponse("/users", status_code=303)
    finish(ctx, resp)
    return resp


@router.get("/lists")
def lists_page(ctx: PageCtx) -> Response:
    b = _backend(ctx)
    return render(ctx, "lists.html", lists=b.victim_lists(ctx.user),
                  queue=b.review_queue(ctx.user), revealed=False)


@router.post("/lists/review")
def lists_review_reveal(
    ctx: PageCtx, reason: str = Form(..., min_length=1, max_length=1000)
) -> Response:
    b = _backend(ctx)
    return render(ctx, "lists.html", lists=b.victim_lists(ctx.user),
                  queue=b.review_queue(ctx.user, reason=reason), revealed=True)


@router.post("/lists/decide")
def lists_decide(
    ctx: PageCtx,
    pair: str = Form(..., max_length=40),
    verdict: str = Form(..., max_length=10),
    note: str = Form("", max_length=1000),
) -> Response:
    _backend(ctx).decide_pair(ctx.user, pair, verdict, note)
    resp = RedirectResponse("/lists", status_code=303)
    finish(ctx, resp)
    return resp


def start_linkage(ctx: Ctx) -> Any:
    """Start a linkage run as the request's user, in the background. The service checks
    the permission as its first step; a refusal arrives within moments and is answered
    here (403) rather than as a failed job."""
    backend = _backend(ctx)
    principal = ctx.user
    assert principal is not None
    job = ctx.request.app.state.jobs.start(
        "linkage", principal.name, lambda say: backend.link_lists(principal, say))
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
        result = _backend(ctx).estimate(ctx.user, method)
    except (NotFound, Conflict) as e:  # no lists yet, or not linked yet: say so on the page
        return render(ctx, "estimates.html", result=None, method=method, plot=None,
                      message=e.message)
    return render(ctx, "estimates.html", result=result, method=method, message=None,
                  plot=estimate_plot(result, title=ctx._("Estimates by model, with intervals"),
                                     observed_label=ctx._("documented")))


for _kind in KINDS.values():
    router.add_api_route(f"/{_kind.name}", _list_page(_kind), methods=["GET"],
                         name=f"list_{_kind.name}")
    router.add_api_route(f"/{_kind.name}/{{item_id}}", _show_page(_kind), methods=["GET"],
                         name=f"show_{_kind.name}")


def not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="not found")
