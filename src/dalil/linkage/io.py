"""Reading victim lists (CSV, XLSX, JSON) into standard records, with a row-level report.

Usable without a case. :func:`load_list` reads one file, maps its columns onto the
standard fields (:data:`dalil.linkage.fields.STANDARD_FIELDS`), parses every value and
returns the records together with one :class:`RowIssue` per repaired or rejected row.

* A file over a limit of :mod:`dalil.tabular` (rows, columns, cell length; an XLSX
  workbook that unpacks too far) is refused in one line naming the limit.
* File-level problems (unreadable encoding, no name column, a ``--map`` naming an
  unknown column or field, an XLSX workbook with several sheets and no ``sheet``,
  duplicated record ids) raise :class:`dalil.errors.InputError` naming the file, row
  and column; nothing is returned half-way.
* A value that cannot be read (``31/02/2025`` as a date, ``abc`` as an age) is
  *blanked* and the row is reported as ``repaired`` with the column and reason; the raw
  value stays in the original file kept as evidence. A row with no name at all is
  ``rejected``. With ``strict=True`` the first such problem raises instead.
* Messages never quote the value (list rows hold victims' names).
"""

from __future__ import annotations

import contextlib
import csv
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dalil import tabular
from dalil.display.messages import N_, Message
from dalil.errors import DalilError, InputError
from dalil.linkage.fields import (
    NAME_FIELDS,
    STANDARD_FIELDS,
    FieldError,
    is_blank,
    parse_age,
    parse_national_id,
    parse_notes,
    parse_partial_date,
    parse_sex,
    parse_text,
    parse_year,
)
from dalil.linkage.gcpause import paused_gc

MAX_FILE_BYTES = 2 * 1024**3

_PARSERS: dict[str, Callable[[object], Any]] = {
    "sex": parse_sex,
    "age": parse_age,
    "birth_date": parse_partial_date,
    "birth_year": parse_year,
    "date_of_death": parse_partial_date,
    "national_id": parse_national_id,
    "notes": parse_notes,
}

# Common column headings (lower-cased, either script) recognised without --map.
_ALIASES: dict[str, str] = {
    "id": "record_id", "recordid": "record_id", "record": "record_id", "no": "record_id",
    "name": "full_name", "fullname": "full_name", "الاسم": "full_name", "الاسم الكامل": "full_name",
    "الاسم الثلاثي": "full_name",
    "first": "first_name", "given_name": "first_name", "firstname": "first_name",
    "الاسم الاول": "first_name",
    "father": "father_name", "اسم الاب": "father_name", "grandfather": "grandfather_name",
    "surname": "family_name", "last_name": "family_name", "lastname": "family_name",
    "family": "family_name", "الكنية": "family_name", "اسم العائلة": "family_name",
    "mother": "mother_name", "اسم الام": "mother_name",
    "gender": "sex", "الجنس": "sex", "العمر": "age", "date_of_birth": "birth_date",
    "dob": "birth_date", "تاريخ الولادة": "birth_date", "dod": "date_of_death",
    "death_date": "date_of_death", "تاريخ الوفاة": "date_of_death",
    "تاريخ الاستشهاد": "date_of_death", "place": "place_of_death", "مكان الوفاة": "place_of_death",
    "المحافظة": "governorate", "province": "governorate", "city": "locality",
    "town": "locality", "village": "locality", "المدينة": "locality", "البلدة": "locality",
    "id_number": "national_id", "الرقم الوطني": "national_id",
    "note": "notes", "remarks": "notes", "comments": "notes", "details": "notes",
    "ملاحظات": "notes", "ملاحظة": "notes", "تفاصيل": "notes", "الملاحظات": "notes",
}  # fmt: skip


