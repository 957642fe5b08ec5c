"""Assemble the report context from a :class:`CaseSnapshot`, by allow-list.

The template never sees the snapshot. It sees the plain dictionary built here, and every
value in that dictionary is copied *explicitly* from a field named in this module. For the
public audience nothing whose name starts with ``protected_`` is read at all, witnesses are
numbered "Witness 1, 2, …" (pseudonyms are not printed either), team members are not
named, suspects are not named, site coordinates are coarsened and access/protection notes
are left out. Adding a field to the snapshot therefore never adds it to a public report:
someone has to add it here, deliberately.

Every figure and finding carries citations: report-local labels ``E1, E2 …`` whose
appendix maps each label to the evidence id (internal) or to a public-safe description
(public; ids of testimony, photographs and other protected kinds are withheld).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from dalil.display.messages import Message
from dalil.findings.assessment import (
    ACT_ELEMENTS,
    ELEMENT_LABELS,
    aggregate,
    current_findings,
    sign_off_status,
    suggest_qualifications,
)
from dalil.findings.units import ActAttribution, suspects_for_acts
from dalil.report.data import CaseSnapshot
from dalil.report.i18n import N_

AUDIENCES = ("internal", "public")
#: Evidence kinds whose ids may be printed in a public report.
PUBLIC_ID_KINDS = frozenset({"report", "news", "statement", "document"})


@dataclass
class Citations:
    audience: str
    snap: CaseSnapshot
    witness_no: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)

    def cite(self, ids: list[str] | tuple[str, ...]) -> list[str]:
        out = []
        for i in ids:
            if i not in self.labels:
                self.labels[i] = f"E{len(self.labels) + 1}"
            if self.labels[i] not in out:
                out.append(self.labels[i])
        return out

    def witness_label(self, person_id: str) -> str:
        if self.audience == "public":
            return f"Witness {self.witness_no[person_id]}"
        p = self.snap.persons.get(person_id)
        return f"{p.pseudonym} (pseudonym)" if p and p.pseudonym else person_id

    def describe(self, evidence_id: str) -> dict[str, str]:
        ev = self.snap.evidence.get(evidence_id)
        if ev is None:
            return {
                "label": self.labels[evidence_id],
                "id": evidence_id if self.audience == "internal" else "",
                "kind": "",
                "title": "(not in the case)",
            }
        if self.audience == "internal":
            return {
                "label": self.labels[evidence_id],
                "id": ev.id,
                "kind": ev.kind,
                "title": ev.title,
            }
        public_kind = ev.kind in PUBLIC_ID_KINDS and not ev.sensitive
        if ev.kind == "testimony" and ev.witness:
            title = f"Testimony of {self.witness_label(ev.witness)}"
        elif public_kind:
            title = ev.title
        else:
            title = f"{ev.kind.capitalize()} held by the investigation (withheld)"
        return {
            "label": self.labels[evidence_id],
            "id": ev.id if public_kind else "withheld",
            "kind": ev.kind,
            "title": title,
        }


def _source_label(c: Citations, source_id: str) -> str:
    s = c.snap.sources.get(source_id)
    if s is None:
        return source_id if c.audience == "internal" else "source (withheld)"
    if s.kind == "testimony":
        if s.witness:
            return f"Testimony of {c.witness_label(s.witness)}"
        return "Testimony (witness withheld)" if c.audience == "public" else s.title
    if s.sensitive and c.audience == "public":
        return f"{s.kind.capitalize()} held by the investigation (withheld)"
    pub = f" — {s.publisher}" if s.publisher else ""
    return f"{s.title}{pub}"


def _round(x: float | None) -> int | None:
    return None if x is None else round(x)


def _natural(s: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


def _age_band(age: int | None) -> str:
    if age is None:
        return "age unknown"
    lo = age // 10 * 10
    return f"{lo}-{lo + 9}"


def _witness_numbers(snap: CaseSnapshot) -> dict[str, int]:
    order: list[str] = []
    for ev in sorted(snap.evidence.values(), key=lambda e: (e.date or date.min, e.id)):
        if ev.witness and ev.witness not in order:
            order.append(ev.witness)
    for s in sorted(snap.sources.values(), key=lambda s: (s.date or date.min, s.id)):
        if s.witness and s.witness not in order:
            order.append(s.witness)
    for pid, p in sorted(snap.persons.items()):
        if p.role == "witness" and pid not in order:
            order.append(pid)
    return {pid: i + 1 for i, pid in enumerate(order)}


def assemble(
    snap: CaseSnapshot, audience: str, *, generated: datetime | None = None
) -> dict[str, object]:
    """Build the template context for *audience* (``internal`` or ``public``)."""
    if audience not in AUDIENCES:
        raise ValueError(audience)
    public = audience == "public"
    c = Citations(audience, snap, _witness_numbers(snap))
    gen = (generated or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")

    incidents = []
    for inc in sorted(snap.incidents, key=lambda x: (x.date_start or date.min, x.incident_id)):
        fs = inc.fatality_sources
        incidents.append(
            {
                "id": inc.incident_id,
                "title": inc.title,
                "event": f"{inc.event_type} / {inc.sub_event_type}",
                "event_type": inc.event_type,
                "sub_event_type": inc.sub_event_type,
                "civilian_targeting": inc.civilian_targeting,
                "actor": inc.actor1 or "",
                "date": inc.date_start.isoformat() if inc.date_start else "",
                "date_end": inc.date_end.isoformat()
                if inc.date_end and inc.date_end != inc.date_start
                else "",
                "date_precision": inc.date_precision,
                "location": inc.location or "",
                "geo_precision": inc.geo_precision,
                "low": inc.fatalities_low,
                "best": inc.fatalities_best,
                "high": inc.fatalities_high,
                "cite_low": c.cite(fs.get("low", [])),
                "cite_best": c.cite(fs.get("best", [])),
                "cite_high": c.cite(fs.get("high", [])),
            }
        )

    acts_by_inc: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
    signs_by_inc: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
    acts = []
    withheld = 0
    for a in sorted(snap.acts, key=lambda x: _natural(x.id)):
        acts_by_inc.setdefault(a.incident, {})[a.id] = a.history
        signs_by_inc.setdefault(a.incident, {})[a.id] = a.sign_offs
        cur = current_findings(a.history)
        inc_f = current_findings(snap.incident_findings.get(a.incident, []))
        status = sign_off_status(a.history, a.sign_offs)
        if public and status != "signed":
            withheld += 1  # only reviewed (signed-off) assessments are published
            continue
        victim = snap.persons.get(a.victim or "")
        if public:
            vdesc = f"{victim.sex or '?'}, {_age_band(victim.age)}" if victim else "unknown"
        else:
            vdesc = (
                f"{victim.protected_legal_name or victim.id} ({victim.sex or '?'}, {victim.age if victim.age is not None else '?'})"
                if victim
                else "unknown"
            )
        elements = []
        for el in ACT_ELEMENTS:
            f = cur.get(el)
            elements.append(
                {
                    "element": el,
                    "label": ELEMENT_LABELS[el],
                    "finding": f.finding if f else "not assessed",
                    "cite": c.cite(list(f.evidence)) if f else [],
                    "note": (f.note or "") if (f and not public) else "",
                }
            )
        quals = [
            {
                "title": q.title,
                "strength": q.strength,
                "basis": q.basis,
                "cite": c.cite(list(q.evidence)),
            }
            for q in suggest_qualifications(cur, inc_f)
        ]
        row = {
            "id": a.id,
            "incident": a.incident,
            "date": a.date.isoformat() if a.date else "",
            "place": a.place or "",
            "method": a.method or "",
            "victim": vdesc,
            "elements": elements,
            "qualifications": quals,
            "status": status,
            "cite": c.cite(a.evidence),
        }
        if not public:
            row["assessors"] = sorted({h.assessor for h in a.history})
            row["reviewers"] = sorted({s.reviewer for s in a.sign_offs})
        acts.append(row)

    aggregates = []
    for inc_row in incidents:
        iid = str(inc_row["id"])
        if iid not in acts_by_inc:
            continue
        agg = aggregate(iid, acts_by_inc[iid], signs_by_inc[iid], signed_only=public)
        inc_f = current_findings(snap.incident_findings.get(iid, []))
        attack = inc_f.get("attack")
        aggregates.append(
            {
                "incident": iid,
                "title": inc_row["title"],
                "sentence": agg.sentence(),
                "assessed": agg.assessed,
                "signed": agg.signed,
                "acts": agg.acts,
                "deliberate": agg.deliberate,
                "identity": agg.identity,
                "unlawful": agg.unlawful,
                "cite": c.cite(agg.evidence),
                "attack": attack.finding if attack else "not assessed",
                "attack_cite": c.cite(list(attack.evidence)) if attack else [],
            }
        )

    estimates = [
        {
            "label": e.label,
            "method": e.method,
            "observed": e.observed,
            "estimate": _round(e.estimate),
            "low": _round(e.ci[0]),
            "high": _round(e.ci[1]),
            "lists": ", ".join(e.lists),
            "cite": c.cite(e.evidence),
            "note": e.note or "",
            "gates": list(e.gates),
            "override": e.override,
            "publishable": not e.gates or bool(e.override),
        }
        for e in snap.estimates
    ]

    corroboration = None
    if snap.corroboration:
        rows = []
        for r in snap.corroboration["claims"]:  # type: ignore[attr-defined]
            claim = r["claim"]
            rows.append(
                {
                    "id": claim["id"],
                    "kind": claim["kind"],
                    "text": claim["text"],
                    "status": r["status"],
                    "independent": r["independent"],
                    "best_grade": r["best_grade"] or "",
                    "suggested_credibility": r["suggested_credibility"],
                    "groups": [[_source_label(c, s) for s in g] for g in r["independent_groups"]],
                    "contra": [[_source_label(c, s) for s in g] for g in r["contradicting_groups"]],
                    "grades": [
                        f"{_source_label(c, s['source'])}: {s['grade']}" for s in r["sources"]
                    ],
                    "cite": c.cite([s["evidence"] for s in r["sources"] if s.get("evidence")]),
                }
            )
        corroboration = {"grouping": snap.corroboration["grouping"], "claims": rows}

    sites = []
    for s in snap.sites:
        lat, lon = s.latitude, s.longitude
        if public and lat is not None and lon is not None:
            lat, lon = round(lat, 2), round(lon, 2)
        site = {
            "id": s.id,
            "name": s.name,
            "kind": s.kind.replace("_", " "),
            "location": s.location or "",
            "status": s.status or "",
            "estimated": s.estimated_bodies,
            "recovered": s.recovered_bodies,
            "identified": len(s.victims),
            "lat": lat,
            "lon": lon,
            "history": [
                {
                    "status": h.status,
                    "on": h.on.isoformat(),
                    "by": "" if public else h.by,
                    "cite": c.cite(list(h.evidence)),
                }
                for h in s.history
            ],
            "cite": c.cite(s.evidence),
        }
        if not public:
            site["access"] = s.access_note or ""
            site["protection"] = s.protection_note or ""
            site["victims"] = [
                (snap.persons[v].protected_legal_name or v) if v in snap.persons else v
                for v in s.victims
            ]
        sites.append(site)

    units = [
        {
            "id": u.id,
            "name": u.name,
            "parent": snap.units[u.parent].name if u.parent in snap.units else "",
            "party": u.party or "",
        }
        for u in snap.units.values()
    ]
    suspects: list[dict[str, object]] = []
    if not public:
        atts = [
            ActAttribution(a.id, a.unit, a.date, tuple(a.evidence)) for a in snap.acts if a.unit
        ]
        links = suspects_for_acts(snap.units, snap.memberships, atts)
        per: dict[str, dict[str, object]] = {}
        for link in links:
            p = snap.persons.get(link.person)
            d = per.setdefault(
                link.person,
                {
                    "person": (p.protected_legal_name if p else None) or link.person,
                    "alias": (p.pseudonym if p else "") or "",
                    "unit": snap.units[link.via_unit].name
                    if link.via_unit in snap.units
                    else link.via_unit,
                    "rank": link.rank or "",
                    "acts": [],
                    "cite": [],
                    "basis": N_("commander of a superior unit")
                    if link.basis == "command"
                    else N_("member of the unit"),
                },
            )
            d["acts"].append(link.act)  # type: ignore[attr-defined]
            cite_set: set[str] = set(d["cite"]) | set(c.cite(link.evidence))  # type: ignore[call-overload]
            d["cite"] = sorted(cite_set, key=lambda x: int(x[1:]))
        suspects = list(per.values())

    witnesses = []
    for pid, _n in sorted(c.witness_no.items(), key=lambda kv: kv[1]):
        p = snap.persons.get(pid)
        cited = [e.id for e in snap.evidence.values() if e.witness == pid]
        w = {"label": c.witness_label(pid), "cite": c.cite(cited)}
        if not public and p is not None:
            w["pseudonym"] = p.pseudonym or ""
        witnesses.append(w)

    by_day = Counter(
        (a.date.isoformat() if a.date else "unknown", a.place or "unknown") for a in snap.acts
    )
    chart_data = {
        "acts_by_day_place": sorted((d, p, n) for (d, p), n in by_day.items()),
        "incidents": [
            (i["date"], i["id"], i["low"], i["best"], i["high"])
            for i in incidents
            if i["best"] is not None
        ],
        "estimates": [
            (e["label"], e["estimate"], e["low"], e["high"], e["observed"])
            for e in estimates
            if e["estimate"] is not None
        ],
        "acts_cite": c.cite([e for a in snap.acts for e in a.evidence]),
    }
    points = [
        {
            "kind": "incident",
            "label": i.incident_id,
            "lat": i.latitude,
            "lon": i.longitude,
            "size": i.fatalities_best or 1,
        }
        for i in snap.incidents
        if i.latitude is not None and i.longitude is not None
    ] + [
        {"kind": "site", "label": s["id"], "lat": s["lat"], "lon": s["lon"], "size": 1}
        for s in sites
        if s["lat"] is not None
    ]

    evidence_index = [c.describe(eid) for eid in c.labels]
    notes = list(snap.notes)
    if withheld:
        notes.append(
            Message(
                N_(
                    "%(n)s assessment(s) not yet signed off by a second legal analyst are not "
                    "published in this edition."
                ),
                n=withheld,
            )
        )
    return {
        "audience": audience,
        "title": snap.title,
        "fictional": snap.fictional,
        "generated": gen,
        "summary": list(snap.summary),
        "incidents": incidents,
        "acts": acts,
        "aggregates": aggregates,
        "estimates": estimates,
        "corroboration": corroboration,
        "sites": sites,
        "units": units,
        "suspects": suspects,
        "witnesses": witnesses,
        "chart_data": chart_data,
        "points": points,
        "evidence_index": evidence_index,
        "notes": notes,
    }
