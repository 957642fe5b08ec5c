"""The compare output validates against docs/schemas/source_compare.schema.json, on the
example set, on generated documents, and on arbitrary text (Hypothesis)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.sources.compare import analyse, compare, load_document
from dalil.synth.documents import generate

jsonschema_rs = pytest.importorskip(
    "jsonschema_rs", reason="jsonschema_rs (installed with the test extra) validates the schema"
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schemas" / "source_compare.schema.json").read_text())
VALIDATOR = jsonschema_rs.Draft202012Validator(SCHEMA)
DATA = ROOT / "tests" / "data" / "sources"


def _check(result: dict[str, Any], a_text: str, b_text: str) -> None:
    """Validate *result* of compare(a, b); the roles may have been swapped by direction."""
    src_text, der_text = (
        (b_text, a_text) if result["direction"] == "source_of_derivative" else (a_text, b_text)
    )
    errors = [e.message for e in VALIDATOR.iter_errors(result)]
    assert not errors, errors[:5]
    # Spans point inside the right texts and quote spans cover the quote's words.
    for p in result["reuse"]["passages"]:
        assert 0 <= p["source_span"][0] < p["source_span"][1] <= len(src_text)
        assert 0 <= p["derivative_span"][0] < p["derivative_span"][1] <= len(der_text)
    for q in result["quotes"]:
        s, e = q["span"]
        assert 0 <= s <= e <= len(der_text)
    for a in result["additions"]:
        assert der_text[a["span"][0] : a["span"][1]] == a["text"]
    for o in result["omissions"]:
        assert src_text[o["span"][0] : o["span"][1]] == o["text"]
    for q in result["quantities"]:
        text = src_text if q["doc"] == "source" else der_text
        assert text[q["span"][0] : q["span"][1]] == q["text"]
    assert 0.0 <= result["reuse"]["containment"] <= 1.0


@pytest.mark.parametrize(
    "later",
    [
        "news_faithful.txt",
        "news_trimmed.txt",
        "news_numbers.txt",
        "news_call.txt",
        "news_wire.txt",
        "unrelated.txt",
    ],
)
def test_example_outputs_match_schema(later: str) -> None:
    a = load_document(DATA / "ngo_release.txt")
    b = load_document(DATA / later)
    _check(compare(a, b), a.text, b.text)


def test_arabic_output_matches_schema() -> None:
    a = load_document(DATA / "ar_release.txt")
    b = load_document(DATA / "ar_news.txt")
    _check(compare(a, b), a.text, b.text)


def test_generated_outputs_match_schema() -> None:
    files, truth = generate(6, seed=11, words=300)
    for d in truth["derivatives"]:
        a = analyse(files[d["source"]], id=d["source"])
        b = analyse(files[d["id"]], id=d["id"])
        _check(compare(a, b), a.text, b.text)


_chunk = st.sampled_from(
    [
        '"',
        "“",
        "”",
        "«",
        "»",
        ", said ",
        " Qorvan",
        " more than ",
        "100",
        " dozens ",
        "\n\n",
        ". ",
        " militias ",
        "not ",
        "قال ",
        "مئة",
        "٣٢",
        " the town of Port Selin",
        "7 March",
    ]
)
_text = st.lists(st.one_of(_chunk, st.text(min_size=0, max_size=8)), min_size=0, max_size=40).map(
    "".join
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_text, _text)
def test_arbitrary_text_never_crashes_and_validates(a_text: str, b_text: str) -> None:
    a = analyse(a_text, id="a")
    b = analyse(b_text + " " + a_text[: len(a_text) // 2], id="b")
    _check(compare(a, b), a.text, b.text)
