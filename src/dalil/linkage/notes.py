"""Fields hidden in free-text notes: place and date of death, kinship, father's name.

Victim lists often keep what matters in a notes column ("killed at the checkpoint in
Kafr Salam on 7/3/2025 with his brother", "استشهد في حي الزهور مع أخيه بتاريخ ٧ آذار
٢٠٢٥"). :func:`extract` recovers, by rules (no model, nothing downloaded):

* ``date_of_death``: the first date that is not a birth date ("born 1990", "مواليد
  1990"), in numeric forms (``7/3/2025``, ``2025-03-07``, ``03/2025``, Arabic-Indic
  digits) or with a month name (English; Levantine ``آذار`` and Egyptian ``مارس`` Arabic
  month names), kept at the precision written;
* ``place_of_death``: a place the list itself names elsewhere (*places*: the other
  records' places, matched on whole words in either script's normal form), else the
  words after ``in``/``at``/``near`` (capitalised, up to three) or ``في``/``ب``/``قرب``/
  ``عند``/``على`` (up to three, stopping at a connecting word); a leading landmark word
  (checkpoint, حاجز, …) is dropped. Never from ``from``/``من`` (an origin, not a place
  of death);
* ``kinship``: the relations named ("with his brother", "مع أخيه", "and her two sons")
  as canonical English words (``brother``, ``son``, …);
* ``father_name``: from "son of X" / "daughter of X" / "ابن X" / "بنت X".

Every value is a proposal: :mod:`dalil.linkage.io` fills a standard field only where it
is empty and marks it as derived (``derived_fields``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dalil.linkage.fields import FieldError, parse_partial_date
from dalil.linkage.names import normalize_arabic, normalize_name

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_AR_MONTHS_RAW = {
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6,
    "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11,
    "كانون الأول": 12, "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4,
    "ابريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6, "يوليو": 7, "يوليه": 7, "أغسطس": 8,
    "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}  # fmt: skip
_AR_MONTHS = {normalize_arabic(k): v for k, v in _AR_MONTHS_RAW.items()}
_MONTHS = {**_EN_MONTHS, **_AR_MONTHS}
_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_B = r"(?<![\w])"  # a word boundary that also works next to Arabic letters
_E = r"(?![\w])"

_NUMERIC_DATE = re.compile(
    _B + r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{4}|\d{1,2}[-/.]\d{4}"
    r"|\d{4}[-/.]\d{1,2})" + _E
)
_DAY_MONTH_YEAR = re.compile(
    _B + r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(" + _MONTH_ALT + r")\.?,?\s+(\d{4})" + _E,
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(
    _B + r"(" + _MONTH_ALT + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})" + _E, re.IGNORECASE
)
_MONTH_YEAR = re.compile(_B + r"(" + _MONTH_ALT + r")\.?,?\s+(\d{4})" + _E, re.IGNORECASE)
_BIRTH = re.compile(
    r"(?:born|b\.|dob|birth|مواليد|مولود|مولوده|تولد|من مواليد|ولد|ولدت)\s*(?:in|on|:)?\s*$",
    re.IGNORECASE,
)

_EN_KIN = {
    "brother": "brother", "brothers": "brother", "sister": "sister", "sisters": "sister",
    "son": "son", "sons": "son", "daughter": "daughter", "daughters": "daughter",
    "father": "father", "mother": "mother", "wife": "wife", "husband": "husband",
    "cousin": "cousin", "cousins": "cousin", "uncle": "uncle", "nephew": "nephew",
    "niece": "niece", "grandson": "grandson", "granddaughter": "granddaughter",
    "grandfather": "grandfather", "grandmother": "grandmother", "children": "child",
    "child": "child", "parents": "parent",
}  # fmt: skip
_AR_KIN_RAW = {
    "أخيه": "brother", "أخوه": "brother", "أخاه": "brother", "أخيها": "brother",
    "أخوها": "brother", "شقيقه": "brother", "شقيقها": "brother", "إخوته": "brother",
    "أخويه": "brother", "أخته": "sister", "أختها": "sister", "شقيقته": "sister",
    "شقيقتها": "sister", "ابنه": "son", "ابنها": "son", "ولده": "son", "ولدها": "son",
    "أبنائه": "son", "أبنائها": "son", "ابنيه": "son", "ابنيها": "son", "ابنته": "daughter",
    "ابنتها": "daughter", "بنته": "daughter", "بنتها": "daughter", "بناته": "daughter",
    "والده": "father", "والدها": "father", "أبيه": "father", "أبوه": "father",
    "أبيها": "father", "والدته": "mother", "والدتها": "mother", "أمه": "mother",
    "أمها": "mother", "زوجته": "wife", "زوجها": "husband", "عمه": "uncle", "عمها": "uncle",
    "خاله": "uncle", "خالها": "uncle", "حفيده": "grandson", "حفيدها": "grandson",
    "حفيدته": "granddaughter", "جده": "grandfather", "جدته": "grandmother",
    "أطفاله": "child", "أطفالها": "child", "أولاده": "child", "أولادها": "child",
}  # fmt: skip
_AR_KIN = {normalize_arabic(k): v for k, v in _AR_KIN_RAW.items()}
# a kinship word with a following name is an attribute of the relative ("ابن عمه" =
# cousin); "ابن X"/"son of X" at the start of a clause names the father instead
_AR_COUSIN = re.compile(r"(?:ابن|ابنه|بنت)\s+(?:عمه|عمها|خاله|خالها)")

_EN_PREP = re.compile(r"\b(?:in|at|near|inside|outside)\s+(?:the\s+)?", re.IGNORECASE)
_AR_PREP = re.compile(
    r"(?:^|(?<=\s))(?:"
    + "|".join(normalize_arabic(w) for w in ("في", "قرب", "عند", "على", "داخل", "بمنطقة",
                                               "بمدينة", "ببلدة", "بقرية"))
    + r")\s+"
)  # fmt: skip
_LANDMARKS_RAW = {
    "checkpoint", "road", "entrance", "outskirts", "market", "square", "mosque",
    "hospital", "bakery", "school", "village", "town", "city", "district", "area",
    "حاجز", "مدخل", "اطراف", "سوق", "ساحه", "جامع", "مسجد", "مشفى", "مستشفى", "فرن",
    "مدرسه", "قريه", "بلده", "مدينه", "منطقه", "طريق",
}  # fmt: skip
_AR_STOP_RAW = {
    "مع", "في", "عند", "على", "قرب", "يوم", "بتاريخ", "تاريخ", "بعد", "قبل", "اثناء",
    "خلال", "و", "او", "الى", "من", "برصاص", "بقصف", "جراء", "نتيجه", "اثر", "حيث",
    "وهو", "وهي", "بسبب", "عام", "سنه", "شهر", "ليلا", "صباحا", "مساء", "ظهرا",
}  # fmt: skip
_LANDMARKS = {normalize_arabic(w) for w in _LANDMARKS_RAW}
_AR_STOP = {normalize_arabic(w) for w in _AR_STOP_RAW}
_EN_STOP_LOWER = {"with", "and", "on", "by", "during", "after", "before", "while", "when"}
_CAP_WORD = re.compile(r"^(?:[A-Z][\w'’-]*|al-\w+|el-\w+|al|el|ad-\w+|as-\w+|ar-\w+)$")
_SON_OF = re.compile(
    r"\b(?:son|daughter|s/o|d/o)\s+of\s+((?:abd|abdul|abdel|abu|abou)[\s-]?(?:al-|el-)?\w+|\w+)",
    re.IGNORECASE,
)
_AR_SON_OF = re.compile(r"(?:^|(?<=[\s،,.]))(?:ابن|بنت|ابنه|ابنة)\s+((?:عبد|ابو)\s+\S+|\S+)")
_AR_PRONOUN_KIN = set(_AR_KIN)


@dataclass
class Extracted:
    """What a note says; every field may be missing."""

    date_of_death: str | None = None
    place_of_death: str | None = None
    kinship: list[str] = field(default_factory=list)
    father_name: str | None = None

    def fields(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k in ("date_of_death", "place_of_death", "father_name"):
            if getattr(self, k):
                out[k] = getattr(self, k)
        if self.kinship:
            out["kinship"] = ", ".join(self.kinship)
        return out


def _norm(text: str) -> str:
    text = normalize_arabic(text)
    return re.sub(r"[\u060c\u061b]", ",", text)  # Arabic comma and semicolon


def _date(text: str) -> str | None:
    spans: list[tuple[int, str]] = []

    def add(start: int, value: str | None) -> None:
        if value is None:
            return
        before = text[max(0, start - 20) : start]
        if _BIRTH.search(before):
            return
        spans.append((start, value))

    for m in _NUMERIC_DATE.finditer(text):
        try:
            add(m.start(), parse_partial_date(m.group(1)))
        except FieldError:
            continue
    for m in _DAY_MONTH_YEAR.finditer(text):
        add(m.start(), _ymd(m.group(3), m.group(2), m.group(1)))
    for m in _MONTH_DAY_YEAR.finditer(text):
        add(m.start(), _ymd(m.group(3), m.group(1), m.group(2)))
    taken = [s for s, _ in spans]
    for m in _MONTH_YEAR.finditer(text):
        if not any(abs(m.start() - s) < 12 for s in taken):
            add(m.start(), _ymd(m.group(2), m.group(1), None))
    if not spans:
        return None
    # the most precise of the dates that start first (a day beats its month)
    spans.sort(key=lambda s: (s[0], -len(s[1])))
    return spans[0][1]


def _ymd(year: str, month: str, day: str | None) -> str | None:
    mo = _MONTHS.get(month.lower())
    if mo is None:
        return None
    value = f"{year}-{mo:02d}" + (f"-{int(day):02d}" if day else "")
    try:
        return parse_partial_date(value)
    except FieldError:
        return None


_ORIGIN = {"from", "of", "من", "ابن", "اهالي", "اهل"}


class Gazetteer:
    """Places a list names (its own place columns), looked up by whole words in
    either script's normal form; the longest match wins."""

    def __init__(self, places: Iterable[str] = ()) -> None:
        self.by_norm: dict[str, str] = {}
        self.longest = 0
        for p in places:
            n = normalize_name(p)
            if n and len(n) >= 3:
                self.by_norm.setdefault(n, p)
                self.longest = max(self.longest, len(n.split()))

    def find(self, text: str) -> str | None:
        if not self.by_norm:
            return None
        words = normalize_name(text).split()
        best: tuple[int, int, str] | None = None
        for i in range(len(words)):
            before = " ".join(words[:i])
            if (i and words[i - 1] in _ORIGIN) or _in_birth_clause(before, len(before)):
                continue  # "from Basta", "born in Basta": not where the person died
            for n in range(min(self.longest, len(words) - i), 0, -1):
                cand = " ".join(words[i : i + n])
                hit = self.by_norm.get(cand)
                first = words[i]
                if hit is None and len(first) > 3 and first[0] in "بول":
                    # an attached preposition or conjunction: بحمص, وحمص, لحمص
                    hit = self.by_norm.get(" ".join([first[1:], *words[i + 1 : i + n]]))
                if hit is not None:
                    if best is None or n > best[0]:
                        best = (n, -i, hit)
                    break
        return best[2] if best else None


