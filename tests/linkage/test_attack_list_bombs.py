"""Attack: list bombs (issue 18, break 8). A victim list or roster was parsed without
limits: a 68 KB XLSX expanded to 200,000 rows. A table over a limit of
:mod:`dalil.tabular` (rows, columns, cell length; an XLSX part that unpacks too far) is
now refused in one line naming the limit, and nothing is stored. Names are fictional."""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from dalil import tabular
from dalil.core.case import Case
from dalil.errors import InputError
from dalil.linkage.io import load_list
from dalil.model.evidence import EvidenceItem
from dalil.model.lists import VictimList
from dalil.testing import DalilRunner


def _workbook(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_bomb(rows: int, *, dimension: str | None = None) -> bytes:
    """A valid workbook whose one sheet holds *rows* identical rows: the sheet XML is
    written in chunks (tens of MB) and compresses several hundred times."""
    base = zipfile.ZipFile(io.BytesIO(_workbook([["record_id", "full_name"]])))
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + '<sheetData><row><c t="inlineStr"><is><t>record_id</t></is></c>'
        '<c t="inlineStr"><is><t>full_name</t></is></c></row>'
    )
    row = '<row><c t="inlineStr"><is><t>Fictional Bomb</t></is></c></row>' * 1000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in base.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                z.writestr(info.filename, base.read(info.filename))
                continue
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                f.write(head.encode())
                chunk = row.encode()
                for _ in range(rows // 1000):
                    f.write(chunk)
                f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _one_line(e: pytest.ExceptionInfo[InputError]) -> str:
    msg = str(e.value)
    assert "\n" not in msg and "Fictional Bomb" not in msg
    return msg


def test_xlsx_that_expands_to_millions_of_rows_is_refused_naming_the_limit(
    tmp_path: Path,
) -> None:
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(xlsx_bomb(2_000_000))
    assert bomb.stat().st_size < 1_000_000  # well under the web's 20 MB upload limit
    start = time.monotonic()
    with pytest.raises(InputError) as e:
        load_list(bomb)
    assert time.monotonic() - start < 5  # refused from the zip directory, no row read
    assert _one_line(e) == (
        f"bomb.xlsx: refused: a part of the workbook expands more than "
        f"{tabular.MAX_XLSX_RATIO} times when unpacked (the limit; a list bomb?)"
    )


def test_xlsx_declaring_millions_of_rows_is_refused_before_reading_them(tmp_path: Path) -> None:
    # A small sheet (no ratio alarm) whose declared dimension asks the reader to pad
    # every row out to two million.
    p = tmp_path / "declared.xlsx"
    p.write_bytes(xlsx_bomb(1000, dimension="A1:B2000000"))
    with pytest.raises(InputError) as e:
        load_list(p)
    assert (
        _one_line(e) == f"declared.xlsx: refused: more than {tabular.MAX_ROWS:,} rows (the limit)"
    )


def test_csv_with_more_rows_than_the_limit_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "long.csv"
    p.write_bytes(b"record_id,full_name\n" + b"1,Fictional Bomb\n" * (tabular.MAX_ROWS + 1))
    with pytest.raises(InputError) as e:
        load_list(p)
    assert _one_line(e) == f"long.csv: refused: more than {tabular.MAX_ROWS:,} rows (the limit)"


def test_csv_with_too_many_columns_or_a_huge_cell_is_refused(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    cols = ["full_name"] + [f"c{i}" for i in range(tabular.MAX_COLUMNS)]
    wide.write_text(",".join(cols) + "\nFictional One\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_list(wide)
    assert _one_line(e) == (
        f"wide.csv: row 1: refused: more than {tabular.MAX_COLUMNS} columns (the limit)"
    )
    huge = tmp_path / "huge.json"
    huge.write_text(
        '[{"full_name": "Fictional One"}, {"full_name": "%s"}]'
        % ("A" * (tabular.MAX_CELL_CHARS + 1)),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as e:
        load_list(huge)
    assert re.fullmatch(r"huge\.json: row 2: refused: a cell longer than 32,767 characters .*",
                        _one_line(e))  # fmt: skip


def test_a_real_sized_xlsx_list_still_reads(tmp_path: Path) -> None:
    # 6,000 rows of distinct fictional names: a sheet part over 1 MB, compressed about
    # ten times, as real lists are.
    rows: list[list[object]] = [["record_id", "full_name", "age", "date_of_death"]]
    rows += [[f"r{i}", f"Fictional Name{i} Son{i * 7 % 991}", 20 + i % 60, "2025-03-07"]
             for i in range(6000)]  # fmt: skip
    p = tmp_path / "real.xlsx"
    p.write_bytes(_workbook(rows))
    sheet = zipfile.ZipFile(p).getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > 1024**2  # the ratio check applies to it
    assert len(load_list(p).records) == 6000


def test_cli_list_import_of_a_bomb_exits_with_one_line_and_stores_nothing(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(xlsx_bomb(2_000_000))
    r = dalil("lists", "import", bomb, "--list", "Fictional bomb list")
    assert r.exit_code != 0
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "expands more than 100 times" in lines[0], r.stderr
    with case.act(write=False) as ctx:
        assert ctx.session.scalar(select(func.count()).select_from(VictimList)) == 0
        assert ctx.session.scalar(select(func.count()).select_from(EvidenceItem)) == 0


def test_personnel_roster_xlsx_bomb_is_refused_naming_the_limit(tmp_path: Path) -> None:
    from dalil.findings.vetting import read_personnel

    bomb = tmp_path / "roster.xlsx"
    bomb.write_bytes(xlsx_bomb(2_000_000))
    with pytest.raises(InputError) as e:
        read_personnel(bomb)
    assert "refused: a part of the workbook expands more than 100 times" in _one_line(e)


def test_personnel_roster_csv_over_the_row_limit_is_refused(tmp_path: Path) -> None:
    from dalil.findings.vetting import read_personnel

    p = tmp_path / "roster.csv"
    p.write_bytes(b"name,unit\n" + b"Fictional Bomb,Unit 1\n" * (tabular.MAX_ROWS + 1))
    with pytest.raises(InputError) as e:
        read_personnel(p)
    assert _one_line(e) == f"{p}: refused: more than {tabular.MAX_ROWS:,} rows (the limit)"
