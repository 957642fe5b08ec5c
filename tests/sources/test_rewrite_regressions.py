"""Manipulations found by looking at the workbench's comparison view (fictional texts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from dalil.sources.compare import analyse, compare
from dalil.sources.entities import extract_entities
from dalil.sources.quantities import extract_quantities

RELEASE = (
    "Fictional Watch, 12 March 2025. Fictional Watch documented the killing of 32 civilians "
    'in Qarya (a fictional town) on 7 March. "Gunmen from the Fictional Brigade went house '
    'to house and shot the men in front of their families," said a witness, W-1. The group '
    "called for an independent investigation.\n"
)
REWRITE = (
    "Fictional Daily, 14 March 2025. Fictional Watch documented the killing of 32 civilians "
    'in Qarya on 7 March. "Gunmen went house to house and shot the men," said a witness. '
    "The group called for sanctions.\n"
)


def compare_texts(earlier: str, later: str) -> dict[str, Any]:
    return compare(
        analyse(earlier, id="release", doc_date=date(2025, 3, 12)),
        analyse(later, id="rewrite", doc_date=date(2025, 3, 14)),
    )


def result() -> dict[str, Any]:
    return compare_texts(RELEASE, REWRITE)


def test_armed_unit_named_after_a_filler_word_is_an_actor() -> None:
    actors = [e.text for e in extract_entities(RELEASE) if e.kind == "actor"]
    assert "Fictional Brigade" in actors


def test_quote_trimmed_of_the_brigade_is_flagged_removed_actor() -> None:
    (quote,) = result()["quotes"]
    assert quote["status"] == "trimmed"
    assert "removed_actor" in quote["flags"]


def test_call_for_something_the_source_never_called_for_is_attributed_to_it() -> None:
    additions = result()["additions"]
    calls = [a for a in additions if "sanctions" in a["text"]]
    assert len(calls) == 1 and calls[0]["kind"] == "attributed_to_source"


def test_faithful_call_is_not_an_addition() -> None:
    faithful = REWRITE.replace("sanctions", "an independent investigation")
    r = compare_texts(RELEASE, faithful)
    assert not [a for a in r["additions"] if "called for" in a["text"]]


def test_dateline_is_neither_addition_nor_omission() -> None:
    r = result()
    assert not [a for a in r["additions"] if "14 March 2025" in a["text"]]
    assert not [o for o in r["omissions"] if "12 March 2025" in o["text"]]


def test_digits_inside_identifiers_are_not_figures() -> None:
    found = extract_quantities("said a witness, W-1. Canary phrase: amber-lantern-42. 32 civilians")
    assert [(q.text, q.low) for q in found] == [("32", 32)]
    # A range written with a hyphen between numbers is still a range.
    (rng,) = extract_quantities("between 10-20 people were taken")
    assert (rng.low, rng.high) == (10, 20)
