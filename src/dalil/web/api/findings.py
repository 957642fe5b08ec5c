"""REST API v1, findings: the JSON twins of the findings pages (under ``/api/v1/findings``).

The shapes are those of the CLI's ``--json`` (``dalil assess ACT --json``, ``dalil
incidents summary --json``, ``dalil corroboration --json``, ``dalil vet --json`` …).
Permissions and audit entries are the service layer's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from dalil.errors import InputError
from dalil.web.context import ApiCtx
from dalil.web.handlers import findings
from dalil.web.problems import ERRORS

router = APIRouter(prefix="/findings", tags=["findings"])


class AssessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    element: str = Field(
        max_length=40, description="civilian, deliberate, identity, party or nexus"
    )
    finding: str = Field(
        max_length=20, description="established, likely, insufficient or contradicted"
    )
    evidence: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Evidence ids or SHA-256 (prefixes) behind the finding.",
    )
    note: str | None = Field(None, max_length=4000)


class SignOffIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=4000)


class CodingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event_type: str | None = Field(None, max_length=100)
    sub_event_type: str | None = Field(None, max_length=100)
    civilian_targeting: bool | None = None
    actor1: str | None = Field(None, max_length=300)
    assoc_actor1: str | None = Field(None, max_length=300)
    actor2: str | None = Field(None, max_length=300)
    assoc_actor2: str | None = Field(None, max_length=300)
    country: str | None = Field(None, max_length=100)
    admin1: str | None = Field(None, max_length=100)
    admin2: str | None = Field(None, max_length=100)
    geo_precision: str | None = Field(None, max_length=20)
    fatality_sources: dict[str, list[str]] | None = Field(
        None, description="low/best/high -> evidence references"
    )


class SiteStatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str = Field(max_length=20, description="reported, located, secured or exhumed")
    on: str = Field(max_length=10, description="YYYY-MM-DD")
    note: str | None = Field(None, max_length=4000)
    evidence: list[str] = Field(default_factory=list, max_length=200)


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    audience: str = Field("internal", pattern="^(internal|public)$")
    format: str = Field("html", pattern="^(html|pdf)$")
    lang: str = Field("en", pattern="^(en|ar)$")
    title: str | None = Field(None, max_length=300)


@router.get("", response_model=dict[str, Any], responses=ERRORS)
def overview(ctx: ApiCtx) -> dict[str, Any]:
    """Acts, incidents (each with its aggregate line) and sites."""
    return dict(findings.overview(ctx))


@router.get("/acts/{item_id}", response_model=dict[str, Any], responses=ERRORS)
def assessment(ctx: ApiCtx, item_id: str) -> dict[str, Any]:
    """The act's legal assessment checklist, sign-offs, history and suggested qualifications."""
    return dict(findings.assessment(ctx, item_id))


@router.post(
    "/acts/{item_id}/assess", response_model=dict[str, Any], status_code=201, responses=ERRORS
)
def assess(ctx: ApiCtx, item_id: str, body: AssessIn) -> dict[str, Any]:
    """Record one element finding (append-only; needs ``finding.assess``)."""
    return dict(findings.assess(ctx, item_id, body.element, body.finding, body.evidence, body.note))


@router.post("/acts/{item_id}/sign-off", response_model=dict[str, Any], responses=ERRORS)
def sign_off(ctx: ApiCtx, item_id: str, body: SignOffIn) -> dict[str, Any]:
    """Sign off the assessment; the reviewer must not have assessed any element (409)."""
    return dict(findings.sign_off(ctx, item_id, body.note))


@router.get("/incidents/{item_id}", response_model=dict[str, Any], responses=ERRORS)
def incident(ctx: ApiCtx, item_id: str) -> dict[str, Any]:
    """Coding (ACLED/UCDP fields), aggregate line and acts of one incident."""
    return dict(findings.incident(ctx, item_id))


class IncidentAssessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    finding: str = Field(
        max_length=20, description="established, likely, insufficient or contradicted"
    )
    evidence: list[str] = Field(default_factory=list, max_length=200)
    note: str | None = Field(None, max_length=4000)


@router.post(
    "/incidents/{item_id}/assess", response_model=dict[str, Any], status_code=201, responses=ERRORS
)
def assess_incident(ctx: ApiCtx, item_id: str, body: IncidentAssessIn) -> dict[str, Any]:
    """Record the incident-level element: part of a widespread or systematic attack."""
    return dict(
        findings.assess_incident(ctx, item_id, "attack", body.finding, body.evidence, body.note)
    )


