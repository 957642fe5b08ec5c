"""Figures in the forms real reporting takes (issue: source verification on real reporting).

Invented texts reproducing each phenomenon: numbers that are not counts (dates and date
ranges, years, page counts, durations, phone and list numbers, idioms), fractions of a
million, and the Arabic forms of news sites (ASCII digits with qualifiers, digits glued to
a conjunction, compound number words, duals, qualifiers after the noun).
"""

from __future__ import annotations

import pytest

from dalil.sources.quantities import extract_quantities, parse_ar_number


def figures(text: str) -> list[tuple[str, int | None, int | None, str]]:
    return [(q.text, q.low, q.high, q.qualifier) for q in extract_quantities(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Fighting on 3 or 4 May forced families out.",
        "Between 11 and 12 April, the town emptied.",
        "Teams worked between June 2 and 30 last year.",
        "Food was handed out on 12-13 May.",
        "The raids of 14–16 January 2025 were the worst.",
        "from 2 to 5 March the road was closed",
        "Records cover the period between 2022 and 2024.",
        "© 2025 Fictional Rights Network. All rights reserved.",
        "Read the full 150-page report.",
        "A 30-minute video shows the square.",
        "The siege lasted six weeks.",
        "Shooting went on for 24 hours.",
        "Call 1-800-0000 or +00 000 000 000.",
        "Leaders promised zero tolerance for looting.",
        "He urged residents not to settle scores.",
        "1. the immediate suspension of the commanders;",
        "استمرت المعارك ستة أيام.",
        "وقد درست اللجنة الصور.",
        "بين 3 و5 آذار 2025 نزحت العائلات.",
    ],
)
def test_numbers_that_are_not_counts(text: str) -> None:
    assert figures(text) == []


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier"),
    [
        ("More than a quarter of a million people fled.", 250_001, None, "more_than"),
        ("half a million people are displaced", 500_000, 500_000, "exact"),
        ("the injury of tens others", 20, 99, "vague"),
        ("Tens of thousands of people fled.", 20_000, 99_999, "vague"),
        ("at least 1,200 families fled on 3 May", 1200, None, "at_least"),
        ("2000 people were displaced", 2000, 2000, "exact"),
    ],
)
def test_english_counts(text: str, low: int, high: int | None, qualifier: str) -> None:
    got = figures(text)
    assert [(lo, hi, q) for _t, lo, hi, q in got] == [(low, high, qualifier)]


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier"),
    [
        ("مقتل أكثر من 250 مدنياً", 251, None, "more_than"),
        ("احترق اكثر من 60 منزلاً", 61, None, "more_than"),
        ("بينهم ما لا يقل عن 40 طفلاً", 40, None, "at_least"),
        ("قتل مالا يقل عن 24 عنصراً", 24, None, "at_least"),
        ("بينهم ما لا يقل عن ٤٠ طفلاً", 40, None, "at_least"),
        ("نزحت و25 عائلة إلى المدينة", 25, 25, "exact"),
        ("قتل 14 شخصاً على الأقل", 14, None, "at_least"),
        ("قتل مائة وخمسين مدنياً", 150, 150, "exact"),
        ("نزحت ثلاثمائة عائلة", 300, 300, "exact"),
        ("ما زال قرابة ألفي شخص محاصرين", 1800, 2200, "approximately"),
        ("ما زال نحو الفي شخص محاصرين", 1800, 2200, "approximately"),
        ("نزح ثلاثة آلاف شخص", 3000, 3000, "exact"),
        ("وصل عشرين ألف نازح", 20000, 20000, "exact"),
        ("عن مصير الصيادين الثلاثين", 30, 30, "exact"),
    ],
)
def test_arabic_counts(text: str, low: int, high: int | None, qualifier: str) -> None:
    got = figures(text)
    assert [(lo, hi, q) for _t, lo, hi, q in got] == [(low, high, qualifier)]


def test_arabic_duals_are_counts_of_two() -> None:
    got = figures("وأوضحت أن بين القتلى طفلين وامرأتين، وأن مسعفَين اثنين قتلا.")
    assert [(t, lo, hi) for t, lo, hi, _q in got] == [
        ("طفلين", 2, 2),
        ("امرأتين", 2, 2),
        ("مسعفَين اثنين", 2, 2),
    ]
    # A masculine sound plural is not a dual: "مدنيين" is "civilians".
    assert figures("قتل مدنيين في القصف") == []


def test_number_word_inside_another_word_is_not_read() -> None:
    assert figures("استمرت") == [] and figures("درست") == []
    assert figures("يوم الاثنين الماضي") == []


def test_arabic_number_word_parser() -> None:
    assert parse_ar_number("مائة وخمسين") == 150
    assert parse_ar_number("خمسة وعشرون") == 25
    assert parse_ar_number("ثلاثة آلاف") == 3000
    assert parse_ar_number("ألفي") == 2000
    assert parse_ar_number("شيء") is None
