"""Findings on a case: the service functions the CLI, the web workbench and the demo call.

Every function takes a :class:`dalil.services.context.Context` (``case.act(user)``),
checks its permission first, and audits its writes in the same transaction. The rules
themselves live in the storage-free modules of this package.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dalil import access
from dalil.errors import InputError, NotFound
from dalil.findings import assessment as A
from dalil.findings import corroboration as C
from dalil.findings import incidents as I
from dalil.findings import sites as S
from dalil.findings import vetting as V
from dalil.findings.models import (
    ClaimRow,
    ClaimSourceRow,
    ElementAssessmentRow,
    EstimateRow,
    IncidentCodingRow,
    SignOffRow,
    SiteDetailRow,
    SiteEventRow,
    SiteVictimRow,
)
from dalil.model.act import Act
from dalil.model.evidence import EvidenceItem
from dalil.model.incident import Incident
from dalil.model.organization import Membership, Organization
from dalil.model.person import Person
from dalil.model.provenance import ProvenanceLink
from dalil.model.site import Site
from dalil.model.source import Source
from dalil.services.context import Context, oid

# --- helpers -------------------------------------------------------------------------


def _evidence_ids(ctx: Context, refs: Sequence[str | int]) -> list[int]:
    """Resolve evidence references (id, SHA-256 or prefix); unknown ones raise NotFound."""
    from dalil.services.evidence import resolve_item

    out: list[int] = []
    for r in refs:
        if str(r).strip() == "":
            continue
        item = resolve_item(ctx, r)
        if item.id not in out:
            out.append(item.id)
    return out


def _get_act(ctx: Context, act_id: int) -> Act:
    return ctx.get(Act, act_id, "act")


def _history(
    ctx: Context, *, act_id: int | None = None, incident_id: int | None = None
) -> list[A.ElementFinding]:
    q = select(ElementAssessmentRow).order_by(
        ElementAssessmentRow.created_at, ElementAssessmentRow.id
    )
    if act_id is not None:
        q = q.where(ElementAssessmentRow.act_id == act_id)
    else:
        q = q.where(
            ElementAssessmentRow.incident_id == incident_id, ElementAssessmentRow.act_id.is_(None)
        )
    return [
        A.ElementFinding(
            r.element,
            r.finding,
            tuple(str(e) for e in r.evidence or []),
            r.assessor,
            r.note,
            _aware(r.created_at),
        )
        for r in ctx.session.scalars(q)
    ]


def _aware(dt: Any) -> Any:
    from dalil.model.common import as_utc

    return as_utc(dt)


def _sign_offs(ctx: Context, act_id: int) -> list[A.SignOff]:
    q = (
        select(SignOffRow)
        .where(SignOffRow.act_id == act_id)
        .order_by(SignOffRow.created_at, SignOffRow.id)
    )
    return [A.SignOff(r.reviewer, _aware(r.created_at), r.note) for r in ctx.session.scalars(q)]


# --- assessment ----------------------------------------------------------------------


def assess(
    ctx: Context,
    act_id: int,
    element: str,
    finding: str,
    evidence: Sequence[str | int] = (),
    note: str | None = None,
) -> dict[str, Any]:
    """Record one element finding for an act (append-only). Needs ``finding.assess``."""
    ctx.require(access.FINDING_ASSESS, "assess acts")
    act = _get_act(ctx, act_id)
    el = A.normalise_element(element, level="act")
    f = A.validate_finding(el, finding, [str(e) for e in evidence])
    ev = _evidence_ids(ctx, evidence)
    row = ElementAssessmentRow(
        act_id=act.id, element=el, finding=f, evidence=ev, assessor=ctx.actor.name, note=note
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        "assessment.add",
        [oid("act", act.id), *[oid("evidence", e) for e in ev]],
        change={"element": el, "finding": f, "evidence": ev, "note": note or ""},
        detail={"element": el, "finding": f, "evidence": ev},
    )
    return {"act": act.id, "element": el, "finding": f, "evidence": ev, "assessor": ctx.actor.name}


def assess_incident(
    ctx: Context,
    incident_id: int,
    element: str,
    finding: str,
    evidence: Sequence[str | int] = (),
    note: str | None = None,
) -> dict[str, Any]:
    """Record the incident-level element (widespread or systematic attack)."""
    ctx.require(access.FINDING_ASSESS, "assess incidents")
    inc = ctx.get(Incident, incident_id, "incident")
    el = A.normalise_element(element, level="incident")
    f = A.validate_finding(el, finding, [str(e) for e in evidence])
    ev = _evidence_ids(ctx, evidence)
    ctx.session.add(
        ElementAssessmentRow(
            incident_id=inc.id,
            element=el,
            finding=f,
            evidence=ev,
            assessor=ctx.actor.name,
            note=note,
        )
    )
    ctx.session.flush()
    ctx.audit(
        "assessment.add",
        [oid("incident", inc.id), *[oid("evidence", e) for e in ev]],
        change={"element": el, "finding": f, "evidence": ev, "note": note or ""},
        detail={"element": el, "finding": f, "evidence": ev},
    )
    return {
        "incident": inc.id,
        "element": el,
        "finding": f,
        "evidence": ev,
        "assessor": ctx.actor.name,
    }


def sign_off(ctx: Context, act_id: int, note: str | None = None) -> dict[str, Any]:
    """Sign off an act's assessment. The reviewer must not have assessed any of its elements."""
    ctx.require(access.FINDING_SIGNOFF, "sign off assessments")
    act = _get_act(ctx, act_id)
    history = _history(ctx, act_id=act.id)
    A.check_sign_off(ctx.actor.name, history)
    ctx.session.add(SignOffRow(act_id=act.id, reviewer=ctx.actor.name, note=note))
    ctx.session.flush()
    ctx.audit(
        "assessment.signoff",
        [oid("act", act.id)],
        change={"reviewer": ctx.actor.name, "note": note or ""},
    )
    return show_assessment(ctx, act.id)


