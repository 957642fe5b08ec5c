"""ACLED / UCDP GED coding and export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from dalil.errors import InputError
from dalil.findings.incidents import (
    ACLED_COLUMNS,
    UCDP_COLUMNS,
    IncidentCoding,
    export,
    timeline,
)


def coding(**kw: object) -> IncidentCoding:
    base: dict[str, object] = dict(
        incident_id="INC-1",
        title="Killings in the old quarter (fictional)",
        actor1="Fictional militia",
        date_start=date(2025, 3, 7),
        date_end=date(2025, 3, 8),
        date_precision="day",
        country="Fictionland",
        admin1="Coast",
        location="Old quarter",
        latitude=35.1,
        longitude=35.9,
        geo_precision="near",
        fatalities_low=32,
        fatalities_best=60,
        fatalities_high=110,
        fatality_sources={"low": ["SRC-1"], "best": ["SRC-2"], "high": ["SRC-3"]},
    )
    base.update(kw)
    c = IncidentCoding(**base)  # type: ignore[arg-type]
    c.validate()
    return c


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_acled_export_uses_acled_codes_and_conservative_figure() -> None:
    out = rows(export([coding()], "acled"))
    assert list(out[0]) == ACLED_COLUMNS
    r = out[0]
    assert r["time_precision"] == "1" and r["geo_precision"] == "2"
    assert r["civilian_targeting"] == "Civilian targeting"
    assert (
        r["event_type"] == "Violence against civilians"
        and r["disorder_type"] == "Political violence"
    )
    assert r["fatalities"] == "32"


def test_ucdp_export_is_one_sided_with_low_best_high() -> None:
    r = rows(
        export([coding(date_precision="week", geo_precision="region", admin2="District")], "ucdp")
    )[0]
    assert list(r) == UCDP_COLUMNS
    assert r["type_of_violence"] == "3" and r["side_b"] == "Civilians"
    assert (r["low"], r["best"], r["high"]) == ("32", "60", "110")
    assert r["deaths_civilians"] == "60"
    assert r["date_prec"] == "3" and r["where_prec"] == "3"
    assert set(r["source_article"].split("; ")) == {"SRC-1", "SRC-2", "SRC-3"}


def test_figure_without_source_is_refused() -> None:
    with pytest.raises(InputError, match="cites no source"):
        coding(fatality_sources={"low": ["SRC-1"]})


@pytest.mark.parametrize(
    "kw, msg",
    [
        ({"fatalities_low": 200}, "low <= best <= high"),
        ({"sub_event_type": "Armed clash"}, "does not belong"),
        ({"date_precision": "year"}, "date precision"),
        ({"geo_precision": "city"}, "geo precision"),
        ({"date_end": date(2025, 3, 1)}, "before date_start"),
        ({"latitude": 123.0}, "latitude"),
    ],
)
def test_bad_coding_is_refused(kw: dict[str, object], msg: str) -> None:
    with pytest.raises(InputError, match=msg):
        coding(**kw)


def test_unknown_export_format() -> None:
    with pytest.raises(InputError, match="unknown export format"):
        export([], "gdelt")


def test_timeline_is_in_date_order() -> None:
    a = coding(incident_id="B", date_start=date(2025, 3, 8), date_end=None)
    b = coding(incident_id="A", date_start=date(2025, 3, 7))
    t = timeline([a, b])
    assert [x["id"] for x in t] == ["A", "B"]
    assert t[1]["date_end"] == "2025-03-08"
