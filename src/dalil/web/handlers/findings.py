"""Findings: legal assessment, incident coding, sites, units, corroboration, vetting and
reports — what the findings pages and their API twins show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dalil.display.jsonout import jsonable
from dalil.display.messages import N_, Message
from dalil.errors import InputError, NotFound
from dalil.services import assessments, coding, evidence, records, reports, sites, vetting
from dalil.services import corroboration as corroboration_svc
from dalil.services import units as units_svc
from dalil.web.context import Ctx
from dalil.web.handlers.records import parse_id

if TYPE_CHECKING:
    from dalil.services.kernel import Context

#: Largest personnel file accepted for vetting from the web (bytes).
VETTING_MAX_BYTES = vetting.UPLOAD_MAX_BYTES


def _evidence_refs(raw: Any) -> list[str]:
    """Evidence references from a form field ("3, 5 ab12…") or a JSON list."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    return [str(x).strip() for x in raw if str(x).strip()]


def overview(ctx: Ctx) -> dict[str, Any]:
    """Acts, incidents (with their aggregate line) and sites, for the findings index."""

    with ctx.act(write=False) as sc:
        aggs = {str(a["incident"]): a for a in jsonable(assessments.aggregates(sc))}
        acts = [jsonable(a) for a in records.list_(sc, "act")]
        incidents = [jsonable(i) for i in records.list_(sc, "incident")]
        site_rows = [jsonable(s) for s in records.list_(sc, "site")]
    for inc in incidents:
        inc["aggregate"] = aggs.get(str(inc["id"]))
    return {"acts": acts, "incidents": incidents, "sites": site_rows}


def assessment(ctx: Ctx, raw_act: str) -> dict[str, Any]:
    """The act's checklist (``dalil assess ACT --json``) and the act record."""

    act_id = parse_id("acts", raw_act)
    with ctx.act(write=False) as sc:
        out = dict(jsonable(assessments.show_assessment(sc, act_id)))
        out["record"] = jsonable(records.get(sc, "act", act_id))
        out["evidence_sha256"] = _evidence_shas(
            sc,
            [
                e
                for part in ("elements", "incident_elements", "history")
                for x in out[part]
                for e in x.get("evidence") or []
            ],
        )
    return out


def _evidence_shas(sc: Context, ids: list[Any]) -> dict[str, str]:
    """Evidence id -> SHA-256 (the workbench addresses evidence pages by SHA-256)."""
    out: dict[str, str] = {}
    for i in dict.fromkeys(str(x) for x in ids):
        try:
            out[i] = evidence.get_item(sc, i).sha256
        except NotFound:
            continue
    return out


def assess(
    ctx: Ctx,
    raw_act: str,
    element: str,
    finding: str,
    evidence: Any = None,
    note: str | None = None,
) -> dict[str, Any]:

    act_id = parse_id("acts", raw_act)
    with ctx.act(write=True) as sc:
        return dict(
            jsonable(
                assessments.assess(
                    sc, act_id, element, finding, _evidence_refs(evidence), note=note or None
                )
            )
        )


