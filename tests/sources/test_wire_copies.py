"""Two printings of one agency dispatch are a shared origin (invented texts)."""

from __future__ import annotations

from dalil.sources.compare import analyse, compare
from dalil.sources.graph import GraphDoc, build_graph
from dalil.sources.wire import printings_of_one_dispatch

LEDE = (
    "EXAMPLETON, 2 March 2025 (Fictional Wire) - Gunmen from the Grey Hills militia killed "
    "19 displaced people in a night raid on the Exampleton camp, camp administrators said on Sunday."
)
P2 = (
    "Administrators said the attackers arrived in four pickup trucks shortly after midnight "
    "and opened fire on tents near the water point."
)
P3 = '"They shot at anyone who ran," said Omar Example, who manages the camp clinic.'
ONLY_A = "The camp shelters about 6,000 people who fled fighting in the valley last year."
ONLY_B = "A provincial health official said 23 people were wounded, seven of them critically."
P5 = "The Grey Hills militia could not be reached for comment on the raid."

A = "Militia accused of killing 19 in camp raid\n\n" + "\n\n".join([LEDE, P2, P3, P5, ONLY_A])
B = "19 killed in raid on displaced persons camp\n\n" + "\n\n".join([LEDE, P2, P3, ONLY_B, P5])


def test_two_printings_are_shared_origin() -> None:
    assert printings_of_one_dispatch(A, B)
    r = compare(analyse(A, id="a"), analyse(B, id="b"))
    assert r["direction"] == "shared_origin"
    assert [a["text"] for a in r["additions"]] == [ONLY_B]
    assert [o["text"] for o in r["omissions"]] == [ONLY_A]


def test_a_rewrite_that_only_cuts_is_not_a_second_printing() -> None:
    cut = "\n\n".join([LEDE, P2, P3])
    assert not printings_of_one_dispatch(A, cut)
    # Different order of the shared paragraphs: not one dispatch printed twice.
    shuffled = "\n\n".join([LEDE, P3, P2, ONLY_B, P5])
    assert not printings_of_one_dispatch(A, shuffled)


def test_graph_marks_printings_shared_origin_with_or_without_a_third_text() -> None:
    other = (
        "Fictional Monitor said the Grey Hills militia had raided camps before. "
        + LEDE
        + " The monitor called for an inquiry into the raid and into earlier raids."
    )
    docs = [GraphDoc("a", A), GraphDoc("b", B), GraphDoc("c", other)]
    g = build_graph(docs, threshold=0.1)
    ab = next(e for e in g.edges if {e["source"], e["derivative"]} == {"a", "b"})
    assert ab["direction"] == "shared_origin"
    g2 = build_graph(docs[:2], threshold=0.1)
    assert g2.edges[0]["direction"] == "shared_origin"
