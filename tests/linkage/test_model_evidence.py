"""How the linkage model weighs evidence: exact identifiers, siblings, lists, places, ages.

All records are fictional (generated names, invented ids and towns).
"""

from __future__ import annotations

import math
import random
from typing import Any

import pandas as pd
import pytest

from dalil.linkage import model as M

MALE = ["Muhammad", "Ahmad", "Khalid", "Umar", "Yusuf", "Sami", "Rami", "Fadi", "Walid", "Nabil"]
FAMILY = ["al-Hasan", "al-Ali", "al-Khatib", "al-Shami", "Darwish", "Mansur", "Haddad", "Nasr"]
PLACES = ["Ain al-Ward", "Tell al-Zahra", "Kafr Rayhan", "Basta"]


def _records(n: int, seed: int = 1, **extra: Any) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append(
            {
                "record_id": str(i),
                "list": f"list_{i % 3}",
                "first_name": rng.choice(MALE),
                "father_name": rng.choice(MALE),
                "family_name": rng.choice(FAMILY),
                "sex": "m",
                "birth_year": rng.randint(1950, 2010),
                "place_of_death": rng.choice(PLACES),
                **extra,
            }
        )
    return out


def _untrained(df: pd.DataFrame, *, u_sampled: bool = False) -> dict[str, Any]:
    """The model's settings for *df*, untrained (or with u from random sampling only)."""
    from splink import Linker

    db = M._db_api("duckdb")
    linker = Linker(db.register(df, dataset_display_name="records"), M.settings(df), log_level=None)
    if u_sampled:
        linker.training.estimate_u_using_random_sampling(max_pairs=2e5, seed=1)
    return linker.misc.save_model_to_json()


def _level(model: dict[str, Any], comparison: str, label: str) -> dict[str, Any]:
    for comp in model["comparisons"]:
        if comp["output_column_name"] == comparison:
            for lv in comp["comparison_levels"]:
                if lv.get("label_for_charts") == label:
                    return lv
    raise AssertionError(f"no level {comparison}/{label}")


def _bits(lv: dict[str, Any]) -> float:
    return math.log2(lv["m_probability"] / lv["u_probability"])


def _explain(recs: list[dict[str, Any]], model: dict[str, Any], a: int, b: int) -> dict[str, Any]:
    """Field -> (level reached, weight in bits) for records *a* and *b* under *model*."""
    from dalil.linkage.incremental import explain_pairs

    (pair,) = explain_pairs(recs, [str(a), str(b)], model)
    return {f["field"]: (f["level"], f["weight"]) for f in pair["fields"]}


def test_untrained_exact_national_id_is_strong_evidence_from_a_fixed_prior() -> None:
    recs = _records(2000)
    for i, r in enumerate(recs[:600]):
        r["national_id"] = f"{10**10 + 7919 * i}"
    df = M.prepare(recs)
    model = M._regularise(M.identifier_priors(_untrained(df, u_sampled=True), df))
    exact = _level(model, "national_id", "Exact match on national_id")
    # 600 distinct ids: two random records share one with probability 1/600^2 at most
    # the prior: most true matches with ids on both sides have the same id
    assert exact["m_probability"] >= 0.85
    assert _bits(exact) > 15
    other = _level(model, "national_id", "All other comparisons")
    assert _bits(other) < 0
    # and in a scored pair: two records sharing the id carry that weight
    recs[1]["national_id"] = recs[0]["national_id"]
    level, weight = _explain(recs, model, 0, 1)["national_id"]
    assert (level, weight) == ("Exact match on national_id", pytest.approx(_bits(exact), abs=0.01))


def test_untrained_same_birth_date_is_strong_and_a_trained_level_is_kept() -> None:
    recs = _records(2000)
    rng = random.Random(3)
    for r in recs[:800]:
        r["birth_date"] = f"{r['birth_year']}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    df = M.prepare(recs)
    model = M.identifier_priors(_untrained(df), df)
    date = _level(model, "birth_year", "same birth date")
    # weight = log2(0.9 / rate of shared dates among 800 dates over 61 years)
    assert 12 < _bits(date) < 20
    trained = _untrained(df)
    lv = _level(trained, "birth_year", "same birth date")
    lv["m_probability"], lv["u_probability"] = 0.3, 0.01
    kept = _level(M.identifier_priors(trained, df), "birth_year", "same birth date")
    assert (kept["m_probability"], kept["u_probability"]) == (0.3, 0.01)