def assess_incident(
    ctx: Ctx,
    raw_inc: str,
    element: str,
    finding: str,
    evidence: Any = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Record the incident-level element (the widespread or systematic attack)."""

    inc_id = parse_id("incidents", raw_inc)
    with ctx.act(write=True) as sc:
        return dict(
            jsonable(
                assessments.assess_incident(
                    sc, inc_id, element, finding, _evidence_refs(evidence), note=note or None
                )
            )
        )


def sign_off(ctx: Ctx, raw_act: str, note: str | None = None) -> dict[str, Any]:

    act_id = parse_id("acts", raw_act)
    with ctx.act(write=True) as sc:
        return dict(jsonable(assessments.sign_off(sc, act_id, note=note or None)))


def incident(ctx: Ctx, raw_inc: str) -> dict[str, Any]:
    """An incident's coding, aggregate line, acts (with their sign-off status) and the
    incident-level elements."""

    inc_id = parse_id("incidents", raw_inc)
    with ctx.act(write=False) as sc:
        record = jsonable(records.get(sc, "incident", inc_id))
        agg = jsonable(assessments.aggregates(sc, inc_id))
        code = next(c for c in coding.codings(sc) if str(c.incident_id) == str(inc_id))
        acts = []
        incident_elements: list[Any] = []
        for a in records.list_(sc, "act", incident_id=inc_id):
            shown = jsonable(assessments.show_assessment(sc, a.id))
            incident_elements = shown["incident_elements"]
            acts.append(
                {
                    "id": a.id,
                    "act_type": getattr(a, "act_type", None),
                    "status": shown["status"],
                    "victim": getattr(a, "victim_id", None),
                }
            )
    return {
        "record": record,
        "coding": jsonable(code),
        "aggregate": agg[0] if agg else None,
        "acts": acts,
        "incident_elements": incident_elements,
    }


def set_coding(ctx: Ctx, raw_inc: str, fields: dict[str, Any]) -> dict[str, Any]:

    inc_id = parse_id("incidents", raw_inc)
    clean = {k: v for k, v in fields.items() if v not in (None, "")}
    if "fatality_sources" in clean:
        clean["fatality_sources"] = {
            k: _evidence_refs(v)
            for k, v in dict(clean["fatality_sources"]).items()
            if _evidence_refs(v)
        }
        if not clean["fatality_sources"]:
            del clean["fatality_sources"]
    with ctx.act(write=True) as sc:
        return dict(jsonable(coding.set_coding(sc, inc_id, **clean)))


def export(ctx: Ctx, fmt: str) -> str:
    """ACLED/UCDP/CSV export text (audited ``incident.export`` by the service)."""

    with ctx.act(write=True) as sc:
        return str(coding.export_incidents(sc, fmt))


def timeline(ctx: Ctx) -> list[dict[str, Any]]:

    with ctx.act(write=False) as sc:
        return [dict(x) for x in jsonable(coding.timeline(sc))]


def site(ctx: Ctx, raw_site: str) -> dict[str, Any]:

    with ctx.act(write=False) as sc:
        return dict(jsonable(sites.show_site(sc, parse_id("sites", raw_site))))


def site_status(
    ctx: Ctx,
    raw_site: str,
    status: str,
    on: str,
    note: str | None = None,
    evidence: Any = None,
) -> dict[str, Any]:

    with ctx.act(write=True) as sc:
        return dict(
            jsonable(
                sites.site_status(
                    sc,
                    parse_id("sites", raw_site),
                    status,
                    on,
                    note=note or None,
                    evidence=_evidence_refs(evidence),
                )
            )
        )


def units(ctx: Ctx) -> dict[str, Any]:
    """Units as a hierarchy (parent before children, with depth), dated memberships (by
    person id and pseudonym) and the suspects linked to acts."""

    with ctx.act(write=False) as sc:
        suspects = [dict(x) for x in jsonable(units_svc.suspects_for_acts(sc))]
        unit_rows = [jsonable(u) for u in records.list_(sc, "unit")]
        memberships = [jsonable(m) for m in records.list_(sc, "membership")]
    children: dict[Any, list[dict[str, Any]]] = {}
    ids = {u["id"] for u in unit_rows}
    for u in unit_rows:
        parent = u.get("parent_id") if u.get("parent_id") in ids else None
        children.setdefault(parent, []).append(u)
    ordered: list[dict[str, Any]] = []
    seen: set[Any] = set()

    def walk(parent: Any, depth: int) -> None:
        for u in children.get(parent, []):
            if u["id"] in seen:
                continue
            seen.add(u["id"])
            ordered.append({**u, "depth": depth})
            walk(u["id"], depth + 1)

    walk(None, 0)
    ordered += [{**u, "depth": 0} for u in unit_rows if u["id"] not in seen]
    for u in ordered:
        u["members"] = [m for m in memberships if m.get("organization_id") == u["id"]]
    return {"units": ordered, "memberships": memberships, "suspects": suspects}


def corroboration(ctx: Ctx) -> dict[str, Any]:
    """The claims × sources matrix. Building the independent groups reads the sources'
    texts, which the service logs as an evidence read: a write transaction."""

    with ctx.act(write=True) as sc:
        return dict(jsonable(corroboration_svc.corroboration(sc)))


def _column_mapping(columns: list[str] | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for c in columns or []:
        if not c.strip():
            continue
        if "=" not in c:
            raise InputError(f"column mapping {c[:80]!r}: use HEADER=FIELD", field="columns")
        header, field = c.split("=", 1)
        mapping[header.strip()] = field.strip()
    return mapping


#: The roster refusals that name the CLI's --column option, as the form says them.
_FORM_MSGIDS = {
    "%(file)s: cannot map column(s) %(columns)s to personnel fields (%(fields)s); "
    "map them with --column HEADER=FIELD or --column HEADER=ignore": N_(
        "%(file)s: cannot map column(s) %(columns)s to personnel fields (%(fields)s); "
        "map them with a column mapping HEADER=FIELD or HEADER=ignore"
    ),
    "%(file)s: --column %(header)s=%(field)s: unknown field (use one of %(fields)s or ignore)": N_(
        "%(file)s: column mapping %(header)s=%(field)s: unknown field (use one of "
        "%(fields)s or ignore)"
    ),
}


def _form_words(e: InputError) -> InputError:
    """Speak of the form's column mapping, not the CLI's --column option."""
    if isinstance(e.words, Message):
        msgid = _FORM_MSGIDS.get(e.words.msgid, e.words.msgid)
        return InputError(Message(msgid, **e.words.params), field=e.field, code=e.code)
    return InputError(
        e.message.replace(
            "with --column HEADER=FIELD or --column HEADER=ignore",
            "with a column mapping HEADER=FIELD or HEADER=ignore",
        ).replace("--column ", "column mapping "),
        field=e.field,
        code=e.code,
    )


def vet_submit(
    ctx: Ctx,
    data: bytes,
    *,
    name: str,
    threshold: float = 0.5,
    columns: list[str] | None = None,
) -> dict[str, Any]:
    """Queue the screening of an uploaded personnel file as a ``vetting`` job (the file
    kept encrypted with the job and deleted when it has finished). The file is read and
    checked first, so a bad file is refused here, beside the form."""
    from dalil.web.handlers import jobs as job_handlers

    mapping = _column_mapping(columns)
    try:
        with ctx.act(write=False) as sc:
            vetting.check_upload(sc, data, name=name, columns=mapping or None)
    except InputError as e:
        raise _form_words(e) from None
    media = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if name.lower().endswith(".xlsx")
        else "text/csv"
    )
    return job_handlers.submit(
        ctx,
        "vetting",
        {"name": name, "threshold": threshold, "columns": mapping},
        files={"personnel": (data, media)},
    )


def vetting_result(ctx: Ctx, job_id: int) -> dict[str, Any] | None:
    """The candidates of a finished ``vetting`` job (None while it runs)."""
    from dalil.web.handlers import jobs as job_handlers

    job = job_handlers.get(ctx, job_id)
    if job.get("kind") != "vetting":
        raise NotFound(f"job {job_id} is not a vetting screen")
    if job.get("state") != "done" or not isinstance(job.get("result"), dict):
        return None
    return dict(job["result"])


def report_submit(
    ctx: Ctx, *, audience: str, fmt: str, lang: str = "en", title: str | None = None
) -> dict[str, Any]:
    """Queue a report as a ``report`` job (built in a job worker, kept with the job,
    downloaded from its page). A public report needs ``report.public`` now, not later."""
    from dalil.web.handlers import jobs as job_handlers

    if audience == "public":
        with ctx.act(write=True) as sc:
            reports.may_build(sc, "public")
    params = {"audience": audience, "format": fmt, "lang": lang, "title": title or None}
    return job_handlers.submit(ctx, "report", params)


def bag_submit(ctx: Ctx) -> dict[str, Any]:
    """Queue an export of the case's evidence as a BagIt bag (a ``bag`` job: written and
    validated in a job worker, kept with the job as a zip file)."""
    from dalil.web.handlers import jobs as job_handlers

    return job_handlers.submit(ctx, "bag", {})
