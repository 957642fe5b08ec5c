"""Vetting: screen a personnel list against suspected perpetrators, for human review.

The screening reads a personnel file (CSV or XLSX; names in Arabic or Latin script,
unit, rank, dates), maps its columns to known fields — refusing a file with a column it
cannot map, so nothing is silently ignored — and compares each person with every
suspect. Names are compared with the linkage name engine (:mod:`dalil.linkage.names`)
when it is installed, else with the cross-script comparator below. Unit and date overlap
raise or lower the confidence. Output: candidates with the evidence behind each suspect
and a confidence; never a verdict.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path

from rapidfuzz import fuzz

from dalil import tabular
from dalil.display.messages import N_, Message
from dalil.errors import InputError

# --- column mapping -------------------------------------------------------------------

PERSONNEL_FIELDS = ("record_id", "name", "unit", "rank", "start", "end", "position", "notes")
_HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": (
        "id",
        "record_id",
        "personnel_id",
        "service_number",
        "number",
        "no",
        "رقم",
        "الرقم",
    ),
    "name": ("name", "full_name", "fullname", "person", "officer", "الاسم", "الاسم الكامل", "اسم"),
    "unit": ("unit", "formation", "brigade", "battalion", "الوحدة", "الفرقة", "اللواء", "القطعة"),
    "rank": ("rank", "grade", "الرتبة", "رتبة"),
    "start": (
        "start",
        "from",
        "start_date",
        "date_from",
        "since",
        "appointed",
        "من",
        "تاريخ البدء",
    ),
    "end": ("end", "to", "end_date", "date_to", "until", "إلى", "الى", "تاريخ الانتهاء"),
    "position": ("position", "post", "role", "function", "المنصب", "الوظيفة"),
    "notes": ("notes", "note", "remarks", "ملاحظات"),
}


def _names(names: Sequence[str]) -> Message:
    """*names* comma-separated as one message parameter, each name a parameter of its own
    (shown as it is in every language, never cut at a text parameter's length)."""
    keys = [f"n{i}" for i in range(len(names))]
    return Message(", ".join(f"%({k})s" for k in keys), **dict(zip(keys, names, strict=True)))


def _norm_header(h: str) -> str:
    return re.sub(r"[\s\-]+", "_", h.strip().lower()).strip("_")


def map_columns(
    headers: Sequence[str], overrides: dict[str, str] | None = None, *, where: str = "file"
) -> dict[str, str]:
    """Map file headers to personnel fields; raise :class:`InputError` naming every unmappable column."""
    overrides = {_norm_header(k): v for k, v in (overrides or {}).items()}
    mapping: dict[str, str] = {}
    bad: list[str] = []
    for h in headers:
        key = _norm_header(h)
        if key in overrides:
            target = overrides[key]
            if target == "ignore":
                continue
            if target not in PERSONNEL_FIELDS:
                raise InputError(
                    Message(
                        N_(
                            "%(file)s: --column %(header)s=%(field)s: unknown field (use one of "
                            "%(fields)s or ignore)"
                        ),
                        file=where,
                        header=h,
                        field=target,
                        fields=_names(PERSONNEL_FIELDS),
                    )
                )
        else:
            target = next(
                (f for f, syn in _HEADER_SYNONYMS.items() if key in {_norm_header(s) for s in syn}),
                "",
            )
        if not target:
            bad.append(h)
            continue
        if target in mapping.values():
            raise InputError(
                Message(
                    N_("%(file)s: two columns map to %(field)s (second: %(header)s)"),
                    file=where,
                    field=repr(target),
                    header=repr(h),
                )
            )
        mapping[h] = target
    if bad:
        raise InputError(
            Message(
                N_(
                    "%(file)s: cannot map column(s) %(columns)s to personnel fields (%(fields)s); "
                    "map them with --column HEADER=FIELD or --column HEADER=ignore"
                ),
                file=where,
                columns=_names([repr(b) for b in bad]),
                fields=_names(PERSONNEL_FIELDS),
            )
        )
    if "name" not in mapping.values():
        raise InputError(
            Message(
                N_("%(file)s: no name column (expected one of: name, full_name, الاسم)"),
                file=where,
            )
        )
    return mapping


@dataclass(frozen=True)
class PersonnelRecord:
    row: int
    record_id: str
    name: str
    unit: str | None = None
    rank: str | None = None
    start: date | None = None
    end: date | None = None
    position: str | None = None


def _parse_date(value: str, where: Message) -> date | None:
    v = value.strip()
    if not v:
        return None
    try:
        if re.fullmatch(r"\d{4}", v):
            return date(int(v), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", v):
            y, m = v.split("-")
            return date(int(y), int(m), 1)
        return date.fromisoformat(v)
    except ValueError:
        raise InputError(
            Message(
                N_("%(where)s: invalid date %(value)s (use YYYY-MM-DD)"), where=where, value=repr(v)
            )
        ) from None


def _cell(c: object) -> str:
    """An XLSX cell as text; date cells as YYYY-MM-DD."""
    if c is None:
        return ""
    if isinstance(c, datetime):
        return c.date().isoformat()
    if isinstance(c, date):
        return c.isoformat()
    return str(c)


def read_personnel(
    path: Path, overrides: dict[str, str] | None = None, *, name: str | None = None
) -> list[PersonnelRecord]:
    """Read and validate a personnel file completely before anything is screened or stored.
    A refusal names the file *name* (an upload's own name), else *path*."""
    label = name or str(path)
    if not path.exists():
        raise InputError(Message(N_("%(file)s: no such file"), file=label))
    rows: list[list[str]]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        tabular.check_xlsx(path, label)  # a roster bomb: refused before any row
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:
            raise InputError(
                Message(N_("%(file)s: not a readable XLSX workbook"), file=label)
            ) from None
        ws = wb.active
        cap = tabular.MAX_ROWS + 2  # the header and one row over the limit
        rows = (
            [[_cell(c) for c in r] for r in islice(ws.iter_rows(values_only=True), cap)]
            if ws
            else []
        )
        wb.close()
    else:
        text = tabular.read_text(
            path, name=label
        ).text  # the one table reader: encoding and delimiter
        try:
            rows = list(islice(tabular.reader(text), tabular.MAX_ROWS + 2))
        except csv.Error as e:
            raise InputError(
                Message(
                    N_("%(file)s: not a readable CSV file (%(fault)s)"),
                    file=label,
                    fault=str(e),
                )
            ) from None
    if len(rows) > tabular.MAX_ROWS + 1:
        raise tabular.too_many_rows(label)
    for i, r in enumerate(rows, start=1):
        tabular.check_row(label, i, r)
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InputError(Message(N_("%(file)s: empty personnel file"), file=label))
    headers = rows[0]
    mapping = map_columns(headers, overrides, where=label)
    out: list[PersonnelRecord] = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) > len(headers):
            raise InputError(
                Message(
                    N_("%(file)s: row %(row)s has %(cells)s cells, header has %(header)s"),
                    file=label,
                    row=str(i),
                    cells=str(len(r)),
                    header=str(len(headers)),
                )
            )
        vals: dict[str, str] = {}
        for h, cell in zip(headers, r, strict=False):
            if h in mapping:
                vals[mapping[h]] = cell.strip()
        name = vals.get("name", "")
        if not name:
            raise InputError(
                Message(N_("%(file)s: row %(row)s: empty name"), file=label, row=str(i))
            )
        if any(unicodedata.category(ch) == "Cc" for v in vals.values() for ch in v):
            raise InputError(
                Message(
                    N_("%(file)s: row %(row)s: control characters in a cell"),
                    file=label,
                    row=str(i),
                )
            )
        out.append(
            PersonnelRecord(
                row=i,
                record_id=vals.get("record_id") or f"row{i}",
                name=name,
                unit=vals.get("unit") or None,
                rank=vals.get("rank") or None,
                start=_parse_date(
                    vals.get("start", ""),
                    Message(N_("%(file)s: row %(row)s, start"), file=label, row=str(i)),
                ),
                end=_parse_date(
                    vals.get("end", ""),
                    Message(N_("%(file)s: row %(row)s, end"), file=label, row=str(i)),
                ),
                position=vals.get("position") or None,
            )
        )
    return out


# --- name comparison ------------------------------------------------------------------

# Arabic letters to a coarse Latin consonant skeleton; vowels carry little signal across
# transliterations (Mohammed / Muhammad / محمد all become "mhmd").
_AR = {
    "ا": "",
    "أ": "",
    "إ": "",
    "آ": "",
    "ء": "",
    "ؤ": "",
    "ئ": "",
    "ى": "",
    "ة": "",
    "ب": "b",
    "ت": "t",
    "ث": "t",
    "ج": "j",
    "ح": "h",
    "خ": "k",
    "د": "d",
    "ذ": "d",
    "ر": "r",
    "ز": "z",
    "س": "s",
    "ش": "s",
    "ص": "s",
    "ض": "d",
    "ط": "t",
    "ظ": "z",
    "ع": "",
    "غ": "g",
    "ف": "f",
    "ق": "k",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ه": "h",
    "و": "w",
    "ي": "y",
    "پ": "b",
    "چ": "j",
    "گ": "g",
    "ڤ": "f",
}
_LATIN_DIGRAPHS = (
    ("kh", "k"),
    ("sh", "s"),
    ("th", "t"),
    ("dh", "d"),
    ("gh", "g"),
    ("ch", "s"),
    ("ph", "f"),
    ("ou", "w"),
    ("oo", "w"),
    ("ee", "y"),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
    ("v", "f"),
    ("p", "b"),
    ("'", ""),
    ("`", ""),
    ("’", ""),
    ("‘", ""),
)
_PARTICLES = {
    "al",
    "el",
    "ul",
    "bin",
    "ben",
    "ibn",
    "abu",
    "abou",
    "bint",
    "ال",
    "بن",
    "ابن",
    "بنت",
    "ابو",
    "أبو",
}


def _fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[\u064B-\u065F\u0670\u0640]", "", s)  # harakat, tatweel
    return s.lower()


def skeleton_token(tok: str) -> str:
    """Cross-script consonant skeleton of one name token."""
    t = _fold(tok)
    if t.startswith("ال") and len(t) > 3:
        t = t[2:]
    elif re.match(r"^[ae]l[-\s]?", t) and len(t) > 4:
        t = re.sub(r"^[ae]l[-\s]?", "", t)
    if re.search(r"[\u0600-\u06FF]", t):
        out = "".join(_AR.get(ch, "") for ch in t)
    else:
        t = re.sub(r"[^a-z']", "", t)
        for a, b in _LATIN_DIGRAPHS:
            t = t.replace(a, b)
        # vowels drop; y/w kept only as consonants at the start
        out = t[:1] + re.sub(r"[aeiouyw]", "", t[1:]) if t else ""
        out = re.sub(r"^[aeiou]", "", out)
    out = re.sub(r"(.)\1+", r"\1", out)  # doubled letters (shadda, mm)
    out = re.sub(r"(?<=.)[yw]", "", out)  # long-vowel letters inside a word
    return out


def name_tokens(name: str) -> list[str]:
    raw = re.split(r"[\s\-_.,]+", name.strip())
    toks = [t for t in raw if t and _fold(t) not in _PARTICLES]
    return [s for s in (skeleton_token(t) for t in toks) if s]


@functools.lru_cache(maxsize=65536)
def _tokens(name: str) -> tuple[tuple[str, str], ...]:
    raw = re.split(r"[\s\-_.,]+", name.strip())
    out = []
    for t in raw:
        if not t or _fold(t) in _PARTICLES:
            continue
        sk = skeleton_token(t)
        if sk:
            out.append((sk, _fold(t)))
    return tuple(out)


_ARABIC = re.compile(r"[\u0600-\u06FF]")


def simple_name_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two names in Arabic or Latin script (order-tolerant).

    Each token of the shorter name is paired with its most similar token of the other
    (by consonant skeleton, which survives transliteration), and the
    token similarities are *multiplied*: sharing a family name is not a match when the
    given names differ.
    """
    return _token_product(_tokens(a), _tokens(b))


def _token_product(ta: Sequence[tuple[str, str]], tb: Sequence[tuple[str, str]]) -> float:
    """Pair each (key, spelling) token of the shorter name with its best match in the other
    and multiply the similarities (see :func:`simple_name_similarity`)."""
    if not ta or not tb:
        return 0.0
    if len(ta) > len(tb):
        ta, tb = tb, ta
    score = 1.0
    free = list(tb)
    for key, spelled in ta:
        best, best_i = 0.0, -1
        for i, (key2, spelled2) in enumerate(free):
            sim = 1.0 if spelled == spelled2 else fuzz.ratio(key, key2) / 100.0
            if sim > best:
                best, best_i = sim, i
        score *= best
        if best_i >= 0:
            free.pop(best_i)
    return score


def linkage_name_similarity(a: str, b: str) -> float:
    """Token-product similarity over the linkage engine's cross-script name keys
    (:func:`dalil.linkage.names.name_units` and :func:`~dalil.linkage.names.part_key`),
    which also keep compound names such as Abd al-Rahman together."""
    return _token_product(_linkage_tokens(a), _linkage_tokens(b))


@functools.lru_cache(maxsize=65536)
def _linkage_tokens(name: str) -> tuple[tuple[str, str], ...]:
    from dalil.linkage import names as ln

    out = []
    for u in ln.name_units(name):
        k = ln.part_key(u)
        if k:
            out.append((k, u))
    return tuple(out)


def _engine() -> tuple[str, Callable[[str, str], float]]:
    """The linkage name engine (its cross-script keys) when installed, else the simple comparator."""
    try:
        from dalil.linkage import names as ln
    except Exception:
        return (
            "simple cross-script comparator (dalil.linkage.names not available)",
            simple_name_similarity,
        )
    if callable(getattr(ln, "name_units", None)) and callable(getattr(ln, "part_key", None)):
        return "dalil.linkage.names keys (name_units, part_key)", linkage_name_similarity
    return (
        "simple cross-script comparator (dalil.linkage.names lacks name_units/part_key)",
        simple_name_similarity,
    )


# --- screening ------------------------------------------------------------------------


@dataclass(frozen=True)
class Suspect:
    id: str
    names: tuple[str, ...]  # every known name/alias, any script
    units: tuple[str, ...] = ()  # unit names
    start: date | None = None  # when suspected conduct / membership began
    end: date | None = None
    acts: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    label: str | None = None  # what a reviewer sees (pseudonym or public name)


@dataclass
class Candidate:
    record: PersonnelRecord
    suspect: Suspect
    name_score: float
    unit_match: bool
    overlap: bool | None
    confidence: float
    level: str
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "row": self.record.row,
            "record_id": self.record.record_id,
            "personnel_name": self.record.name,
            "unit": self.record.unit,
            "rank": self.record.rank,
            "suspect": self.suspect.id,
            "suspect_label": self.suspect.label or self.suspect.id,
            "name_score": round(self.name_score, 3),
            "unit_match": self.unit_match,
            "period_overlap": self.overlap,
            "confidence": round(self.confidence, 3),
            "level": self.level,
            "reasons": self.reasons,
            "acts": list(self.suspect.acts),
            "evidence": list(self.suspect.evidence),
        }


def _unit_key(u: str) -> str:
    return " ".join(name_tokens(u))


def _overlap(r: PersonnelRecord, s: Suspect) -> bool | None:
    if (r.start is None and r.end is None) or (s.start is None and s.end is None):
        return None
    a0, a1 = r.start or date.min, r.end or date.max
    b0, b1 = s.start or date.min, s.end or date.max
    return a0 <= b1 and b0 <= a1


def screen(
    personnel: Sequence[PersonnelRecord],
    suspects: Sequence[Suspect],
    *,
    threshold: float = 0.5,
    name_fn: Callable[[str, str], float] | None = None,
) -> tuple[list[Candidate], str]:
    """Return (candidates sorted by confidence, description of the name engine used)."""
    if name_fn is None:
        engine, name_fn = _engine()
    else:
        engine = "custom"
    out: list[Candidate] = []
    for r in personnel:
        for s in suspects:
            ns = max((name_fn(r.name, n) for n in s.names), default=0.0)
            if ns < 0.6:
                continue
            unit_match = bool(
                r.unit and any(fuzz.ratio(_unit_key(r.unit), _unit_key(u)) >= 85 for u in s.units)
            )
            ov = _overlap(r, s)
            conf = (
                ns * 0.7 + (0.2 if unit_match else 0.0) + {True: 0.1, None: 0.03, False: -0.15}[ov]
            )
            conf = max(0.0, min(1.0, conf))
            if conf < threshold:
                continue
            level = "high" if conf >= 0.85 else "medium" if conf >= 0.7 else "low"
            reasons = [f"name similarity {ns:.2f}"]
            reasons.append("same unit" if unit_match else "unit differs or unknown")
            reasons.append(
                {
                    True: "service period overlaps the suspected conduct",
                    False: "service period does not overlap",
                    None: "dates unknown",
                }[ov]
            )
            out.append(Candidate(r, s, ns, unit_match, ov, conf, level, reasons))
    out.sort(key=lambda c: (-c.confidence, c.record.row, c.suspect.id))
    return out, engine
