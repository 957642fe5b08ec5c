"""Field validators: partial dates keep precision, coordinates are bounded (properties)."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.errors import InputError
from dalil.model.fields import (
    check_latitude,
    check_longitude,
    check_low_best_high,
    parse_partial_date,
)

dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))


@given(dates)
def test_day_precision_round_trips(d: date) -> None:
    p = parse_partial_date(d.isoformat())
    assert (p.text, p.precision, p.start, p.end) == (d.isoformat(), "day", d, d)


@given(dates)
def test_month_covers_exactly_its_days(d: date) -> None:
    p = parse_partial_date(f"{d.year:04d}-{d.month:02d}")
    assert p.precision == "month" and p.start.day == 1 and p.start <= d <= p.end
    assert (p.end + timedelta(days=1)).month != p.end.month


@given(dates)
def test_iso_week_is_seven_days_starting_monday(d: date) -> None:
    y, w, _ = d.isocalendar()
    p = parse_partial_date(f"{y}-W{w:02d}")
    assert p.precision == "week" and p.start.weekday() == 0
    assert p.end - p.start == timedelta(days=6) and p.start <= d <= p.end


@given(st.integers(min_value=1, max_value=9999))
def test_year_precision(y: int) -> None:
    p = parse_partial_date(f"{y:04d}")
    assert p.precision == "year" and p.start == date(y, 1, 1) and p.end == date(y, 12, 31)


@pytest.mark.parametrize(
    "bad",
    [
        "2025-02-29",
        "2025-13",
        "2025-W54",
        "25-03-01",
        "",
        "0000",
        "08/03/2025",  # day-first or month-first: the reader cannot tell
        "March",
        "31 June 2025",
        "٢٠٢٥-١٣",
        "8 Marchh 2025",
    ],
)
def test_invalid_dates_refused_with_formats_named(bad: str) -> None:
    with pytest.raises(InputError, match="use YYYY-MM-DD, YYYY-Www"):
        parse_partial_date(bad)


@pytest.mark.parametrize(
    ("typed", "text", "precision"),
    [
        ("2025", "2025", "year"),
        ("2025-03", "2025-03", "month"),
        ("8 March 2025", "2025-03-08", "day"),
        ("8 mar. 2025", "2025-03-08", "day"),
        ("March 8, 2025", "2025-03-08", "day"),
        ("March 2025", "2025-03", "month"),
        ("٢٠٢٥-٠٣", "2025-03", "month"),
        ("٢٠٢٥", "2025", "year"),
        ("٨ آذار ٢٠٢٥", "2025-03-08", "day"),
        ("8 مارس 2025", "2025-03-08", "day"),
        ("أيار ٢٠٢٥", "2025-05", "month"),
        ("كانون الثاني 2024", "2024-01", "month"),
        ("١٥ تشرين الأول، ٢٠٢٣", "2023-10-15", "day"),
        ("2025/03/08", "2025-03-08", "day"),
        ("2025-3", "2025-03", "month"),
        ("2025-w10", "2025-W10", "week"),
    ],
)
def test_dates_as_people_type_them_keep_their_precision(
    typed: str, text: str, precision: str
) -> None:
    p = parse_partial_date(typed)
    assert (p.text, p.precision) == (text, precision)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_latitude_accepts_exactly_minus90_to_90(x: float) -> None:
    ok = math.isfinite(x) and -90 <= x <= 90
    if ok:
        assert check_latitude(x) == x
    else:
        with pytest.raises(InputError, match="between -90 and 90"):
            check_latitude(x)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_longitude_accepts_exactly_minus180_to_180(x: float) -> None:
    ok = math.isfinite(x) and -180 <= x <= 180
    if ok:
        assert check_longitude(x) == x
    else:
        with pytest.raises(InputError, match="between -180 and 180"):
            check_longitude(x)


@given(
    st.lists(
        st.one_of(st.none(), st.integers(min_value=0, max_value=10_000)), min_size=3, max_size=3
    )
)
def test_low_best_high_order(v: list[int | None]) -> None:
    present = [x for x in v if x is not None]
    if present == sorted(present):
        check_low_best_high(*v, "fatalities")
    else:
        with pytest.raises(InputError, match="low <= best <= high"):
            check_low_best_high(*v, "fatalities")


@given(st.text(max_size=40))
def test_any_typed_date_is_read_or_refused_with_one_error(text: str) -> None:
    try:
        p = parse_partial_date(text)
    except InputError:
        return
    assert p.start <= p.end and p.precision in ("day", "week", "month", "year")
