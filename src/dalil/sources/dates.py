"""Dates in text: absolute ones parsed, relative ones resolved against the document date.

A relative expression ("yesterday", "on Friday", "last week", "two days ago") is resolved
only when the document date is known; otherwise its ``value`` is ``None``.  Today's date
is never used.  A bare weekday ("on Friday") means the latest such day on or before the
document date (news convention); "last Friday" the one before that if the document date
is itself a Friday.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from dalil.errors import InputError
from dalil.sources.quantities import parse_number_words

Span = tuple[int, int]

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
    "août": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "ابريل": 4, "مايو": 5, "يونيو": 6,
    "يوليو": 7, "أغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "اكتوبر": 10, "نوفمبر": 11,
    "ديسمبر": 12, "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5,
    "حزيران": 6, "تموز": 7, "آب": 8, "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11,
    "كانون الأول": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6, "الاثنين": 0, "الإثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الاربعاء": 2,
    "الخميس": 3, "الجمعة": 4, "السبت": 5, "الأحد": 6, "الاحد": 6,
}  # fmt: skip


@dataclass
class DateMention:
    text: str
    span: Span
    value: str | None  # ISO date, "YYYY-MM" or "YYYY" (precision says which)
    precision: str  # day | month | year | week
    relative: bool

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d


_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_WD_RE = "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True))
_DIG = r"[0-9٠-٩]"
_PATTERNS: list[tuple[str, str]] = [
    ("iso", rf"\b(?P<y>{_DIG}{{4}})-(?P<m>{_DIG}{{2}})-(?P<d>{_DIG}{{2}})\b"),
    (
        "dmy",
        rf"(?<![\w])(?P<d>{_DIG}{{1,2}})(?:st|nd|rd|th|er)?\s+(?:of\s+)?(?P<mon>{_MONTH_RE})\.?,?"
        rf"(?:\s+(?P<y>{_DIG}{{4}}))?(?![\w])",
    ),
    (
        "mdy",
        rf"(?<![\w])(?P<mon>{_MONTH_RE})\.?\s+(?P<d>{_DIG}{{1,2}})(?:st|nd|rd|th)?"
        rf"(?:,?\s+(?P<y>{_DIG}{{4}}))?(?![\w])",
    ),
    ("my", rf"(?<![\w])(?P<mon>{_MONTH_RE})\.?\s+(?:of\s+)?(?P<y>{_DIG}{{4}})(?![\w])"),
    (
        "yesterday",
        r"(?i)\b(?P<rel>yesterday|today|tomorrow|the day before yesterday)\b|(?P<arel>أمس|اليوم)",
    ),
    (
        "ago",
        r"(?i)\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+"
        r"(?P<unit>days?|weeks?|months?|years?)\s+ago\b",
    ),
    ("lastweek", r"(?i)\b(?P<which>last|this|next)\s+(?P<unit>week|month|year)\b"),
    ("weekday", rf"(?i)(?:\b(?P<last>last|on|this)\s+)?(?<![\w])(?P<wd>{_WD_RE})(?![\w])"),
]
_COMPILED = [(k, re.compile(p if p.startswith("(?i)") else "(?i)" + p)) for k, p in _PATTERNS]
_AR_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


def parse_iso_date(value: str | None, what: str = "date") -> date | None:
    """Parse ``YYYY-MM-DD`` (or return None); bad values raise InputError naming *what*."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what}: {value!r} is not a date in the form YYYY-MM-DD") from None


def _n(s: str | None) -> int | None:
    return int(s.translate(_AR_INDIC)) if s else None


