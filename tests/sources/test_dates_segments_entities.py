"""Dates (relative ones resolved against the document date, never today), sentence and
paragraph segmentation, places and actors."""

from __future__ import annotations

from datetime import date

import pytest

from dalil.errors import InputError
from dalil.sources.dates import extract_dates, guess_document_date, parse_iso_date
from dalil.sources.entities import extract_entities
from dalil.sources.segment import paragraphs, sentences, tokens

DOC = date(2025, 3, 14)  # a Friday


@pytest.mark.parametrize(
    ("text", "value", "precision", "relative"),
    [
        ("on 7 March 2025", "2025-03-07", "day", False),
        ("March 8, 2025", "2025-03-08", "day", False),
        ("2025-03-06", "2025-03-06", "day", False),
        ("in March 2025", "2025-03", "month", False),
        ("yesterday", "2025-03-13", "day", True),
        ("two days ago", "2025-03-12", "day", True),
        ("on Wednesday", "2025-03-12", "day", True),
        ("last Friday", "2025-03-07", "day", True),
        ("last week", "2025-03-03", "week", True),
        ("on 7 March", "2025-03-07", "day", True),
        ("في ٧ آذار ٢٠٢٥", "2025-03-07", "day", False),
        ("يوم ٦ مارس ٢٠٢٥", "2025-03-06", "day", False),
    ],
)
def test_date_rules(text: str, value: str, precision: str, relative: bool) -> None:
    ds = extract_dates(text, DOC)
    assert len(ds) == 1, ds
    assert (ds[0].value, ds[0].precision, ds[0].relative) == (value, precision, relative)


def test_relative_dates_without_document_date_stay_unresolved() -> None:
    ds = extract_dates("Yesterday and on Friday and two days ago, they came.")
    assert len(ds) == 3
    assert all(d.value is None and d.relative for d in ds)


def test_may_as_a_verb_is_not_a_month() -> None:
    assert extract_dates("They may 5 times have tried.", DOC) == []


def test_document_date_from_dateline_or_byline_only() -> None:
    assert guess_document_date("Title\n\nPORT SELIN, 14 March 2025 — text") == "2025-03-14"
    assert guess_document_date("The Fictional Courier, 15 March 2025\n\nText.") == "2025-03-15"
    assert guess_document_date("Published: 3 April 2025\nText") == "2025-04-03"
    # An event date inside a sentence is not the publication date.
    assert (
        guess_document_date("On 7 March 2025 gunmen killed people in the fictional town.") is None
    )


def test_bad_date_option_is_input_error() -> None:
    with pytest.raises(InputError, match="--date"):
        parse_iso_date("14/03/2025", "--date")


def test_sentences_respect_abbreviations_and_quotes() -> None:
    text = 'Dr. Qorvan met Mr. Ostal at 5 p.m. in Port Selin. "They left," she said. Then? Yes!'
    got = [text[s.start : s.end] for s in sentences(text)]
    assert got == [
        "Dr. Qorvan met Mr. Ostal at 5 p.m. in Port Selin.",
        '"They left," she said.',
        "Then?",
        "Yes!",
    ]


def test_arabic_sentences_split_at_arabic_question_mark_and_period() -> None:
    text = "هل عادوا؟ لم يعودوا. قال شاهد إنهم رحلوا."
    assert len(sentences(text)) == 3


def test_paragraph_spans_trimmed() -> None:
    text = "  first para\nstill first\n\n\n second  \n"
    assert [text[s:e] for s, e in paragraphs(text)] == ["first para\nstill first", "second"]


def test_tokens_normalise_arabic_and_digits() -> None:
    t = tokens("أحمد ٣٢ إلى مدرسةٌ")
    assert [x.norm for x in t] == ["احمد", "32", "الي", "مدرسه"]


def test_places_and_actors() -> None:
    text = (
        "Militias affiliated with the government killed civilians in the coastal town of "
        "Port Selin and near Kestrel Point, in Varessa province. Coastal Rights Watch said "
        "the 9th Coastal Brigade was present."
    )
    ents = {(e.kind, e.text) for e in extract_entities(text)}
    assert ("actor", "Militias affiliated with the government") in ents
    assert ("place", "Port Selin") in ents
    assert ("place", "Kestrel Point") in ents
    assert ("place", "Varessa") in ents
    assert ("organization", "Coastal Rights Watch") in ents
    assert ("actor", "9th Coastal Brigade") in ents or ("actor", "Coastal Brigade") in ents


def test_arabic_places_and_actors() -> None:
    ents = {
        (e.kind, e.text)
        for e in extract_entities("قتلت ميليشيات مدنيين في بلدة بورت سيلين الساحلية")
    }
    assert ("place", "بورت سيلين") in ents and ("actor", "ميليشيات") in ents
