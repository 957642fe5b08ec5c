"""REST API v1: the JSON twins of the pages.

Authentication: ``Authorization: Bearer <token>`` (from ``dalil user token NAME``) or the
browser session (unsafe methods then need the ``X-CSRF-Token`` header). Lists take
``limit`` (1–500, default 50) and ``offset`` and answer ``{items, total, limit, offset}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, Literal

from fastapi import APIRouter, Body, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from dalil.web.context import ApiCtx
from dalil.web.forms import EDIT_KINDS
from dalil.web.handlers import edit, evidence, lists, overview, records, sources
from dalil.web.handlers import estimates as est_handlers
from dalil.web.handlers import jobs as job_handlers
from dalil.web.handlers import users as user_handlers
from dalil.web.handlers.evidence import digest_headers
from dalil.web.kinds import KINDS, Kind
from dalil.web.problems import ERRORS

router = APIRouter()

PAGE_SIZE = 50
MAX_PAGE = 500
MAX_UPLOAD = 4 * 1024**3  # 4 GiB per request


class Page(BaseModel):
    items: list[dict[str, Any]]
    total: int | None = Field(
        ge=0, description="All matching items; null where not counted (audit)."
    )
    limit: int = Field(ge=1)
    offset: int = Field(ge=0)
    has_more: bool = Field(description="Whether a next page exists.")


class Me(BaseModel):
    name: str
    role: str
    via: str


class RevealRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(
        min_length=1, max_length=1000, description="Why you need to see it (logged)."
    )


class SourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=500)
    kind: str = Field("report", max_length=40)
    publisher: str | None = Field(None, max_length=300)
    author: str | None = Field(None, max_length=300)
    published: str | None = Field(None, max_length=40)
    url: str | None = Field(None, max_length=2000)
    language: str | None = Field(None, max_length=20)
    text: str | None = Field(None, max_length=5_000_000, description="Plain text of the source.")


#: The request body of an upload route: the file's bytes, streamed.
_BINARY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_ALREADY_HELD: dict[str, Any] = {
    "description": "The same content is already held: that item, with `already_held`",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
_CAPTURE_JOB: dict[str, Any] = {
    "description": "A web capture was stored; `capture_job` checks and records it",
    "content": {"application/json": {"schema": {"type": "object"}}},
}
_TEXT_JOB: dict[str, Any] = {
    "description": "The document was stored; `text_job` extracts its text",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


@router.get("/me", response_model=Me, responses=ERRORS)
def me(ctx: ApiCtx) -> Me:
    assert ctx.user is not None
    return Me(name=ctx.user.name, role=ctx.user.role, via=ctx.user.via)


@router.get("/dashboard", response_model=dict[str, Any], responses=ERRORS)
def dashboard(ctx: ApiCtx) -> dict[str, Any]:
    return dict(overview.dashboard(ctx))


def _list(kind: Kind) -> Any:
    def view(
        ctx: ApiCtx,
        limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
        offset: int = Query(0, ge=0, le=10**9),
        after: int | None = Query(
            None,
            ge=0,
            le=2**62,
            description="Only the items after this id (id order; instead of offset): "
            "follow a list with the last item's id; a page deep in a long list costs as "
            "little as the first.",
        ),
        retracted: str = Query(
            "hide",
            pattern="^(hide|only|include)$",
            description="hide (default): records in force; only: the retracted ones; "
            "include: both.",
        ),
    ) -> Response:
        flt = {"retracted": retracted} if retracted != "hide" else None
        if after is None:
            page = records.list_page(ctx, kind.name, limit=limit, offset=offset, filters=flt)
            items, more = page["items"], offset + len(page["items"]) < page["total"]
        else:  # one row more than asked says whether a next page exists
            page = records.list_page(
                ctx, kind.name, limit=limit + 1, offset=0, filters=flt, after=after
            )
            items, more = page["items"][:limit], len(page["items"]) > limit
            offset = 0
        # Built here and returned as is: the hot path skips re-validating every item
        # (the shape is the Page model, documented in the OpenAPI document).
        return JSONResponse(
            {
                "items": items,
                "total": page["total"],
                "limit": limit,
                "offset": offset,
                "has_more": more,
            }
        )

    view.__name__ = f"list_{kind.name}"
    view.__doc__ = (
        f"List {kind.name}, paginated by limit and offset or after (protected fields never "
        "included)."
    )
    return view


def _show(kind: Kind) -> Any:
    def view(ctx: ApiCtx, item_id: str) -> Response:
        # One read transaction: the record and the version of its ETag are read
        # together (the same snapshot; rows read once come from the session).
        with ctx.reading():
            record = dict(records.get(ctx, kind.name, item_id))
            headers = {}
            if kind.name in EDIT_KINDS:
                headers["ETag"] = f'"{edit.current(ctx, kind.name, item_id)["version"]}"'
            elif kind.name == "evidence":
                headers["ETag"] = f'"{edit.evidence_current(ctx, item_id)["version"]}"'
        return JSONResponse(record, headers=headers)

    view.__name__ = f"get_{kind.name}"
    view.__doc__ = f"One of {kind.name} by id (open fields only)."
    return view


class DuplicateProbe(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=300, description="The name as typed (either script).")
    sex: str | None = Field(None, max_length=10, description="female, male (or f, m).")
    age: int | None = Field(None, ge=0, le=150)
    date: str | None = Field(None, max_length=40, description="Date of death, as typed.")
    place: str | None = Field(None, max_length=300, description="Place of death.")
    limit: int = Field(8, ge=1, le=20)


@router.post("/persons/duplicates", response_model=dict[str, Any], responses=ERRORS)
def person_duplicates(ctx: ApiCtx, body: DuplicateProbe) -> dict[str, Any]:
    """Persons and list records that may be the person being typed in (name keys in
    both scripts; sex, age, date and place when given), best first. Named by pseudonym
    or list record, never by a protected name; logged as ``person.search_duplicates``
    with a digest of the name. A POST so the name stays out of URLs and access logs."""
    return edit.duplicates(ctx, **body.model_dump())


@router.post("/persons/{item_id}/reveal", response_model=dict[str, Any], responses=ERRORS)
def reveal_person(ctx: ApiCtx, item_id: str, body: RevealRequest) -> dict[str, Any]:
    """Decrypt a person's protected fields for a permitted user; the reason is logged."""
    return dict(records.reveal_person(ctx, item_id, body.reason))


