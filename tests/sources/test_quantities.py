"""Quantity rules (docs/sources.md): each row of the table is a case here."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.sources.quantities import extract_quantities, parse_number_words

CASES = [
    # text, quantity text, low, high, qualifier, counted
    ("more than 100 people were killed", "more than 100", 101, None, "more_than", "people"),
    ("at least 32 were documented", "at least 32", 32, None, "at_least", None),
    ("nearly 50 bodies", "nearly 50", 40, 49, "nearly", "bodies"),
    ("dozens of civilians", "dozens", 24, 99, "vague", "civilians"),
    ("hundreds of corpses", "hundreds", 200, 999, "vague", "corpses"),
    ("It investigated 32 of the killings.", "32", 32, 32, "exact", "killings"),
    ("about 1,700 people", "about 1,700", 1530, 1870, "approximately", "people"),
    ("between 40 and 50 homes", "between 40 and 50", 40, 50, "range", "homes"),
    ("40-50 people", "40-50", 40, 50, "range", "people"),
    ("twenty-three men", "twenty-three", 23, 23, "exact", "men"),
    ("two hundred and fifty people", "two hundred and fifty", 250, 250, "exact", "people"),
    ("up to 40 detainees", "up to 40", None, 40, "at_most", "detainees"),
    ("fewer than 10 survivors", "fewer than 10", None, 9, "fewer_than", "survivors"),
    ("a dozen men", "a dozen", 12, 12, "exact", "men"),
    ("several hundred people", "several hundred", 200, 900, "vague", "people"),
    ("in excess of 50 graves", "in excess of 50", 51, None, "more_than", "graves"),
    ("as many as 40 people", "as many as 40", None, 40, "at_most", "people"),
    ("scores of bodies", "scores", 40, 99, "vague", "bodies"),
    ("tens of thousands of people", "tens of thousands", 20000, 99999, "vague", "people"),
    ("over 745 victims", "over 745", 746, None, "more_than", "victims"),
    ("1,426 civilian deaths", "1,426", 1426, 1426, "exact", "civilian deaths"),
    ("more than 100 civilians", "more than 100", 101, None, "more_than", "civilians"),
    # Arabic: Arabic-Indic digits and number words
    ("قتل أكثر من مئة شخص", "أكثر من مئة", 101, None, "more_than", "شخص"),
    ("عشرات الجثث", "عشرات", 20, 99, "vague", "الجثث"),
    ("مئات القتلى", "مئات", 200, 999, "vague", "القتلى"),
    ("وثقنا ٣٢ حالة", "٣٢", 32, 32, "exact", "حالة"),
    ("ما لا يقل عن ١٤ عنصرا", "ما لا يقل عن ١٤", 14, None, "at_least", "عنصرا"),
    ("نحو ألف شخص", "نحو ألف", 900, 1100, "approximately", "شخص"),
]


@pytest.mark.parametrize(("text", "qtext", "low", "high", "qual", "counted"), CASES)
def test_quantity_rule(
    text: str, qtext: str, low: int | None, high: int | None, qual: str, counted: str | None
) -> None:
    qs = extract_quantities(text)
    assert [q.text for q in qs] == [qtext]
    q = qs[0]
    assert (q.low, q.high, q.qualifier, q.counted) == (low, high, qual, counted)
    assert text[q.span[0] : q.span[1]] == qtext


@pytest.mark.parametrize(
    "text",
    [
        "On 7 March 2025 the town was quiet.",
        "In 2024, nothing happened.",
        "Resolution 2254 was cited.",
        "Turnout was 45% and 45 percent.",
        "At 10:30 the shooting began.",
        "One witness spoke.",
        "The boy, 14, was shot at the checkpoint.",
        "A 45-year-old man was detained.",
        "في ٧ آذار ٢٠٢٥ قال",
    ],
)
def test_dates_years_percentages_and_one_are_not_tolls(text: str) -> None:
    assert extract_quantities(text) == []


def test_numbers_that_differ_by_a_digit_give_different_intervals() -> None:
    # The reason numbers are never compared by similarity.
    a = extract_quantities("more than 10 people")[0]
    b = extract_quantities("more than 100 people")[0]
    assert (a.low, a.high) == (11, None) and (b.low, b.high) == (101, None)


@given(st.integers(min_value=1, max_value=999_999))
def test_digit_numbers_round_trip_with_separators(n: int) -> None:
    assert parse_number_words(f"{n:,}") == n
    q = extract_quantities(f"we counted {n:,} graves")
    if n != 1 and not (1900 <= n <= 2100):
        assert [(x.low, x.high) for x in q] == [(n, n)]


@given(st.integers(min_value=2, max_value=10_000))
def test_more_than_is_open_above_and_excludes_n(n: int) -> None:
    q = extract_quantities(f"more than {n:,} people")
    assert [(x.low, x.high, x.qualifier) for x in q] == [(n + 1, None, "more_than")]
