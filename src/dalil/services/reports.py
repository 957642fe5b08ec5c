"""Reports from a case: permission, snapshot, render, audit.

:func:`snapshot` reads a case into a :class:`~dalil.report.data.CaseSnapshot` through the
service layer. For the *public* audience nothing protected is decrypted at all: persons
appear with their open fields only. For the *internal* audience the protected fields the
report prints (victims' and suspects' legal names) are revealed with a stated reason when
the user may reveal them (the reveal is audited); otherwise the report uses pseudonyms
and says so. :func:`build_report` renders it (:mod:`dalil.report`, a pure library) and
logs the file's SHA-256.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.core.tempdir import private_tempdir
from dalil.display.messages import N_, Message
from dalil.errors import InputError
from dalil.findings.sites import SiteRecord
from dalil.findings.units import Membership as M
from dalil.model.act import Act
from dalil.model.evidence import EvidenceItem
from dalil.model.fields import first_day, last_day
from dalil.model.findings import SiteDetailRow, SiteVictimRow
from dalil.model.organization import Membership
from dalil.model.person import Person
from dalil.model.provenance import WITNESS_ROLE, ProvenanceLink
from dalil.model.site import Site
from dalil.model.source import Source
from dalil.report.data import (
    ActView,
    CaseSnapshot,
    EstimateView,
    EvidenceView,
    PersonView,
    SourceView,
)
from dalil.report.i18n import LANGS
from dalil.report.render import FORMATS, write_report
from dalil.services import coding
from dalil.services.assessments import element_history, sign_offs
from dalil.services.corroboration import corroboration
from dalil.services.estimates import estimate_staleness, estimates, publication_status
from dalil.services.provenance import evidence_links
from dalil.services.sites import site_history
from dalil.services.units import unit_records

if TYPE_CHECKING:
    from dalil.core.access import Actor
    from dalil.core.case import Case

_KIND = {
    "article": "news",
    "report": "report",
    "statement": "statement",
    "testimony": "testimony",
    "list": "list",
    "media": "photo",
    "official": "document",
}
_SEX = {"female": "F", "male": "M"}


def _day(text: str | None) -> date | None:
    try:
        return first_day(text)
    except Exception:
        return None


def may_build(ctx: Context, audience: str) -> None:
    """PermissionDenied (logged) unless the user may build a report for *audience*
    (``report.public`` or ``report.internal``): checked when a report is asked for, before
    it is queued as a job."""
    ctx.require(
        access.REPORT_PUBLIC if audience == "public" else access.REPORT_INTERNAL,
        f"build {audience} reports",
    )


def snapshot(
    ctx: Context, audience: str, *, title: str, summary: list[str] | None = None
) -> CaseSnapshot:
    may_build(ctx, audience)
    snap = CaseSnapshot(title=title, summary=list(summary or []))
    # Retracted records stay out of every report (the witness links below are read
    # whether retracted or not: a testimony's witness stays protected either way).
    from dalil.services.retractions import (
        acts_in_force,
        memberships_in_force,
        narrow,
        retracted_ids,
    )

    gone_incidents = retracted_ids(ctx, "incident")
    snap.incidents = [c for c in coding.codings(ctx) if int(c.incident_id) not in gone_incidents]

    # sources and evidence
    # Testimony -> witness: explicit testimony_of links (validated), and older generic
    # "identifies" links from a person to a testimony source (read the same way, so a
    # case recorded before the explicit role keeps its witnesses out of public reports).
    witness_of_source: dict[int, int] = {}
    witness_of_item: dict[int, int] = {}
    links = ctx.session.scalars(
        select(ProvenanceLink)
        .where(
            ProvenanceLink.subject_kind == "person",
            ProvenanceLink.role.in_((WITNESS_ROLE, "identifies")),
        )
        .order_by(ProvenanceLink.id)
    )
    for p in links:
        if p.source_id is not None:
            witness_of_source[p.source_id] = p.subject_id
        elif p.evidence_id is not None and p.role == WITNESS_ROLE:
            witness_of_item[p.evidence_id] = p.subject_id
    sources = {
        s.id: s
        for s in ctx.session.scalars(
            narrow(select(Source).order_by(Source.id), "source", Source.id)
        )
    }
    for s in sources.values():
        wid = witness_of_source.get(s.id)
        snap.sources[str(s.id)] = SourceView(
            str(s.id),
            s.title,
            s.publisher,
            _day(s.published),
            _KIND.get(s.kind, s.kind),
            witness=f"P{wid}" if wid and s.kind == "testimony" else None,
        )
    items = list(
        ctx.session.scalars(
            narrow(select(EvidenceItem).order_by(EvidenceItem.id), "evidence", EvidenceItem.id)
        )
    )
    for sid, sv in snap.sources.items():
        own = [it for it in items if it.source_id == int(sid)]
        sv.sensitive = bool(own) and all(it.sensitive for it in own)
    for it in items:
        src = sources.get(it.source_id) if it.source_id else None
        # an item outside any source is described by kind only: its file name is not for publication
        kind = (
            _KIND.get(src.kind, "document")
            if src
            else ("photo" if (it.media_type or "").startswith(("image/", "video/")) else "file")
        )
        wid = witness_of_item.get(it.id) or (witness_of_source.get(src.id) if src else None)
        if it.id in witness_of_item:
            kind = "testimony"
        title = (
            src.title if src else (it.original_name or "evidence item")
        ) + f" ({it.copy_kind}, sha256 {it.sha256[:12]})"
        snap.evidence[str(it.id)] = EvidenceView(
            str(it.id),
            kind,
            title,
            source=str(src.id) if src else None,
            witness=f"P{wid}" if wid and kind == "testimony" else None,
            date=_day(src.published) if src else None,
            sensitive=bool(it.sensitive),
        )

    # persons: open fields always; protected fields only for the internal audience, revealed with a reason
    persons = {
        p.id: p
        for p in ctx.session.scalars(
            narrow(select(Person).order_by(Person.id), "person", Person.id)
        )
    }
    revealed: dict[int, dict[str, Any]] = {}
    if audience == "internal":
        from dalil.services import persons as P

        wanted = [
            p for p in persons.values() if {"victim", "suspect", "perpetrator"} & set(p.roles or [])
        ]
        if wanted and ctx.can(access.PROTECTED_REVEAL):
            for d in P.reveal(ctx, wanted, reason="internal report", fields=("legal_name",)):
                revealed[d["id"]] = d
        elif wanted:
            snap.notes.append(
                Message(
                    N_("Names are shown by pseudonym: this user may not reveal protected fields.")
                )
            )
    for person in persons.values():
        roles = set(person.roles or [])
        role = (
            "witness"
            if "witness" in roles
            else "victim"
            if "victim" in roles
            else "suspect"
            if roles & {"suspect", "perpetrator"}
            else "other"
        )
        snap.persons[f"P{person.id}"] = PersonView(
            f"P{person.id}",
            role,
            pseudonym=person.pseudonym,
            sex=_SEX.get(person.sex or ""),
            age=person.age,
            protected_legal_name=(revealed.get(person.id) or {}).get("legal_name")
            or (person.pseudonym if audience == "internal" and role != "witness" else None),
        )

    # acts with their assessments
    act_ev = evidence_links(ctx, "act", list(ctx.session.scalars(select(Act.id))))
    incidents = {c.incident_id: c for c in snap.incidents}
    killings = select(Act).where(Act.act_type == "killing").order_by(Act.id)
    for a in ctx.session.scalars(acts_in_force(killings)):  # nor of a retracted incident or victim
        inc = incidents.get(str(a.incident_id))
        snap.acts.append(
            ActView(
                id=f"ACT-{a.id}",
                incident=str(a.incident_id),
                victim=f"P{a.victim_id}",
                date=_day(a.date),
                place=inc.location if inc else None,
                method=a.method,
                unit=str(a.perpetrator_unit_id) if a.perpetrator_unit_id else None,
                evidence=act_ev.get(a.id, []),
                history=element_history(ctx, act_id=a.id),
                sign_offs=sign_offs(ctx, a.id),
            )
        )
    for c in snap.incidents:
        h = element_history(ctx, incident_id=int(c.incident_id))
        if h:
            snap.incident_findings[c.incident_id] = h

    # sites
    for site in ctx.session.scalars(narrow(select(Site).order_by(Site.id), "site", Site.id)):
        det = ctx.session.scalar(select(SiteDetailRow).where(SiteDetailRow.site_id == site.id))
        rec = SiteRecord(
            id=f"SITE-{site.id}",
            name=site.name,
            kind=site.site_type,
            location=site.place_name,
            latitude=site.lat,
            longitude=site.lon,
            estimated_bodies=site.estimated_bodies,
            recovered_bodies=det.recovered_bodies if det else None,
            access_note=site.access_notes,
            protection_note=det.protection_notes if det else None,
            history=site_history(ctx, site),
            victims=[
                f"P{v.person_id}"
                for v in ctx.session.scalars(
                    select(SiteVictimRow).where(SiteVictimRow.site_id == site.id)
                )
                if v.person_id in persons  # a retracted victim is not reported
            ],
            incidents=[str(site.incident_id)] if site.incident_id else [],
        )
        rec.evidence = list(dict.fromkeys(e for h in rec.history for e in h.evidence))
        snap.sites.append(rec)

    # units and memberships (suspects appear only in the internal report)
    snap.units = unit_records(ctx)
    mem_ev = evidence_links(
        ctx, "membership", [m.id for m in ctx.session.scalars(select(Membership))]
    )
    for m in ctx.session.scalars(memberships_in_force(select(Membership).order_by(Membership.id))):
        snap.memberships.append(
            M(
                f"P{m.person_id}",
                str(m.organization_id),
                m.rank,
                m.position,
                _day(m.date_start),
                last_day(m.date_end),
                tuple(mem_ev.get(m.id, [])),
            )
        )

    # estimates and corroboration
    for e in estimates(ctx):
        status = publication_status(e)
        stale = estimate_staleness(ctx, e)
        if stale["retracted"] or stale["restored"]:
            snap.notes.append(
                Message(
                    N_(
                        "The estimate %(label)s was computed before %(retracted)s record(s) "
                        "were retracted and %(restored)s restored; run it again."
                    ),
                    label=repr(e.label),
                    retracted=int(stale["retracted"]),
                    restored=int(stale["restored"]),
                )
            )
        snap.estimates.append(
            EstimateView(
                e.label,
                e.method,
                e.observed,
                e.estimate,
                (e.ci_low, e.ci_high),
                list(e.lists),
                [str(x) for x in e.evidence],
                e.note,
                gates=list(status["reasons"]),
                override=status["override"],
            )
        )
    snap.corroboration = corroboration(ctx) if _has_claims(ctx) else None
    return snap


def _has_claims(ctx: Context) -> bool:
    from dalil.model.findings import ClaimRow

    return ctx.session.scalar(select(ClaimRow.id).limit(1)) is not None


def build_report(
    case: Any,
    user: Any,
    *,
    audience: str,
    fmt: str,
    out: Path,
    lang: str = "en",
    title: str | None = None,
    summary: list[str] | None = None,
    fictional: bool = False,
) -> dict[str, Any]:
    """Write the *audience* report of *case* to *out*; log it (with the file's SHA-256)."""
    if audience not in ("internal", "public"):
        raise InputError(
            Message(N_("unknown audience %(value)s; use internal or public"), value=repr(audience))
        )
    if fmt not in FORMATS:
        raise InputError(Message(N_("unknown format %(value)s; use html or pdf"), value=repr(fmt)))
    if lang not in LANGS:
        raise InputError(
            Message(
                N_("unknown language %(value)s; use one of: %(choices)s"),
                value=repr(lang),
                choices=", ".join(LANGS),
            )
        )
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")
    # Defaults: the case's own title and summary (case.toml), else the folder name.
    title = title or case.config.title or f"Case report: {Path(case.root).name}"
    if summary is None:
        summary = case.config.summary_paragraphs()
    with case.act(user) as ctx:
        snap = snapshot(ctx, audience, title=title, summary=summary)
        snap.fictional = fictional
        write_report(snap, out, audience=audience, fmt=fmt, lang=lang)
        sha = hashlib.sha256(out.read_bytes()).hexdigest()
        ctx.audit(
            "report.build",
            [oid("report", sha)],
            detail={
                "audience": audience,
                "format": fmt,
                "lang": lang,
                "sha256": sha,
                "acts": len(snap.acts),
                "incidents": len(snap.incidents),
            },
        )
    return {
        "out": str(out),
        "audience": audience,
        "format": fmt,
        "lang": lang,
        "sha256": sha,
        "incidents": len(snap.incidents),
        "acts": len(snap.acts),
        "notes": [str(n) for n in snap.notes],
        # each note's message id (the job's page shows it in the reader's language)
        **(
            {"notes_message": [_said(n) for n in snap.notes]}
            if any(isinstance(n, Message) for n in snap.notes)
            else {}
        ),
    }


def _said(note: str) -> dict[str, Any] | None:
    """``{id, params}`` of a note raised as a message id; None for a plain one."""
    if isinstance(note, Message):
        return {"id": note.msgid, "params": note.to_json()["p"]}
    return None


def build_report_bytes(
    case: Case,
    user: str | Actor | None,
    *,
    audience: str,
    fmt: str,
    lang: str = "en",
    title: str | None = None,
) -> tuple[dict[str, Any], bytes]:
    """:func:`build_report` into the case's private temporary area; returns the metadata
    (without the temporary path) and the file's bytes. The file is removed once read."""
    ext = "pdf" if fmt == "pdf" else "html"
    with private_tempdir(case.root, "dalil-report-") as folder:
        out = folder / f"report.{ext}"
        meta = build_report(
            case, user, audience=audience, fmt=fmt, out=out, lang=lang, title=title or None
        )
        data = out.read_bytes()
    meta = dict(meta)
    meta.pop("out", None)
    return meta, data