def extract_dates(text: str, doc_date: date | None = None) -> list[DateMention]:
    """Date mentions in *text*; relative ones resolved against *doc_date* only."""
    found: list[DateMention] = []
    taken: list[Span] = []

    def overlaps(s: int, e: int) -> bool:
        return any(s < te and ts < e for ts, te in taken)

    for kind, rx in _COMPILED:
        for m in rx.finditer(text):
            s, e = m.span()
            if overlaps(s, e):
                continue
            value: str | None = None
            precision = "day"
            relative = False
            try:
                if kind == "iso":
                    value = date(_n(m["y"]) or 0, _n(m["m"]) or 0, _n(m["d"]) or 0).isoformat()
                elif kind in ("dmy", "mdy", "my") and m["mon"] in ("may", "mar"):
                    continue  # lower-case "may"/"mar" are words, not months
                elif kind in ("dmy", "mdy"):
                    mon = MONTHS[m["mon"].lower()]
                    day = _n(m["d"]) or 0
                    year = _n(m["y"])
                    if year is None:
                        relative = True
                        if doc_date is not None:
                            guess = date(doc_date.year, mon, day)
                            if guess > doc_date + timedelta(days=31):
                                guess = date(doc_date.year - 1, mon, day)
                            value = guess.isoformat()
                        else:
                            date(2000, mon, day)  # validate day/month
                    else:
                        value = date(year, mon, day).isoformat()
                elif kind == "my":
                    mon = MONTHS[m["mon"].lower()]
                    value = f"{_n(m['y']):04d}-{mon:02d}"
                    precision = "month"
                elif kind == "yesterday":
                    relative = True
                    word = (m["rel"] or m["arel"] or "").lower()
                    delta = {
                        "yesterday": -1, "today": 0, "tomorrow": 1,
                        "the day before yesterday": -2, "أمس": -1, "اليوم": 0,
                    }[word]  # fmt: skip
                    if doc_date is not None:
                        value = (doc_date + timedelta(days=delta)).isoformat()
                elif kind == "ago":
                    relative = True
                    n = 1 if m["n"].lower() == "a" else parse_number_words(m["n"]) or 0
                    unit = m["unit"].lower().rstrip("s")
                    precision = {"day": "day", "week": "week", "month": "month", "year": "year"}[
                        unit
                    ]
                    if doc_date is not None:
                        if unit == "day":
                            value = (doc_date - timedelta(days=n)).isoformat()
                        elif unit == "week":
                            value = (doc_date - timedelta(weeks=n)).isoformat()
                        elif unit == "month":
                            y, mo = divmod(doc_date.year * 12 + doc_date.month - 1 - n, 12)
                            value = f"{y:04d}-{mo + 1:02d}"
                        else:
                            value = f"{doc_date.year - n:04d}"
                elif kind == "lastweek":
                    relative = True
                    unit = m["unit"].lower()
                    precision = unit
                    shift = {"last": -1, "this": 0, "next": 1}[m["which"].lower()]
                    if doc_date is not None:
                        if unit == "week":
                            monday = doc_date - timedelta(days=doc_date.weekday())
                            value = (monday + timedelta(weeks=shift)).isoformat()
                        elif unit == "month":
                            y, mo = divmod(doc_date.year * 12 + doc_date.month - 1 + shift, 12)
                            value = f"{y:04d}-{mo + 1:02d}"
                        else:
                            value = f"{doc_date.year + shift:04d}"
                elif kind == "weekday":
                    relative = True
                    wd = (
                        WEEKDAYS[m["wd"].lower()]
                        if m["wd"].lower() in WEEKDAYS
                        else WEEKDAYS[m["wd"]]
                    )
                    if doc_date is not None:
                        back = (doc_date.weekday() - wd) % 7
                        if (m["last"] or "").lower() == "last" and back == 0:
                            back = 7
                        value = (doc_date - timedelta(days=back)).isoformat()
            except (ValueError, KeyError, TypeError):
                continue
            found.append(DateMention(text[s:e], (s, e), value, precision, relative))
            taken.append((s, e))
    found.sort(key=lambda d: d.span)
    return found


def guess_document_date(text: str) -> str | None:
    """The publication date from the top of a document (first 400 characters), only from
    a dateline or byline: a date on a short line of its own ("The Courier, 15 March
    2025"), a date followed by a dash ("PORT SELIN, 14 March 2025 —") or after
    "Published/Posted/Date/Updated:".  A date inside a sentence ("On 7 March 2025 gunmen
    …") is an event date, not the publication date, and is not used."""
    head = text[:400]
    for d in extract_dates(head):
        if not d.value or d.precision != "day" or d.relative:
            continue
        s, e = d.span
        line_start = head.rfind("\n", 0, s) + 1
        line_end = head.find("\n", e)
        line = head[line_start : line_end if line_end >= 0 else len(head)]
        before = head[line_start:s]
        after = head[e : e + 4]
        if (
            (len(line.split()) <= 12 and not line.rstrip().endswith((".", "!", "?")))
            or re.match(r"\s*[—–-]", after)
            or re.search(r"(?i)(?:published|posted|date|updated|dated)\s*:?\s*$", before)
        ):
            return d.value
    return None
