"""Standard fields of a victim-list record and the parsing of their values.

Every parser returns a normalised value or raises :class:`FieldError` with a short
reason; :mod:`dalil.linkage.io` turns that into a row-level report. Dates stay as
precise as the source gave them: ``"2025"``, ``"2025-03"`` or ``"2025-03-07"``.
"""

from __future__ import annotations

import re
from datetime import date

from dalil.display.messages import N_
from dalil.linkage.names import normalize_digits, normalize_name

STANDARD_FIELDS: tuple[str, ...] = (
    "record_id",
    "list",
    "full_name",
    "first_name",
    "father_name",
    "grandfather_name",
    "family_name",
    "mother_name",
    "sex",
    "age",
    "birth_date",
    "birth_year",
    "date_of_death",
    "place_of_death",
    "governorate",
    "locality",
    "address",
    "postcode",
    "national_id",
    "notes",
)
#: Standard fields that :mod:`dalil.linkage.notes` may fill from the notes column.
DERIVABLE_FIELDS = ("date_of_death", "place_of_death", "father_name")
NAME_FIELDS = ("full_name", "first_name", "father_name", "grandfather_name", "family_name")


class FieldError(ValueError):
    """A value that cannot be read as its field; the message never repeats the value."""


_SEX = {
    "m": "m", "male": "m", "man": "m", "boy": "m", "h": "m", "homme": "m", "masculin": "m",
    "ذكر": "m", "ذ": "m", "رجل": "m", "طفل": "m",
    "f": "f", "female": "f", "woman": "f", "girl": "f", "femme": "f", "feminin": "f",
    "انثى": "f", "أنثى": "f", "انثي": "f", "ا": "f", "أ": "f", "امراة": "f", "امرأة": "f",
    "طفلة": "f",
}  # fmt: skip
_UNKNOWN = {"", "-", "--", "?", "unknown", "na", "n/a", "none", "null", "غير معروف", "مجهول", "؟"}


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    return str(value).strip().lower() in _UNKNOWN


def parse_sex(value: object) -> str | None:
    """``m`` / ``f`` / None (blank or unknown)."""
    if is_blank(value):
        return None
    v = str(value).strip().lower().rstrip(".")
    if v in _SEX:
        return _SEX[v]
    raise FieldError(N_("not a recognised sex (use m/f, male/female, ذكر/أنثى)"))


_AGE_UNITS = re.compile(
    r"^(\d{1,3})(?:[.,]\d+)?\s*(?:y|yr|yrs|years?|ans?|سنة|سنوات|عام|عاما|عامًا)?$"
)
_AGE_MONTHS = re.compile(r"^(\d{1,2})\s*(?:m|mo|months?|mois|شهر|أشهر|اشهر|شهور)$")


def parse_age(value: object) -> int | None:
    """Age in whole years (0-120). Months ("8 months") give 0."""
    if is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = float(value)
        if 0 <= v <= 120:
            return int(v)
        raise FieldError(N_("age outside 0-120"))
    s = normalize_digits(str(value)).strip().lower()
    if _AGE_MONTHS.match(s):
        return 0
    m = _AGE_UNITS.match(s)
    if not m:
        raise FieldError(N_("not an age in years"))
    age = int(m.group(1))
    if age > 120:
        raise FieldError(N_("age outside 0-120"))
    return age


def parse_year(value: object) -> int | None:
    if is_blank(value):
        return None
    s = normalize_digits(str(value)).strip()
    if re.fullmatch(r"\d{4}(?:\.0)?", s):
        y = int(s[:4])
        if 1880 <= y <= date.today().year + 1:
            return y
        raise FieldError(N_("year outside 1880-now"))
    raise FieldError(N_("not a four-digit year"))


def parse_partial_date(value: object) -> str | None:
    """A date kept at the precision given: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Accepts ISO forms, ``DD/MM/YYYY``, ``DD-MM-YYYY``, ``DD.MM.YYYY``, ``MM/YYYY``,
    Arabic-Indic digits, and date/datetime objects (from spreadsheets). Day-first is
    assumed for slashed dates (the convention of the region). Impossible dates
    ("31/02/2025") are errors, never silently moved.
    """
    if is_blank(value):
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    s = normalize_digits(str(value)).strip()
    s = re.sub(r"[T ]00:00(?::00)?(?:\.0+)?$", "", s)
    y: int
    mo: int | None = None
    d: int | None = None
    if m := re.fullmatch(r"(\d{4})", s):
        y = int(m.group(1))
    elif m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})", s):
        y, mo = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{4})", s):
        mo, y = int(m.group(1)), int(m.group(2))
    elif m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", s):
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", s):
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise FieldError(N_("not a date (use YYYY-MM-DD, YYYY-MM, YYYY or DD/MM/YYYY)"))
    if not 1880 <= y <= date.today().year + 1:
        raise FieldError(N_("year outside 1880-now"))
    if mo is None:
        return f"{y:04d}"
    if not 1 <= mo <= 12:
        raise FieldError(N_("month outside 1-12"))
    if d is None:
        return f"{y:04d}-{mo:02d}"
    try:
        date(y, mo, d)
    except ValueError:
        raise FieldError(N_("no such day in that month")) from None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def parse_national_id(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = re.sub(r"[\s\-./]", "", normalize_digits(str(value))).upper()
    if not re.fullmatch(r"[0-9A-Z]{3,30}", s):
        raise FieldError(N_("national id must be 3-30 letters or digits"))
    return s


def parse_text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = " ".join(str(value).split())
    if len(s) > 500:
        raise FieldError(N_("longer than 500 characters"))
    return s or None


def parse_notes(value: object) -> str | None:
    """Free text (notes, remarks): whitespace collapsed, at most 4,000 characters."""
    if is_blank(value):
        return None
    s = " ".join(str(value).split())
    if len(s) > 4000:
        raise FieldError(N_("longer than 4000 characters"))
    return s or None


def place_key(value: object) -> str | None:
    """A comparable form of a place name (either script): normalised, articles dropped."""
    from dalil.linkage.names import part_key

    if is_blank(value):
        return None
    norm = normalize_name(str(value))
    return part_key(norm) or None


def birth_year_estimate(
    birth_date: str | None,
    birth_year: int | None,
    age: int | None,
    date_of_death: str | None,
    reference_year: int | None = None,
) -> tuple[int | None, bool]:
    """Birth year and whether it is exact (from a birth date/year) or derived from age.

    An age at death gives ``death year - age`` (±1 by nature); without a death date the
    *reference_year* (the list's year) is used.
    """
    if birth_date:
        return int(birth_date[:4]), True
    if birth_year is not None:
        return birth_year, True
    if age is not None:
        year = int(date_of_death[:4]) if date_of_death else reference_year
        if year is not None:
            return year - age, False
    return None, False
