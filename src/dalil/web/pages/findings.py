"""Findings pages: legal assessment of acts, incident coding and exports, sites, units and
suspects, the corroboration matrix, vetting, and reports.

Views are thin: they call :mod:`dalil.web.handlers.findings` (the services) as the
logged-in user; the service layer checks permissions and writes the audit entries. A
refusal that is part of the legal workflow (an *established* element without evidence,
an assessor signing off their own work) is shown on the act page itself with the
service's reason. Forms are shown only to roles that hold the permission (a display
convenience; the service decides).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import RedirectResponse, Response

from dalil.display.messages import Message, error_in_words, words
from dalil.errors import Conflict, InputError
from dalil.services import kernel
from dalil.web.context import N_, Ctx, PageCtx, finish, render
from dalil.web.handlers import findings

if TYPE_CHECKING:
    from dalil.web.present import Labels

router = APIRouter(include_in_schema=False)

FINDINGS = ("established", "likely", "insufficient", "contradicted")
SITE_STATUSES = ("reported", "located", "secured", "exhumed")
EXPORT_FORMATS = ("acled", "ucdp", "csv")
#: Words that reach the templates through variables, marked for the catalogs.
VOCAB = (
    N_("established"),
    N_("likely"),
    N_("insufficient"),
    N_("contradicted"),
    N_("unassessed"),
    N_("draft"),
    N_("signed"),
    N_("reported"),
    N_("located"),
    N_("secured"),
    N_("exhumed"),
    N_("supports"),
    N_("contradicts"),
    N_("supported"),
    N_("possible"),
    N_("internal"),
    N_("public"),
    N_("day"),
    N_("week"),
    N_("month"),
    N_("exact"),
    N_("near"),
    N_("region"),
    N_("contested"),
    N_("independently corroborated"),
    N_("single origin (repeated)"),
    N_("single source"),
    N_("no source"),
    # element labels and descriptions (dalil.findings.assessment)
    N_("civilian / hors de combat"),
    N_("deliberate"),
    N_("identity-targeted"),
    N_("linked to a party"),
    N_("conflict nexus"),
    N_("widespread or systematic attack"),
    N_("Victim was a civilian or hors de combat (not taking direct part in hostilities)"),
    N_(
        "The killing was deliberate (intended, not incidental), with awareness of the victim's "
        "protected status"
    ),
    N_("Victim targeted for identity (religion, sect, ethnicity or political affiliation)"),
    N_("Perpetrator linked to a party (state forces, affiliated militia or armed group)"),
    N_(
        "Nexus to an armed conflict (in the context of and associated with it, the perpetrator "
        "aware of the conflict)"
    ),
    N_(
        "Part of a widespread or systematic attack directed against a civilian population, "
        "pursuant to a State or organisational policy, with knowledge of the attack"
    ),
    # suggested qualifications (titles and bases)
    N_("War crime of murder"),
    N_("Murder as a crime against humanity"),
    N_("Persecution as a crime against humanity"),
    N_(
        "Common Article 3 to the Geneva Conventions; Rome Statute art. 8(2)(c)(i) "
        "(non-international armed conflict) / 8(2)(a)(i) wilful killing (international)"
    ),
    N_(
        "Rome Statute art. 7(1)(a): killing as part of a widespread or systematic attack "
        "directed against a civilian population"
    ),
    N_(
        "Rome Statute art. 7(1)(h): severe deprivation of fundamental rights on "
        "religious, ethnic, political or other grounds, in connection with murder, as part "
        "of a widespread or systematic attack"
    ),
)


def _perms(ctx: Ctx) -> frozenset[str]:
    return kernel.permissions_for(ctx.user.role) if ctx.user else frozenset()


class _Names:
    """Incidents and acts in words, as the record pages label them (``records.labels``):
    an incident by its title, an act by its type in words and its victim's pseudonym, in
    the reader's language; ``""`` when unknown (the page then says "Incident N")."""

    def __init__(
        self, ctx: Ctx, incidents: set[Any], victims: set[Any], *, labels: Labels | None = None
    ) -> None:
        from dalil.web.present import Labels, lookup

        wanted = {
            k: {int(i) for i in ids if str(i).isdigit()}
            for k, ids in (("incidents", incidents), ("persons", victims))
        }
        wanted = {k: ids for k, ids in wanted.items() if ids}
        self.lang = ctx.lang
        self.labels = labels or Labels(lang=ctx.lang)
        if wanted:
            with ctx.act(write=False) as sc:
                self.labels = lookup(sc, wanted, ctx.lang)

    def _found(self, kind: str, ident: Any) -> str | None:
        if ident is None or not str(ident).isdigit():
            return None
        got = self.labels.found.get((kind, int(ident)))
        return got[0] if got else None

    def incident(self, ident: Any) -> str:
        label = self._found("incidents", ident)
        return words(label, self.lang) if label else ""

    def act(self, act_type: Any, victim: Any) -> str:
        if not act_type:
            return ""
        from dalil.web.forms import VOCAB

        kind = Message(VOCAB.get(str(act_type), str(act_type)))  # "sexual violence"
        who = self._found("persons", victim)
        if who is None:
            return words(kind, self.lang)
        return words(Message(N_("%(type)s of %(victim)s"), type=kind, victim=who), self.lang)


