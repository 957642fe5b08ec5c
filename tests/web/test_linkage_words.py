"""The linkage model's levels in words: every label the model can give (its own and
Splink's defaults) maps to a translated message, and a link's driving fields."""

from __future__ import annotations

from dalil.display import i18n
from dalil.web.linkage_words import (
    APART,
    APART_ONE,
    LEVEL_WORDS,
    SAME,
    level_words,
    worded_link,
)


def test_splink_default_labels_read_as_words_in_both_languages() -> None:
    assert level_words("Exact match on sex") == (SAME, {})
    assert level_words("sex is NULL")[0] == level_words("missing")[0]
    assert level_words("Levenshtein distance of national_id <= 2") == (APART, {"n": 2})
    assert level_words("Levenshtein distance of postcode <= 1") == (APART_ONE, {})
    assert level_words("same key") == (LEVEL_WORDS["same key"], {})
    ar = i18n.read_catalog("ar")
    for label in ("same spelling", "birth years ±3", "All other comparisons", "null",
                  "Exact match on gov_key", "Levenshtein distance of address_norm <= 3"):  # fmt: skip
        msg = ar.get(level_words(label)[0])
        assert msg is not None and msg.string, label
    # an unknown label is shown as it is
    assert level_words("some future level") == ("some future level", {})


def test_a_link_names_the_fields_for_and_against() -> None:
    link = {"pair": "1-2", "probability": 0.9, "match_weight": 3.0, "fields": [
        {"field": "first_name", "level": "same spelling", "weight": 6.0},
        {"field": "birth_year", "level": "All other comparisons", "weight": -4.0},
        {"field": "sex", "level": "Exact match on sex", "weight": 0.5},
    ]}  # fmt: skip
    out = worded_link(link)
    assert [f["field"] for f in out["for"]] == ["first_name"]
    assert [f["field"] for f in out["against"]] == ["birth_year"]
    assert out["fields"][0]["words"] == "First name" and out["fields"][2]["level_words"] == SAME