def test_blocking_keeps_pairs_sharing_an_exact_id_when_names_need_refining() -> None:
    recs = _records(3000)
    for i in range(0, 3000, 20):  # one record in twenty has an id
        recs[i]["national_id"] = f"405{i:08d}"
    recs[2501]["national_id"] = recs[20]["national_id"]
    df = M.prepare(recs)
    rules = M.blocking_columns(df, budget=20_000)
    assert ("first_key", "family_key") not in rules  # names alone are refined
    assert ("national_id",) in rules


def test_siblings_sharing_a_mother_get_no_second_credit_for_her() -> None:
    recs = _records(300)
    a = {"father_name": "Khalid", "family_name": "Darwish", "mother_name": "Fatima"}
    recs[0].update(a, first_name="Sami")
    recs[1].update(a, first_name="Walid")  # his brother
    recs[2].update(first_name="Sami", father_name="Yusuf", family_name="Nasr",
                   mother_name="Fatima")  # fmt: skip
    recs[3].update(first_name="Sami", father_name="Yusuf", family_name="Haddad",
                   mother_name="Fatima")  # fmt: skip
    for r in recs[4:]:
        r["mother_name"] = random.Random(r["record_id"]).choice(["Hala", "Rana", "Lina"])
    model = _untrained(M.prepare(recs), u_sampled=True)
    _level(model, "mother_key", "same mother's name")["m_probability"] = 0.9
    _level(model, "mother_key", "All other comparisons")["m_probability"] = 0.1
    model = M._regularise(model)
    assert _explain(recs, model, 0, 1)["mother_key"] == ("missing", 0.0)  # lineage agrees
    level, weight = _explain(recs, model, 2, 3)["mother_key"]  # family differs: it counts
    assert level == "same mother's name" and weight > 0


def test_pairs_inside_one_list_are_compared_as_such() -> None:
    recs = _records(300)
    model = M._regularise(_untrained(M.prepare(recs)))
    assert _explain(recs, model, 0, 3)["source_list"][0].startswith("same list")  # list_0 twice
    assert _explain(recs, model, 0, 1)["source_list"][0] == "All other comparisons"
    one = M.prepare([{**r, "list": "only"} for r in _records(300)])
    assert "source_list" not in [c.get_comparison("duckdb").output_column_name
                                 for c in M.comparisons(one)]  # fmt: skip


def test_a_governorate_named_in_another_language_is_no_evidence_against() -> None:
    recs = _records(300)
    for r in recs:
        r["governorate"] = "West Coast District"
    recs[0].update(place_of_death=None, governorate="الساحل الغربي")
    recs[5]["place_of_death"] = None
    df = M.prepare(recs)
    model = M._regularise(_untrained(df))
    assert _explain(recs, model, 0, 1)["place"] == ("missing", 0.0)  # keys differ: no evidence
    assert _explain(recs, model, 5, 1)["place"][0] == "same governorate"


def test_an_age_without_a_date_of_death_gives_a_birth_year() -> None:
    df = M.prepare(
        [
            {"record_id": "1", "list": "a", "full_name": "Sami Darwish", "age": 30,
             "date_of_death": "2025-03-07"},
            {"record_id": "2", "list": "a", "full_name": "Rami Darwish", "age": 40},
            {"record_id": "3", "list": "b", "full_name": "Fadi Nasr", "age": 20},
        ]
    )  # fmt: skip
    assert df["birth_year"].tolist() == [1995, 1985, 2005]


@pytest.mark.parametrize("gap", [0, 1, 2])
def test_birth_years_up_to_two_apart_share_a_blocking_band(gap: int) -> None:
    years = list(range(1930, 2020))
    df = M.prepare(
        [{"record_id": f"{y}-{k}", "full_name": "Sami Darwish", "birth_year": y + k * gap}
         for y in years for k in (0, 1)]
    )  # fmt: skip
    a, b = df.iloc[0::2].reset_index(), df.iloc[1::2].reset_index()
    shared = (a["birth_band_a"] == b["birth_band_a"]) | (a["birth_band_b"] == b["birth_band_b"])
    assert shared.all()


def _lineage_records() -> list[dict[str, Any]]:
    recs = _records(300)
    rng = random.Random(5)
    for r in recs:
        r["grandfather_name"] = rng.choice(MALE)
    return recs


def test_a_full_name_without_the_fathers_name_is_read_as_a_shifted_lineage() -> None:
    recs = _lineage_records()
    recs[0].update(first_name="Sami", father_name="Khalid", grandfather_name="Yusuf",
                   family_name="Darwish")  # fmt: skip
    # the same man in a list of full names, his father's name left out: "given
    # grandfather family" is read as given, father, family
    recs[1].update(first_name=None, father_name=None, grandfather_name=None, family_name=None,
                   full_name="Sami Yusuf Darwish")  # fmt: skip
    recs[2].update(first_name=None, father_name=None, grandfather_name=None, family_name=None,
                   full_name="Sami Yusuf Nasr")  # another family  # fmt: skip
    model = M._regularise(_untrained(M.prepare(recs)))
    shifted = "family close, one's father is the other's grandfather"
    assert _explain(recs, model, 0, 1)["lineage"][0] == shifted
    assert _explain(recs, model, 0, 2)["lineage"][0] != shifted