def _redirect(ctx: Ctx, url: str) -> Response:
    resp = RedirectResponse(url, status_code=303)
    finish(ctx, resp)
    return resp


def _download(ctx: Ctx, data: bytes | str, filename: str, media_type: str) -> Response:
    body = data.encode("utf-8") if isinstance(data, str) else data
    resp = Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
    return resp


@router.get("/findings")
def findings_index(ctx: PageCtx) -> Response:
    data = findings.overview(ctx)
    names = _Names(
        ctx,
        {a.get("incident_id") for a in data["acts"]},
        {a.get("victim_id") for a in data["acts"]},
    )
    return render(
        ctx,
        "findings_index.html",
        data=data,
        perms=_perms(ctx),
        formats=EXPORT_FORMATS,
        names=names,
    )


# --- acts: the legal assessment checklist ------------------------------------------


def _act_page(
    ctx: Ctx,
    item_id: str,
    *,
    error: str | None = None,
    status_code: int = 200,
    values: dict[str, Any] | None = None,
) -> Response:
    data = findings.assessment(ctx, item_id)
    from markupsafe import Markup, escape

    from dalil.findings.assessment import ALL_ELEMENTS, ELEMENT_LABELS
    from dalil.web.present import Labels, lookup

    victim = (data.get("record") or {}).get("victim_id")
    # the evidence cited, by file name ("withheld item N" for a role that may not read a
    # sensitive item), never by a hash
    cited = {
        int(e)
        for part in ("elements", "incident_elements", "history", "suggested_qualifications")
        for x in data.get(part) or []
        for e in x.get("evidence") or []
        if str(e).isdigit()
    }
    wanted: dict[str, set[Any]] = {"evidence": cited} if cited else {}
    if victim is not None:  # the victim by pseudonym, not by number
        wanted["persons"] = {victim}
    if str(data.get("incident") or "").isdigit():  # the incident by its title
        wanted["incidents"] = {int(data["incident"])}
    with ctx.act(write=False) as sc:
        labels = lookup(sc, wanted, ctx.lang) if wanted else Labels(lang=ctx.lang)
    victim_link = labels.link("persons", victim) if victim is not None else None

    def evidence_links(ids: Any) -> Markup:
        """The evidence ids cited, each linked by its label; a dash for none."""
        shown = [labels.link("evidence", int(e)) if str(e).isdigit() else escape(e) for e in ids]
        return Markup(", ").join(shown) if shown else Markup("—")

    return render(
        ctx,
        "findings_act.html",
        status_code=status_code,
        data=data,
        findings=FINDINGS,
        perms=_perms(ctx),
        error=error,
        values=values or {},
        descriptions=ALL_ELEMENTS,
        labels=ELEMENT_LABELS,
        victim_link=victim_link,
        evidence_links=evidence_links,
        names=_Names(ctx, set(), set(), labels=labels),
    )


@router.get("/findings/acts/{item_id}")
def act_page(ctx: PageCtx, item_id: str) -> Response:
    return _act_page(ctx, item_id)


@router.post("/findings/acts/{item_id}/assess")
def act_assess(
    ctx: PageCtx,
    item_id: str,
    element: str = Form(..., max_length=40),
    finding: str = Form(..., max_length=20),
    evidence: str = Form("", max_length=4000),
    note: str = Form("", max_length=4000),
) -> Response:
    try:
        findings.assess(ctx, item_id, element, finding, evidence, note)
    except InputError as e:  # e.g. "established" without evidence: the service's reason
        return _act_page(
            ctx,
            item_id,
            error=error_in_words(e, ctx.lang),
            status_code=422,
            values={"element": element, "finding": finding, "evidence": evidence, "note": note},
        )
    return _redirect(ctx, f"/findings/acts/{item_id}#checklist")