def show_assessment(ctx: Context, act_id: int) -> dict[str, Any]:
    ctx.require(access.CASE_READ, "read assessments")
    act = _get_act(ctx, act_id)
    history = _history(ctx, act_id=act.id)
    signs = _sign_offs(ctx, act.id)
    cur = A.current_findings(history)
    inc_cur = A.current_findings(_history(ctx, incident_id=act.incident_id))
    return {
        "act": act.id,
        "incident": act.incident_id,
        "status": A.sign_off_status(history, signs),
        "elements": [
            (
                cur[e].to_dict()
                if e in cur
                else {"element": e, "label": A.ELEMENT_LABELS[e], "finding": None, "evidence": []}
            )
            for e in A.ACT_ELEMENTS
        ],
        "incident_elements": [v.to_dict() for v in inc_cur.values()],
        "sign_offs": [s.to_dict() for s in signs],
        "history": [h.to_dict() for h in history],
        "suggested_qualifications": [q.to_dict() for q in A.suggest_qualifications(cur, inc_cur)],
        "note": "Qualifications are suggestions computed from the findings; the legal team decides.",
    }


def aggregates(ctx: Context, incident_id: int | None = None) -> list[dict[str, Any]]:
    ctx.require(access.CASE_READ, "read assessments")
    q = select(Incident).order_by(Incident.id)
    if incident_id is not None:
        ctx.get(Incident, incident_id, "incident")
        q = q.where(Incident.id == incident_id)
    out = []
    for inc in ctx.session.scalars(q):
        acts = list(
            ctx.session.scalars(select(Act).where(Act.incident_id == inc.id).order_by(Act.id))
        )
        hist = {str(a.id): _history(ctx, act_id=a.id) for a in acts}
        signs = {str(a.id): _sign_offs(ctx, a.id) for a in acts}
        d = A.aggregate(str(inc.id), hist, signs).to_dict()
        d["title"] = inc.title
        out.append(d)
    return out


# --- incident coding -----------------------------------------------------------------

