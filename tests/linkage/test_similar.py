"""Duplicate warnings while a victim is typed in (dalil.linkage.similar): the
hand-written evaluation set (fictional names in the forms real lists take) is kept at
the recall and precision measured when the warnings were built; see
benchmarks/dupes_warnings.py for the same figures beside a generated set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dalil.linkage.similar import Pool, Probe, candidate, evaluate, name_keys, record_names

EVAL = Path(__file__).parent.parent / "data" / "linkage" / "dupes_eval.json"


def load_eval() -> tuple[Pool, list[tuple[Probe, set[str]]], list[dict[str, Any]]]:
    data = json.loads(EVAL.read_text(encoding="utf-8"))
    pool = Pool([
        candidate(e["ref"], e["names"], sex=e.get("sex"), age=e.get("age"),
                  date=e.get("date"), place=e.get("place"))
        for e in data["existing"]
    ])  # fmt: skip
    probes = [
        (Probe(p["name"], p.get("sex"), p.get("age"), p.get("date"), p.get("place")),
         set(p["expect"]))
        for p in data["probes"]
    ]  # fmt: skip
    return pool, probes, data["probes"]


def test_hand_written_set_recall_and_precision() -> None:
    pool, probes, _ = load_eval()
    s = evaluate(pool, probes)
    assert s.expected >= 40 and len(probes) >= 40
    assert s.recall >= 0.95, s
    assert s.precision >= 0.75, s


def test_every_duplicate_probe_warns_and_most_new_persons_do_not() -> None:
    pool, probes, raw = load_eval()
    missed = [r["form"] for (p, t), r in zip(probes, raw, strict=True)
              if t and not {m.ref for m in pool.search(p)} & t]  # fmt: skip
    assert missed == []
    quiet = [bool(pool.search(p)) for p, t in probes if not t]
    assert sum(quiet) <= len(quiet) // 3, quiet


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("محمد عبد الرحمن الحسن", "Muhammad Abdulrahman al-Hasan"),
        ("Nour al-Din", "Noureddine"),
        ("Mhd Abdallah", "محمد عبد الله"),
        ("Khadija bint Ali", "خديجة علي"),
    ],
)
def test_the_two_scripts_give_the_same_keys(a: str, b: str) -> None:
    assert name_keys(a) == name_keys(b)


def test_a_different_given_name_or_sex_gives_no_warning() -> None:
    pool = Pool([candidate("p:1", ["Ahmad Mahmoud al-Hasan"], sex="m")])
    assert pool.search(Probe("Omar Mahmoud al-Hasan", "m")) == []
    assert pool.search(Probe("Muhammad Mahmoud al-Hasan", "m")) == []
    assert pool.search(Probe("Ahmad Mahmoud al-Hasan", "f")) == []
    assert [m.ref for m in pool.search(Probe("احمد الحسن", "m"))] == ["p:1"]


def test_a_cousin_with_another_fathers_name_gives_no_warning() -> None:
    """Same given and family name, both with a father's name that differ (cousins named
    after one grandfather): evidence of two people, even when sex, age, date and place
    agree; a father's name one letter off is a typo and still warns."""
    pool = Pool([candidate("p:1", ["Ahmad Mahmoud al-Hasan"], sex="m", age=41,
                           date="2025-03-08", place="Tal Sahem")])  # fmt: skip
    assert pool.search(Probe("Ahmad Sami al-Hasan", "m", 41, "2025-03-08", "Tal Sahem")) == []
    assert pool.search(Probe("أحمد سامي الحسن", "m", 40, "2025-03")) == []
    typo = pool.search(Probe("Ahmad Mahmod al-Hasan", "m", 41))
    assert [m.ref for m in typo] == ["p:1"] and typo[0].likely
    short = Pool([candidate("p:2", ["Zainab Hussein Darwish"], sex="f")])
    assert [m.ref for m in short.search(Probe("Zainab Husseim Darwish", "f"))] == ["p:2"]
    # a father's name left out is no disagreement
    assert [m.ref for m in pool.search(Probe("Ahmad al-Hasan", "m", 41))] == ["p:1"]


def test_a_final_h_a_latin_spelling_drops_still_matches() -> None:
    pool = Pool([candidate("p:1", ["صلاح فرح الصالح"], sex="m", age=40)])
    found = pool.search(Probe("Salah Farah al-Saleh", "m", 40))
    assert [m.ref for m in found] == ["p:1"] and found[0].likely
    assert pool.search(Probe("Sami Farah al-Saleh", "m", 40)) == []


def test_list_record_names_use_full_name_and_parts() -> None:
    rec = {"full_name": "Rami Jamil", "first_name": "Rami", "family_name": "Abdallah"}
    assert record_names(rec) == ["Rami Jamil", "Rami Abdallah"]
    assert record_names({"first_name": " "}) == []


def test_a_single_name_never_warns_even_when_age_and_sex_agree() -> None:
    pool = Pool([candidate("p:1", ["V-browser-flow-en", "Salma"], sex="f", age=33)])
    assert pool.search(Probe("V-browser-flow-ar", "f", 33)) == []  # one edit apart
    assert pool.search(Probe("Salma", "f", 33, "2025-03")) == []


def test_any_typed_text_is_searched_without_failing() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pool = Pool([candidate("p:1", ["محمد عبد الرحمن الحسن", "Abu Ahmad"], sex="m", age=30,
                           date="2025-03-08", place="Tal")])  # fmt: skip
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)

    @given(text, text, st.sampled_from([None, "m", "f"]), st.none() | st.integers(0, 150))
    @settings(max_examples=300, deadline=None)
    def run(name: str, place: str, sex: str | None, age: int | None) -> None:
        for m in pool.search(Probe(name, sex, age, "2025-03", place or None)):
            assert 0 < m.score <= 1

    run()
