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
from bisect import bisect_right
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

#: Arabic number words in folded spelling (hamza on alef → ا, ة → ه, ى → ي): the text is
#: matched through :func:`_ar_variants` so that every common spelling is read.
AR_NUMBERS = {
    "واحد": 1, "احد": 1, "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاثه": 3,
    "ثلاث": 3, "اربعه": 4, "اربع": 4, "خمسه": 5, "خمس": 5, "سته": 6, "ست": 6, "سبعه": 7,
    "سبع": 7, "ثمانيه": 8, "ثماني": 8, "ثمان": 8, "تسعه": 9, "تسع": 9, "عشره": 10, "عشر": 10,
    "عشرين": 20, "عشرون": 20, "ثلاثين": 30, "ثلاثون": 30, "اربعين": 40, "اربعون": 40,
    "خمسين": 50, "خمسون": 50, "ستين": 60, "ستون": 60, "سبعين": 70, "سبعون": 70,
    "ثمانين": 80, "ثمانون": 80, "تسعين": 90, "تسعون": 90,
    "مئه": 100, "مائه": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200, "مائتين": 200,
    "مئتي": 200, "مائتي": 200, "ثلاثمئه": 300, "ثلاثمائه": 300, "اربعمئه": 400,
    "اربعمائه": 400, "خمسمئه": 500, "خمسمائه": 500, "ستمئه": 600, "ستمائه": 600,
    "سبعمئه": 700, "سبعمائه": 700, "ثمانمئه": 800, "ثمانمائه": 800, "تسعمئه": 900,
    "تسعمائه": 900, "الف": 1000, "الفان": 2000, "الفين": 2000, "الفي": 2000,
    "مليون": 1_000_000, "مليونان": 2_000_000, "مليوني": 2_000_000, "مليونين": 2_000_000,
}  # fmt: skip
#: Scale words that multiply the number before them ("ثلاثة آلاف" = 3000).
AR_SCALES = {"الاف": 1000, "الف": 1000, "ملايين": 1_000_000, "مليون": 1_000_000}
#: Counted nouns in the dual (two of them): unambiguous duals only — a masculine sound
#: plural also ends in ين ("مدنيين" is "civilians", not "two civilians").
AR_DUALS = [
    "طفلان", "طفلين", "طفلتان", "طفلتين", "امرأتان", "امرأتين", "رجلان", "رجلين",
    "شخصان", "شخصين", "قتيلان", "قتيلين", "جريحان", "جريحين", "شقيقان", "شقيقين",
    "ابنان", "ابنين", "شابان", "شابين", "جنديان", "جنديين", "عنصران", "عنصرين",
    "مسعفان", "صحفيان", "مدنيان", "مدنيتان", "مدنيتين", "معتقلان", "طبيبان", "طبيبين",
]  # fmt: skip


def _fold_ar(w: str) -> str:
    w = re.sub("[\u064b-\u065f\u0670\u0640]", "", w)
    return re.sub("[إأآٱ]", "ا", w).replace("ة", "ه").replace("ى", "ي")


def _ar_variants(folded: str) -> str:
    """Regex matching the common spellings of a folded Arabic word (hamza, ة/ه, ى/ي,
    tanween and tatweel between letters)."""
    out = []
    for ch in folded:
        out.append({"ا": "[اأإآ]", "ه": "[هة]", "ي": "[يى]"}.get(ch, ch) + "[\u064b-\u065f\u0640]*")
    return "".join(out)


def parse_ar_number(s: str) -> int | None:
    """'مائة وخمسين' → 150; 'ثلاثة آلاف' → 3000; 'ألفي' → 2000."""
    total = cur = 0
    seen = False
    for raw in re.split(r"\s+", _fold_ar(s).strip()):
        w = raw
        if w.startswith("و") and w not in AR_NUMBERS:
            w = w[1:]
        if not w:
            continue
        if w.startswith("ال") and w not in AR_NUMBERS and w[2:] in AR_NUMBERS:
            w = w[2:]
        if w in ("الاف", "ملايين") or (w in AR_SCALES and seen):
            cur = (cur or 1) * AR_SCALES[w]
            total += cur
            cur = 0
        elif w in AR_NUMBERS:
            cur += AR_NUMBERS[w]
        else:
            return None
        seen = True
    return total + cur if seen else None


