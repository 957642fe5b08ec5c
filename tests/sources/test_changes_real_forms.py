"""Clause-level changes inside re-used sentences, and re-worded quotations (invented texts)."""

from __future__ import annotations

from typing import Any

from dalil.sources.changes import clauses, compare_texts
from dalil.sources.compare import analyse, compare
from dalil.sources.lexicon import act_levels, actors, ar_light_stem, hedges, word_key


def run(a: str, b: str) -> dict[str, Any]:
    return compare(analyse(a, id="a"), analyse(b, id="b"))


def flags_of(result: dict[str, Any], needle: str) -> list[str]:
    return next(c["flags"] for c in result["changes"] if needle in c["text"])


SOURCE = (
    "(Fictiontown, 20 August 2025) – At least 14 farmers were killed on 17 August near the village "
    "of Exampleton during clashes between armed factions, the Fictional Rights Centre said today. "
    "The circumstances of the deaths, which may amount to war crimes, remain unclear.\n\n"
    "Witnesses told the Centre that pro-government gunmen fired on farmers who had gathered at the canal."
)


def test_changed_agent_and_intensified_act_in_a_copied_sentence() -> None:
    r = run(
        SOURCE,
        "Army units attacked farmers near Exampleton on 17 August and executed at least 14 of them, "
        "the Fictional Rights Centre said.",
    )
    assert set(flags_of(r, "Army units")) >= {"changed_actor", "intensified_act"}
    # A changed agent is a claim the source does not make, given to the source.
    add = next(a for a in r["additions"] if "Army units" in a["text"])
    assert add["kind"] == "attributed_to_source"


def test_dropped_hedge_and_dropped_qualifier_of_the_perpetrator() -> None:
    r = run(
        SOURCE,
        "The killings amount to war crimes.\n\n"
        "Witnesses told the Centre that gunmen fired on farmers who had gathered at the canal.",
    )
    assert flags_of(r, "amount to war crimes") == ["removed_hedge"]
    assert flags_of(r, "Witnesses told") == ["removed_actor_qualifier"]
    # Neither is an addition: the claim is the source's, with its strength changed.
    assert not any("Witnesses told" in a["text"] for a in r["additions"])


def test_generic_word_for_a_specific_actor_is_not_a_changed_actor() -> None:
    assert "changed_actor" not in compare_texts(
        "militias affiliated with the government shot men in front of their families",
        "the gunmen shot men in front of their families",
    )
    assert compare_texts(
        "security forces detained 26 dock workers",
        "the regime's secret police kidnapped 26 dock workers",
    ) == ["changed_actor", "intensified_act"]


def test_arabic_changes() -> None:
    flags = compare_texts(
        "قتل 12 شخصاً عندما أطلق مسلحون مجهولون النار على حافلة، ويُرجَّح أن يكون الهجوم مرتبطاً بنزاع",
        "أعدمت ميليشيات تابعة للحكومة 12 مدنياً كانوا على متن حافلة في هجوم مرتبط بنزاع",
    )
    assert set(flags) == {"changed_actor", "intensified_act", "removed_hedge"}


def test_dropped_clause_of_a_reused_sentence_is_an_omission() -> None:
    src = (
        "Forty-two residents of Exampleton, a village where troops of the former government killed "
        "more than 70 people in 2016, were shot dead on 1 June, the Fictional Rights Centre said."
    )
    der = "Forty-two residents of Exampleton were shot dead on 1 June, the Fictional Rights Centre said."
    r = run(src, der)
    assert any(o["text"].startswith("village where troops") for o in r["omissions"])


def test_paraphrased_sentence_is_neither_addition_nor_omission() -> None:
    src = (
        "Former detainees held at the fort were beaten, denied medical care and kept in overcrowded "
        "cells, the Fictional Monitor said in a report published today."
    )
    der = (
        "People who were held at the fort say they were beaten, refused medical treatment and kept "
        "in overcrowded cells, according to a report by the Fictional Monitor."
    )
    r = run(src, der)
    assert r["additions"] == [] and r["omissions"] == []


def test_reworded_quote_is_altered_with_its_changed_words_and_flags() -> None:
    src = (
        '"What appears to be an attempt to drive residents from the district must stop immediately," '
        "said Commissioner Lio Example."
    )
    der = '"A deliberate attempt to drive residents from the district must stop immediately," Lio Example said.'
    q = run(src, der)["quotes"][0]
    assert q["status"] == "altered"
    assert q["added"] == ["A deliberate"] and q["omitted"] == ["What appears to be an"]
    assert q["flags"] == ["removed_hedge"]
    src2 = (
        "The Commission has learned that at least 60 people died in the shelling of the district."
    )
    der2 = (
        '"At least 60 people were murdered in the shelling of the district," the Commission said.'
    )
    q2 = run(src2, der2)["quotes"][0]
    assert q2["status"] == "altered" and "intensified_act" in q2["flags"]


def test_lexicon_pieces() -> None:
    assert word_key("killings") == word_key("slain") == "kill"
    assert act_levels("they were executed") == {"kill": 3}
    assert act_levels("قُتلوا") == {"kill": 2} and act_levels("أعدموا") == {"kill": 3}
    assert actors("pro-government gunmen") == {"gunmen", "tie:government"}
    assert hedges("the deaths may amount to war crimes") == ["may"]
    assert hedges("on 3 May the town fell") == []
    assert ar_light_stem("والمنظمة") == ar_light_stem("منظمة")
    text = "Forty-two residents, a village where troops killed 70 people, were shot"
    assert [text[a:b].strip() for a, b in clauses(text, 0, len(text))][:2] == [
        "Forty-two residents",
        "a village",
    ]
