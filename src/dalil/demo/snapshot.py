"""Build a :class:`~dalil.report.data.CaseSnapshot` straight from the demo story.

Used by the report tests and by ``dalil demo`` for any part the case store cannot hold yet.
Ids here are the story's own keys (``ngo``, ``t_salma``, ``ACT-01`` …).
"""

from __future__ import annotations

from dalil.demo import story as S
from dalil.findings.assessment import ElementFinding, SignOff
from dalil.findings.corroboration import Carrier, Claim, groups_from_graph, matrix, parse_grade
from dalil.findings.incidents import IncidentCoding
from dalil.findings.sites import SiteRecord, StatusChange
from dalil.findings.units import Membership, UnitRecord
from dalil.report.data import (
    ActView,
    CaseSnapshot,
    EstimateView,
    EvidenceView,
    PersonView,
    SourceView,
)


def incident_codings() -> list[IncidentCoding]:
    out = []
    for key, title, ev, sub, civ, actor, d0, d1, place, geo, lo, best, hi, srcs in S.INCIDENTS:
        lat, lon = S.PLACES[place]
        c = IncidentCoding(
            incident_id=key,
            title=title,
            event_type=ev,
            sub_event_type=sub,
            civilian_targeting=civ,
            actor1=actor,
            actor2="Civilians (Nahrani community, fictional)"
            if civ
            else "Government forces (fictional)",
            date_start=d0,
            date_end=d1,
            date_precision="day",
            country=S.COUNTRY,
            admin1=S.ADMIN1,
            admin2="Marjan district (fictional)",
            location=f"{place}, {S.TOWN}",
            latitude=lat,
            longitude=lon,
            geo_precision=geo,
            fatalities_low=lo,
            fatalities_best=best,
            fatalities_high=hi,
            fatality_sources={k: list(v) for k, v in srcs.items()},
            sources=sorted({s for v in srcs.values() for s in v}),
        )
        c.validate()
        out.append(c)
    return out


def build_snapshot(
    size: str = "small", estimates: list[EstimateView] | None = None
) -> CaseSnapshot:
    snap = CaseSnapshot(
        title=f"Killings in {S.TOWN}, 14-15 April 2021", summary=list(S.SUMMARY), fictional=True
    )
    snap.incidents = incident_codings()
    for t in S.TEXTS:
        snap.sources[t.key] = SourceView(
            t.key,
            t.title,
            t.publisher,
            t.on,
            t.kind,
            witness=f"W-{t.witness}" if t.witness else None,
        )
        snap.evidence[t.key] = EvidenceView(
            t.key,
            t.kind,
            t.title,
            source=t.key,
            witness=f"W-{t.witness}" if t.witness else None,
            date=t.on,
        )
    snap.evidence["photo-site-1"] = EvidenceView(
        "photo-site-1", "photo", "Photograph of the olive press field (fictional)"
    )
    for w in S.WITNESSES:
        snap.persons[f"W-{w.key}"] = PersonView(
            f"W-{w.key}",
            "witness",
            pseudonym=w.pseudonym,
            sex=w.sex,
            protected_legal_name=w.legal_name,
            protected_contact=w.contact,
            protected_address=w.address,
            protected_identity_group=w.identity_group,
        )
    vs = {v.key: v for v in S.victims(size)}
    for a in S.acts(size):
        v = vs[a.victim]
        snap.persons[v.key] = PersonView(
            v.key,
            "victim",
            pseudonym=None,
            sex="F" if v.female else "M",
            age=v.age,
            protected_legal_name=v.latin(),
            protected_identity_group="Nahrani",
        )
        for e in a.evidence:
            if e.startswith("photo-") and e not in snap.evidence:
                snap.evidence[e] = EvidenceView(
                    e, "photo", f"Photograph {e[6:]} of the scene (fictional)"
                )
        history = [
            ElementFinding(el, f, tuple(ev), S.ASSESSOR, note, S.ASSESSED_AT)
            for el, (f, ev, note) in a.findings.items()
        ]
        i = int(a.key.split("-")[1])
        sign = [SignOff(S.REVIEWER, S.sign_time(i))] if a.signed else []
        snap.acts.append(
            ActView(
                a.key,
                a.incident,
                v.key,
                a.day,
                a.place,
                a.method,
                "U-CSB-2",
                list(a.evidence),
                history,
                sign,
            )
        )
    for inc in ("INC-HARBOUR", "INC-OLIVE"):
        snap.incident_findings[inc] = [
            ElementFinding(
                "attack",
                "likely",
                ("ngo", "monitor", "t_nizar"),
                S.ASSESSOR,
                "pattern across two neighbourhoods; stated aim to 'clean the town'",
                S.ASSESSED_AT,
            )
        ]
    for site in S.SITES:
        lat, lon = S.PLACES[site["place"]]
        rec = SiteRecord(
            id=site["key"],
            name=site["name"],
            kind=site["kind"],
            location=f"{site['place']}, {S.TOWN}",
            latitude=lat,
            longitude=lon,
            estimated_bodies=site["estimated"],
            recovered_bodies=site["recovered"],
            access_note=site["access"],
            protection_note=site["protection"],
            incidents=list(site["incidents"]),
        )
        for status, on, ev in site["history"]:
            rec.history.append(StatusChange(status, on, "nadia", None, (ev,) if ev else ()))
            if ev and ev not in rec.evidence:
                rec.evidence.append(ev)
        if site["key"] == "SITE-CEMETERY":
            rec.victims = [a.victim for a in S.acts(size) if a.incident == "INC-HARBOUR"][:7]
        snap.sites.append(rec)
    for uid, name, parent, party in S.UNITS:
        snap.units[uid] = UnitRecord(uid, name, parent, party)
    for sp in S.SUSPECTS:
        pid = f"S-{sp.key}"
        snap.persons[pid] = PersonView(
            pid, "suspect", pseudonym=sp.alias, protected_legal_name=sp.legal_name
        )
        snap.memberships.append(
            Membership(pid, sp.unit, sp.rank, None, sp.start, sp.end, ("t_nizar",))
        )
    claims = [Claim(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]) for c in S.CLAIMS]
    carriers = []
    for claim, src, grade, stance in S.CARRIERS:
        r, cr = parse_grade(grade)
        carriers.append(Carrier(claim, src, r, cr, stance, evidence=src))
    groups = groups_from_graph(
        [t.key for t in S.TEXTS], {k: list(v) for k, v in S.DERIVATIONS.items()}
    )
    snap.corroboration = matrix(
        claims, carriers, groups=groups, grouping="the story's known derivations (fictional)"
    )
    snap.estimates = list(estimates or [])
    return snap