_TYPE_MAP = {
    "killing": ("Violence against civilians", "Attack"),
    "mass_killing": ("Violence against civilians", "Attack"),
    "execution": ("Violence against civilians", "Attack"),
    "attack": ("Violence against civilians", "Attack"),
    "disappearance": ("Violence against civilians", "Abduction/forced disappearance"),
    "detention": ("Strategic developments", "Arrests"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "raid": ("Violence against civilians", "Attack"),
}
_GEO = {
    "exact": "exact",
    "approximate": "near",
    "locality": "near",
    "district": "region",
    "region": "region",
}


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    from dalil.model.fields import parse_partial_date

    return parse_partial_date(text).start


def coding_for(inc: Incident, row: IncidentCodingRow | None) -> I.IncidentCoding:
    ev, sub = _TYPE_MAP.get(inc.incident_type or "", ("Violence against civilians", "Attack"))
    prec = inc.date_start_precision or "day"
    c = I.IncidentCoding(
        incident_id=str(inc.id),
        title=inc.title,
        event_type=row.event_type if row else ev,
        sub_event_type=row.sub_event_type if row else sub,
        civilian_targeting=row.civilian_targeting if row else ev == "Violence against civilians",
        actor1=row.actor1 if row else None,
        assoc_actor1=row.assoc_actor1 if row else None,
        actor2=row.actor2 if row else "Civilians",
        assoc_actor2=row.assoc_actor2 if row else None,
        date_start=_parse_day(inc.date_start),
        date_end=_parse_day(inc.date_end) if inc.date_end else None,
        date_precision=prec if prec in I.DATE_PRECISIONS else "month",
        country=row.country if row else None,
        admin1=row.admin1 if row else None,
        admin2=row.admin2 if row else None,
        location=inc.place_name,
        latitude=inc.lat,
        longitude=inc.lon,
        geo_precision=(row.geo_precision if row else _GEO.get(inc.coord_precision or "", "near")),
        fatalities_low=inc.fatalities_low,
        fatalities_best=inc.fatalities_best,
        fatalities_high=inc.fatalities_high,
        fatality_sources={
            k: [str(x) for x in v] for k, v in ((row.fatality_sources if row else {}) or {}).items()
        },
    )
    return c


def set_coding(ctx: Context, incident_id: int, **fields: Any) -> dict[str, Any]:
    """Code an incident for ACLED/UCDP (fields of :class:`IncidentCodingRow`).

    ``fatality_sources`` maps ``low``/``best``/``high`` to evidence references; each
    figure the incident states must cite at least one.
    """
    ctx.require(access.RECORD_WRITE, "code incidents")
    inc = ctx.get(Incident, incident_id, "incident")
    row = ctx.session.scalar(
        select(IncidentCodingRow).where(IncidentCodingRow.incident_id == inc.id)
    )
    allowed = {
        "event_type",
        "sub_event_type",
        "civilian_targeting",
        "actor1",
        "assoc_actor1",
        "actor2",
        "assoc_actor2",
        "country",
        "admin1",
        "admin2",
        "geo_precision",
        "fatality_sources",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise InputError(f"unknown coding field(s): {', '.join(sorted(unknown))}")
    new = row is None
    if row is None:
        base = coding_for(inc, None)
        row = IncidentCodingRow(
            incident_id=inc.id,
            event_type=base.event_type,
            sub_event_type=base.sub_event_type,
            civilian_targeting=base.civilian_targeting,
            actor2=base.actor2,
            geo_precision=base.geo_precision,
            fatality_sources={},
            updated_by=ctx.actor.name,
        )
    for k, v in fields.items():
        if v is None:
            continue
        if k == "fatality_sources":
            fs = {}
            for level, refs in dict(v).items():
                if level not in ("low", "best", "high"):
                    raise InputError(
                        f"fatality source level must be low, best or high, not {level!r}"
                    )
                fs[level] = _evidence_ids(ctx, list(refs))
            merged = dict(row.fatality_sources or {})
            merged.update(fs)
            v = merged
        setattr(row, k, v)
    row.updated_by = ctx.actor.name
    coding = coding_for(inc, row)
    coding.validate()
    if new:
        ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("incident.code", [oid("incident", inc.id)], change=coding.to_dict())
    return coding.to_dict()


def codings(ctx: Context) -> list[I.IncidentCoding]:
    ctx.require(access.CASE_READ, "read incidents")
    rows = {r.incident_id: r for r in ctx.session.scalars(select(IncidentCodingRow))}
    return [
        coding_for(inc, rows.get(inc.id))
        for inc in ctx.session.scalars(select(Incident).order_by(Incident.id))
    ]


def export_incidents(ctx: Context, fmt: str) -> str:
    ctx.require(access.EXPORT_RECORDS, "export incidents")
    if fmt not in I.EXPORT_FORMATS:
        raise InputError(
            f"unknown export format {fmt!r}; use one of: {', '.join(I.EXPORT_FORMATS)}"
        )
    cs = codings(ctx)
    text = I.export(cs, fmt)
    ctx.audit(
        "incident.export",
        [oid("incident", c.incident_id) for c in cs],
        detail={"format": fmt, "incidents": len(cs)},
    )
    return text


def timeline(ctx: Context) -> list[dict[str, object]]:
    return I.timeline(codings(ctx))


# --- sites ---------------------------------------------------------------------------


def _site_history(ctx: Context, site: Site) -> list[S.StatusChange]:
    rows = ctx.session.scalars(
        select(SiteEventRow).where(SiteEventRow.site_id == site.id).order_by(SiteEventRow.id)
    )
    return [
        S.StatusChange(
            r.status,
            date.fromisoformat(r.on_date),
            r.by,
            r.note,
            tuple(str(e) for e in r.evidence or []),
        )
        for r in rows
    ]


def site_status(
    ctx: Context,
    site_id: int,
    status: str,
    on: str,
    *,
    note: str | None = None,
    evidence: Sequence[str | int] = (),
) -> dict[str, Any]:
    """Move a site's status forward (dated, attributed, with evidence)."""
    ctx.require(access.RECORD_WRITE, "update sites")
    site = ctx.get(Site, site_id, "site")
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InputError(f"invalid date {on!r}: use YYYY-MM-DD") from None
    history = _site_history(ctx, site)
    S.check_transition(history, status, day)
    if (
        not history
        and site.status in S.SITE_STATUSES
        and S.SITE_STATUSES.index(status) < S.SITE_STATUSES.index(site.status)
    ):
        # no history yet, but the record was created with a later status
        raise InputError(
            f"site {site.id} is already recorded as {site.status!r}; status only moves forward"
        )
    ev = _evidence_ids(ctx, evidence)
    ctx.session.add(
        SiteEventRow(
            site_id=site.id,
            status=status,
            on_date=day.isoformat(),
            by=ctx.actor.name,
            note=note,
            evidence=ev,
        )
    )
    site.status = status
    ctx.session.flush()
    ctx.audit(
        "site.status",
        [oid("site", site.id), *[oid("evidence", e) for e in ev]],
        change={"status": status, "on": day.isoformat(), "note": note or ""},
        detail={"status": status, "on": day.isoformat()},
    )
    return show_site(ctx, site.id)


def site_details(
    ctx: Context, site_id: int, *, recovered: int | None = None, protection: str | None = None
) -> dict[str, Any]:
    ctx.require(access.RECORD_WRITE, "update sites")
    site = ctx.get(Site, site_id, "site")
    S.check_bodies(site.estimated_bodies, recovered)
    row = ctx.session.scalar(select(SiteDetailRow).where(SiteDetailRow.site_id == site.id))
    if row is None:
        row = SiteDetailRow(site_id=site.id)
        ctx.session.add(row)
    if recovered is not None:
        row.recovered_bodies = recovered
    if protection is not None:
        row.protection_notes = protection
    ctx.session.flush()
    ctx.audit(
        "site.details",
        [oid("site", site.id)],
        change={"recovered": recovered, "protection": protection or ""},
    )
    return show_site(ctx, site.id)


def site_link_victim(
    ctx: Context, site_id: int, person_id: int, evidence: Sequence[str | int] = ()
) -> dict[str, Any]:
    ctx.require(access.RECORD_WRITE, "update sites")
    site = ctx.get(Site, site_id, "site")
    person = ctx.get(Person, person_id, "person")
    exists = ctx.session.scalar(
        select(SiteVictimRow).where(
            SiteVictimRow.site_id == site.id, SiteVictimRow.person_id == person.id
        )
    )
    if exists is not None:
        raise InputError(f"person {person.id} is already linked to site {site.id}")
    ev = _evidence_ids(ctx, evidence)
    ctx.session.add(SiteVictimRow(site_id=site.id, person_id=person.id, evidence=ev))
    ctx.session.flush()
    ctx.audit(
        "site.victim", [oid("site", site.id), oid("person", person.id)], change={"evidence": ev}
    )
    return show_site(ctx, site.id)


def show_site(ctx: Context, site_id: int) -> dict[str, Any]:
    ctx.require(access.CASE_READ, "read sites")
    site = ctx.get(Site, site_id, "site")
    det = ctx.session.scalar(select(SiteDetailRow).where(SiteDetailRow.site_id == site.id))
    victims = list(
        ctx.session.scalars(
            select(SiteVictimRow).where(SiteVictimRow.site_id == site.id).order_by(SiteVictimRow.id)
        )
    )
    return {
        "id": site.id,
        "name": site.name,
        "type": site.site_type,
        "status": site.status,
        "place": site.place_name,
        "lat": site.lat,
        "lon": site.lon,
        "estimated_bodies": site.estimated_bodies,
        "recovered_bodies": det.recovered_bodies if det else None,
        "access_notes": site.access_notes,
        "protection_notes": det.protection_notes if det else None,
        "history": [h.to_dict() for h in _site_history(ctx, site)],
        "victims": [{"person": v.person_id, "evidence": v.evidence} for v in victims],
        "incident": site.incident_id,
    }


# --- corroboration -------------------------------------------------------------------


def add_claim(
    ctx: Context,
    kind: str,
    text: str,
    *,
    place: str | None = None,
    date_start: str | None = None,
    date_end: str | None = None,
    low: int | None = None,
    high: int | None = None,
    incident_id: int | None = None,
) -> int:
    ctx.require(access.RECORD_WRITE, "add claims")
    if kind not in C.CLAIM_KINDS:
        raise InputError(f"claim kind must be one of {', '.join(C.CLAIM_KINDS)}")
    if not text.strip():
        raise InputError("a claim needs its text")
    if incident_id is not None:
        ctx.get(Incident, incident_id, "incident")
    row = ClaimRow(
        kind=kind,
        text=text.strip(),
        place=place,
        date_start=date_start,
        date_end=date_end,
        low=low,
        high=high,
        incident_id=incident_id,
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("claim.add", [oid("claim", row.id)], change={"kind": kind, "text": text})
    return row.id


def add_carrier(
    ctx: Context,
    claim_id: int,
    source_id: int,
    grade: str,
    *,
    stance: str = "supports",
    evidence: str | int | None = None,
    note: str | None = None,
) -> int:
    ctx.require(access.RECORD_WRITE, "grade sources")
    claim = ctx.get(ClaimRow, claim_id, "claim")
    src = ctx.get(Source, source_id, "source")
    r, cr = C.parse_grade(grade)
    if stance not in C.STANCES:
        raise InputError(f"stance must be one of {', '.join(C.STANCES)}")
    ev = _evidence_ids(ctx, [evidence]) if evidence is not None else []
    row = ClaimSourceRow(
        claim_id=claim.id,
        source_id=src.id,
        reliability=r,
        credibility=cr,
        stance=stance,
        evidence_id=ev[0] if ev else None,
        note=note,
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        "claim.source",
        [oid("claim", claim.id), oid("source", src.id)],
        change={"grade": f"{r}{cr}", "stance": stance},
    )
    return row.id


def _source_groups(ctx: Context, source_ids: list[int]) -> tuple[list[list[str]] | None, str]:
    """Independent groups from the source-verification derivation graph, over the texts of
    the sources' (non-sensitive, text) evidence. ``None`` when it cannot be built."""
    try:
        from dalil.sources.graph import GraphDoc, build_graph
    except Exception:
        return None, "derivation graph not available (dalil.sources.graph missing)"
    if not ctx.can(access.EVIDENCE_READ):
        return None, "derivation graph not built: this user may not read evidence content"
    docs = []
    read: list[str] = []
    for sid in source_ids:
        items = list(
            ctx.session.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.source_id == sid, EvidenceItem.sensitive.is_(False))
                .order_by(EvidenceItem.id)
            )
        )
        text = None
        for it in items:
            if (it.media_type or "").startswith("text/") and it.size < 2_000_000:
                text = b"".join(ctx.case.blobs.open(it.sha256)).decode("utf-8", "replace")
                read.append(it.sha256)
                break
        if text:
            src = ctx.session.get(Source, sid)
            docs.append(
                GraphDoc(
                    str(sid),
                    text,
                    src.title if src else None,
                    _parse_day(src.published) if src else None,
                )
            )
    if len(docs) < 2:
        return None, "derivation graph not built: fewer than two sources with readable text"
    if read:
        ctx.audit(
            "evidence.read",
            [oid("evidence", s) for s in read],
            detail={"reason": "corroboration: derivation graph", "items": len(read)},
        )
    graph = build_graph(docs)
    comp = graph.components()
    groups: dict[int, list[str]] = {}
    for doc_id, g in comp.items():
        groups.setdefault(g, []).append(doc_id)
    return (
        list(groups.values()),
        "derivation graph of the sources' texts (dalil.sources.graph; connected components = one line of reporting)",
    )


def corroboration(ctx: Context) -> dict[str, object]:
    """The corroboration matrix of the case's claims."""
    ctx.require(access.CASE_READ, "read claims")
    claims = list(ctx.session.scalars(select(ClaimRow).order_by(ClaimRow.id)))
    carriers = list(ctx.session.scalars(select(ClaimSourceRow).order_by(ClaimSourceRow.id)))
    sids = sorted({c.source_id for c in carriers})
    groups, how = _source_groups(ctx, sids) if sids else (None, "no sources")
    m = C.matrix(
        [
            C.Claim(
                str(c.id),
                c.kind,
                c.text,
                c.place,
                c.date_start,
                c.date_end,
                c.low,
                c.high,
                str(c.incident_id) if c.incident_id else None,
            )
            for c in claims
        ],
        [
            C.Carrier(
                str(c.claim_id),
                str(c.source_id),
                c.reliability,
                c.credibility,
                c.stance,
                str(c.evidence_id) if c.evidence_id else None,
                c.note,
            )
            for c in carriers
        ],
        groups=groups,
        grouping=how,
    )
    if groups is None:
        m["grouping"] = f"each source its own group: {how}"
    titles = (
        {s.id: s.title for s in ctx.session.scalars(select(Source).where(Source.id.in_(sids)))}
        if sids
        else {}
    )
    m["source_titles"] = {str(k): v for k, v in titles.items()}
    return m


# --- units, suspects, vetting --------------------------------------------------------


def _links(ctx: Context, kind: str, ids: Sequence[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    out: dict[int, list[str]] = {}
    q = select(ProvenanceLink).where(
        ProvenanceLink.subject_kind == kind, ProvenanceLink.subject_id.in_(list(ids))
    )
    for p in ctx.session.scalars(q):
        if p.evidence_id is not None:
            out.setdefault(p.subject_id, []).append(str(p.evidence_id))
        elif p.source_id is not None:
            ev = ctx.session.scalars(
                select(EvidenceItem.id).where(
                    EvidenceItem.source_id == p.source_id, EvidenceItem.copy_kind == "evidentiary"
                )
            ).first()
            if ev is not None:
                out.setdefault(p.subject_id, []).append(str(ev))
    return out


def unit_records(ctx: Context) -> dict[str, Any]:
    from dalil.findings.units import UnitRecord

    return {
        str(o.id): UnitRecord(str(o.id), o.name, str(o.parent_id) if o.parent_id else None, o.kind)
        for o in ctx.session.scalars(select(Organization).order_by(Organization.id))
    }


def suspects_for_acts(ctx: Context) -> list[dict[str, object]]:
    """Persons linked to acts through the attributed unit (or a unit below it) on the act's date."""
    from dalil.findings.units import ActAttribution
    from dalil.findings.units import Membership as M
    from dalil.findings.units import suspects_for_acts as link

    ctx.require(access.CASE_READ, "read units")
    units = unit_records(ctx)
    mems = list(ctx.session.scalars(select(Membership)))
    mem_ev = _links(ctx, "membership", [m.id for m in mems])
    acts = list(ctx.session.scalars(select(Act).where(Act.perpetrator_unit_id.is_not(None))))
    act_ev = _links(ctx, "act", [a.id for a in acts])
    ms = [
        M(
            str(m.person_id),
            str(m.organization_id),
            m.rank,
            m.position,
            _parse_day(m.date_start),
            _end_day(m.date_end),
            tuple(mem_ev.get(m.id, [])),
        )
        for m in mems
    ]
    atts = [
        ActAttribution(
            str(a.id), str(a.perpetrator_unit_id), _parse_day(a.date), tuple(act_ev.get(a.id, []))
        )
        for a in acts
    ]
    return [x.to_dict() for x in link(units, ms, atts)]


def _end_day(text: str | None) -> date | None:
    if not text:
        return None
    from dalil.model.fields import parse_partial_date

    return parse_partial_date(text).end


def vet(
    ctx: Context, path: Path, *, columns: dict[str, str] | None = None, threshold: float = 0.5
) -> dict[str, Any]:
    """Screen a personnel file against the case's suspects. Audited; stores nothing else.

    The file is read and validated completely first (bad columns → InputError, nothing
    logged as a screening). Suspects' names are protected: they are revealed for the
    comparison (needs ``protected.reveal``; the reveal is logged with its reason) and
    never printed — candidates name the suspect by pseudonym and person id.
    """
    import hashlib

    from dalil.services import persons as P

    ctx.require(access.CASE_READ, "screen personnel")
    ctx.require(access.PROTECTED_REVEAL, "compare names with suspects' protected names")
    records = V.read_personnel(Path(path), columns)
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    people = [
        p
        for p in ctx.session.scalars(select(Person).order_by(Person.id))
        if {"suspect", "perpetrator"} & set(p.roles or [])
    ]
    revealed = (
        P.reveal(
            ctx,
            people,
            reason=f"vetting screening of personnel file {sha[:12]}",
            fields=("legal_name", "aliases"),
        )
        if people
        else []
    )
    units = unit_records(ctx)
    mems = list(ctx.session.scalars(select(Membership)))
    mem_ev = _links(ctx, "membership", [m.id for m in mems])
    per_ev = _links(ctx, "person", [p.id for p in people])
    acts_by_unit: dict[str, list[str]] = {}
    from dalil.findings.units import descendants

    for a in ctx.session.scalars(select(Act).where(Act.perpetrator_unit_id.is_not(None))):
        acts_by_unit.setdefault(str(a.perpetrator_unit_id), []).append(str(a.id))
    suspects = []
    for p, d in zip(people, revealed, strict=True):
        names = [n for n in [d.get("legal_name"), *(d.get("aliases") or [])] if n]
        pm = [m for m in mems if m.person_id == p.id]
        unit_names = tuple(
            sorted(
                {units[str(m.organization_id)].name for m in pm if str(m.organization_id) in units}
            )
        )
        acts: list[str] = []
        for m in pm:
            for parent_unit, act_ids in acts_by_unit.items():
                if str(m.organization_id) in descendants(units, parent_unit):
                    acts += act_ids
        ev = list(
            dict.fromkeys([*per_ev.get(p.id, []), *[e for m in pm for e in mem_ev.get(m.id, [])]])
        )
        starts = [_parse_day(m.date_start) for m in pm if m.date_start]
        ends = [_end_day(m.date_end) for m in pm]
        suspects.append(
            V.Suspect(
                id=str(p.id),
                names=tuple(names),
                units=unit_names,
                start=min(starts) if starts else None,
                end=None if (not ends or None in ends) else max(e for e in ends if e),
                acts=tuple(sorted(set(acts), key=int)),
                evidence=tuple(ev),
                label=p.pseudonym,
            )
        )
    candidates, engine = V.screen(records, suspects, threshold=threshold)
    ctx.audit(
        "vetting.screen",
        [oid("person", s.id) for s in suspects],
        change={"file_sha256": sha, "records": len(records), "candidates": len(candidates)},
        detail={
            "file_sha256": sha,
            "records": len(records),
            "suspects": len(suspects),
            "candidates": len(candidates),
            "engine": engine,
        },
    )
    return {
        "file": str(path),
        "file_sha256": sha,
        "records": len(records),
        "suspects": len(suspects),
        "engine": engine,
        "threshold": threshold,
        "note": "Candidates for human review, not findings: a similar name is not the same person.",
        "candidates": [c.to_dict() for c in candidates],
    }


# --- estimates -----------------------------------------------------------------------


def record_estimate(
    ctx: Context,
    label: str,
    result: dict[str, Any],
    *,
    evidence: Sequence[str | int] = (),
    note: str | None = None,
) -> int:
    """Keep an estimation result (``dalil estimate --json`` shape) for reports."""
    ctx.require(access.ANALYSIS_RUN, "record estimates")
    observed, est, low, high = _estimate_numbers(result)
    row = EstimateRow(
        label=label,
        method=str(result.get("method") or result.get("model") or "estimate"),
        observed=observed,
        estimate=est,
        ci_low=low,
        ci_high=high,
        lists=[str(x) for x in result.get("lists") or []],
        evidence=_evidence_ids(ctx, evidence),
        result=result,
        note=note,
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        "estimate.record",
        [oid("estimate", row.id)],
        change={"label": label, "estimate": row.estimate},
    )
    return row.id


def _estimate_numbers(result: Any) -> tuple[int, float | None, float | None, float | None]:
    """(observed, estimate, ci low, ci high) of a ``dalil estimate --json`` result.

    ``estimate`` may be null (not estimable, e.g. a stratum too small) and either end of
    ``ci`` may be null (an unbounded profile-likelihood interval); ``ci`` itself may be
    null or absent. Numbers must be finite and ordered low <= estimate <= high."""
    import math

    def num(v: Any, what: str) -> float | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"estimate result: {what} must be a finite number or null, not {v!r}")
        return float(v)

    if not isinstance(result, dict):
        raise InputError("estimate result must be a JSON object (dalil estimate --json)")
    obs = result.get("observed")
    if isinstance(obs, bool) or not isinstance(obs, int) or obs < 0:
        raise InputError("estimate result: observed must be a whole number >= 0")
    est = num(result.get("estimate"), "estimate")
    ci = result.get("ci")
    if ci is None:
        ci = [None, None]
    if not isinstance(ci, list | tuple) or len(ci) != 2:
        raise InputError("estimate result: ci must be [low, high] (either may be null)")
    low, high = num(ci[0], "ci low"), num(ci[1], "ci high")
    if est is None and (low is not None or high is not None):
        raise InputError("estimate result: an interval without an estimate")
    if low is not None and high is not None and low > high:
        raise InputError(f"estimate result: ci low {low} is above ci high {high}")
    if est is not None and ((low is not None and est < low) or (high is not None and est > high)):
        raise InputError(f"estimate result: estimate {est} lies outside its interval")
    return obs, est, low, high


def estimates(ctx: Context) -> list[EstimateRow]:
    ctx.require(access.CASE_READ, "read estimates")
    return list(ctx.session.scalars(select(EstimateRow).order_by(EstimateRow.id)))


def require_known(ctx: Context, kind: str, ident: int) -> None:
    models = {"act": Act, "incident": Incident, "site": Site}
    if ctx.session.get(models[kind], ident) is None:
        raise NotFound(f"no {kind} with id {ident}")