AR_VAGUE = {"عشرات": (20, 99), "مئات": (200, 999), "آلاف": (2000, 9999), "الآلاف": (2000, 9999), "المئات": (200, 999), "العشرات": (20, 99)}  # fmt: skip
VAGUE = {
    "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999),
    "thousands": (2000, 9999), "millions": (2_000_000, 9_999_999),
}  # fmt: skip

_NUMWORD = "|".join(sorted([*UNITS, *TENS, *SCALES, "dozen"], key=len, reverse=True))
_DIGITS = r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+"
_EN_NUMBER = rf"(?:{_DIGITS}|(?:a\s+)?(?:{_NUMWORD})(?:(?:[\s-]+|\s+and\s+)(?:{_NUMWORD}))*)"
_AR_NUM = "|".join(_ar_variants(w) for w in sorted(AR_NUMBERS, key=len, reverse=True))
_AR_SCALE = "|".join(_ar_variants(w) for w in AR_SCALES)
_AR_DUAL = "|".join(_ar_variants(_fold_ar(w)) for w in sorted(AR_DUALS, key=len, reverse=True))
_AR_MONTHS = (
    "يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|"
    "نوفمبر|ديسمبر|كانون|شباط|آذار|اذار|نيسان|أيار|ايار|حزيران|تموز|آب|أيلول|ايلول|تشرين"
)
_AR_DURATION = re.compile(
    r"\s*(?:أيام|ايام|يوم[اً]*|ساعات|ساعة|أسابيع|اسابيع|أسبوع[اً]*|اسبوع[اً]*|أشهر|اشهر|"
    r"شهر[اً]*|سنوات|سنة|سنين|أعوام|اعوام|عام[اً]*|دقائق|دقيقة|ليال)(?![\u0621-\u064A])"
)
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
    (r"ما\s*لا\s+يقل\s+(?:عن|على)|لا\s+يقل\s+(?:عن|على)|على\s+الأقل|على\s+الاقل", "at_least"),
    (r"نحو|حوالي|حوالى|قرابة|زهاء|ما\s+يقارب|ما\s+يقرب\s+من|قرابة", "approximately"),
    (r"أقل\s+من|اقل\s+من|إقل\s+من", "fewer_than"),
]
_AR_QUAL_RE = "|".join(f"(?P<a{i}>{pat})" for i, (pat, _) in enumerate(_AR_QUAL))

