"""Incident coding (ACLED/UCDP-style event types, precision, fatalities), exports, timeline.

The rules live in :mod:`dalil.findings.incidents`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.errors import InputError
from dalil.findings import incidents as I
from dalil.model.fields import first_day
from dalil.model.findings import (
    IncidentCodingRow,
)
from dalil.model.incident import Incident
from dalil.services.evidence import evidence_ids

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
        date_start=first_day(inc.date_start),
        date_end=first_day(inc.date_end) if inc.date_end else None,
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
                fs[level] = evidence_ids(ctx, list(refs))
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
    from dalil.services import retractions

    q = retractions.in_force(select(Incident).order_by(Incident.id), "incident", Incident.id)
    return [coding_for(inc, rows.get(inc.id)) for inc in ctx.session.scalars(q)]


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
