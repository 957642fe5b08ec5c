"""Every expected verdict on the fictional example set (tests/data/sources/expected.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dalil.sources.compare import compare, load_document

DATA = Path(__file__).resolve().parents[1] / "data" / "sources"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
PAIRS = EXPECTED["pairs"]


@cache
def _result(earlier: str, later: str) -> dict[str, Any]:
    return compare(load_document(DATA / earlier), load_document(DATA / later))


def _ids(p: dict[str, Any]) -> str:
    return f"{p['earlier']}->{p['later']}"


def _find(items: list[dict[str, Any]], contains: str) -> dict[str, Any]:
    hits = [i for i in items if contains in i["text"]]
    assert len(hits) == 1, f"expected one item containing {contains!r}, found {len(hits)}"
    return hits[0]


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
def test_direction(pair: dict[str, Any]) -> None:
    assert _result(pair["earlier"], pair["later"])["direction"] == pair["direction"]


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
def test_every_quote_verdict(pair: dict[str, Any]) -> None:
    quotes = _result(pair["earlier"], pair["later"])["quotes"]
    assert len(quotes) == len(pair["quotes"]), [q["text"] for q in quotes]
    for exp in pair["quotes"]:
        got = _find(quotes, exp["contains"])
        assert got["status"] == exp["status"], (exp["contains"], got)
        assert got["speaker_kind"] == exp["speaker_kind"], (exp["contains"], got)
        assert sorted(got["flags"]) == sorted(exp["flags"]), (exp["contains"], got)
        if "speaker" in exp:
            assert got["speaker"] == exp["speaker"]
        if "source_speaker" in exp:
            assert got["source_speaker"] == exp["source_speaker"]
        for key in ("omitted", "added"):
            if key in exp:
                assert got[key] == exp[key], (key, got)


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
def test_additions_exactly_as_expected(pair: dict[str, Any]) -> None:
    additions = _result(pair["earlier"], pair["later"])["additions"]
    assert len(additions) == len(pair["additions"]), [a["text"] for a in additions]
    for exp in pair["additions"]:
        got = _find(additions, exp["contains"])
        assert got["kind"] == exp["kind"]
        assert got["attributed_to"] == exp.get("attributed_to")


@pytest.mark.parametrize("pair", PAIRS, ids=_ids)
def test_expected_omissions_and_weight_order(pair: dict[str, Any]) -> None:
    omissions = _result(pair["earlier"], pair["later"])["omissions"]
    weights = [o["weight"] for o in omissions]
    assert weights == sorted(weights, reverse=True)
    for exp in pair["omissions"]:
        got = _find(omissions, exp["contains"])
        assert set(exp["reasons"]) <= set(got["reasons"]), got


def test_faithful_rewrite_has_no_additions_and_high_containment() -> None:
    r = _result("ngo_release.txt", "news_faithful.txt")
    assert r["additions"] == []
    assert r["reuse"]["containment"] > 0.8


def test_unrelated_article_shares_no_passages() -> None:
    r = _result("ngo_release.txt", "unrelated.txt")
    assert r["reuse"]["passages"] == []
    assert r["reuse"]["containment"] < 0.08


@pytest.mark.parametrize("doc", sorted(EXPECTED["quantities"]))
def test_example_quantities(doc: str) -> None:
    got = load_document(DATA / doc).quantities
    for exp in EXPECTED["quantities"][doc]:
        hits = [q for q in got if q.text == exp["text"]]
        assert hits, (exp, [q.text for q in got])
        q = hits[0]
        assert (q.low, q.high, q.qualifier, q.counted) == (
            exp["low"],
            exp["high"],
            exp["qualifier"],
            exp["counted"],
        )


def test_passage_spans_point_at_the_same_words() -> None:
    src = (DATA / "ngo_release.txt").read_text(encoding="utf-8")
    der = (DATA / "news_trimmed.txt").read_text(encoding="utf-8")
    r = _result("ngo_release.txt", "news_trimmed.txt")
    for p in r["reuse"]["passages"]:
        if p["kind"] == "verbatim":
            a = src[p["source_span"][0] : p["source_span"][1]].lower().split()
            b = der[p["derivative_span"][0] : p["derivative_span"][1]].lower().split()
            assert [w.strip('.,"“”') for w in a] == [w.strip('.,"“”') for w in b]


def test_reversed_order_with_dates_is_detected_as_source_of_derivative() -> None:
    r = compare(load_document(DATA / "news_trimmed.txt"), load_document(DATA / "ngo_release.txt"))
    assert r["direction"] == "source_of_derivative"
    assert r["source"]["id"].endswith("ngo_release.txt")
    assert any(q["status"] == "trimmed" for q in r["quotes"])