_DEATH_WORD = re.compile(
    r"\b(?:killed|killd|died|shot|executed|murdered|martyred|found)\b|قتل|استشهد|توفي|اعدم|وجد",
    re.IGNORECASE,
)
_BIRTH_WORD = re.compile(r"\b(?:born|birth|dob|b\.)|مواليد|مولود|ولد|ولدت|تولد", re.IGNORECASE)


def _in_birth_clause(text: str, start: int) -> bool:
    """Whether *start* is in a clause about birth ("born 1979 in Basta")."""
    clause = re.split(r"[,.;:،\n]", text[:start])[-1]
    births = [m.end() for m in _BIRTH_WORD.finditer(clause)]
    deaths = [m.end() for m in _DEATH_WORD.finditer(clause)]
    return bool(births) and (not deaths or births[-1] > deaths[-1])


def _place_en(text: str) -> str | None:
    for m in _EN_PREP.finditer(text):
        if _in_birth_clause(text, m.start()):
            continue
        words = re.split(r"\s+", text[m.end() :].strip())
        got: list[str] = []
        for w in words[:6]:
            clean = w.strip(',.;:()"')
            arabic = bool(re.match(r"[\u0600-\u06ff]", clean))
            if (
                not clean
                or clean.lower() in _EN_STOP_LOWER
                or (arabic and (clean in _AR_STOP or clean in _AR_PRONOUN_KIN))
                or not (arabic or _CAP_WORD.match(clean))
            ):
                break
            got.append(clean)
            if clean != w.rstrip() and w.rstrip()[-1:] in ",.;:":
                break
            if len(got) == 3:
                break
        while got and got[0].lower() in _LANDMARKS:
            got.pop(0)
        if got:
            return " ".join(got)
    return None


