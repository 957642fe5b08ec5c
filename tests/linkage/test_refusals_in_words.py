"""A victim list's refusals in the reader's language (issue #11, item 10): the column
mapping (``--map`` and the web's mapping step), the limits of the one table reader
(:mod:`dalil.tabular`: rows, columns, cell length, an XLSX that unpacks too far), the
encodings it cannot read, and a value or a row refused in a strict load. Each keeps its
English words (the CLI prints them, scripts grep them); its Arabic words hold no Latin
word but the file's own names (file, columns, sheet), the standard fields' names as they
are typed, and the option ``--map``. All names are fictional."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dalil import tabular
from dalil.display.messages import error_in_words
from dalil.errors import DalilError
from dalil.linkage import io
from dalil.linkage.fields import NAME_FIELDS, STANDARD_FIELDS

#: Latin words the standard fields' names are made of (``full_name``: full, name).
FIELD_WORDS = {w for f in STANDARD_FIELDS for w in f.split("_")}


def _arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def _latin_words(s: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", s))


def _refused(call: Callable[[], Any]) -> DalilError:
    with pytest.raises(DalilError) as caught:
        call()
    return caught.value


def _in_arabic(err: DalilError, own: set[str]) -> str:
    words = error_in_words(err, "ar")
    left = _latin_words(words) - own
    assert _arabic(words) and not left, (words, left)
    return words


def _csv(tmp_path: Path, data: bytes, name: str = "roll.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- the column mapping ---------------------------------------------------------------


def test_a_map_option_refused_is_refused_in_arabic() -> None:
    err = _refused(lambda: io.parse_mapping(["Victim"]))
    assert str(err) == "--map 'Victim': expected COLUMN=FIELD"
    assert "--map" in _in_arabic(err, {"map", "Victim"})

    err = _refused(lambda: io.parse_mapping(["Victim=nickname"]))
    every = ", ".join(STANDARD_FIELDS)
    assert str(err) == (
        f"--map Victim=nickname: unknown field 'nickname'; standard fields are {every}"
    )
    words = _in_arabic(err, {"map", "Victim", "nickname"} | FIELD_WORDS)
    assert every in words, words  # the whole list, as it is typed, never cut


def test_a_mapping_the_file_does_not_fit_is_refused_in_arabic(tmp_path: Path) -> None:
    # more columns than a message parameter's 160 characters: the list is given whole
    heads = [f"Fictional heading {i}" for i in range(12)]
    path = _csv(
        tmp_path,
        (",".join(["Victim", *heads]) + "\nFictional Person," + "x," * 11 + "x\n").encode(),
    )
    err = _refused(lambda: io.load_list(path, mapping={"Nope": "full_name"}))
    columns = ", ".join(["Victim", *heads])
    assert len(columns) > 160
    assert str(err) == (
        f"roll.csv: --map names column 'Nope', which the file does not have (columns: {columns})"
    )
    words = _in_arabic(err, {"roll", "csv", "map", "Nope", "Victim", "Fictional", "heading"})
    assert columns in words, words

    err = _refused(
        lambda: io.load_list(path, mapping={"Victim": "full_name", heads[0]: "full_name"})
    )
    assert (
        str(err) == "roll.csv: columns 'Victim' and 'Fictional heading 0' both map to 'full_name'"
    )
    _in_arabic(err, {"roll", "csv", "Victim", "Fictional", "heading", "full", "name"})

    ages = _csv(tmp_path, b"age\n34\n", "ages.csv")
    err = _refused(lambda: io.load_list(ages))
    assert str(err) == (
        "ages.csv: missing required column: no name column (need one of "
        f"{', '.join(NAME_FIELDS)}; map one with --map COLUMN=full_name)"
    )
    words = _in_arabic(err, {"ages", "csv", "map"} | FIELD_WORDS)
    assert ", ".join(NAME_FIELDS) in words and "--map" in words, words


def test_a_row_refused_in_a_strict_load_is_refused_in_arabic(tmp_path: Path) -> None:
    path = _csv(tmp_path, b"full_name,age\nFictional Nadim Qasir,abc\n")
    err = _refused(lambda: io.load_list(path, strict=True))
    assert str(err) == "roll.csv: row 2, column 'age': not an age in years"
    _in_arabic(err, {"roll", "csv", "age"})

    path = _csv(tmp_path, b"full_name,age\n,34\n")
    err = _refused(lambda: io.load_list(path, strict=True))
    assert str(err) == "roll.csv: row 2: no name in any name column"
    _in_arabic(err, {"roll", "csv"})

    path = _csv(tmp_path, b"record_id,full_name\n7,Fictional Huda\n7,Fictional Sami\n")
    err = _refused(lambda: io.load_list(path))
    assert str(err) == "roll.csv: row 3, column 'record_id': duplicated record id (first at row 2)"
    _in_arabic(err, {"roll", "csv", "record"})


# --- the limits -----------------------------------------------------------------------


def test_a_list_over_a_limit_is_refused_in_arabic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = {"roll", "csv", "json"}
    long_cell = b"full_name\n" + b"x" * (tabular.MAX_CELL_CHARS + 1) + b"\n"
    err = _refused(lambda: io.preview(_csv(tmp_path, long_cell)))
    assert str(err) == "roll.csv: row 2: refused: a cell longer than 32,767 characters (the limit)"
    _in_arabic(err, own)

    wide = ",".join(f"c{i}" for i in range(tabular.MAX_COLUMNS + 1)).encode() + b"\n"
    err = _refused(lambda: io.preview(_csv(tmp_path, wide)))
    assert str(err) == "roll.csv: row 1: refused: more than 500 columns (the limit)"
    _in_arabic(err, own)

    # columns that only add up over the rows of a JSON list
    half = tabular.MAX_COLUMNS // 2 + 1
    rows = [{f"a{i}": 1 for i in range(half)}, {f"b{i}": 1 for i in range(half)}]
    err = _refused(
        lambda: io.preview(_csv(tmp_path, repr(rows).replace("'", '"').encode(), "roll.json"))
    )
    assert str(err) == "roll.json: row 2: refused: more than 500 columns (the limit)"
    _in_arabic(err, own)

    monkeypatch.setattr(tabular, "MAX_ROWS", 2)  # the limit's words, not a million rows
    err = _refused(lambda: io.preview(_csv(tmp_path, b"full_name\nA\nB\nC\n")))
    assert str(err) == "roll.csv: refused: more than 2 rows (the limit)"
    _in_arabic(err, own)
    assert (
        str(tabular.too_many_rows("long.csv")) == "long.csv: refused: more than 2 rows (the limit)"
    )


def test_a_csv_the_reader_cannot_read_is_refused_in_arabic(tmp_path: Path) -> None:
    own = {"roll", "csv"}
    huge = b"full_name\n" + b"x" * 200_000 + b"\n"
    err = _refused(lambda: io.preview(_csv(tmp_path, huge)))
    assert str(err) == "roll.csv: row 2: unreadable CSV (field larger than field limit (131072))"
    _in_arabic(err, own)

    err = _refused(lambda: io.preview(_csv(tmp_path, b"full_name\nA\n"), encoding="nope"))
    assert str(err) == "roll.csv: cannot read as nope: LookupError"
    _in_arabic(err, own | {"nope", "LookupError"})

    err = _refused(lambda: io.preview(_csv(tmp_path, b"\xef\xbb\xbffull_name\n\xff\n")))
    assert (
        str(err) == "roll.csv: starts with a utf-8-sig byte-order mark but is not valid utf-8-sig"
    )
    _in_arabic(err, own | {"utf", "sig"})

    err = _refused(lambda: io.preview(_csv(tmp_path, b"full_name\nA\x00B\n")))
    assert str(err) == "roll.csv: looks binary (contains NUL bytes), not a text table"
    _in_arabic(err, own)

    # not UTF-8, and a control character in both Windows readings: no encoding fits
    err = _refused(lambda: io.preview(_csv(tmp_path, b"full_name\nA\x01\x81\n")))
    assert str(err) == (
        "roll.csv: row 2: not valid UTF-8 (byte 12), nor Windows Arabic or Latin text; save the "
        "file as UTF-8 or give its encoding (e.g. cp1256 for Windows Arabic)"
    )
    _in_arabic(err, own | {"UTF"})

    err = _refused(lambda: tabular.read_text(tmp_path / "roster.csv"))
    assert str(err) == "roster.csv: no such file"
    _in_arabic(err, {"roster", "csv"})


def test_a_large_file_is_refused_in_arabic(tmp_path: Path) -> None:
    path = tmp_path / "roll.csv"
    with open(path, "wb") as f:  # a sparse file: its size, not its bytes
        f.truncate(io.MAX_FILE_BYTES + 1)
    err = _refused(lambda: io.preview(path))
    assert str(err) == "roll.csv: larger than 2 GiB"
    _in_arabic(err, {"roll", "csv"})


def test_a_workbook_refused_is_refused_in_arabic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl

    own = {"roll", "xlsx", "Fictional", "sheet"}
    wb = openpyxl.Workbook()
    wb.active.title = "Fictional sheet"
    wb.save(tmp_path / "roll.xlsx")
    err = _refused(lambda: io.preview(tmp_path / "roll.xlsx"))
    assert str(err) == "roll.xlsx: sheet 'Fictional sheet' is empty"
    _in_arabic(err, own)

    wb.active.cell(row=1, column=tabular.MAX_COLUMNS + 1, value="x")
    wb.save(tmp_path / "roll.xlsx")
    err = _refused(lambda: io.preview(tmp_path / "roll.xlsx"))
    assert str(err) == "roll.xlsx: refused: more than 500 columns (the limit)"
    _in_arabic(err, own)

    # a part that compresses a thousand times (a list bomb), then the size limit lowered
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"0" * 2 * 1024**2)
    err = _refused(lambda: io.preview(tmp_path / "bomb.xlsx"))
    assert str(err) == (
        "bomb.xlsx: refused: a part of the workbook expands more than 100 times when unpacked "
        "(the limit; a list bomb?)"
    )
    _in_arabic(err, {"bomb", "xlsx"})
    monkeypatch.setattr(tabular, "MAX_XLSX_UNPACKED_BYTES", 1024**2)
    err = _refused(lambda: io.preview(tmp_path / "bomb.xlsx"))
    assert str(err) == "bomb.xlsx: refused: the workbook unpacks to more than 1 MB (the limit)"
    _in_arabic(err, {"bomb", "xlsx"})
