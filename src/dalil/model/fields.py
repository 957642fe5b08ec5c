"""Validated field types shared by the domain model: partial dates, coordinates, enums.

Every validator raises :class:`dalil.errors.InputError` with a one-line message naming
the field (and, for enums, the allowed values).
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from dalil.errors import InputError

DATE_PRECISIONS = ("day", "week", "month", "year")
COORD_PRECISIONS = ("exact", "approximate", "locality", "district", "region")

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class PartialDate:
    """A date known to day, ISO week, month or year: ``2025-03-07``, ``2025-W10``,
    ``2025-03``, ``2025``. ``start``/``end`` are the first and last day it covers."""

    text: str
    precision: str
    start: date
    end: date

    def __str__(self) -> str:
        return self.text


_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december")  # fmt: skip
#: Month names typed in dates: English (full and three-letter), the Levantine/Iraqi
#: Arabic names (كانون الثاني … كانون الأول) and the Egyptian/Gulf ones (يناير … ديسمبر),
#: as :func:`_fold_arabic` writes them.
_MONTHS: dict[str, int] = {
    **{m: i + 1 for i, m in enumerate(_EN_MONTHS)},
    **{m[:3]: i + 1 for i, m in enumerate(_EN_MONTHS)},
    "sept": 9,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6,
    "تموز": 7, "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11,
    "كانون الاول": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "افريل": 4, "مايو": 5, "يونيو": 6,
    "يونيه": 6, "يوليو": 7, "يوليه": 7, "اغسطس": 8, "اغسطوس": 8, "سبتمبر": 9,
    "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12, "دجنبر": 12,
}  # fmt: skip
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_AR_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_MONTH_WORDS = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
# 8 March 2025 / 8 آذار 2025 / March 2025 / March 8, 2025 (with an optional comma)
_D_MONTH_Y = re.compile(rf"^(\d{{1,2}})\s+({_MONTH_WORDS})\.?,?\s+(\d{{4}})$")
_MONTH_D_Y = re.compile(rf"^({_MONTH_WORDS})\.?\s+(\d{{1,2}}),?\s+(\d{{4}})$")
_MONTH_Y = re.compile(rf"^({_MONTH_WORDS})\.?,?\s+(\d{{4}})$")
_SLASHED = re.compile(r"^(\d{4})[/.](\d{1,2})(?:[/.](\d{1,2}))?$")
_SHORT_MONTH = re.compile(r"^(\d{4})-(\d)(?:-(\d{1,2}))?$|^(\d{4})-(\d{2})-(\d)$")


def _fold_arabic(text: str) -> str:
    """Arabic-Indic digits as ASCII; diacritics and tatweel dropped; alef forms as ا,
    ى as ي, ة as ه; the Arabic comma as a comma; spaces collapsed; lower case."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS)
    text = _AR_MARKS.sub("", text)
    for a, b in (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ى", "ي"), ("ة", "ه"), ("،", ",")):
        text = text.replace(a, b)
    text = re.sub(r"\s*,\s*", ", ", text)
    return " ".join(text.split()).lower().replace(" ,", ",")


def _as_iso(value: str) -> str:
    """The ISO form of a date typed as people write it, or *value* unchanged."""
    s = _fold_arabic(value)
    if m := _D_MONTH_Y.match(s):
        return f"{m[3]}-{_MONTHS[m[2]]:02d}-{int(m[1]):02d}"
    if m := _MONTH_D_Y.match(s):
        return f"{m[3]}-{_MONTHS[m[1]]:02d}-{int(m[2]):02d}"
    if m := _MONTH_Y.match(s):
        return f"{m[2]}-{_MONTHS[m[1]]:02d}"
    if m := _SLASHED.match(s):
        return f"{m[1]}-{int(m[2]):02d}" + (f"-{int(m[3]):02d}" if m[3] else "")
    if m := _SHORT_MONTH.match(s):
        if m[1]:
            return f"{m[1]}-{int(m[2]):02d}" + (f"-{int(m[3]):02d}" if m[3] else "")
        return f"{m[4]}-{m[5]}-{int(m[6]):02d}"
    return s.upper() if re.fullmatch(r"\d{4}-w\d{2}", s) else s


def parse_partial_date(value: str, field: str = "date") -> PartialDate:
    """A date at the precision it was given: ``2025-03-08`` (day), ``2025-W10`` (ISO
    week), ``2025-03`` (month), ``2025`` (year). Also as people type them: ``8 March
    2025``, ``March 2025``, ``March 8, 2025``, ``8 آذار 2025`` / ``8 مارس 2025`` (Levantine
    and Egyptian month names), Arabic-Indic digits (``٢٠٢٥-٠٣``), ``2025/03/08`` and a
    one-digit month or day (``2025-3``). Day-first numeric dates (``08/03/2025``) are
    refused: with a slash in front, the reader cannot tell the day from the month."""
    s = _as_iso(value.strip())
    try:
        if m := _DAY.match(s):
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return PartialDate(d.isoformat(), "day", d, d)
        if m := _WEEK.match(s):
            start = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return PartialDate(
                f"{int(m[1]):04d}-W{int(m[2]):02d}", "week", start, start + timedelta(days=6)
            )
        if m := _MONTH.match(s):
            y, mo = int(m[1]), int(m[2])
            last = calendar.monthrange(y, mo)[1]
            return PartialDate(f"{y:04d}-{mo:02d}", "month", date(y, mo, 1), date(y, mo, last))
        if m := _YEAR.match(s):
            y = int(m[1])
            if y < 1:
                raise ValueError
            return PartialDate(f"{y:04d}", "year", date(y, 1, 1), date(y, 12, 31))
    except ValueError:
        pass
    raise InputError(
        f"invalid {field} {value!r}: use YYYY-MM-DD, YYYY-Www (ISO week), YYYY-MM or YYYY"
        " (or a day and month name: 8 March 2025)",
        field=field,
        code="invalid_date",
    )


def first_day(text: str | None) -> date | None:
    """First day of a partial date (``2025-03`` → 1 March 2025); None when empty."""
    return parse_partial_date(text).start if text else None


def last_day(text: str | None) -> date | None:
    """Last day of a partial date (``2025-03`` → 31 March 2025); None when empty."""
    return parse_partial_date(text).end if text else None


def check_date_range(start: PartialDate | None, end: PartialDate | None, field: str) -> None:
    if start is not None and end is not None and end.end < start.start:
        raise InputError(
            f"invalid {field}: end {end.text} is before start {start.text}",
            field=field,
            code="end_before_start",
        )


def check_choice(value: str, allowed: Sequence[str], field: str) -> str:
    v = value.strip().lower()
    if v not in allowed:
        raise InputError(
            f"invalid {field} {value!r}; allowed: {', '.join(allowed)}",
            field=field,
            code="invalid_choice",
        )
    return v


def check_choices(values: Iterable[str], allowed: Sequence[str], field: str) -> list[str]:
    out: list[str] = []
    for v in values:
        c = check_choice(v, allowed, field)
        if c not in out:
            out.append(c)
    return out


def check_latitude(value: float, field: str = "lat") -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and -90 <= value <= 90):
        raise InputError(
            f"invalid {field} {value!r}: latitude must be between -90 and 90",
            field=field,
            code="out_of_range",
        )
    return float(value)