def _place_ar(text: str) -> str | None:
    for prep in _AR_PREP.finditer(text):
        start = prep.end()
        if _in_birth_clause(text, prep.start()):
            continue
        got: list[str] = []
        for w in text[start:].split()[:6]:
            clean = w.strip(',.;:()"')
            if (
                not clean
                or clean in _AR_STOP
                or clean in _AR_PRONOUN_KIN
                or any(c.isdigit() for c in clean)
                or clean in _MONTHS
                or not (re.match(r"[\u0600-\u06ff]", clean) or _CAP_WORD.match(clean))
            ):
                break
            got.append(clean)
            if w.rstrip()[-1:] in ",.;:" or len(got) == 3:
                break
        while got and got[0] in _LANDMARKS:
            got.pop(0)
        if got and not (len(got) == 1 and len(got[0]) < 3):
            return " ".join(got)
    return None


def _kinship(text: str) -> list[str]:
    found: list[str] = []
    low = text.lower()
    if _AR_COUSIN.search(text) or re.search(r"\bcousins?\b", low):
        found.append("cousin")
    for w in re.findall(r"[a-z]+", low):
        kin = _EN_KIN.get(w)
        if kin and re.search(
            r"\b(?:his|her|their|two|three|four|\d+|and|with)\s+(?:\w+\s+)?" + w + r"\b(?!['’]s)",
            low,
        ):
            found.append(kin)
    stripped = _AR_COUSIN.sub(" ", text)
    for w in stripped.split():
        w = w.strip(',.;:()"')
        kin = _AR_KIN.get(w) or (_AR_KIN.get(w[1:]) if w[:1] in "وب" else None)
        if kin:
            found.append(kin)
    return sorted(set(found))


def _father(text: str) -> str | None:
    m = _SON_OF.search(text)
    if m:
        return m.group(1).strip(",.;:")
    for m in _AR_SON_OF.finditer(text):
        name = m.group(1).strip(",.;:")
        first = name.split()[0]
        if first in _AR_KIN or first in _AR_STOP or first in {"عمه", "عمها", "خاله", "خالها"}:
            continue
        return name
    return None


def extract(note: str | None, *, places: Gazetteer | None = None) -> Extracted:
    """Fields a free-text *note* states (see the module docstring). Blank → empty."""
    if note is None or not str(note).strip():
        return Extracted()
    text = _norm(str(note))
    place = places.find(text) if places is not None else None
    if place is None:
        place = _place_en(text) or _place_ar(text)
    return Extracted(
        date_of_death=_date(text),
        place_of_death=place,
        kinship=_kinship(text),
        father_name=_father(text),
    )
