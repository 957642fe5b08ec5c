"""The linkage model in words for the pair view and the cluster page: each comparison's
field, the level a pair reached and what its weight means, marked here for the catalogs
(en, ar). Levels are Splink's chart labels; a label without words here is shown as it
is (Splink's own ``Exact match on …`` reads "same", ``Levenshtein distance of … <= n``
"at most n characters apart")."""

from __future__ import annotations

import re
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
    "source_list": N_("List the records come from"),
    "postcode": N_("Postcode"),
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
    "father and family close, a letter more or less": N_(
        "father and family close, a letter more or less"
    ),
    "family close, one's father is the other's grandfather": N_(
        "family close, one's father is the other's grandfather"
    ),
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
    "same list (a duplicate inside one list)": N_("same list (a duplicate inside one list)"),
    "same mother's name": N_("same mother's name"),
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
        words, params = level_words(level)
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
            "reached": ctx._(words) % params if params else ctx._(words),
            "meaning": meaning,
        })  # fmt: skip
    return out


SAME = N_("same")
APART = N_("at most %(n)s characters apart")
APART_ONE = N_("at most one character apart")
#: Fields whose weight is at least this many bits either way drove a link.
DRIVING_BITS = 1.0


def level_words(label: str) -> tuple[str, dict[str, Any]]:
    """The message (and its parameters) for a level's chart label."""
    if label in LEVEL_WORDS:
        return LEVEL_WORDS[label], {}
    if label == "null" or label.endswith(" is NULL"):
        return LEVEL_WORDS["missing"], {}
    if label.startswith("Exact match"):
        return SAME, {}
    m = re.fullmatch(r"Levenshtein distance of \w+ <= (\d+)", label)
    if m:
        n = int(m.group(1))
        return (APART_ONE, {}) if n == 1 else (APART, {"n": n})
    return label, {}


def worded_link(link: dict[str, Any]) -> dict[str, Any]:
    """*link* (``explain`` / ``cluster_view`` shape) with each field's ``words`` (field
    message), ``level_words`` and ``level_params`` (translated in the template), and the
    fields that drove it: ``for`` (weight >= :data:`DRIVING_BITS`, strongest first) and
    ``against`` (<= -:data:`DRIVING_BITS`)."""
    fields = []
    for f in link.get("fields", []):
        words, params = level_words(str(f.get("level", "")))
        fields.append({**f, "words": FIELD_WORDS.get(str(f["field"]), str(f["field"])),
                       "level_words": words, "level_params": params})  # fmt: skip
    pro = sorted((f for f in fields if f["weight"] >= DRIVING_BITS), key=lambda f: -f["weight"])
    con = sorted((f for f in fields if f["weight"] <= -DRIVING_BITS), key=lambda f: f["weight"])
    return {**link, "fields": fields, "for": pro, "against": con}
