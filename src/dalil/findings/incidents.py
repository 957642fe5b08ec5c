"""Incident coding compatible with ACLED and UCDP GED, exports and a timeline.

An incident is coded with an event and sub-event type (ACLED vocabulary), whether
civilians were targeted, the actors, a date range with its precision (day, week, month),
a place with its precision (exact, near, region) and fatalities as low / best / high, each
figure citing the sources it comes from.

Precision codes:

=========  =====================  =====================================
dalil      ACLED                  UCDP GED
=========  =====================  =====================================
day        time_precision 1       date_prec 1 (exact date)
week       time_precision 2       date_prec 3 (week known)
month      time_precision 3       date_prec 4 (month known)
exact      geo_precision 1        where_prec 1 (exact location)
near       geo_precision 2        where_prec 2 (within ~25 km)
region     geo_precision 3        where_prec 3 (2nd-order admin) or 4 (1st-order)
=========  =====================  =====================================

ACLED records a single, conservative fatality figure: the export writes the *low* figure
(or *best* when no low figure is coded). UCDP GED carries low / best / high directly.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from dalil.display import csvout
from dalil.errors import InputError

#: ACLED event types and their sub-event types.
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Violence against civilians": ("Attack", "Abduction/forced disappearance", "Sexual violence"),
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Air/drone strike",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
        "Suicide bomb",
        "Chemical weapon",
    ),
    "Strategic developments": (
        "Arrests",
        "Looting/property destruction",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Change to group/activity",
        "Non-violent transfer of territory",
        "Agreement",
        "Other",
    ),
    "Riots": ("Mob violence", "Violent demonstration"),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
}
DISORDER_TYPE = {
    "Violence against civilians": "Political violence",
    "Battles": "Political violence",
    "Explosions/Remote violence": "Political violence",
    "Riots": "Political violence",
    "Protests": "Demonstrations",
    "Strategic developments": "Strategic developments",
}
DATE_PRECISIONS = ("day", "week", "month")
GEO_PRECISIONS = ("exact", "near", "region")
ACLED_TIME = {"day": 1, "week": 2, "month": 3}
ACLED_GEO = {"exact": 1, "near": 2, "region": 3}
UCDP_DATE = {"day": 1, "week": 3, "month": 4}
UCDP_WHERE = {"exact": 1, "near": 2}


@dataclass
class IncidentCoding:
    """The coded view of one incident (what ACLED/UCDP and the timeline need)."""

    incident_id: str
    title: str
    event_type: str = "Violence against civilians"
    sub_event_type: str = "Attack"
    civilian_targeting: bool = True
    actor1: str | None = None
    assoc_actor1: str | None = None
    actor2: str | None = "Civilians"
    assoc_actor2: str | None = None
    date_start: date | None = None
    date_end: date | None = None
    date_precision: str = "day"
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: str = "exact"
    fatalities_low: int | None = None
    fatalities_best: int | None = None
    fatalities_high: int | None = None
    #: source/evidence ids behind each figure: {"low": [...], "best": [...], "high": [...]}
    fatality_sources: dict[str, list[str]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    notes: str | None = None

    def validate(self) -> None:
        where = f"incident {self.incident_id}"
        if self.event_type not in EVENT_TYPES:
            raise InputError(
                f"{where}: unknown event type {self.event_type!r}; use one of: {', '.join(EVENT_TYPES)}"
            )
        if self.sub_event_type not in EVENT_TYPES[self.event_type]:
            raise InputError(
                f"{where}: sub-event type {self.sub_event_type!r} does not belong to "
                f"{self.event_type!r}; use one of: {', '.join(EVENT_TYPES[self.event_type])}"
            )
        if self.date_precision not in DATE_PRECISIONS:
            raise InputError(f"{where}: date precision must be one of {', '.join(DATE_PRECISIONS)}")
        if self.geo_precision not in GEO_PRECISIONS:
            raise InputError(f"{where}: geo precision must be one of {', '.join(GEO_PRECISIONS)}")
        if self.date_start and self.date_end and self.date_end < self.date_start:
            raise InputError(
                f"{where}: date_end {self.date_end} is before date_start {self.date_start}"
            )
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise InputError(f"{where}: latitude {self.latitude} out of range")
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise InputError(f"{where}: longitude {self.longitude} out of range")
        figs = [
            ("low", self.fatalities_low),
            ("best", self.fatalities_best),
            ("high", self.fatalities_high),
        ]
        for name, v in figs:
            if v is not None and v < 0:
                raise InputError(f"{where}: fatalities {name} is negative")
            if v is not None and not self.fatality_sources.get(name):
                raise InputError(
                    f"{where}: fatalities {name}={v} cites no source; every figure needs the "
                    "sources it comes from"
                )
        present = [v for _, v in figs if v is not None]
        if present != sorted(present):
            raise InputError(f"{where}: fatalities must satisfy low <= best <= high")

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.incident_id,
            "title": self.title,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "civilian_targeting": self.civilian_targeting,
            "actor1": self.actor1,
            "assoc_actor1": self.assoc_actor1,
            "actor2": self.actor2,
            "assoc_actor2": self.assoc_actor2,
            "date_start": self.date_start.isoformat() if self.date_start else None,
            "date_end": self.date_end.isoformat() if self.date_end else None,
            "date_precision": self.date_precision,
            "country": self.country,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "location": self.location,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geo_precision": self.geo_precision,
            "fatalities": {
                "low": self.fatalities_low,
                "best": self.fatalities_best,
                "high": self.fatalities_high,
                "sources": {k: list(v) for k, v in self.fatality_sources.items()},
            },
            "sources": list(self.sources),
            "notes": self.notes,
        }


ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "civilian_targeting",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
]
UCDP_COLUMNS = [
    "id",
    "year",
    "type_of_violence",
    "side_a",
    "side_b",
    "number_of_sources",
    "source_article",
    "where_prec",
    "where_coordinates",
    "where_description",
    "adm_1",
    "adm_2",
    "latitude",
    "longitude",
    "country",
    "event_clarity",
    "date_prec",
    "date_start",
    "date_end",
    "deaths_a",
    "deaths_b",
    "deaths_civilians",
    "deaths_unknown",
    "best",
    "high",
    "low",
]
CSV_COLUMNS = [
    "id",
    "title",
    "event_type",
    "sub_event_type",
    "civilian_targeting",
    "actor1",
    "assoc_actor1",
    "actor2",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities_low",
    "fatalities_best",
    "fatalities_high",
    "sources_low",
    "sources_best",
    "sources_high",
    "sources",
]


def _s(v: object) -> str:
    return "" if v is None else str(v)


def acled_row(c: IncidentCoding) -> dict[str, str]:
    fat = c.fatalities_low if c.fatalities_low is not None else c.fatalities_best
    return {
        "event_id_cnty": c.incident_id,
        "event_date": c.date_start.isoformat() if c.date_start else "",
        "year": str(c.date_start.year) if c.date_start else "",
        "time_precision": str(ACLED_TIME[c.date_precision]),
        "disorder_type": DISORDER_TYPE[c.event_type],
        "event_type": c.event_type,
        "sub_event_type": c.sub_event_type,
        "actor1": _s(c.actor1),
        "assoc_actor_1": _s(c.assoc_actor1),
        "actor2": _s(c.actor2),
        "assoc_actor_2": _s(c.assoc_actor2),
        "civilian_targeting": "Civilian targeting" if c.civilian_targeting else "",
        "country": _s(c.country),
        "admin1": _s(c.admin1),
        "admin2": _s(c.admin2),
        "location": _s(c.location),
        "latitude": _s(c.latitude),
        "longitude": _s(c.longitude),
        "geo_precision": str(ACLED_GEO[c.geo_precision]),
        "source": "; ".join(c.sources),
        "notes": _s(c.notes) or c.title,
        "fatalities": _s(fat if fat is not None else 0),
    }


def ucdp_row(c: IncidentCoding) -> dict[str, str]:
    one_sided = c.civilian_targeting and c.event_type == "Violence against civilians"
    if c.event_type == "Violence against civilians":
        tov = 3  # one-sided violence
    elif c.actor1 and c.actor2 and "government" not in (c.actor1 + c.actor2).lower():
        tov = 2  # non-state
    else:
        tov = 1  # state-based
    where_prec = UCDP_WHERE.get(c.geo_precision) or (3 if c.admin2 else 4)
    all_sources = sorted({s for v in c.fatality_sources.values() for s in v} | set(c.sources))
    coords = (
        f"{c.location} ({c.latitude}, {c.longitude})"
        if c.latitude is not None and c.longitude is not None
        else _s(c.location)
    )
    return {
        "id": c.incident_id,
        "year": str(c.date_start.year) if c.date_start else "",
        "type_of_violence": str(tov),
        "side_a": _s(c.actor1),
        "side_b": "Civilians" if one_sided else _s(c.actor2),
        "number_of_sources": str(len(all_sources)),
        "source_article": "; ".join(all_sources),
        "where_prec": str(where_prec),
        "where_coordinates": coords,
        "where_description": _s(c.location),
        "adm_1": _s(c.admin1),
        "adm_2": _s(c.admin2),
        "latitude": _s(c.latitude),
        "longitude": _s(c.longitude),
        "country": _s(c.country),
        "event_clarity": "1" if c.date_precision == "day" else "2",
        "date_prec": str(UCDP_DATE[c.date_precision]),
        "date_start": c.date_start.isoformat() if c.date_start else "",
        "date_end": (c.date_end or c.date_start).isoformat() if c.date_start else "",
        "deaths_a": "0",
        "deaths_b": "0",
        "deaths_civilians": _s(c.fatalities_best) if one_sided else "0",
        "deaths_unknown": "0" if one_sided else _s(c.fatalities_best),
        "best": _s(c.fatalities_best),
        "high": _s(c.fatalities_high),
        "low": _s(c.fatalities_low),
    }


def csv_row(c: IncidentCoding) -> dict[str, str]:
    return {
        "id": c.incident_id,
        "title": c.title,
        "event_type": c.event_type,
        "sub_event_type": c.sub_event_type,
        "civilian_targeting": "yes" if c.civilian_targeting else "no",
        "actor1": _s(c.actor1),
        "assoc_actor1": _s(c.assoc_actor1),
        "actor2": _s(c.actor2),
        "date_start": c.date_start.isoformat() if c.date_start else "",
        "date_end": c.date_end.isoformat() if c.date_end else "",
        "date_precision": c.date_precision,
        "country": _s(c.country),
        "admin1": _s(c.admin1),
        "admin2": _s(c.admin2),
        "location": _s(c.location),
        "latitude": _s(c.latitude),
        "longitude": _s(c.longitude),
        "geo_precision": c.geo_precision,
        "fatalities_low": _s(c.fatalities_low),
        "fatalities_best": _s(c.fatalities_best),
        "fatalities_high": _s(c.fatalities_high),
        "sources_low": ";".join(c.fatality_sources.get("low", [])),
        "sources_best": ";".join(c.fatality_sources.get("best", [])),
        "sources_high": ";".join(c.fatality_sources.get("high", [])),
        "sources": ";".join(c.sources),
    }


EXPORT_FORMATS = {
    "acled": (ACLED_COLUMNS, acled_row),
    "ucdp": (UCDP_COLUMNS, ucdp_row),
    "csv": (CSV_COLUMNS, csv_row),
}


def export(codings: Iterable[IncidentCoding], fmt: str) -> str:
    """Export coded incidents as CSV text in ACLED, UCDP GED or dalil's own column set."""
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use one of: {', '.join(EXPORT_FORMATS)}")
    columns, row = EXPORT_FORMATS[fmt]
    buf = io.StringIO()
    w = csvout.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for c in sorted(codings, key=lambda c: (c.date_start or date.min, c.incident_id)):
        w.writerow(row(c))
    return buf.getvalue()


def timeline(codings: Sequence[IncidentCoding]) -> list[dict[str, object]]:
    """Incidents in date order, each with its date span and precision, place and figures."""
    items: list[dict[str, object]] = []
    for c in sorted(codings, key=lambda c: (c.date_start or date.max, c.incident_id)):
        items.append(
            {
                "id": c.incident_id,
                "title": c.title,
                "date_start": c.date_start.isoformat() if c.date_start else None,
                "date_end": (c.date_end or c.date_start).isoformat() if c.date_start else None,
                "date_precision": c.date_precision,
                "location": c.location,
                "geo_precision": c.geo_precision,
                "event": f"{c.event_type} / {c.sub_event_type}",
                "actor": c.actor1,
                "fatalities": {
                    "low": c.fatalities_low,
                    "best": c.fatalities_best,
                    "high": c.fatalities_high,
                },
                "sources": sorted(
                    {s for v in c.fatality_sources.values() for s in v} | set(c.sources)
                ),
            }
        )
    return items