@router.post("/findings/acts/{item_id}/sign-off")
def act_sign_off(
    ctx: PageCtx,
    item_id: str,
    note: str = Form("", max_length=4000),
) -> Response:
    try:
        findings.sign_off(ctx, item_id, note)
    except Conflict as e:  # the assessor's own sign-off, an incomplete checklist
        return _act_page(ctx, item_id, error=error_in_words(e, ctx.lang), status_code=409)
    return _redirect(ctx, f"/findings/acts/{item_id}#sign-off")


# --- incidents: coding, aggregate line, exports, timeline --------------------------


def _incident_page(
    ctx: Ctx, item_id: str, *, error: str | None = None, status_code: int = 200
) -> Response:
    data = findings.incident(ctx, item_id)
    from dalil.findings.incidents import EVENT_TYPES, GEO_PRECISIONS

    names = _Names(ctx, set(), {a.get("victim") for a in data["acts"]})
    return render(
        ctx,
        "findings_incident.html",
        names=names,
        status_code=status_code,
        data=data,
        perms=_perms(ctx),
        error=error,
        formats=EXPORT_FORMATS,
        findings=FINDINGS,
        event_types=EVENT_TYPES,
        geo_precisions=GEO_PRECISIONS,
    )


@router.get("/findings/incidents/{item_id}")
def incident_page(ctx: PageCtx, item_id: str) -> Response:
    return _incident_page(ctx, item_id)


@router.post("/findings/incidents/{item_id}/coding")
def incident_coding(
    ctx: PageCtx,
    item_id: str,
    event_type: str = Form("", max_length=100),
    sub_event_type: str = Form("", max_length=100),
    civilian_targeting: str = Form("", max_length=5),
    actor1: str = Form("", max_length=300),
    actor2: str = Form("", max_length=300),
    country: str = Form("", max_length=100),
    admin1: str = Form("", max_length=100),
    admin2: str = Form("", max_length=100),
    geo_precision: str = Form("", max_length=20),
    sources_low: str = Form("", max_length=2000),
    sources_best: str = Form("", max_length=2000),
    sources_high: str = Form("", max_length=2000),
) -> Response:
    fields: dict[str, Any] = {
        "event_type": event_type,
        "sub_event_type": sub_event_type,
        "actor1": actor1,
        "actor2": actor2,
        "country": country,
        "admin1": admin1,
        "admin2": admin2,
        "geo_precision": geo_precision,
        "fatality_sources": {"low": sources_low, "best": sources_best, "high": sources_high},
    }
    if civilian_targeting in ("yes", "no"):
        fields["civilian_targeting"] = civilian_targeting == "yes"
    try:
        findings.set_coding(ctx, item_id, fields)
    except InputError as e:
        return _incident_page(ctx, item_id, error=error_in_words(e, ctx.lang), status_code=422)
    return _redirect(ctx, f"/findings/incidents/{item_id}#coding")


@router.post("/findings/incidents/{item_id}/assess")
def incident_assess(
    ctx: PageCtx,
    item_id: str,
    finding: str = Form(..., max_length=20),
    evidence: str = Form("", max_length=4000),
    note: str = Form("", max_length=4000),
) -> Response:
    """The incident-level element: part of a widespread or systematic attack."""
    try:
        findings.assess_incident(ctx, item_id, "attack", finding, evidence, note)
    except InputError as e:
        return _incident_page(ctx, item_id, error=error_in_words(e, ctx.lang), status_code=422)
    return _redirect(ctx, f"/findings/incidents/{item_id}#attack")


@router.get("/findings/export/{fmt}")
def incidents_export(ctx: PageCtx, fmt: str) -> Response:
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt[:20]!r}; use acled, ucdp or csv")
    text = findings.export(ctx, fmt)
    return _download(ctx, text, f"incidents-{fmt}.csv", "text/csv; charset=utf-8")


@router.get("/findings/timeline")
def findings_timeline(ctx: PageCtx) -> Response:
    items = findings.timeline(ctx)
    return render(ctx, "findings_timeline.html", items=items)


# --- sites ------------------------------------------------------------------------