@router.post("/sources", response_model=dict[str, Any], status_code=201, responses=ERRORS)
def add_source(ctx: ApiCtx, body: SourceIn) -> dict[str, Any]:
    return dict(sources.add_source(ctx, body.model_dump(exclude_none=True)))


@router.post(
    "/sources/upload",
    response_model=dict[str, Any],
    status_code=201,
    responses={**ERRORS, 200: _ALREADY_HELD, 202: _TEXT_JOB},
    openapi_extra=_BINARY_BODY,
)
async def upload_source(
    ctx: ApiCtx,
    request: Request,
    name: str = Query(..., min_length=1, max_length=255, description="Original file name."),
    title: str = Query(..., min_length=1, max_length=500),
    kind: str = Query("report", max_length=40),
    publisher: str | None = Query(None, max_length=300),
    published: str | None = Query(None, max_length=40),
    url: str | None = Query(None, max_length=2000),
    language: str | None = Query(None, max_length=20),
    sensitive: bool = Query(False, description="Identifies a witness: kept out of exports."),
    graphic: bool = Query(False, description="Shows violence or bodies: blurred when viewed."),
) -> dict[str, Any] | JSONResponse:
    """A source from a document sent as the raw request body (.txt, .html, .pdf, .docx):
    the file is kept as evidentiary evidence (hashed and encrypted as it streams); a
    `source_text` job then extracts its text and keeps it as a working copy. Answers
    `{source, evidence, text: null, text_error: null, text_job, text_job_url}` (202;
    follow `/api/v1/jobs/{id}`); a file too large to extract text from answers 201 with
    `text_error`; a file already held as a source's document answers that source with
    `already_held: "source"` (200) and creates nothing."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_UPLOAD:
        from dalil.errors import InputError

        raise InputError("file too large for one upload (limit 4 GiB)")

    async def body() -> AsyncIterator[bytes]:
        async for chunk in request.stream():
            if chunk:
                yield chunk

    fields = {
        "title": title,
        "kind": kind,
        "publisher": publisher,
        "published": published,
        "url": url,
        "language": language,
    }
    out = dict(
        await sources.add_source_upload(ctx, body(), name=name, fields=fields, sensitive=sensitive)
    )
    if out.get("already_held"):  # the file is already a source's document: that source
        return JSONResponse(out, status_code=200)
    if out.get("text_job"):  # stored; its text is extracted by a job
        return JSONResponse(out, status_code=202, headers={"Location": str(out["text_job_url"])})
    return out


@router.get("/sources/{item_id}/reading", response_model=dict[str, Any], responses=ERRORS)
def source_reading(ctx: ApiCtx, item_id: str) -> dict[str, Any]:
    """The source's text with extracted quotes and figures (character spans)."""
    return dict(sources.source_reading(ctx, item_id))