def check_longitude(value: float, field: str = "lon") -> float:
    if not (isinstance(value, int | float) and math.isfinite(value) and -180 <= value <= 180):
        raise InputError(
            f"invalid {field} {value!r}: longitude must be between -180 and 180",
            field=field,
            code="out_of_range",
        )
    return float(value)


def check_nonneg(value: int | None, field: str) -> int | None:
    if value is not None and value < 0:
        raise InputError(
            f"invalid {field} {value}: must be zero or more", field=field, code="negative"
        )
    return value


def check_text(value: str, field: str, *, max_len: int = 10_000, required: bool = False) -> str:
    v = value.strip()
    if required and not v:
        raise InputError(f"{field} must not be empty", field=field, code="required")
    if len(v) > max_len:
        raise InputError(
            f"{field} too long ({len(v)} characters; at most {max_len})",
            field=field,
            code="too_long",
        )
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in v):
        raise InputError(
            f"{field} contains control characters", field=field, code="control_characters"
        )
    return v


def check_low_best_high(low: int | None, best: int | None, high: int | None, field: str) -> None:
    for name, v in (("low", low), ("best", best), ("high", high)):
        check_nonneg(v, f"{field}_{name}")
    vals = [v for v in (low, best, high) if v is not None]
    if vals != sorted(vals):
        raise InputError(
            f"invalid {field}: need low <= best <= high (got {low}/{best}/{high})",
            field=field,
            code="low_best_high",
        )


def normalise_for_index(value: str) -> str:
    """Canonical form hashed by blind indexes: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())