@router.post("/incidents/{item_id}/coding", response_model=dict[str, Any], responses=ERRORS)
def coding(ctx: ApiCtx, item_id: str, body: CodingIn) -> dict[str, Any]:
    return dict(findings.set_coding(ctx, item_id, body.model_dump(exclude_none=True)))


@router.get("/export/{fmt}", responses={**ERRORS, 200: {"content": {"text/csv": {}}}})
def export(ctx: ApiCtx, fmt: str) -> Response:
    """Incidents as ACLED, UCDP or plain CSV (audited ``incident.export``)."""
    if fmt not in ("acled", "ucdp", "csv"):
        raise InputError(f"unknown export format {fmt[:20]!r}; use acled, ucdp or csv")
    text = findings.export(ctx, fmt)
    return Response(
        text.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="incidents-{fmt}.csv"'},
    )


@router.get("/timeline", response_model=list[dict[str, Any]], responses=ERRORS)
def timeline(ctx: ApiCtx) -> list[dict[str, Any]]:
    return list(findings.timeline(ctx))


@router.get("/sites/{item_id}", response_model=dict[str, Any], responses=ERRORS)
def site(ctx: ApiCtx, item_id: str) -> dict[str, Any]:
    """A site with its status history and identified victims (person ids)."""
    return dict(findings.site(ctx, item_id))


@router.post("/sites/{item_id}/status", response_model=dict[str, Any], responses=ERRORS)
def site_status(ctx: ApiCtx, item_id: str, body: SiteStatusIn) -> dict[str, Any]:
    """Move the site's status forward (reported → located → secured → exhumed)."""
    return dict(findings.site_status(ctx, item_id, body.status, body.on, body.note, body.evidence))


@router.get("/units", response_model=dict[str, Any], responses=ERRORS)
def units(ctx: ApiCtx) -> dict[str, Any]:
    """Unit hierarchy, dated memberships and suspects linked to acts."""
    return dict(findings.units(ctx))


@router.get("/corroboration", response_model=dict[str, Any], responses=ERRORS)
def corroboration(ctx: ApiCtx) -> dict[str, Any]:
    """Claims × sources with Admiralty grades and independent groups."""
    return dict(findings.corroboration(ctx))


@router.post("/vetting", response_model=dict[str, Any], status_code=202, responses=ERRORS)
async def vetting(
    ctx: ApiCtx,
    request: Request,
    name: str = Query("personnel.csv", max_length=200, description="File name (.csv or .xlsx)."),
    threshold: float = Query(0.5, ge=0.0, le=1.0),
    column: Annotated[
        list[str] | None,
        Query(
            max_length=50,
            description=(
                "Map a column: HEADER=FIELD (record_id, name, unit, rank, start, end, position, "
                "notes or ignore); repeat for several."
            ),
        ),
    ] = None,
) -> dict[str, Any]:
    """Screen a personnel file (the request body, CSV or XLSX) against the case's suspects,
    as a job: the file is checked at once (a bad file is a 422 here), then queued (202,
    the job). Follow `/api/v1/jobs/{id}`; its result is `dalil vet --json`. Candidates are
    for human review, not a verdict."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > findings.VETTING_MAX_BYTES:
            raise InputError("the personnel file is larger than 20 MB")
    import anyio.to_thread

    safe = "".join(c for c in name if c.isalnum() or c in "._-") or "personnel.csv"
    return dict(
        await anyio.to_thread.run_sync(
            lambda: findings.vet_submit(
                ctx, bytes(data), name=safe, threshold=threshold, columns=column
            )
        )
    )


@router.post("/reports", response_model=dict[str, Any], status_code=202, responses=ERRORS)
def report(ctx: ApiCtx, body: ReportIn) -> dict[str, Any]:
    """Queue a report (202, the job; built in a job worker, audited ``report.build``).
    Follow `/api/v1/jobs/{id}`; the file is then at
    `/api/v1/jobs/{id}/files/report.{html|pdf}` (header `X-Content-SHA256`)."""
    return findings.report_submit(
        ctx, audience=body.audience, fmt=body.format, lang=body.lang, title=body.title
    )