@router.get("/compare", response_model=dict[str, Any], responses=ERRORS)
def compare(
    ctx: ApiCtx,
    a: str = Query(..., max_length=64),
    b: str = Query(..., max_length=64),
) -> dict[str, Any]:
    """Compare the stored texts of sources *a* (earlier) and *b* (later): the stable
    comparison JSON of `dalil sources compare`, plus `source_segments` and
    `derivative_segments` cut at the reused passages. Reading the texts is logged."""
    return dict(sources.compare_sources(ctx, a, b))


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=500_000)
    title: str | None = Field(None, max_length=500)
    date: str | None = Field(None, max_length=10, description="Publication day, YYYY-MM-DD.")


class CompareTextsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    earlier: TextIn
    later: TextIn


@router.post("/compare", response_model=dict[str, Any], responses=ERRORS)
def compare_texts(ctx: ApiCtx, body: CompareTextsIn) -> dict[str, Any]:
    """Compare two texts given in the request (nothing is stored or read from the case)."""
    return dict(
        sources.compare_texts(
            ctx,
            {**body.earlier.model_dump(), "id": "earlier"},
            {**body.later.model_dump(), "id": "later"},
        )
    )


@router.post(
    "/evidence",
    response_model=dict[str, Any],
    status_code=201,
    responses={**ERRORS, 200: _ALREADY_HELD, 202: _CAPTURE_JOB},
    openapi_extra=_BINARY_BODY,
)
async def add_evidence(
    ctx: ApiCtx,
    request: Request,
    name: str = Query(..., min_length=1, max_length=255, description="Original file name."),
    source: str | None = Query(None, max_length=64, description="Id of the source it supports."),
    sensitive: bool = Query(False, description="Identifies a witness: kept out of exports."),
    graphic: bool = Query(False, description="Shows violence or bodies: blurred when viewed."),
) -> dict[str, Any] | JSONResponse:
    """Upload one file as the raw request body; it is hashed and encrypted as it streams
    (no plaintext temporary file). A web capture (`.wacz`, `.warc`, `.warc.gz`) is stored
    and answered 202 with `capture_job`: a job checks it and records it (follow
    `/api/v1/jobs/{id}`). Content already held answers that item with
    `already_held: "evidence"` (200)."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_UPLOAD:
        from dalil.errors import InputError

        raise InputError("file too large for one upload (limit 4 GiB)")
    media_type = request.headers.get("content-type", "application/octet-stream")

    async def body() -> AsyncIterator[bytes]:
        async for chunk in request.stream():
            if chunk:
                yield chunk

    result = await evidence.add_evidence(
        ctx,
        body(),
        name=name,
        media_type=media_type,
        source_id=source,
        sensitive=sensitive,
        graphic=graphic,
    )
    if "capture_job" in result:  # stored; checked and recorded by a job
        return JSONResponse(result, status_code=202)
    if result.get("created") is False:  # the same content is already held: that item
        return JSONResponse({**result, "already_held": "evidence"}, status_code=200)
    return dict(result)


@router.get(
    "/evidence/{sha256}/content",
    responses={
        **ERRORS,
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
    },
)
def evidence_content(ctx: ApiCtx, sha256: str) -> Response:
    """Download an evidence file (the read is logged in the custody ledger)."""
    meta, chunks = evidence.content(ctx, sha256)
    return StreamingResponse(
        chunks, media_type="application/octet-stream", headers=digest_headers(meta)
    )


@router.get("/evidence/{sha256}/custody", response_model=list[dict[str, Any]], responses=ERRORS)
def evidence_custody(ctx: ApiCtx, sha256: str) -> list[dict[str, Any]]:
    return list(evidence.custody(ctx, sha256))


@router.post("/fixity", response_model=dict[str, Any], status_code=202, responses=ERRORS)
def fixity(ctx: ApiCtx) -> dict[str, Any]:
    """Queue a re-verification of every blob of the vault (a job, `dalil fixity`); follow
    `/api/v1/jobs/{id}`: its result is `dalil fixity --json`."""
    return job_handlers.submit(ctx, "fixity", {})


@router.get("/audit", response_model=Page, responses=ERRORS)
def audit(
    ctx: ApiCtx,
    actor: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
    object: str | None = Query(None, max_length=128),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=10**9),
) -> Page:
    page = overview.audit(
        ctx, actor=actor, action=action, object_id=object, limit=limit, offset=offset
    )
    return Page(
        items=page["items"],
        total=page["total"],
        limit=limit,
        offset=offset,
        has_more=page["has_more"],
    )


@router.post("/audit/verify", response_model=dict[str, Any], responses=ERRORS)
def audit_verify(ctx: ApiCtx) -> dict[str, Any]:
    return dict(overview.audit_verify(ctx))


@router.get("/users", response_model=list[dict[str, Any]], responses=ERRORS)
def users(ctx: ApiCtx) -> list[dict[str, Any]]:
    """Users of the case and their roles (admin only)."""
    return list(user_handlers.list_users(ctx))


@router.post("/users/{name}/revoke-tokens", response_model=dict[str, Any], responses=ERRORS)
def revoke_tokens(ctx: ApiCtx, name: str) -> dict[str, Any]:
    return {"revoked": user_handlers.revoke_tokens(ctx, name)}


@router.post("/users/{name}/end-sessions", response_model=dict[str, Any], responses=ERRORS)
def end_sessions(ctx: ApiCtx, name: str) -> dict[str, Any]:
    """End every web session of a user at once (admin, or the user themself)."""
    return {"ended": user_handlers.end_sessions(ctx, name)}


class RevealNames(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=1000)


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pair: str = Field(
        max_length=40,
        description="Two list record ids, e.g. 12-57, or a list record and a victim "
        "recorded in the case (p + person id), e.g. 12-p5.",
    )
    verdict: str = Field(pattern="^(accept|reject)$")
    note: str | None = Field(None, max_length=1000)


@router.get("/lists", response_model=list[dict[str, Any]], responses=ERRORS)
def victim_lists(ctx: ApiCtx) -> list[dict[str, Any]]:
    """Imported victim lists."""
    return list(lists.victim_lists(ctx))


@router.get("/lists/{list_id}/records", response_model=Page, responses=ERRORS)
def victim_list_records(
    ctx: ApiCtx,
    list_id: int = Path(..., ge=1, le=2**62),
    limit: int = Query(PAGE_SIZE, ge=1, le=MAX_PAGE),
    offset: int = Query(0, ge=0, le=2**31),
    retracted: Literal["hide", "only", "include"] = Query(
        "hide",
        description="hide (default): the records in force; only: the retracted ones (to "
        "restore one); include: both.",
    ),
) -> dict[str, Any]:
    """A victim list's records in row order, as its page shows them: open fields only
    (the names stay encrypted: they are shown only in a pair or cluster review with a
    stated reason). Each item: id, list, record (its key in the file), row, sex, age,
    dates and places, person_id (the victim it is linked to), match_probability."""
    view = lists.victim_list(ctx, list_id, retracted=retracted, limit=limit, offset=offset)
    items = list(view["records"])
    total = int(view["total"])
    return {
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "has_more": offset + len(items) < total,
    }


@router.get("/lists/review", response_model=list[dict[str, Any]], responses=ERRORS)
def review_queue(
    ctx: ApiCtx,
    limit: int = Query(50, ge=1, le=500),
    order: Literal["uncertainty", "effect"] = Query("uncertainty"),
) -> list[dict[str, Any]]:
    """Uncertain record pairs, most uncertain first (open fields only); ``order=effect``:
    the decisions expected to change the estimate most first (each item's ``effect``)."""
    return list(lists.review_queue(ctx, limit=limit, order=order))


@router.post("/lists/review", response_model=list[dict[str, Any]], responses=ERRORS)
def review_queue_names(
    ctx: ApiCtx,
    body: RevealNames,
    limit: int = Query(50, ge=1, le=500),
    order: Literal["uncertainty", "effect"] = Query("uncertainty"),
) -> list[dict[str, Any]]:
    """The review queue with the names of both records (reveal permission; logged)."""
    return list(lists.review_queue(ctx, reason=body.reason, limit=limit, order=order))


@router.post("/lists/decide", response_model=dict[str, Any], responses=ERRORS)
def decide(ctx: ApiCtx, body: Decision) -> dict[str, Any]:
    """Record a reviewer's decision on a pair (applied on every later linkage run)."""
    return dict(lists.decide_pair(ctx, body.pair, body.verdict, body.note))


@router.post(
    "/lists/link",
    response_model=dict[str, Any],
    status_code=202,
    responses=ERRORS,
)
def link_lists(ctx: ApiCtx) -> dict[str, Any]:
    """Queue a linkage run of every imported list (`dalil lists link`) as a job; follow
    `/api/v1/jobs/{id}`. Runs wait for one another (one at a time)."""
    from dalil.web.pages.lists import start_linkage

    return dict(start_linkage(ctx))


@router.get("/lists/histories", response_model=dict[str, Any], responses=ERRORS)
def histories(ctx: ApiCtx) -> dict[str, Any]:
    """Capture histories of the linked victims (input of `dalil estimate`)."""
    return dict(lists.histories(ctx))


class QuickEstimate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: str = Field("loglinear", pattern="^(loglinear|bma)$", description="loglinear or bma")
    strata: str | None = Field(
        None,
        pattern="^(sex|governorate|place_of_death|date_of_death|age_group)$",
        description="Estimate within each stratum and add them up (`dalil estimate --strata`).",
    )
    seed: int | None = Field(None, ge=0, le=2**62, description="chosen and kept when absent")


@router.post("/estimate", response_model=dict[str, Any], status_code=202, responses=ERRORS)
def estimate(ctx: ApiCtx, body: QuickEstimate) -> dict[str, Any]:
    """Queue a quick estimate of the case's linked lists, without linkage draws, as an
    `estimate` job (202; follow `/api/v1/jobs/{id}`): its result is the stable JSON of
    `dalil estimate --case --json --seed S` plus `settings`. The capture histories are
    at `/api/v1/lists/histories`. (Formerly a `GET` computed inside the request.)"""
    params: dict[str, Any] = {**body.model_dump(exclude_none=True), "linkage_draws": 0}
    return est_handlers.run(ctx, params)


class EstimateRun(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: str = Field("loglinear", max_length=20, description="loglinear, lcmcr, bma or all")
    strata: str | None = Field(None, max_length=40, description="one stratum column, or none")
    lists: list[str] | None = Field(None, max_length=50, description="some lists only")
    linkage_draws: int = Field(
        20, ge=0, le=500, description="sampled clusterings (0: off; on by default)"
    )
    allocate: str = Field("proportional", max_length=20, description="proportional or impute")
    seed: int | None = Field(None, ge=0, le=2**62, description="chosen and kept when absent")


class EstimateRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")
    job: int = Field(ge=1, le=2**62, description="a finished estimate job")
    label: str = Field(min_length=1, max_length=300, description="what was estimated")
    note: str | None = Field(None, max_length=2000)


class PublishReason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000, description="why (logged)")


@router.post("/estimates/run", response_model=dict[str, Any], status_code=202, responses=ERRORS)
def run_estimate(ctx: ApiCtx, body: EstimateRun) -> dict[str, Any]:
    """Queue an estimate of the case's linked lists as a job (`dalil estimate --case`,
    same service functions; linkage draws on by default); follow `/api/v1/jobs/{id}`."""
    return est_handlers.run(ctx, body.model_dump(exclude_none=True))


@router.get("/estimates", response_model=list[dict[str, Any]], responses=ERRORS)
def recorded_estimates(ctx: ApiCtx) -> list[dict[str, Any]]:
    """The estimates recorded for the report (what it prints), with their publication
    status and the model choice and gates in words (`?lang=ar` for Arabic)."""
    return est_handlers.recorded(ctx)


@router.post("/estimates/record", response_model=dict[str, Any], status_code=201, responses=ERRORS)
def record_estimate(ctx: ApiCtx, body: EstimateRecord) -> dict[str, Any]:
    """Record a finished estimate job's result for the report (with its run)."""
    return {"id": est_handlers.record(ctx, body.job, body.label, body.note)}


@router.post("/estimates/{estimate_id}/publish", response_model=dict[str, Any], responses=ERRORS)
def publish_estimate(
    ctx: ApiCtx, body: PublishReason, estimate_id: int = Path(ge=1, le=2**62)
) -> dict[str, Any]:
    """A legal or admin user's reason to publish an estimate its gates hold back (logged)."""
    return est_handlers.publish(ctx, estimate_id, body.reason)


for _kind in KINDS.values():
    router.add_api_route(
        f"/{_kind.name}",
        _list(_kind),
        methods=["GET"],
        response_model=Page,
        responses=ERRORS,
        name=f"list_{_kind.name}",
        tags=[_kind.name],
    )
    router.add_api_route(
        f"/{_kind.name}/{{item_id}}",
        _show(_kind),
        methods=["GET"],
        response_model=dict[str, Any],
        responses=ERRORS,
        name=f"get_{_kind.name}",
        tags=[_kind.name],
    )


def _create(kind: str) -> Any:
    def view(ctx: ApiCtx, body: dict[str, Any] = WRITE_BODY) -> JSONResponse:
        saved = edit.create(ctx, kind, _api_values(kind, body))
        return JSONResponse(
            _without_version(saved),
            status_code=201,
            headers={"ETag": f'"{saved["version"]}"', "Location": f"/api/v1/{kind}/{saved['id']}"},
        )

    view.__name__ = f"create_{kind}"
    view.__doc__ = (
        f"Create one of {kind} from the JSON field names of `dalil {EDIT_KINDS[kind]} show "
        "--json` (links by id). Protected person fields are accepted by name and never "
        "returned. Answers the record (open fields) with its ETag."
    )
    return view


def _patch(kind: str) -> Any:
    def view(
        ctx: ApiCtx,
        item_id: str,
        body: dict[str, Any] = WRITE_BODY,
        if_match: str | None = Header(
            None,
            max_length=80,
            description="The ETag of the version the edit is based on; an edit of a "
            "record changed since is refused (409).",
        ),
    ) -> JSONResponse:
        version = if_match.strip().removeprefix("W/").strip('"') if if_match else None
        values = _api_values(kind, body)
        event = values.pop("status_event", None)
        if event is not None and not (
            isinstance(event, dict) and set(event) <= {"status", "on", "note"}
        ):
            from dalil.errors import InputError

            raise InputError(
                'status_event must be {"status": …, "on": "YYYY-MM-DD", "note": …}',
                field="status_event",
            )
        saved = edit.update(ctx, kind, item_id, values, if_version=version, status_event=event)
        return JSONResponse(_without_version(saved), headers={"ETag": f'"{saved["version"]}"'})

    view.__name__ = f"update_{kind}"
    view.__doc__ = (
        f"Change fields of one of {kind} (null clears an optional field); every edit is "
        "an audited version with the values before and after."
        + (
            ' A site also takes `status_event`: {"status": "located", "on": "2025-04-02", '
            '"note": "…"} records a dated status change (status only moves forward).'
            if kind == "sites"
            else ""
        )
    )
    return view


class EvidenceMetaIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_id: int | None = Field(None, ge=1, le=2**62, description="The source it supports.")
    sensitive: bool | None = Field(None, description="Identifies a witness.")
    notes: str | None = Field(None, max_length=10_000)
    graphic: bool | None = Field(
        None, description="Shows violence or bodies: blurred until the viewer chooses."
    )


@router.patch(
    "/evidence/{sha256}", response_model=dict[str, Any], responses=ERRORS, tags=["evidence"]
)
def update_evidence(
    ctx: ApiCtx,
    sha256: str,
    body: EvidenceMetaIn,
    if_match: str | None = Header(
        None,
        max_length=80,
        description="The ETag of the version the edit is based on; an edit of metadata "
        "changed since is refused (409).",
    ),
) -> JSONResponse:
    """Change an evidence item's metadata (source, sensitivity, notes, graphic flag; never
    its content); audited with the values before and after."""
    version = if_match.strip().removeprefix("W/").strip('"') if if_match else None
    saved = edit.update_evidence(
        ctx,
        sha256,
        source_id=body.source_id,
        sensitive=body.sensitive,
        notes=body.notes,
        graphic=body.graphic,
        if_version=version,
    )
    return JSONResponse(_without_version(saved), headers={"ETag": f'"{saved["version"]}"'})


WRITE_BODY: Any = Body(
    ...,
    description="Field values by their JSON names.",
    openapi_examples={"fields": {"value": {"notes": "Fictional note"}}},
)


def _api_values(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    from dalil.errors import InputError

    if len(body) > 64:
        raise InputError("too many fields")
    values = dict(body)
    for key in (
        "id",
        "created_at",
        "updated_at",
        "version",
        "protected_fields",
        "retraction",
        "acts_as_victim",
        "acts_as_perpetrator",
        "acts",
        "sites",
        "provenance",
    ):
        values.pop(key, None)
    for key in list(values):
        if key.endswith("_precision"):
            values.pop(key)  # derived from the date as written
    return values


def _without_version(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != "version"}


for _k in EDIT_KINDS:
    if _k != "sources":  # POST /sources has its own typed body (and text)
        router.add_api_route(
            f"/{_k}",
            _create(_k),
            methods=["POST"],
            status_code=201,
            response_model=dict[str, Any],
            responses=ERRORS,
            name=f"create_{_k}",
            tags=[_k],
        )
    router.add_api_route(
        f"/{_k}/{{item_id}}",
        _patch(_k),
        methods=["PATCH"],
        response_model=dict[str, Any],
        responses=ERRORS,
        name=f"update_{_k}",
        tags=[_k],
    )


class RetractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=2000, description="Why (logged).")
    with_dependants: bool = Field(
        False,
        description="Retract: also withdraw the records that depend on it, in the same "
        "audited operation (restoring it restores them). Ignored by restore.",
    )


def _retract_step(kind: str, verb: str) -> Any:
    from dalil.web.handlers import retractions

    def view(ctx: ApiCtx, item_id: str, body: RetractIn) -> dict[str, Any]:
        if verb == "retract":
            return retractions.retract(
                ctx, kind, item_id, body.reason, with_dependants=body.with_dependants
            )
        return retractions.restore(ctx, kind, item_id, body.reason)

    view.__name__ = f"{verb}_{kind}"
    view.__doc__ = (
        f"Retract one of {kind} with a reason: it leaves lists, search results and public "
        "or court exports, and stays in its history, the audit log and internal exports. "
        "Answers {at, by, reason, dependants}: what depends on it, each with retracted "
        "and cascade (withdrawn by this call, with with_dependants); 409 if already "
        "retracted."
        if verb == "retract"
        else f"Restore a retracted one of {kind}, with a reason (logged), and the "
        "dependants its retraction withdrew (listed in dependants); 409 if it is not "
        "retracted."
    )
    return view


def _dependants_view(kind: str) -> Any:
    from dalil.web.handlers import retractions
    from dalil.web.handlers.records import parse_id

    def view(ctx: ApiCtx, item_id: str) -> list[dict[str, Any]]:
        return retractions.dependants(ctx, kind, parse_id(kind, item_id))

    view.__name__ = f"dependants_{kind}"
    view.__doc__ = (
        f"What depends on one of {kind} (as `dalil KIND dependants`): what a retract "
        "with_dependants would withdraw with it, and the findings it would flag; each "
        "with kind, id, object_id, label, retractable, retracted and href (its page)."
    )
    return view


def _impact_view(kind: str) -> Any:
    from dalil.web.handlers import retractions
    from dalil.web.handlers.records import parse_id

    def view(ctx: ApiCtx, item_id: str) -> dict[str, Any]:
        return retractions.impact(ctx, kind, parse_id(kind, item_id))

    view.__name__ = f"impact_{kind}"
    view.__doc__ = (
        f"What retracting one of {kind} would change downstream or, if it is retracted, "
        "what restoring it would change; nothing is changed or logged (the preview the "
        "retract form shows): restore, dependants, list_records (leaving or rejoining "
        "linkage runs and estimates), victims linked to them, estimates and linkage_runs "
        "that will predate it, findings flagged."
    )
    return view


def _register_retract() -> None:
    from dalil.web.handlers.retractions import API_KINDS

    for kind in API_KINDS:
        router.add_api_route(
            f"/{kind}/{{item_id}}/impact",
            _impact_view(kind),
            methods=["GET"],
            response_model=dict[str, Any],
            responses=ERRORS,
            name=f"impact_{kind}",
            tags=[kind],
        )
        router.add_api_route(
            f"/{kind}/{{item_id}}/dependants",
            _dependants_view(kind),
            methods=["GET"],
            response_model=list[dict[str, Any]],
            responses=ERRORS,
            name=f"dependants_{kind}",
            tags=[kind],
        )
        for verb in ("retract", "restore"):
            router.add_api_route(
                f"/{kind}/{{item_id}}/{verb}",
                _retract_step(kind, verb),
                methods=["POST"],
                response_model=dict[str, Any],
                responses=ERRORS,
                name=f"{verb}_{kind}",
                tags=[kind],
            )


_register_retract()

# Findings (assessment, coding, sites, units, corroboration, vetting, reports).
from dalil.web.api import findings as _findings  # noqa: E402

router.include_router(_findings.router)
