"""Quantities as intervals ``[low, high]`` (``None`` = open), with qualifier and counted noun.

The rules (also in docs/sources.md):

=====================  =======================  ==========  ===========================
form                   example                  interval    qualifier
=====================  =======================  ==========  ===========================
bare number            "32 of the killings"     [N, N]      exact
more than / over       "more than 100 people"   [N+1, –]    more_than
at least / no fewer    "at least 32"            [N, –]      at_least
nearly / almost        "nearly 50"              [⌈0.8N⌉, N-1]  nearly
about / around / some  "about 1,700"            [⌊0.9N⌋, ⌈1.1N⌉]  approximately
up to / at most        "up to 40"               [–, N]      at_most
fewer/less than        "fewer than 10"          [–, N-1]    fewer_than
range                  "between 40 and 50"      [a, b]      range
dozens                 "dozens of bodies"       [24, 99]    vague
scores                 "scores of"              [40, 99]    vague
hundreds               "hundreds of corpses"    [200, 999]  vague
thousands              "thousands"              [2000, 9999]  vague
tens of thousands      –                        [20000, 99999]  vague
a dozen / a hundred    –                        [12, 12] …  exact
=====================  =======================  ==========  ===========================

Number words (one … ninety-nine, hundred, thousand, million, "two hundred and fifty"),
digits with thousands separators (1,700 / 1.700 is *not* read as 1700 – only commas and
Arabic ``٬``) and Arabic-Indic digits are read.  Arabic: أكثر من (more_than), ما لا يقل
عن / على الأقل (at_least), نحو / حوالي / قرابة / زهاء / ما يقارب (approximately), عشرات
[20, 99], مئات [200, 999], آلاف [2000, 9999], مئة/مائة 100, مئتان 200, ألف 1000.
Numbers that are part of a date or a year (1900–2100 next to a month or after
in/since/of) are not quantities, nor are percentages.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from itertools import pairwise
from typing import Any

Span = tuple[int, int]


@dataclass
class Quantity:
    text: str
    low: int | None
    high: int | None
    qualifier: str
    counted: str | None
    span: Span
    value: int | None = None  # the number as written (None for vague words)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d


UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

AR_NUMBERS = {
    "واحد": 1, "اثنان": 2, "اثنين": 2, "ثلاثة": 3, "ثلاث": 3, "أربعة": 4, "اربعة": 4,
    "أربع": 4, "خمسة": 5, "خمس": 5, "ستة": 6, "ست": 6, "سبعة": 7, "سبع": 7, "ثمانية": 8,
    "ثماني": 8, "تسعة": 9, "تسع": 9, "عشرة": 10, "عشر": 10, "عشرين": 20, "عشرون": 20,
    "ثلاثين": 30, "ثلاثون": 30, "أربعين": 40, "أربعون": 40, "خمسين": 50, "خمسون": 50,
    "مئة": 100, "مائة": 100, "مئتان": 200, "مئتين": 200, "مائتين": 200, "مائتان": 200,
    "ثلاثمئة": 300, "ثلاثمائة": 300, "أربعمئة": 400, "خمسمئة": 500, "ألف": 1000,
    "ألفان": 2000, "ألفين": 2000,
}  # fmt: skip
AR_VAGUE = {"عشرات": (20, 99), "مئات": (200, 999), "آلاف": (2000, 9999), "الآلاف": (2000, 9999), "المئات": (200, 999), "العشرات": (20, 99)}  # fmt: skip
VAGUE = {
    "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999),
    "thousands": (2000, 9999), "millions": (2_000_000, 9_999_999),
}  # fmt: skip

_NUMWORD = "|".join(sorted([*UNITS, *TENS, *SCALES, "dozen"], key=len, reverse=True))
_DIGITS = r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+"
_EN_NUMBER = rf"(?:{_DIGITS}|(?:a\s+)?(?:{_NUMWORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMWORD}))*)"
_AR_NUM = "|".join(sorted(AR_NUMBERS, key=len, reverse=True))
_AR_VAGUE = "|".join(sorted(AR_VAGUE, key=len, reverse=True))

_QUALIFIERS: list[tuple[str, str]] = [
    (r"more\s+than|over|upwards\s+of|in\s+excess\s+of|exceeding", "more_than"),
    (r"at\s+least|no\s+fewer\s+than|no\s+less\s+than|a\s+minimum\s+of", "at_least"),
    (r"nearly|almost|close\s+to|just\s+under", "nearly"),
    (
        r"about|around|approximately|roughly|some|an\s+estimated|estimated|circa|"
        r"approx\.|c\.|up\s+to\s+about",
        "approximately",
    ),
    (r"up\s+to|at\s+most|as\s+many\s+as|no\s+more\s+than", "at_most"),
    (r"fewer\s+than|less\s+than|under|below", "fewer_than"),
]
_QUAL_RE = "|".join(f"(?P<q{i}>{pat})" for i, (pat, _) in enumerate(_QUALIFIERS))
_AR_QUAL: list[tuple[str, str]] = [
    (r"أكثر\s+من|اكثر\s+من|ما\s+يزيد\s+(?:على|عن)|يزيد\s+(?:على|عن)", "more_than"),
    (r"ما\s+لا\s+يقل\s+عن|لا\s+يقل\s+عن", "at_least"),
    (r"نحو|حوالي|حوالى|قرابة|زهاء|ما\s+يقارب|ما\s+يقرب\s+من|قرابة", "approximately"),
    (r"أقل\s+من|اقل\s+من", "fewer_than"),
]
_AR_QUAL_RE = "|".join(f"(?P<a{i}>{pat})" for i, (pat, _) in enumerate(_AR_QUAL))

_EN_RE = re.compile(
    rf"""(?ix)
    (?:\b(?P<qual>{_QUAL_RE})\s+)?
    (?:
      \bbetween\s+(?P<r1>{_EN_NUMBER})\s+and\s+(?P<r2>{_EN_NUMBER})\b
     |(?P<r3>{_DIGITS})\s*(?:-|–|to)\s*(?P<r4>{_DIGITS})\b
     |\b(?P<tensof>tens\s+of\s+thousands)\b
     |\b(?P<several>several|a\s+few)\s+(?P<sevunit>dozen|hundred|thousand)s?\b
     |\b(?P<vague>dozens|scores|hundreds|thousands|millions)\b
     |(?<![\w.,])(?<!\w-)(?P<num>{_EN_NUMBER})(?![\w%]|[.,][0-9])
    )
    """
)
_AR_RE = re.compile(
    rf"""(?x)
    (?:(?P<aqual>{_AR_QUAL_RE})\s+)?
    (?:
      (?P<avague>{_AR_VAGUE})
     |(?<![\w.,:/])(?<!\w-)(?P<anum>[0-9٠-٩۰-۹]+(?:[,٬][0-9٠-٩۰-۹]{{3}})*)(?![\w%٪:/]|[.,][0-9])
     |(?P<aword>{_AR_NUM})(?![\u0621-\u064A])
    )
    """
)
_MONTHS = (
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_AR_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

COUNT_ADJECTIVES = {
    "civilian", "other", "more", "unarmed", "young", "armed", "innocent", "additional",
    "confirmed", "documented", "reported", "unlawful", "alleged", "separate", "further",
    "new", "known", "male", "female", "elderly", "displaced", "dead", "missing", "mass",
    "extrajudicial", "identified", "unidentified", "named",
}  # fmt: skip
NOT_NOUNS = {
    "were", "was", "are", "is", "have", "had", "has", "and", "or", "in", "on", "at", "by",
    "to", "from", "with", "for", "of", "the", "a", "an", "who", "which", "that", "killed",
    "died", "said", "per", "percent", "than", "times", "out", "as", "it", "they", "these",
    "be", "been", "will", "would", "could", "may", "people's", "fled", "remain", "remained",
    "including", "among", "more", "each", "days", "later", "ago",
}  # fmt: skip


def parse_number_words(s: str) -> int | None:
    """'two hundred and fifty' → 250; '1,700' → 1700; 'a dozen' → 12."""
    s = s.strip().lower().translate(_AR_INDIC)
    if re.fullmatch(r"\d{1,3}(?:[,٬]\d{3})+|\d+", s):
        return int(re.sub(r"[,٬]", "", s))
    words = [w for w in re.split(r"[\s-]+", s) if w and w != "and"]
    if words and words[0] == "a":
        words = ["one", *words[1:]]
    total = 0
    current = 0
    seen = False
    for w in words:
        if w in UNITS:
            current += UNITS[w]
        elif w in TENS:
            current += TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w in SCALES:
            current = (current or 1) * SCALES[w]
            if SCALES[w] >= 1000:
                total += current
                current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def interval(value: int, qualifier: str) -> tuple[int | None, int | None]:
    if qualifier == "more_than":
        return value + 1, None
    if qualifier == "at_least":
        return value, None
    if qualifier == "nearly":
        return -(-8 * value // 10), value - 1
    if qualifier == "approximately":
        return 9 * value // 10, -(-11 * value // 10)
    if qualifier == "at_most":
        return None, value
    if qualifier == "fewer_than":
        return None, value - 1
    return value, value


def _counted(text: str, pos: int) -> str | None:
    """The counted noun after *pos*: skips 'of (the)', keeps one adjective."""
    rest = text[pos : pos + 80]
    if not re.match(r"\s+[^\W\d_]", rest):
        return None
    m = re.match(r"\s+(?:of\s+(?:the\s+|these\s+|those\s+|them\s*)?)?", rest)
    i = m.end() if m else 0
    words: list[str] = re.findall(r"[A-Za-z\u00C0-\u024F\u0621-\u064A'’-]+", rest[i:])[:3]
    if not words:
        return None
    first = words[0].lower()
    if first in NOT_NOUNS or words[0][0].isupper():
        return None
    if first in COUNT_ADJECTIVES and len(words) > 1 and words[1].lower() not in NOT_NOUNS:
        return f"{first} {words[1].lower()}"
    return first


def _is_date_number(text: str, start: int, end: int, value: int) -> bool:
    before = text[max(0, start - 14) : start].lower()
    after = text[end : end + 14].lower()
    if re.search(rf"\b(?:{_MONTHS})\.?\s*$", before) and value <= 31:
        return True
    if re.match(rf"\s*(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\b", after) and value <= 31:
        return True
    if 1900 <= value <= 2100:
        if re.search(
            rf"(?:\b(?:{_MONTHS})\.?,?\s*(?:\d{{1,2}},?\s*)?|\bin\s+|\bsince\s+|\bof\s+|\bfrom\s+|\buntil\s+|\bby\s+|\bthe\s+|-)$",
            before,
        ):
            return True
        if re.match(r"\s*(?:,|\.|\)|$|-|–)", after) and not re.match(r"\s*[,.]\d", after):
            return True
    if re.match(
        r"\s*(?:%|percent|per\s+cent|am\b|pm\b|a\.m|p\.m|km|kilomet|met|hours?\b|minutes?\b|years?\s+old|-year|°)",
        after,
    ):
        return True
    if value < 120 and re.search(r"[A-Za-z]\s*,\s*$", before) and re.match(r"\s*,", after):
        return True  # an age in apposition: "the boy, 14, was shot"
    if re.search(
        r"(?:resolution|article|no\.|number|page|para\.?|paragraph|§|\$|€|£|#)\s*$", before
    ):
        return True
    return bool(re.match(r"[/:]\d", after) or re.search(r"\d[/:]$", before))


def extract_quantities(text: str) -> list[Quantity]:
    """All quantities in *text*, in order, with non-overlapping spans."""
    out: list[Quantity] = []
    low: int | None
    high: int | None
    for m in _EN_RE.finditer(text):
        qual = "exact"
        if m.group("qual"):
            for i, (_, name) in enumerate(_QUALIFIERS):
                if m.group(f"q{i}"):
                    qual = name
                    break
        value: int | None = None
        if m.group("r1") or m.group("r3"):
            a = parse_number_words(m.group("r1") or m.group("r3"))
            b = parse_number_words(m.group("r2") or m.group("r4"))
            if a is None or b is None or b < a:
                continue
            if m.group("r3") and 1900 <= a <= 2100 and 1900 <= b <= 2100:
                continue
            low, high, qual = a, b, "range"
        elif m.group("tensof"):
            low, high = 20000, 99999
            qual = "vague" if qual == "exact" else qual
            if qual == "more_than":
                low, high = 20000, None
        elif m.group("several"):
            unit = {"dozen": 12, "hundred": 100, "thousand": 1000}[m.group("sevunit").lower()]
            low, high = 2 * unit if unit > 12 else 24, 9 * unit if unit > 12 else 99
            qual = "vague"
        elif m.group("vague"):
            low, high = VAGUE[m.group("vague").lower()]
            if qual == "exact":
                qual = "vague"
            elif qual in ("more_than", "at_least"):
                high = None
        else:
            raw = m.group("num")
            value = parse_number_words(raw)
            if value is None:
                continue
            start_num = m.start("num")
            if raw.lower() in ("one", "a") or (
                raw.lower() == "a" or (value == 1 and not raw.isdigit())
            ):
                continue  # "one witness" is not a toll
            if _is_date_number(text, start_num, m.end("num"), value):
                continue
            low, high = interval(value, qual)
        start = m.start()
        end = m.end()
        counted = _counted(text, end)
        out.append(Quantity(text[start:end], low, high, qual, counted, (start, end), value))
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        taken = [q.span for q in out]
        for m in _AR_RE.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            qual = "exact"
            if m.group("aqual"):
                for i, (_, name) in enumerate(_AR_QUAL):
                    if m.group(f"a{i}"):
                        qual = name
                        break
            value = None
            if m.group("avague"):
                low, high = AR_VAGUE[m.group("avague")]
                if qual == "exact":
                    qual = "vague"
                elif qual in ("more_than", "at_least"):
                    high = None
            else:
                raw = m.group("anum") or m.group("aword")
                value = parse_number_words(raw) if m.group("anum") else AR_NUMBERS[m.group("aword")]
                if value is None or (value == 1 and m.group("aword")):
                    continue
                after = text[m.end() : m.end() + 12]
                if re.match(r"\s*(?:%|٪|في\s+المئة|بالمئة)", after):
                    continue
                if m.group("anum") and (
                    1900 <= value <= 2100 or _is_date_number(text, m.start(), m.end(), value)
                ):
                    continue
                if (
                    m.group("anum")
                    and value <= 31
                    and re.match(
                        r"\s*(?:يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر|كانون|شباط|آذار|نيسان|أيار|حزيران|تموز|آب|أيلول|تشرين)",
                        after,
                    )
                ):
                    continue
                low, high = interval(value, qual)
            nm = re.match(r"\s+(?:من\s+)?([\u0621-\u064A]+)", text[m.end() : m.end() + 40])
            counted = nm.group(1) if nm else None
            out.append(Quantity(m.group(), low, high, qual, counted, (m.start(), m.end()), value))
        out.sort(key=lambda q: q.span)
    # "32 of the more than 100 killings": the part counts what the whole counts.
    for part, whole in pairwise(out):
        if (
            part.counted is None
            and whole.counted
            and re.fullmatch(r"\s+of\s+(?:the\s+)?", text[part.span[1] : whole.span[0]])
        ):
            part.counted = whole.counted
    return out
