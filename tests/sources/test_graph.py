"""Corpus graph: containment (not Jaccard) finds partial reuse, directions, shared origin
via a third document, and independent groups for a claim (fictional texts)."""

from __future__ import annotations

from datetime import date

import pytest

from dalil.errors import InputError
from dalil.sources.graph import Claim, GraphDoc, build_graph, independent_groups
from dalil.synth.documents import generate_corpus


def _corpus() -> tuple[list[GraphDoc], dict[str, str]]:
    docs, _ = generate_corpus(6, seed=3, words=300, derived_share=0.0)
    base = [t for _, t in docs]
    release = base[0]
    paras = release.split("\n\n")
    # B copies a third of the release inside much new text (low Jaccard, high containment
    # of the copied part); C copies from B only; D is independent but states the figure.
    b = "\n\n".join([base[1], paras[0], base[2]])
    c = "\n\n".join([paras[0], base[3]])
    d = base[4] + "\n\nMore than 100 people were killed, the fictional council said."
    a = release + "\n\nMore than 100 people were killed, the fictional council said."
    texts = {"A": a, "B": b, "C": c, "D": d}
    gd = [
        GraphDoc("A", a, date=date(2025, 3, 1)),
        GraphDoc("B", b, date=date(2025, 3, 2)),
        GraphDoc("C", c, date=date(2025, 3, 3)),
        GraphDoc("D", d, date=date(2025, 3, 4)),
    ]
    return gd, texts


def test_partial_reuse_found_and_directed_by_date() -> None:
    docs, _ = _corpus()
    g = build_graph(docs)
    pairs = {(e["source"], e["derivative"]) for e in g.edges}
    assert ("A", "B") in pairs and ("A", "C") in pairs
    assert all("D" not in p for p in pairs)
    ab = next(e for e in g.edges if (e["source"], e["derivative"]) == ("A", "B"))
    assert ab["basis"] == "date" and ab["containment"] < 0.5  # partial reuse


def test_shared_text_explained_by_a_third_document_is_shared_origin() -> None:
    docs, _ = _corpus()
    g = build_graph(docs)
    bc = [e for e in g.edges if {e["source"], e["derivative"]} == {"B", "C"}]
    assert bc and bc[0]["direction"] == "shared_origin" and bc[0]["via"] == "A"


def test_independent_groups_for_a_figure_and_a_phrase() -> None:
    docs, texts = _corpus()
    g = build_graph(docs)
    assert independent_groups(g, "more than 100", texts) == [["A"], ["D"]]
    first_words = " ".join(texts["C"].split()[:8])
    groups = independent_groups(g, Claim(first_words, kind="phrase"), texts)
    assert groups == [["A", "B", "C"]]


def test_claim_without_figure_as_quantity_is_refused() -> None:
    docs, texts = _corpus()
    g = build_graph(docs)
    with pytest.raises(InputError, match="no figure"):
        independent_groups(g, Claim("no number here", kind="quantity"), texts)


def test_duplicate_ids_and_bad_threshold_refused() -> None:
    with pytest.raises(InputError, match="unique"):
        build_graph([GraphDoc("x", "a b c"), GraphDoc("x", "d e f")])
    with pytest.raises(InputError, match="threshold"):
        build_graph([GraphDoc("x", "a b c")], threshold=0)
