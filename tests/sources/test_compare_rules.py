"""Quote verdict flags and addition rules, one small fictional pair per rule."""

from __future__ import annotations

from typing import Any

import pytest

from dalil.sources.compare import analyse, compare, same_speaker

SRC = (
    "Coastal Rights Watch (fictional) published its findings on 14 March 2025.\n\n"
    "“{quote},” said Nadia Qorvan, the director of Coastal Rights Watch.\n\n"
    "Families buried their dead near the old harbour."
)


def verdict(src_quote: str, der_quote: str, speaker: str = "Nadia Qorvan") -> dict[str, Any]:
    a = analyse(SRC.format(quote=src_quote), id="a")
    b = analyse(
        "Fictional Courier, 15 March 2025\n\n"
        f"“{der_quote},” said {speaker}.\n\nFamilies buried their dead near the old harbour.",
        id="b",
    )
    r = compare(a, b)
    assert len(r["quotes"]) == 1, r["quotes"]
    return r["quotes"][0]


@pytest.mark.parametrize(
    ("src_quote", "der_quote", "status", "flags"),
    [
        (
            "Militias affiliated with the government shot men in front of their families",
            "Shot men in front of their families",
            "trimmed", ["removed_actor"],
        ),
        (
            "The killings were not random acts of revenge by angry neighbours",
            "The killings were random acts of revenge by angry neighbours",
            "trimmed", ["removed_negation"],
        ),
        (
            "We documented 32 killings in detail in the eastern quarter",
            "We documented 23 killings in detail in the eastern quarter",
            "altered", ["changed_number"],
        ),
        (
            "We documented 32 killings in detail in the eastern quarter",
            "We documented killings in detail in the eastern quarter",
            "trimmed", ["removed_number"],
        ),
        (
            "At least 40 men were taken from the square that morning",
            "40 men were taken from the square that morning",
            "trimmed", ["removed_qualifier"],
        ),
        (
            "Gunmen took the men from their homes in Port Selin that night",
            "Gunmen took the men from their homes that night",
            "trimmed", ["removed_place"],
        ),
        (
            "Gunmen took the men from their homes on 7 March 2025 in the dark",
            "Gunmen took the men from their homes in the dark",
            "trimmed", ["removed_date"],
        ),
        (
            "The families deserve answers and the truth about every grave",
            "The families deserve answers and the truth about every grave",
            "verbatim", [],
        ),
    ],
)  # fmt: skip
def test_quote_flag_rule(src_quote: str, der_quote: str, status: str, flags: list[str]) -> None:
    v = verdict(src_quote, der_quote)
    assert v["status"] == status, v
    assert v["flags"] == flags, v


def test_same_surname_other_first_name_is_misattributed() -> None:
    v = verdict(
        "The families deserve answers about every grave",
        "The families deserve answers about every grave",
        speaker="Petra Qorvan",
    )
    assert v["status"] == "misattributed" and v["flags"] == ["changed_speaker"]


def test_anonymised_speaker_is_not_misattribution() -> None:
    v = verdict(
        "The families deserve answers about every grave",
        "The families deserve answers about every grave",
        speaker="a rights researcher",
    )
    assert v["status"] == "verbatim" and v["speaker_kind"] == "anonymous"


def test_invented_quote_sharing_only_function_words_is_not_in_source() -> None:
    v = verdict(
        "They took the men to the square and then they left in the trucks",
        "They burned the shops on the main road before they left",
    )
    assert v["status"] == "not_in_source" and v["source_text"] is None


def test_same_speaker_rules() -> None:
    assert same_speaker("Qorvan", "Nadia Qorvan")
    assert not same_speaker("Petra Qorvan", "Nadia Qorvan")
    assert same_speaker("the Interior Ministry's spokesman", "Interior Ministry")
    assert same_speaker(None, "Nadia Qorvan")


def test_prose_sentence_with_changed_figure_is_an_unsupported_addition() -> None:
    a = analyse(
        "The group investigated 32 of the more than 100 killings reported in the town.", id="a"
    )
    b = analyse(
        "The group investigated 32 of the more than 200 killings reported in the town.", id="b"
    )
    r = compare(a, b)
    assert [x["kind"] for x in r["additions"]] == ["unsupported"]


def test_prose_sentence_that_drops_a_negation_is_an_unsupported_addition() -> None:
    a = analyse(
        "In every case the victims were unarmed and none of them was taking part in the fighting, according to witnesses.",
        id="a",
    )
    b = analyse(
        "In every case the victims were unarmed and of them was taking part in the fighting, according to witnesses.",
        id="b",
    )
    assert [x["kind"] for x in compare(a, b)["additions"]] == ["unsupported"]


def test_paraphrase_is_supported_not_an_addition() -> None:
    a = analyse(
        "Families were forced to bury their dead in mass graves near the old harbour of the fictional town.",
        id="a",
    )
    b = analyse(
        "Relatives were compelled to bury the bodies of their dead in mass graves by the old harbour.",
        id="b",
    )
    r = compare(a, b)
    assert r["additions"] == []
    assert "paraphrase" in [p["kind"] for p in r["reuse"]["passages"]]


def test_direction_by_dates_and_unrelated() -> None:
    text = "Militias affiliated with the government killed civilians in the fictional town of Port Selin on 7 March."
    a = analyse(text, id="a")
    b = analyse("Fictional Courier. " + text, id="b")
    assert compare(a, b)["direction"] == "derivative_of_source"
    c = analyse(
        "A harvest festival drew crowds to the fictional village square on Sunday afternoon.",
        id="c",
    )
    assert compare(a, c)["direction"] == "unrelated"


def test_overlong_document_is_refused_with_a_clear_error() -> None:
    from dalil.errors import InputError
    from dalil.sources.compare import MAX_WORDS

    with pytest.raises(InputError, match="too long to analyse"):
        analyse("word " * (MAX_WORDS + 1), id="huge.txt")


def test_hedge_removed_is_removed_hedge_but_ordinary_about_is_not() -> None:
    # A dropped hedge has its own flag (it was folded into removed_qualifier before);
    # removed_qualifier is kept for the qualifier of a figure.
    hedge = verdict(
        "The shooting was reportedly carried out by the brigade at night",
        "The shooting was carried out by the brigade at night",
    )
    assert hedge["flags"] == ["removed_hedge"]
    plain = verdict(
        "We talked about the graves for hours with the families of the dead",
        "We talked for hours with the families of the dead",
    )
    assert plain["status"] == "trimmed" and plain["flags"] == []


def test_speaker_given_by_the_office_the_source_names_is_not_misattribution() -> None:
    q = "The families deserve answers about every grave"
    v = verdict(q, q, speaker="the director of Coastal Rights Watch")
    assert (v["status"], v["speaker_kind"]) == ("verbatim", "role")
    w = verdict(q, q, speaker="the Interior Ministry's spokesman")
    assert (w["status"], w["flags"]) == ("misattributed", ["changed_speaker"])