_EN_RE = re.compile(
    rf"""(?ix)
    (?:\b(?P<qual>{_QUAL_RE})\s+)?
    (?:
      \bbetween\s+(?P<r1>{_EN_NUMBER})\s+and\s+(?P<r2>{_EN_NUMBER})\b
     |(?P<r3>{_DIGITS})\s*(?:-|–|to)\s*(?P<r4>{_DIGITS})\b
     |\b(?P<tensof>tens\s+of\s+thousands)\b
     |\b(?P<frac>(?:a\s+)?(?:quarter|half|third)\s+(?:of\s+)?a\s+million|half\s+a\s+million)\b
     |\b(?P<tens>tens)\b(?=\s+(?:of\s+)?[a-z])
     |\b(?P<several>several|a\s+few)\s+(?P<sevunit>dozen|hundred|thousand)s?\b
     |\b(?P<vague>dozens|scores(?=\s+of\b)|hundreds|thousands|millions)\b
     |(?<![\w.,])(?<!\w-)(?P<num>{_EN_NUMBER})(?![\w%]|[.,][0-9])
    )
    """
)
_AR_RE = re.compile(
    rf"""(?x)
    (?:(?P<aqual>{_AR_QUAL_RE})\s+)?
    (?:
      (?P<avague>{_AR_VAGUE})
     |(?:(?<=[\s(]و)|(?<=^و)|(?<![\w.,:/]))(?<!\w-)(?P<anum>[0-9٠-٩۰-۹]+(?:[,٬][0-9٠-٩۰-۹]{{3}})*)(?![\w%٪:/]|[.,][0-9])
     |(?<![\u0621-\u064A\u0640])(?:و|ال)?(?P<aword>(?:{_AR_NUM})(?:\s+و\s*(?:{_AR_NUM}))*(?:\s+(?:{_AR_SCALE}))?)(?![\u0621-\u064A])
     |(?<![\u0621-\u064A])و?(?P<adual>{_AR_DUAL})(?![\u0621-\u064A])
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


_CAP_MONTHS = (
    r"January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_JOINER = r"\s*(?:-|–|—|to|and|or|&|until|till)\s*"
#: Stretches whose numbers are never counts: day ranges and lists next to a month ("3 or 4
#: May", "between 11 and 12 April", "12-13 May", "June 2 to 30"), year ranges, phone
#: numbers, Arabic day ranges ("بين 3 و5 آذار").
_NOT_COUNTS = re.compile(
    rf"\b(?:between\s+|from\s+)?{_DAY}(?:{_JOINER}{_DAY})+\s+(?:of\s+)?(?:{_CAP_MONTHS})\b"
    rf"|\b(?:{_CAP_MONTHS})\.?\s+{_DAY}(?:{_JOINER}{_DAY})+\b"
    r"|\b(?:between\s+|from\s+)?(?:19|20)\d{2}\s*(?:-|–|—|to|and|until)\s*(?:(?:19|20)\d{2}|\d{2})\b"
    r"|\+\d[\d \-]{5,}\d|(?<![\w,])\d+(?:-\d+){2,}\b|(?<![\w,])0\d*(?:[ \-]\d+)+"
    rf"|[0-9٠-٩]{{1,2}}(?:\s*(?:و|-|–|إلى|الى|حتى)\s*[0-9٠-٩]{{1,2}})+\s+(?:من\s+)?(?:{_AR_MONTHS})"
)
_DURATION = re.compile(
    r"\s+(?:more\s+|long\s+|full\s+)?(?:hours?|days?|nights?|weeks?|months?|years?|minutes?|"
    r"decades?|centuries)\b(?!\s+(?:old|of\s+age))",
    re.I,
)


def _arabic_next_to(text: str, start: int, end: int) -> bool:
    """Whether the word before or after ``text[start:end]`` is in Arabic script."""
    before = re.search(r"(\S+)\s*$", text[max(0, start - 30) : start])
    after = re.match(r"\s*(\S+)", text[end : end + 30])
    return any(
        m is not None and any("\u0600" <= ch <= "\u06ff" for ch in m.group(1))
        for m in (before, after)
    )


def extract_quantities(text: str) -> list[Quantity]:
    """All quantities in *text*, in order, with non-overlapping spans."""
    out: list[Quantity] = []
    low: int | None
    high: int | None
    blocked = [m.span() for m in _NOT_COUNTS.finditer(text)]
    blocked_ends = [be for _bs, be in blocked]

    def in_blocked(s: int, e: int) -> bool:
        # Spans never overlap one another: the first one ending after *s* decides.
        k = bisect_right(blocked_ends, s)
        return k < len(blocked) and blocked[k][0] < e

    for m in _EN_RE.finditer(text):
        if in_blocked(m.start(), m.end()):
            continue
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
            if 1900 <= a <= 2100 and 1900 <= b <= 2100:
                continue
            if _DURATION.match(text, m.end()):
                continue
            low, high, qual = a, b, "range"
        elif m.group("tensof"):
            low, high = 20000, 99999
            qual = "vague" if qual == "exact" else qual
            if qual == "more_than":
                low, high = 20000, None
        elif m.group("frac"):
            frac = m.group("frac").lower()
            value = 250_000 if "quarter" in frac else 500_000 if "half" in frac else 333_333
            low, high = interval(value, qual)
        elif m.group("tens"):
            # "tens of people", "tens others": the calque of Arabic عشرات.
            low, high = 20, 99
            qual = "vague" if qual == "exact" else qual
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
            start_num, end_num = m.start("num"), m.end("num")
            if raw.lower() in ("one", "a") or (
                raw.lower() == "a" or (value == 1 and not raw.isdigit())
            ):
                continue  # "one witness" is not a toll
            if value == 0 or (raw.isdigit() and raw.startswith("0")):
                continue  # "zero tolerance", "000" in a phone number
            if raw.isdigit() and _arabic_next_to(text, start_num, end_num):
                continue  # ASCII digits in Arabic text: read with the Arabic qualifiers below
            if re.match(r"-[^\W\d_]", text[end_num : end_num + 2]):
                continue  # "a 150-page report", "a 45-year-old": a measure, not a count
            if _DURATION.match(text, end_num):
                continue  # "for six hours", "three weeks after": a duration
            line_start = text.rfind("\n", 0, start_num) + 1
            if (
                raw.isdigit()
                and not text[line_start:start_num].strip()
                and re.match(r"[.)]\s", text[end_num : end_num + 2])
            ):
                continue  # "1. the immediate suspension…": a list number
            if (
                raw.isdigit()
                and 1900 <= value <= 2100
                and not re.match(r"\s+[a-z]", text[end_num : end_num + 3])
            ):
                continue  # a year ("© 2025 Harbour Rights Monitor", "in 2016,")
            if _is_date_number(text, start_num, end_num, value):
                continue
            low, high = interval(value, qual)
        start = m.start()
        end = m.end()
        counted = _counted(text, end)
        out.append(Quantity(text[start:end], low, high, qual, counted, (start, end), value))
    if any("\u0600" <= ch <= "\u06ff" for ch in text):
        taken = [q.span for q in out]
        for m in _AR_RE.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken) or in_blocked(*m.span()):
                continue
            qual = "exact"
            if m.group("aqual"):
                for i, (_, name) in enumerate(_AR_QUAL):
                    if m.group(f"a{i}"):
                        qual = name
                        break
            value = None
            end = m.end()
            if m.group("avague"):
                low, high = AR_VAGUE[m.group("avague")]
                if qual == "exact":
                    qual = "vague"
                elif qual in ("more_than", "at_least"):
                    high = None
            elif m.group("adual"):
                value = 2
                low, high = interval(value, qual)
            else:
                if m.group("anum"):
                    value = parse_number_words(m.group("anum"))
                else:
                    word = _fold_ar(m.group())
                    if re.fullmatch(r"(?:.*\s)?ال(?:اثنين|احد|خميس|سبت)", word.split()[0]):
                        continue  # الاثنين / الأحد: days of the week
                    value = parse_ar_number(m.group("aword"))
                if value is None or (value == 1 and m.group("aword")):
                    continue
                after = text[m.end() : m.end() + 14]
                if re.match(r"\s*(?:%|٪|في\s+المئة|في\s+المائة|بالمئة|بالمائة)", after):
                    continue
                if _AR_DURATION.match(after):
                    continue  # "ستة أيام": a duration
                if m.group("anum") and (
                    1900 <= value <= 2100 or _is_date_number(text, m.start(), m.end(), value)
                ):
                    continue
                if m.group("anum") and value <= 31 and re.match(rf"\s*(?:{_AR_MONTHS})", after):
                    continue
                # "اثنين" after the counted noun ("مسعفين اثنين") and the qualifier after
                # it ("14 شخصاً على الأقل").
                post = re.match(
                    r"\s+[\u0621-\u064A\u064B-\u065F]+\s+(?P<q>على\s+(?:الأقل|الاقل))",
                    text[end : end + 40],
                )
                if post and qual == "exact":
                    qual = "at_least"
                    end = end + post.end()
                low, high = interval(value, qual)
            start = m.start("adual") if m.group("adual") and not m.group("aqual") else m.start()
            if m.group("adual"):
                two = re.match(
                    r"\s+(?:اثنين|اثنان|اثنتين|اثنتان)(?![\u0621-\u064A])", text[end : end + 12]
                )
                if two:
                    end += two.end()
            else:
                # A counted noun in the dual followed by اثنين is one figure: "مسعفَين اثنين".
                pre = re.search(
                    r"[\u0621-\u064A\u064B-\u065F]+\s+$", text[max(0, start - 20) : start]
                )
                if (
                    value == 2
                    and m.group("aword")
                    and pre is not None
                    and _fold_ar(pre.group().strip()).endswith(("ين", "ان"))
                ):
                    start -= len(pre.group())
            nm = re.match(r"\s+(?:من\s+)?([\u0621-\u064A]+)", text[m.end() : m.end() + 40])
            counted = nm.group(1) if nm else None
            if m.group("adual"):
                counted = _fold_ar(m.group("adual"))
            out.append(Quantity(text[start:end], low, high, qual, counted, (start, end), value))
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
