"""Arabic/Latin name normalisation, particles, keys and splitting."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.linkage.names import (
    long_key,
    name_key,
    name_units,
    normalize_arabic,
    normalize_name,
    part_key,
    split_full_name,
)

from .name_variants import GROUPS


def _pairs() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    pos = [p for g in GROUPS for p in itertools.combinations(g, 2)]
    rng = random.Random(7)
    neg = []
    for g1, g2 in itertools.combinations(GROUPS, 2):
        neg.append((rng.choice(g1), rng.choice(g2)))
    return pos, neg


def test_variant_groups_are_hundreds_of_pairs_in_both_scripts() -> None:
    pos, neg = _pairs()
    assert len(pos) >= 500 and len(neg) >= 5000
    assert all(any("\u0600" <= c <= "\u06ff" for c in g[0]) for g in GROUPS)


def test_key_pair_recall_and_collision_rate_on_written_variants() -> None:
    """Measured when written: pair recall 0.981, collision rate 0.0034."""
    pos, neg = _pairs()
    recall = sum(part_key(a) == part_key(b) for a, b in pos) / len(pos)
    collisions = sum(part_key(a) == part_key(b) for a, b in neg) / len(neg)
    print(f"coarse key: pair recall {recall:.3f} on {len(pos)} pairs, "
          f"collision rate {collisions:.4f} on {len(neg)} non-pairs")  # fmt: skip
    assert recall >= 0.96
    assert collisions <= 0.01


def test_long_key_separates_names_the_coarse_key_merges() -> None:
    assert part_key("حسن") == part_key("حسين")  # coarse: same consonants
    assert long_key("حسن") != long_key("حسين")
    assert long_key("Hassan") != long_key("Hussein")
    assert long_key("Hussein") == long_key("حسين") == long_key("Husain")
    assert long_key("Mahmoud") == long_key("محمود") != long_key("Mohammad")


@pytest.mark.parametrize(
    "variants",
    [
        ["محمد", "Mohammad", "Muhammad", "Mohamed", "Mhd"],
        ["حسين", "Hussein", "Husain", "Hussain"],
        ["عبد الرحمن", "Abdulrahman", "Abd al-Rahman", "Abdel Rahman", "Abdurrahman"],
    ],
)
def test_issue_examples_share_one_key(variants: list[str]) -> None:
    assert len({part_key(v) for v in variants}) == 1


def test_arabic_normalisation_folds_letter_forms_and_digits() -> None:
    assert normalize_arabic("أحمد") == normalize_arabic("احمد") == normalize_arabic("إحمد")
    assert normalize_arabic("مُحَمَّد") == "محمد"  # diacritics and shadda removed
    assert normalize_arabic("محـــمد") == "محمد"  # tatweel removed
    assert normalize_arabic("فاطمة") == "فاطمه"  # ta marbuta folded
    assert normalize_arabic("فاطمة", fold_ta_marbuta=False) == "فاطمة"
    assert normalize_arabic("مصطفى") == "مصطفي"  # alef maqsura
    assert normalize_arabic("کریم") == normalize_arabic("كريم")  # Persian keheh, yeh
    assert normalize_arabic("٢٠٢٥") == "2025" == normalize_arabic("۲۰۲۵")
    assert normalize_arabic("آمنة") == normalize_arabic("امنة")


def test_persian_letters_get_latin_equivalents_in_the_key() -> None:
    assert part_key("پ") == part_key("ب")
    assert part_key("چادی") == part_key("Chadi")
    assert part_key("گلزار") == part_key("Golzar")


def test_latin_normalisation_strips_accents_and_ayn_marks() -> None:
    assert normalize_name("Ḥusayn") == "husayn"
    assert normalize_name("Sa‘īd") == "said"
    assert normalize_name("ʿAbd al-Raḥmān") == "abd al-rahman"


def test_compounds_and_particles_form_single_units() -> None:
    assert name_units("Abd al-Rahman bin Khaled al Hasan") == [
        "abd al-rahman", "khaled", "al hasan"
    ]  # fmt: skip
    assert name_units("عبد الله بن محمد الحلبي") == ["عبد الله", "محمد", "الحلبي"]
    assert name_units("Nour El Din Abu Bakr") == ["nour el din", "abu bakr"]
    assert len(name_units("نور الدين أبو بكر")) == 2
    assert name_units("Fatima bint Ali") == ["fatima", "ali"]


def test_full_name_split_follows_first_father_grandfather_family() -> None:
    p = split_full_name("Mohammad Khaled Ahmad al-Hasan")
    assert (p.first, p.father, p.grandfather, p.family) == (
        "mohammad",
        "khaled",
        "ahmad",
        "al-hasan",
    )
    p = split_full_name("عبد الرحمن يوسف الأحمد")
    assert (p.first, p.father, p.grandfather, p.family) == ("عبد الرحمن", "يوسف", "", "الاحمد")
    p = split_full_name("Hala Darwish")
    assert (p.first, p.father, p.family) == ("hala", "", "darwish")
    assert split_full_name("").first == ""
    p = split_full_name("Ali Omar Hasan Mahmoud al-Zoubi Halabi")
    assert p.family == "mahmoud al-zoubi halabi"  # units after the grandfather


def test_full_name_key_keeps_unit_structure() -> None:
    assert name_key("Mohammad Abdulrahman al-Hasan") == "mhmd bdrhmn hsn"
    assert name_key("محمد عبد الرحمن الحسن") == "mhmd bdrhmn hsn"


def test_blank_names_give_empty_keys() -> None:
    for blank in ("", None, "  ", "-"):
        assert part_key(blank) == ""


_AR_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءأإآةى"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_AR_LETTERS, min_size=1, max_size=12))
def test_diacritics_and_tatweel_never_change_the_key(word: str) -> None:
    decorated = "".join(c + "\u064e" for c in word) + "\u0640"
    assert part_key(decorated) == part_key(word)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_a_key_without_error(text: str) -> None:
    k = name_key(text)
    assert isinstance(k, str)
    assert k == k.strip()
