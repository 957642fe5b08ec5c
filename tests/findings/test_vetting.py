"""Vetting screening on generated data with known answers; personnel file validation."""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.errors import InputError
from dalil.findings.vetting import (
    PersonnelRecord,
    Suspect,
    linkage_name_similarity,
    read_personnel,
    screen,
    simple_name_similarity,
)

# Fictional given and family names with Arabic spellings and Latin variants (synthetic).
GIVEN = [
    ("سمير", ["Samir", "Sameer"]),
    ("كريم", ["Karim", "Kareem"]),
    ("يوسف", ["Yusuf", "Youssef"]),
    ("محمود", ["Mahmoud", "Mahmud"]),
    ("رامي", ["Rami", "Ramy"]),
    ("طارق", ["Tareq", "Tarek"]),
    ("وائل", ["Wael", "Wa'il"]),
    ("جميل", ["Jamil", "Jameel"]),
    ("نبيل", ["Nabil", "Nabeel"]),
    ("فادي", ["Fadi", "Fady"]),
]
FAMILY = [
    ("العطار", ["al-Attar", "Attar"]),
    ("الصباغ", ["al-Sabbagh", "Sabbagh"]),
    ("درويش", ["Darwish", "Derwish"]),
    ("الحلبي", ["al-Halabi", "Halaby"]),
    ("شاهين", ["Shahin", "Shaheen"]),
    ("منصور", ["Mansour", "Mansur"]),
    ("قاسم", ["Qasim", "Kassem"]),
    ("زيدان", ["Zaidan", "Zeidan"]),
]


def generate(seed: int) -> tuple[list[Suspect], list[PersonnelRecord], set[tuple[int, str]]]:
    rng = random.Random(seed)
    combos = [(g, f) for g in range(len(GIVEN)) for f in range(len(FAMILY))]
    rng.shuffle(combos)
    suspects_idx, others_idx = combos[:8], combos[8:30]
    suspects = [
        Suspect(
            id=f"S{i}",
            names=(f"{GIVEN[g][1][0]} {FAMILY[f][1][0]}",),
            units=("Coastal Shield Brigade",),
            start=date(2025, 3, 6),
            end=date(2025, 3, 9),
            evidence=(f"EV-{i}",),
        )
        for i, (g, f) in enumerate(suspects_idx)
    ]
    personnel: list[PersonnelRecord] = []
    truth: set[tuple[int, str]] = set()
    row = 2
    for i, (g, f) in enumerate(suspects_idx[:5]):  # five suspects serve today, spelled differently
        arabic = rng.random() < 0.5
        name = (
            f"{GIVEN[g][0]} {FAMILY[f][0]}"
            if arabic
            else f"{rng.choice(GIVEN[g][1])} {rng.choice(FAMILY[f][1])}"
        )
        personnel.append(
            PersonnelRecord(
                row, f"P{row}", name, "Coastal Shield Brigade", "major", date(2024, 1, 1), None
            )
        )
        truth.add((row, f"S{i}"))
        row += 1
    for g, f in others_idx:  # people with different names
        personnel.append(
            PersonnelRecord(
                row,
                f"P{row}",
                f"{GIVEN[g][1][1]} {FAMILY[f][1][1]}",
                "Harbour Police",
                "lieutenant",
                date(2024, 1, 1),
                None,
            )
        )
        row += 1
    return suspects, personnel, truth


@pytest.mark.parametrize("comparator", ["linkage", "simple"])
@pytest.mark.parametrize("seed", [1, 2, 3, 5, 6, 7, 8, 9])
def test_screening_finds_serving_suspects_across_scripts(seed: int, comparator: str) -> None:
    suspects, personnel, truth = generate(seed)
    fn = linkage_name_similarity if comparator == "linkage" else simple_name_similarity
    cands, engine = screen(personnel, suspects, name_fn=fn)
    assert engine
    found = {(c.record.row, c.suspect.id) for c in cands}
    assert truth <= found, f"missed {truth - found}"
    strong = {(c.record.row, c.suspect.id) for c in cands if c.level == "high"}
    assert strong == truth  # decoys never reach "high"
    for c in cands:
        if (c.record.row, c.suspect.id) in truth:
            d = c.to_dict()
            assert d["evidence"] == list(c.suspect.evidence) and d["unit_match"] is True


def test_screening_never_says_more_than_candidate() -> None:
    suspects, personnel, _ = generate(4)
    cands, _ = screen(personnel, suspects)
    for c in cands:
        assert c.level in {"high", "medium", "low"}
        assert 0.0 <= c.confidence <= 1.0
        assert "verdict" not in c.to_dict()


def test_unmappable_personnel_columns_are_refused(tmp_path: Path) -> None:
    p = tmp_path / "personnel.csv"
    p.write_text("name,unit,blood_type\nSamir Attar,Brigade,O+\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cannot map column.*blood_type"):
        read_personnel(p)
    assert read_personnel(p, {"blood_type": "ignore"})[0].name == "Samir Attar"


def test_arabic_headers_and_bad_dates(tmp_path: Path) -> None:
    p = tmp_path / "p.csv"
    p.write_text("الاسم,الوحدة,الرتبة,من\nسمير العطار,لواء,رائد,2024-01-01\n", encoding="utf-8")
    recs = read_personnel(p)
    assert recs[0].unit == "لواء" and recs[0].start == date(2024, 1, 1)
    p.write_text("name,start\nX,01/02/2024\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 2, start: invalid date"):
        read_personnel(p)
    p.write_text("unit\nX\n", encoding="utf-8")
    with pytest.raises(InputError, match="no name column"):
        read_personnel(p)


def test_default_engine_is_the_linkage_name_keys() -> None:
    suspects, personnel, _ = generate(1)
    _, engine = screen(personnel[:1], suspects)
    assert engine.startswith("dalil.linkage.names")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=300))
def test_any_personnel_bytes_give_records_or_a_one_line_input_error(
    tmp_path: Path, data: bytes
) -> None:
    p = tmp_path / "fuzz.csv"
    p.write_bytes(b"name,unit\n" + data)
    try:
        recs = read_personnel(p)
    except InputError as e:
        assert "\n" not in str(e) and str(p) in str(e)
    else:
        assert all(r.name for r in recs)


def test_xlsx_personnel_with_arabic_headers(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["الاسم", "الوحدة", "الرتبة", "من", "ملاحظات"])
    ws.append(["سمير العطار", "اللواء", "رائد", "2020-01-01", "fictional"])
    ws.append(["Karim Saleh", "Brigade", "major", datetime(2019, 6, 1), ""])
    p = tmp_path / "personnel.xlsx"
    wb.save(p)
    recs = read_personnel(p)
    assert (
        recs[0].name == "سمير العطار"
        and recs[0].rank == "رائد"
        and recs[0].start == date(2020, 1, 1)
    )
    assert recs[1].start == date(2019, 6, 1)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable XLSX"):
        read_personnel(tmp_path / "broken.xlsx")