@pytest.mark.parametrize(
    ("family_a", "family_b", "level"),
    [
        ("Farah", "فرح", "father and family close"),  # a final h one spelling drops
        ("Taha", "طه", "father and family close"),
        ("Basil", "بال", "father and family close, a letter more or less"),  # a letter dropped
        ("Darwish", "Nasr", "father close, family differs"),
    ],
)
def test_short_family_keys_a_letter_apart_are_close(family_a: str, family_b: str,
                                                    level: str) -> None:  # fmt: skip
    recs = _lineage_records()
    recs[0].update(first_name="Sami", father_name="Khalid", family_name=family_a)
    recs[1].update(first_name="Sami", father_name="Khalid", family_name=family_b)
    recs[0]["grandfather_name"] = recs[1]["grandfather_name"] = None
    model = M._regularise(_untrained(M.prepare(recs)))
    assert _explain(recs, model, 0, 1)["lineage"][0] == level


def test_a_record_without_its_lineage_is_blocked_with_its_match_when_names_need_refining() -> None:
    """A record that lacks the father's and the family name shares no lineage rule with
    its match; when a large input refines the given name + place rule beyond what the
    pair shares (their birth years are 3 apart: no common 5-year band), the rule kept for
    records missing a lineage name still puts them together, within the budget."""
    recs = _records(3000)
    recs[0].update(first_name="Sami", father_name="Walid", family_name="Darwish",
                   birth_year=1979, place_of_death="Basta")  # fmt: skip
    recs[1].update(first_name="Sami", father_name="", family_name="", birth_year=1982,
                   place_of_death="Basta")  # fmt: skip
    df = M.prepare(recs)
    budget = 20_000
    rules = M.blocking_columns(df, budget=budget)
    codes: dict[str, Any] = {}
    assert all(M._pairs_under(df, r, codes) <= budget for r in rules)
    i, j = pd.Series([0]), pd.Series([1])
    assert any(M.rule_catches(df, r, i, j)[0] for r in rules)
    # two records with their whole lineage, sharing only given name and place, are not
    # made a pair by that rule (a lineage rule holds them if they are one person)
    recs[2].update(first_name="Sami", birth_year=1979, place_of_death="Basta")
    recs[3].update(first_name="Sami", birth_year=1982, place_of_death="Basta")
    df = M.prepare(recs)
    gap_rules = [r for r in M.blocking_columns(df, budget=budget) if M.LINEAGE_GAP in r]
    assert gap_rules
    assert not any(M.rule_catches(df, r, pd.Series([2]), pd.Series([3]))[0] for r in gap_rules)
    assert any(M.rule_catches(df, r, pd.Series([0]), pd.Series([1]))[0] for r in gap_rules)


def test_a_record_without_a_birth_year_is_blocked_with_its_match_when_rules_are_banded() -> None:
    """When a large input refines the name rules by the birth bands, a pair in which one
    record has no birth year (the age left blank) shares no band; the same rule for the
    pairs lacking a birth year holds it, within the budget, and does not pair two
    records that both have their year."""
    recs = _records(3000)
    recs[0].update(first_name="Sami", father_name="Walid", family_name="Darwish",
                   birth_year=1979, place_of_death="Basta")  # fmt: skip
    # the same man, his father's name mistyped, his place and year left blank
    recs[1].update(first_name="Sami", father_name="Wlid", family_name="Darwish",
                   birth_year=None, place_of_death=None)  # fmt: skip
    df = M.prepare(recs)
    budget = 20_000
    rules = M.blocking_columns(df, budget=budget)
    codes: dict[str, Any] = {}
    assert all(M._pairs_under(df, r, codes) <= budget for r in rules)
    assert ("first_key", "family_key") not in rules  # refined
    assert any(M.BIRTH_GAP in r for r in rules)
    i, j = pd.Series([0]), pd.Series([1])
    assert any(M.rule_catches(df, r, i, j)[0] for r in rules)
    recs[2].update(first_name="Sami", family_name="Darwish", birth_year=1950)
    recs[3].update(first_name="Sami", family_name="Darwish", birth_year=2000)
    df = M.prepare(recs)
    gap_rules = [r for r in M.blocking_columns(df, budget=budget) if M.BIRTH_GAP in r]
    assert not any(M.rule_catches(df, r, pd.Series([2]), pd.Series([3]))[0] for r in gap_rules)
