"""The linkage model in words for the pair view: each comparison's field, the level a
pair reached and what its weight means, marked here for the catalogs (en, ar)."""

from __future__ import annotations

from typing import Any

from dalil.web.context import N_, Ctx

FIELD_WORDS: dict[str, str] = {
    "first_name": N_("First name"),
    "lineage": N_("Father's, grandfather's and family name"),
    "father_name": N_("Father's name"),
    "grandfather_name": N_("Grandfather's name"),
    "family_name": N_("Family name"),
    "mother_key": N_("Mother's name"),
    "birth_year": N_("Birth date or year"),
    "date_of_death": N_("Date of death"),
    "place": N_("Place of death"),
    "place_key": N_("Place of death"),
    "gov_key": N_("Governorate"),
    "sex": N_("Sex"),
    "national_id": N_("National ID"),
    "address_norm": N_("Address"),
}

#: The name parts of a list record, as the pair page labels them.
NAME_WORDS: dict[str, str] = {
    "full_name": N_("Full name"),
    "first_name": N_("First name"),
    "father_name": N_("Father's name"),
    "grandfather_name": N_("Grandfather's name"),
    "family_name": N_("Family name"),
    "mother_name": N_("Mother's name"),
}
SEX_WORDS = {"m": N_("male"), "f": N_("female")}


def names_in_words(ctx: Ctx, names: dict[str, str] | None) -> list[tuple[str, str]]:
    """A record's names as (label, name) in the page's language."""
    return [(ctx._(NAME_WORDS.get(k, k)), v) for k, v in (names or {}).items() if v]


def sex_in_words(ctx: Ctx, sex: str | None) -> str | None:
    return ctx._(SEX_WORDS[sex]) if sex in SEX_WORDS else sex


LEVEL_WORDS: dict[str, str] = {
    "missing": N_("missing in one record"),
    "same spelling": N_("same spelling"),
    "same long key": N_("same name, spelled differently"),
    "same key": N_("same name key"),
    "key 1 edit apart (keys of 4+ letters)": N_("one letter apart"),
    "key 2 edits apart (keys of 6+ letters)": N_("two letters apart"),
    "father, grandfather and family agree": N_("father, grandfather and family agree"),
    "father, grandfather and family close": N_("father, grandfather and family close"),
    "father and family agree": N_("father and family agree"),
    "father and family close": N_("father and family close"),
    "father agrees, family missing": N_("father agrees, family missing"),
    "family agrees, father missing": N_("family agrees, father missing"),
    "family close, father differs": N_("family close, father differs"),
    "father close, family differs": N_("father close, family differs"),
    "same birth date": N_("same birth date"),
    "same birth year": N_("same birth year"),
    "birth years ±1": N_("birth years one year apart"),
    "birth years ±3": N_("birth years up to three years apart"),
    "birth years ±8": N_("birth years up to eight years apart"),
    "same day": N_("same day"),
    "compatible (one date less precise)": N_("compatible (one date less precise)"),
    "same month": N_("same month"),
    "same year": N_("same year"),
    "same place": N_("same place"),
    "place 1 edit apart": N_("place one letter apart"),
    "same governorate": N_("same governorate"),
    "All other comparisons": N_("different"),
}


def _factor(bf: float) -> str:
    return f"{bf:,.0f}" if bf >= 10 else f"{bf:.1f}"


def in_words(ctx: Ctx, fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each comparison with ``label`` (the field), ``reached`` (the level) and
    ``meaning`` (what its weight says) in the page's language."""
    out = []
    for f in fields:
        name = str(f.get("field", ""))
        level = str(f.get("level", ""))
        if level.startswith("Exact match"):
            level = "same"
        bf = float(f.get("bayes_factor") or 1.0)
        direction = f.get("direction")
        if direction == "same":
            meaning = ctx._("%(factor)s times more likely if the same person",
                            factor=_factor(bf))  # fmt: skip
        elif direction == "different" and bf > 0:
            meaning = ctx._("%(factor)s times more likely if different people",
                            factor=_factor(1 / bf))  # fmt: skip
        else:
            meaning = ctx._("no evidence either way")
        out.append({
            **f,
            "label": ctx._(FIELD_WORDS[name]) if name in FIELD_WORDS else name,
            "reached": ctx._(LEVEL_WORDS[level]) if level in LEVEL_WORDS
            else (ctx._("same") if level == "same" else level),
            "meaning": meaning,
        })  # fmt: skip
    return out
