"""The linkage model's comparisons in words: which field two list records were compared
on (``first_name``, ``lineage``, ``place_key`` …) and the level they reached (``same
spelling``, ``Exact match on sex`` …), as labels in the user's language.

The names and levels are those of :mod:`dalil.linkage.model` (and Splink's own labels for
its library comparisons); one that is not here is shown as it is, marked as English.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup

from dalil.web.context import N_

FIELDS: dict[str, str] = {
    "full_name": N_("Full name"),
    "first_name": N_("First name"),
    "father_name": N_("Father's name"),
    "grandfather_name": N_("Grandfather's name"),
    "family_name": N_("Family name"),
    "mother_key": N_("Mother's name"),
    "lineage": N_("Father's, grandfather's and family names together"),
    "birth_year": N_("Birth year"),
    "age": N_("Age"),
    "date_of_death": N_("Date of death"),
    "place": N_("Place of death"),
    "place_key": N_("Place of death"),
    "gov_key": N_("Governorate"),
    "sex": N_("Sex"),
    "national_id": N_("National identity number"),
    "address_norm": N_("Address"),
    "postcode": N_("Postcode"),
}

LEVELS: dict[str, str] = {
    "null": N_("missing on one side"),
    "same spelling": N_("same spelling"),
    "same long key": N_("same name, long form"),
    "same key": N_("same name, written differently"),
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
    "All other comparisons": N_("different"),
    "All other": N_("different"),
}

_EXACT = re.compile(r"Exact match (?:on|of) \S+")
_LEVENSHTEIN = re.compile(r"Levenshtein distance of \S+ <= (?P<n>\d+)")
_NULL = re.compile(r"\S+ is NULL")


def field_words(name: str, _: Callable[[str], str]) -> Markup:
    """A compared field as a label (unknown: the name as it is, marked English)."""
    if name in FIELDS:
        return Markup.escape(_(FIELDS[name]))
    return Markup('<bdi dir="ltr" lang="en">{}</bdi>').format(name)


def level_words(label: str, _: Callable[[str], str]) -> Markup:
    """The level two records reached on a field, in words."""
    if label in LEVELS:
        return Markup.escape(_(LEVELS[label]))
    if _EXACT.fullmatch(label):
        return Markup.escape(_("the same"))
    m = _LEVENSHTEIN.fullmatch(label)
    if m:
        return Markup.escape(_("at most %(n)s letters apart") % {"n": m["n"]})
    if _NULL.fullmatch(label):
        return Markup.escape(_(LEVELS["null"]))
    return Markup('<bdi dir="ltr" lang="en">{}</bdi>').format(label)