@dataclass
class RowIssue:
    """One problem with one row: ``row`` is 1-based in the file (header row = 1 for
    tables); ``action`` is ``repaired`` (value blanked or normalised, row kept) or
    ``rejected`` (row left out)."""

    row: int
    column: str | None
    action: str
    reason: str
    #: the reason as a message id and parameters (``{id, params}``), to be put into
    #: the reader's language (the workbench's report); ``reason`` is its English words
    message: dict[str, Any] | None = None

    @classmethod
    def said(cls, row: int, column: str | None, action: str, words: Message) -> RowIssue:
        return cls(
            row, column, action, str(words), {"id": words.msgid, "params": words.to_json()["p"]}
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self, file: str) -> str:
        col = f", column {self.column!r}" if self.column else ""
        return f"{file}: row {self.row}{col}: {self.action}: {self.reason}"


@dataclass
class ListFile:
    """The parsed contents of one list file."""

    path: Path
    list_name: str
    records: list[dict[str, Any]]
    issues: list[RowIssue] = field(default_factory=list)
    rows_read: int = 0
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    #: how many records had each field filled from their notes (see derive_from_notes)
    derived: dict[str, int] = field(default_factory=dict)

    def report(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "list": self.list_name,
            "rows": self.rows_read,
            "imported": len(self.records),
            "repaired": sum(1 for i in self.issues if i.action == "repaired"),
            "rejected": sum(1 for i in self.issues if i.action == "rejected"),
            "mapping": self.mapping,
            "ignored_columns": self.ignored_columns,
            "derived_from_notes": self.derived,
            "issues": [i.to_dict() for i in self.issues],
        }


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["Name=full_name", "Gov=governorate"]`` → ``{"Name": "full_name", ...}``."""
    out: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise InputError(Message(N_("--map %(item)s: expected COLUMN=FIELD"), item=repr(item)))
        col, fld = item.rsplit("=", 1)
        col, fld = col.strip(), fld.strip()
        if fld not in STANDARD_FIELDS:
            raise InputError(
                Message(
                    N_(
                        "--map %(column)s=%(field)s: unknown field %(name)s; standard fields "
                        "are %(fields)s"
                    ),
                    column=col,
                    field=fld,
                    name=repr(fld),
                    fields=_names(STANDARD_FIELDS),
                )
            )
        out[col] = fld
    return out


def _names(names: Sequence[str]) -> Message:
    """*names* (the file's columns, the standard fields), comma-separated, as one message
    parameter: each name a parameter of its own, shown as it is in every language, so
    that a long list is never cut (a text parameter keeps
    :data:`dalil.display.messages.PARAM_MAX` characters)."""
    keys = [f"n{i}" for i in range(len(names))]
    return Message(", ".join(f"%({k})s" for k in keys), **dict(zip(keys, names, strict=True)))


def _decode(path: Path, data: bytes, encoding: str | None) -> str:
    """The file's text by the rules of :mod:`dalil.tabular` (the one table reader)."""
    return tabular.decode(data, path.name, encoding).text


def _read_rows(
    path: Path, sheet: str | None, encoding: str | None
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and (row number, {column: value}) for each data row."""
    if not path.is_file():
        raise InputError(Message(N_("%(file)s: no such file"), file=str(path)))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(
            Message(
                N_("%(file)s: larger than %(size)s GiB"),
                file=path.name,
                size=str(MAX_FILE_BYTES // 1024**3),
            )
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix == ".json":
        return _read_json(path, _decode(path, path.read_bytes(), encoding))
    if suffix in (".xls", ".ods"):
        raise InputError(
            Message(
                N_("%(file)s: %(suffix)s is not supported; save it as .xlsx or .csv"),
                file=path.name,
                suffix=suffix,
            )
        )
    text = _decode(path, path.read_bytes(), encoding)
    reader = tabular.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(Message(N_("%(file)s: the file is empty"), file=path.name)) from None
    header = [h.strip() for h in header]
    tabular.check_row(path.name, 1, header)
    rows: list[tuple[int, dict[str, Any]]] = []
    n = 1
    cap = tabular.MAX_CELL_CHARS  # a longer cell is refused by tabular.check_row
    try:
        for n, values in enumerate(reader, start=2):
            if n > tabular.MAX_ROWS + 1:
                raise tabular.too_many_rows(path.name)
            if len(values) > tabular.MAX_COLUMNS or max(map(len, values), default=0) > cap:
                tabular.check_row(path.name, n, values)  # refuses the row
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                raise InputError(
                    Message(
                        N_(
                            "%(file)s: row %(row)s: %(values)s values but %(columns)s columns "
                            "(a stray delimiter or quote?)"
                        ),
                        file=path.name,
                        row=str(n),
                        values=str(len(values)),
                        columns=str(len(header)),
                    )
                )
            rows.append((n, dict(zip(header, values, strict=False))))
    except csv.Error as e:  # a huge field, a NUL byte …: one line, never a crash
        raise InputError(
            Message(
                N_("%(file)s: row %(row)s: unreadable CSV (%(fault)s)"),
                file=path.name,
                row=str(n + 1),
                fault=_csv_fault(e),
            )
        ) from None
    # An opening quote never closed swallows every row after it into one value (the
    # csv module reads on to the end of the file without complaint).
    if rows and text.count('"') % 2 == 1:
        last_n, last = rows[-1]
        if any(isinstance(v, str) and "\n" in v for v in last.values()):
            raise InputError(
                Message(
                    N_(
                        "%(file)s: row %(row)s: a quoted value is never closed (unterminated "
                        "quote); the rows after it would be merged into it"
                    ),
                    file=path.name,
                    row=str(last_n),
                )
            )
    if "\x00" in text:  # else no value holds one
        _refuse_nul(path, rows)
    return header, rows


def _csv_fault(e: csv.Error) -> str:
    """The csv module's words for *e*: the field limit's as a message id (its English
    words unchanged), others as they are."""
    said = str(e)
    m = re.fullmatch(r"field larger than field limit \((\d+)\)", said)
    if m:
        return Message(N_("field larger than field limit (%(max)s)"), max=m[1])
    return said


def _refuse_nul(path: Path, rows: list[tuple[int, dict[str, Any]]]) -> None:
    """A NUL byte inside a value (a name) is never data: refuse the file in one line."""
    for n, row in rows:
        for col, v in row.items():
            if isinstance(v, str) and "\x00" in v:
                raise InputError(
                    Message(
                        N_("%(file)s: row %(row)s, column %(column)s: contains a NUL byte"),
                        file=path.name,
                        row=str(n),
                        column=repr(col),
                    )
                )


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    import zipfile

    import openpyxl

    tabular.check_xlsx(path)  # a list bomb is refused before a row is read
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise InputError(
            Message(
                N_("%(file)s: not a readable XLSX workbook (%(fault)s)"),
                file=path.name,
                fault=type(e).__name__,
            )
        ) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            if len(names) > 1:
                raise InputError(
                    Message(
                        N_(
                            "%(file)s: the workbook has %(count)s sheets (%(sheets)s); "
                            "choose one with --sheet"
                        ),
                        file=path.name,
                        count=str(len(names)),
                        sheets=", ".join(names),
                    )
                )
            ws = wb[names[0]]
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise InputError(
                Message(
                    N_("%(file)s: no sheet named %(sheet)s (sheets: %(sheets)s)"),
                    file=path.name,
                    sheet=repr(sheet),
                    sheets=", ".join(names),
                )
            )
        # The dimension the sheet declares: the reader pads every row to its width.
        if (ws.max_row or 0) > tabular.MAX_ROWS + 1:
            raise tabular.too_many_rows(path.name)
        if (ws.max_column or 0) > tabular.MAX_COLUMNS:
            raise InputError(
                Message(
                    N_("%(file)s: refused: more than %(max)s columns (the limit)"),
                    file=path.name,
                    max=str(tabular.MAX_COLUMNS),
                )
            )
        it = ws.iter_rows(values_only=True)
        try:
            header_row = next(it)
        except StopIteration:
            raise InputError(
                Message(
                    N_("%(file)s: sheet %(sheet)s is empty"), file=path.name, sheet=repr(ws.title)
                )
            ) from None
        tabular.check_row(path.name, 1, header_row)
        header = ["" if h is None else str(h).strip() for h in header_row]
        rows: list[tuple[int, dict[str, Any]]] = []
        for n, values in enumerate(it, start=2):
            if n > tabular.MAX_ROWS + 1:
                raise tabular.too_many_rows(path.name)
            tabular.check_row(path.name, n, values)
            if all(is_blank(v) for v in values):
                continue
            rows.append((n, dict(zip(header, values, strict=False))))
        _refuse_nul(path, rows)
        return header, rows
    finally:
        wb.close()


def _read_json(path: Path, text: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            Message(
                N_("%(file)s: not valid JSON (line %(line)s, column %(column)s)"),
                file=path.name,
                line=str(e.lineno),
                column=str(e.colno),
            )
        ) from None
    except RecursionError:
        raise InputError(Message(N_("%(file)s: JSON nested too deeply"), file=path.name)) from None
    if isinstance(data, dict):
        data = data.get("records")
    if not isinstance(data, list):
        raise InputError(
            Message(
                N_('%(file)s: expected a JSON array of objects or {"records": [...]}'),
                file=path.name,
            )
        )
    if len(data) > tabular.MAX_ROWS:
        raise tabular.too_many_rows(path.name)
    header: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    for n, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            raise InputError(
                Message(N_("%(file)s: row %(row)s: expected an object"), file=path.name, row=str(n))
            )
        tabular.check_row(path.name, n, list(obj.values()))
        for k in obj:
            if k not in header:
                header.append(str(k))
                if len(header) > tabular.MAX_COLUMNS:
                    raise tabular.too_many_columns(path.name, n)
        rows.append((n, {str(k): v for k, v in obj.items()}))
    _refuse_nul(path, rows)  # a \u0000 escape gives a NUL the raw text lacks
    return header, rows


def _resolve_mapping(
    path: Path, header: list[str], mapping: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """column → field for every used column; the columns left unused."""
    for col in mapping:
        if col not in header:
            raise InputError(
                Message(
                    N_(
                        "%(file)s: --map names column %(column)s, which the file does not "
                        "have (columns: %(columns)s)"
                    ),
                    file=path.name,
                    column=repr(col),
                    columns=_names(header),
                )
            )
    used: dict[str, str] = {}
    for col in header:
        if col in mapping:
            used[col] = mapping[col]
            continue
        low = col.strip().lower().replace("-", "_")
        fld = (
            low
            if low in STANDARD_FIELDS
            else _ALIASES.get(low) or _ALIASES.get(low.replace("_", " "))
        )
        if fld and fld not in used.values() and fld not in mapping.values():
            used[col] = fld
    seen: dict[str, str] = {}
    for col, fld in used.items():
        if fld in seen:
            raise InputError(
                Message(
                    N_("%(file)s: columns %(first)s and %(second)s both map to %(field)s"),
                    file=path.name,
                    first=repr(seen[fld]),
                    second=repr(col),
                    field=repr(fld),
                )
            )
        seen[fld] = col
    if not set(used.values()) & set(NAME_FIELDS):
        raise InputError(
            Message(
                N_(
                    "%(file)s: missing required column: no name column (need one of "
                    "%(fields)s; map one with --map COLUMN=full_name)"
                ),
                file=path.name,
                fields=_names(NAME_FIELDS),
            )
        )
    ignored = [c for c in header if c and c not in used]
    return used, ignored


def check_mapping(file_name: str, header: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """The column → field mapping *mapping* gives a file of columns *header* (headings
    recognised fill the rest), or the :class:`InputError` its import would meet — a
    column the file does not have, two columns on one field, no name column — found
    without reading the file again (the web import's mapping step)."""
    return _resolve_mapping(Path(file_name), list(header), mapping)[0]


def preview(
    path: str | Path, *, sheet: str | None = None, encoding: str | None = None
) -> dict[str, Any]:
    """A list file's columns, its number of data rows and the mapping guessed from its
    headings (``{}`` when none can be guessed): what a user maps before importing."""
    p = Path(path)
    header, rows = _read_rows(p, sheet, encoding)
    try:
        guessed, _ignored = _resolve_mapping(p, header, {})
    except DalilError:
        guessed = {}
    return {"columns": header, "rows": len(rows), "guessed": guessed}


def preview_for_worker(data: bytes, name: str) -> dict[str, Any]:
    """:func:`preview` in a bounded worker (:mod:`dalil.sources.bounded`): *data* is
    ``{"path": …}`` as JSON (the file is already in a private temporary folder)."""
    req = json.loads(data)
    return preview(req["path"])


def check_for_worker(data: bytes, name: str) -> dict[str, Any]:
    """:func:`load_list`'s report in a bounded worker: *data* is ``{"path", "mapping",
    "list_name"}`` as JSON."""
    req = json.loads(data)
    return load_list(req["path"], mapping=req["mapping"], list_name=req["list_name"]).report()


def load_for_worker(data: bytes, name: str) -> dict[str, Any]:
    """:func:`load_list` in a bounded worker: *data* is ``{"path", "mapping", "list_name",
    "sheet", "encoding", "strict"}`` as JSON; the parsed file comes back as JSON (rebuilt
    by :func:`list_file_from_worker`)."""
    req = json.loads(data)
    f = load_list(
        req["path"],
        mapping=req.get("mapping"),
        list_name=req.get("list_name"),
        sheet=req.get("sheet"),
        encoding=req.get("encoding"),
        strict=bool(req.get("strict")),
    )
    return {
        "list_name": f.list_name,
        "records": f.records,
        "issues": [i.to_dict() for i in f.issues],
        "rows_read": f.rows_read,
        "mapping": f.mapping,
        "ignored_columns": f.ignored_columns,
        "derived": f.derived,
    }


def list_file_from_worker(path: Path, out: Mapping[str, Any]) -> ListFile:
    """The :class:`ListFile` that :func:`load_for_worker` sent back."""
    return ListFile(
        path=path,
        list_name=str(out["list_name"]),
        records=list(out["records"]),
        issues=[RowIssue(**i) for i in out["issues"]],
        rows_read=int(out["rows_read"]),
        mapping=dict(out["mapping"]),
        ignored_columns=list(out["ignored_columns"]),
        derived=dict(out["derived"]),
    )


def load_list(
    path: str | Path,
    *,
    mapping: Mapping[str, str] | None = None,
    list_name: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
) -> ListFile:
    """Read and validate one list file; see the module docstring for the rules."""
    path = Path(path)
    header, rows = _read_rows(path, sheet, encoding)
    used, ignored = _resolve_mapping(path, header, mapping or {})
    name = list_name or path.stem
    out = ListFile(path=path, list_name=name, records=[], mapping=used, ignored_columns=ignored)
    out.rows_read = len(rows)
    id_rows: dict[str, int] = {}
    # each distinct value of a column is parsed once (lists repeat names, dates, places)
    cache: dict[str, dict[Any, tuple[Any, str | None]]] = {col: {} for col in used}
    for n, raw in rows:
        rec: dict[str, Any] = {}
        for col, fld in used.items():
            value = raw.get(col)
            seen = cache[col]
            try:
                hit = seen.get(value)
            except TypeError:  # unhashable (a JSON list or object)
                hit = None
            if hit is None:
                parser = _PARSERS.get(fld, parse_text)
                try:
                    hit = (parser(value), None)
                except FieldError as e:
                    hit = (None, str(e))
                with contextlib.suppress(TypeError):
                    seen[value] = hit
            parsed, error = hit
            if error is not None:
                if strict:
                    raise InputError(
                        Message(
                            N_("%(file)s: row %(row)s, column %(column)s: %(error)s"),
                            file=path.name,
                            row=str(n),
                            column=repr(col),
                            error=Message(error),
                        )
                    )
                out.issues.append(
                    RowIssue.said(
                        n, col, "repaired",
                        Message(N_("value blanked: %(error)s"), error=Message(error)),
                    )
                )  # fmt: skip
            rec[fld] = parsed
        rid = rec.get("record_id")
        if rid is None:
            rid = str(n)
        rid = str(rid)
        if rid in id_rows:
            raise InputError(
                Message(
                    N_(
                        "%(file)s: row %(row)s, column 'record_id': duplicated record id "
                        "(first at row %(first)s)"
                    ),
                    file=path.name,
                    row=str(n),
                    first=str(id_rows[rid]),
                )
            )
        id_rows[rid] = n
        rec["record_id"] = rid
        if not any(rec.get(f) for f in NAME_FIELDS):
            if strict:
                raise InputError(
                    Message(
                        N_("%(file)s: row %(row)s: no name in any name column"),
                        file=path.name,
                        row=str(n),
                    )
                )
            out.issues.append(
                RowIssue.said(n, None, "rejected", Message(N_("no name in any name column")))
            )
            continue
        rec["list"] = rec.get("list") or name
        rec["_row"] = n
        out.records.append(rec)
    if "notes" in used.values():
        out.derived = derive_from_notes(out.records)
    return out


def derive_from_notes(records: list[dict[str, Any]]) -> dict[str, int]:
    """Fill empty date and place of death and father's name from each record's
    ``notes`` (:func:`dalil.linkage.notes.extract`), never overwriting a value the list
    gave. A filled field is named in the record's ``derived_fields``; the relations a
    note names go to ``kinship``. Places are looked up first among the places the list
    itself names. Returns how many records got each field."""
    from dalil.linkage.fields import DERIVABLE_FIELDS
    from dalil.linkage.notes import Gazetteer, extract

    places = Gazetteer(
        str(r[k]) for r in records for k in ("place_of_death", "locality") if r.get(k)
    )
    counts: dict[str, int] = {}
    for rec in records:
        if not rec.get("notes"):
            continue
        found = extract(rec["notes"], places=places)
        filled = []
        # a full name of three or more units already holds the father's name
        full = str(rec.get("full_name") or "").split()
        for k in DERIVABLE_FIELDS:
            value = getattr(found, k)
            if k == "father_name" and len(full) > 2:
                continue
            if value and not rec.get(k):
                rec[k] = value
                filled.append(k)
                counts[k] = counts.get(k, 0) + 1
        if found.kinship:
            rec["kinship"] = ", ".join(found.kinship)
            counts["kinship"] = counts.get("kinship", 0) + 1
        if filled:
            rec["derived_fields"] = filled
    return counts


def load_lists(
    paths: Sequence[str | Path],
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
) -> tuple[list[dict[str, Any]], list[ListFile]]:
    """Read several files for linkage; record ids made unique across files.

    Each file's records keep their ``record_id`` when the ids are unique across all
    files; if any id occurs in two files, every id becomes ``FILE_STEM:ID`` (stems made
    unique with ``-2``, ``-3`` … when two files share a stem).
    """
    with paused_gc():
        return _load_lists(paths, mapping=mapping, sheet=sheet, encoding=encoding, strict=strict)


def _load_lists(
    paths: Sequence[str | Path],
    *,
    mapping: Mapping[str, str] | None,
    sheet: str | None,
    encoding: str | None,
    strict: bool,
) -> tuple[list[dict[str, Any]], list[ListFile]]:
    files = [
        load_list(p, mapping=mapping, sheet=sheet, encoding=encoding, strict=strict) for p in paths
    ]
    seen: set[str] = set()
    clash = False
    for f in files:
        ids = {r["record_id"] for r in f.records}
        if ids & seen:
            clash = True
        seen |= ids
    stems: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    for f in files:
        stem = f.path.stem
        stems[stem] = stems.get(stem, 0) + 1
        if stems[stem] > 1:
            stem = f"{stem}-{stems[stem]}"
        for r in f.records:
            r = dict(r)
            r["source_file"] = stem
            if clash:
                r["record_id"] = f"{stem}:{r['record_id']}"
            records.append(r)
    return records, files