@router.get("/findings/sites/{item_id}")
def site_page(ctx: PageCtx, item_id: str) -> Response:
    data = findings.site(ctx, item_id)
    return render(
        ctx,
        "findings_site.html",
        data=data,
        statuses=SITE_STATUSES,
        perms=_perms(ctx),
        error=None,
        names=_Names(ctx, {data.get("incident")}, set()),
    )


@router.post("/findings/sites/{item_id}/status")
def site_status(
    ctx: PageCtx,
    item_id: str,
    status: str = Form(..., max_length=20),
    on: str = Form(..., max_length=10),
    note: str = Form("", max_length=4000),
    evidence: str = Form("", max_length=4000),
) -> Response:
    try:
        findings.site_status(ctx, item_id, status, on, note, evidence)
    except (InputError, Conflict) as e:  # backwards, before the last date, bad date
        data = findings.site(ctx, item_id)
        return render(
            ctx,
            "findings_site.html",
            status_code=422,
            data=data,
            statuses=SITE_STATUSES,
            perms=_perms(ctx),
            error=error_in_words(e, ctx.lang),
            names=_Names(ctx, {data.get("incident")}, set()),
        )
    return _redirect(ctx, f"/findings/sites/{item_id}#history")


# --- units and suspects; corroboration ---------------------------------------------


@router.get("/findings/units")
def units_page(ctx: PageCtx) -> Response:
    return render(ctx, "findings_units.html", data=findings.units(ctx))


@router.get("/findings/corroboration")
def corroboration_page(ctx: PageCtx) -> Response:
    data = findings.corroboration(ctx)
    return render(ctx, "findings_corroboration.html", data=data)


# --- vetting ------------------------------------------------------------------------


@router.get("/findings/vetting")
def vetting_page(ctx: PageCtx, job: int | None = Query(None, ge=1, le=2**63 - 1)) -> Response:
    """The form; with ``?job=N``, the candidates of that finished vetting job."""
    result = findings.vetting_result(ctx, job) if job is not None else None
    return render(
        ctx, "findings_vetting.html", result=result, job=job, error=None, perms=_perms(ctx)
    )


@router.post("/findings/vetting")
async def vetting_upload(
    ctx: PageCtx,
    file: Annotated[UploadFile, File()],
    threshold: float = Form(0.5, ge=0.0, le=1.0),
    columns: str = Form("", max_length=2000),
) -> Response:
    """Check the file, then queue the screening as a job (long work never runs inside a
    request) and go to the job's page, which links back here to the candidates."""
    # Starlette spools the upload in memory (to 1 MB) then in the system temporary
    # folder, never the case folder; read it here and close it at once.
    try:
        data = await file.read(findings.VETTING_MAX_BYTES + 1)
    finally:
        await file.close()
    name = "".join(c for c in (file.filename or "personnel.csv") if c.isalnum() or c in "._-")
    import anyio.to_thread

    try:
        job = await anyio.to_thread.run_sync(
            lambda: findings.vet_submit(
                ctx,
                data,
                name=name or "personnel.csv",
                threshold=threshold,
                columns=columns.splitlines(),
            )
        )
    except InputError as e:
        return render(
            ctx,
            "findings_vetting.html",
            status_code=422,
            result=None,
            job=None,
            error=error_in_words(e, ctx.lang),
            perms=_perms(ctx),
        )
    return _redirect(ctx, f"/jobs/{job['id']}")


# --- reports ------------------------------------------------------------------------


@router.get("/findings/reports")
def reports_page(ctx: PageCtx) -> Response:
    return render(ctx, "findings_reports.html", perms=_perms(ctx), error=None)


@router.post("/findings/reports")
def reports_build(
    ctx: PageCtx,
    audience: str = Form("internal", pattern="^(internal|public)$"),
    fmt: str = Form("html", alias="format", pattern="^(html|pdf)$"),
    report_lang: str = Form("en", pattern="^(en|ar)$"),
    title: str = Form("", max_length=300),
) -> Response:
    """Queue the report as a job; its page offers the file when it is built."""
    job = findings.report_submit(ctx, audience=audience, fmt=fmt, lang=report_lang, title=title)
    return _redirect(ctx, f"/jobs/{job['id']}")


@router.post("/findings/export-bag")
def bag_export(ctx: PageCtx) -> Response:
    """Queue an evidence bag (BagIt) export as a job; its page offers the zip file."""
    job = findings.bag_submit(ctx)
    return _redirect(ctx, f"/jobs/{job['id']}")
