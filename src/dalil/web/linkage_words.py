"""A linkage comparison in words, English and Arabic: the field compared, the level a
pair reached and which fields drove a link (the cluster page; any page explaining a
pair can use :func:`worded_link`).

The model's comparisons are named by their output column (``first_name``, ``lineage``
…) and their levels by Splink's chart labels (``same key``, ``Exact match on sex``,
``Levenshtein distance of national_id <= 1``); both are mapped here to marked
messages. A label without words here is shown as it is.
"""

from __future__ import annotations

import re
from typing import Any

from dalil.web.context import N_

FIELDS: dict[str, str] = {
    "first_name": N_("given name"),
    "father_name": N_("father's name"),
    "grandfather_name": N_("grandfather's name"),
    "family_name": N_("family name"),
    "lineage": N_("father's, grandfather's and family names"),
    "mother_key": N_("mother's name"),
    "birth_year": N_("birth year or date"),
    "date_of_death": N_("date of death"),
    "place": N_("place of death"),
    "place_key": N_("place of death"),
    "gov_key": N_("governorate"),
    "sex": N_("sex"),
    "national_id": N_("national ID"),
    "address_norm": N_("address"),
    "postcode": N_("postcode"),
}

LEVELS: dict[str, str] = {
    "missing": N_("missing on one side"),
    "All other comparisons": N_("different"),
    "same spelling": N_("same spelling"),
    "same long key": N_("same letters, long vowels aside"),
    "same key": N_("same name, another spelling"),
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
    "birth years ±1": N_("birth years at most 1 apart"),
    "birth years ±3": N_("birth years at most 3 apart"),
    "birth years ±8": N_("birth years at most 8 apart"),
    "same day": N_("same day"),
    "compatible (one date less precise)": N_("compatible (one date less precise)"),
    "same month": N_("same month"),
    "same year": N_("same year"),
    "same place": N_("same place"),
    "place 1 edit apart": N_("place one letter apart"),
    "same governorate": N_("same governorate"),
}
SAME = N_("same")
APART = N_("at most %(n)s characters apart")
#: Fields whose weight is at least this many bits either way drove the link.
DRIVING_BITS = 1.0


def level_words(label: str) -> tuple[str, dict[str, Any]]:
    """The message (and its parameters) for a level's chart label."""
    if label in LEVELS:
        return LEVELS[label], {}
    if label == "null" or label.endswith(" is NULL"):
        return LEVELS["missing"], {}
    if label.startswith("Exact match on "):
        return SAME, {}
    m = re.fullmatch(r"Levenshtein distance of \w+ <= (\d+)", label)
    if m:
        return APART, {"n": int(m.group(1))}
    return label, {}


def worded_link(link: dict[str, Any]) -> dict[str, Any]:
    """*link* (``explain`` / ``cluster_view`` shape) with each field's ``words`` (field
    message), ``level_words`` and ``level_params``, and the fields that drove it:
    ``for`` (weight >= :data:`DRIVING_BITS`, strongest first) and ``against``."""
    fields = []
    for f in link.get("fields", []):
        words, params = level_words(str(f.get("level", "")))
        fields.append({**f, "words": FIELDS.get(str(f["field"]), str(f["field"])),
                       "level_words": words, "level_params": params})  # fmt: skip
    pro = sorted((f for f in fields if f["weight"] >= DRIVING_BITS), key=lambda f: -f["weight"])
    con = sorted((f for f in fields if f["weight"] <= -DRIVING_BITS), key=lambda f: f["weight"])
    return {**link, "fields": fields, "for": pro, "against": con}
