"""Reading and validating list files: partial dates, repairs, file-level errors."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from dalil.errors import InputError
from dalil.linkage.fields import FieldError, parse_age, parse_partial_date, parse_sex
from dalil.linkage.io import load_list, load_lists, parse_mapping


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025", "2025"),
        ("2025-03", "2025-03"),
        ("2025-03-07", "2025-03-07"),
        ("07/03/2025", "2025-03-07"),  # day first
        ("03/2025", "2025-03"),
        ("٠٧/٠٣/٢٠٢٥", "2025-03-07"),  # Arabic-Indic digits
        ("2025-03-07 00:00:00", "2025-03-07"),
        ("", None),
        ("غير معروف", None),
    ],
)
def test_partial_dates_keep_their_precision(raw: str, expected: str | None) -> None:
    assert parse_partial_date(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2025", "2025-13", "2025-02-30", "next week", "1066"])
def test_impossible_dates_are_errors_never_moved(raw: str) -> None:
    with pytest.raises(FieldError):
        parse_partial_date(raw)


def test_age_and_sex_in_either_script() -> None:
    assert parse_age("٣٤") == 34
    assert parse_age("34 years") == 34
    assert parse_age("8 months") == 0
    assert parse_sex("ذكر") == "m" and parse_sex("أنثى") == "f" and parse_sex("F") == "f"
    with pytest.raises(FieldError):
        parse_age("200")


def test_bad_value_is_blanked_and_reported_with_row_and_column(data: Path) -> None:
    lf = load_list(data / "bad_dates.csv")
    ids = [r["record_id"] for r in lf.records]
    assert ids == ["b1", "b3"]  # b2 has no name: rejected
    b1 = lf.records[0]
    assert b1["date_of_death"] is None
    by_row = {i.row: i for i in lf.issues}
    assert by_row[2].column == "date_of_death" and by_row[2].action == "repaired"
    assert "no such day" in by_row[2].reason
    assert by_row[3].action == "rejected"
    rep = lf.report()
    assert rep["rows"] == 3 and rep["imported"] == 2 and rep["rejected"] == 1


def test_strict_mode_fails_on_impossible_date_naming_row_and_column(data: Path) -> None:
    with pytest.raises(InputError, match=r"bad_dates.csv: row 2, column 'date_of_death'"):
        load_list(data / "bad_dates.csv", strict=True)


def test_error_messages_never_quote_the_victims_name(data: Path) -> None:
    with pytest.raises(InputError) as e:
        load_list(data / "dup_ids.csv")
    assert "Sami" not in str(e.value) and "Rami" not in str(e.value)
    assert "row 3" in str(e.value) and "first at row 2" in str(e.value)


def test_missing_name_column_is_a_file_level_error(data: Path) -> None:
    with pytest.raises(InputError, match="missing required column"):
        load_list(data / "no_name.csv")


def test_windows_arabic_is_detected_and_an_unreadable_file_named_with_a_remedy(
    data: Path, tmp_path: Path
) -> None:
    assert load_list(data / "cp1256.csv").records[0]["full_name"] == "محمد"
    lf = load_list(data / "cp1256.csv", encoding="cp1256")
    assert lf.records[0]["full_name"] == "محمد"
    bad = tmp_path / "damaged.csv"
    bad.write_bytes(b"record_id,full_name\nw1,Sami\x81\x02\n")  # neither UTF-8 nor a code page
    with pytest.raises(InputError, match=r"row 2: not valid UTF-8.*encoding.*cp1256"):
        load_list(bad)


def test_map_option_rejects_unknown_fields_and_columns(data: Path) -> None:
    with pytest.raises(InputError, match="unknown field 'nickname'"):
        parse_mapping(["full_name=nickname"])
    with pytest.raises(InputError, match="does not have"):
        load_list(data / "committee.csv", mapping={"Name": "full_name"})


def test_map_option_maps_arabic_headings(tmp_path: Path) -> None:
    f = tmp_path / "mosque.csv"
    f.write_text("رقم,الاسم الكامل,تاريخ\n1,سامي حداد,2025-03\n", encoding="utf-8")
    lf = load_list(f, mapping=parse_mapping(["رقم=record_id", "الاسم الكامل=full_name",
                                             "تاريخ=date_of_death"]))  # fmt: skip
    assert lf.records[0]["date_of_death"] == "2025-03"
    assert lf.records[0]["record_id"] == "1"


def test_xlsx_with_several_sheets_needs_a_sheet(tmp_path: Path) -> None:
    f = tmp_path / "hospital.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "dead"
    ws.append(["record_id", "full_name", "date_of_death"])
    ws.append(["h1", "Hala Darwish", "2025-03-07"])
    wb.create_sheet("notes").append(["anything"])
    wb.save(f)
    with pytest.raises(InputError, match=r"2 sheets.*--sheet"):
        load_list(f)
    lf = load_list(f, sheet="dead")
    assert lf.records[0]["full_name"] == "Hala Darwish"


def test_json_list_reads_objects(tmp_path: Path) -> None:
    f = tmp_path / "church.json"
    f.write_text(json.dumps({"records": [{"record_id": 1, "full_name": "Ilyas Khoury",
                                          "birth_year": 1970}]}), encoding="utf-8")  # fmt: skip
    lf = load_list(f)
    assert lf.records[0]["birth_year"] == 1970


def test_ids_prefixed_with_file_stem_only_when_they_clash(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("record_id,full_name\n1,Sami Haddad\n", encoding="utf-8")
    b.write_text("record_id,full_name\n2,Rami Najjar\n", encoding="utf-8")
    recs, _ = load_lists([a, b])
    assert [r["record_id"] for r in recs] == ["1", "2"]
    b.write_text("record_id,full_name\n1,Rami Najjar\n", encoding="utf-8")
    recs, _ = load_lists([a, b])
    assert [r["record_id"] for r in recs] == ["a:1", "b:1"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("roll.json", '[{"full_name": "Fictional\\u0000 Name"}]'),  # an escape, no raw NUL
        ("rows.json", '[{"full_name": "Ok"}, {"full_name": "A\\u0000"}]'),
    ],
)
def test_a_nul_written_as_a_json_escape_is_refused(tmp_path: Path, name: str, text: str) -> None:
    """The raw text holds no NUL byte, the parsed value does: the file is still refused
    (a check on the raw text alone let it through)."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="NUL byte"):
        load_list(path)
