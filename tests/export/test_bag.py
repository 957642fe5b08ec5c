"""BagIt export: validates with bagit; sensitive and protected content withheld by default."""

from __future__ import annotations

import json
from pathlib import Path

import bagit
import pytest

from dalil.core.case import Case
from dalil.errors import InputError, PermissionDenied
from dalil.services import evidence, export, persons, records, users


@pytest.fixture
def filled(any_case: Case, tmp_path: Path) -> Case:
    case = any_case
    (tmp_path / "in").mkdir()
    for name, data in [("report.txt", b"fictional report"), ("photo.jpg", b"\xff\xd8fictional")]:
        (tmp_path / "in" / name).write_bytes(data)
    (tmp_path / "in" / "testimony.txt").write_bytes(b"fictional testimony naming W-1")
    with case.act() as ctx:
        src = records.add(ctx, "source", kind="report", title="Fictional report")
        persons.add_person(ctx, pseudonym="W-1", legal_name="Fictional Legal Name")
        inc = records.add(ctx, "incident", title="Fictional incident", date_start="2025-03-07")
    evidence.add_files(case, None, [tmp_path / "in" / "report.txt"], source_id=src.id)
    evidence.add_files(case, None, [tmp_path / "in" / "photo.jpg"])
    evidence.add_files(case, None, [tmp_path / "in" / "testimony.txt"], sensitive=True)
    with case.act() as ctx:
        records.add(
            ctx,
            "provenance",
            subject_kind="incident",
            subject_id=inc.id,
            evidence_id=2,
            role="supports",
        )
    return case


def test_bag_validates_and_holds_evidentiary_files(filled: Case, tmp_path: Path) -> None:
    res = export.export_bag(filled, None, tmp_path / "bag")
    bag = bagit.Bag(str(tmp_path / "bag"))
    bag.validate()
    assert res["items"] == 2 and res["withheld_sensitive"] == 1
    names = sorted(
        p.name for p in (tmp_path / "bag" / "data" / "evidence").rglob("*") if p.is_file()
    )
    assert names == ["photo.jpg", "report.txt"]
    recs = json.loads((tmp_path / "bag" / "data" / "metadata" / "records.json").read_text())
    assert "legal_name" not in recs["person"][0]
    custody = json.loads((tmp_path / "bag" / "data" / "metadata" / "custody.json").read_text())
    assert {e["action"] for e in custody} >= {"evidence.add", "export.bag"}
    verify = json.loads((tmp_path / "bag" / "data" / "metadata" / "audit_verify.json").read_text())
    assert verify["ok"] is True


def test_tampered_bag_fails_bagit_validation(filled: Case, tmp_path: Path) -> None:
    export.export_bag(filled, None, tmp_path / "bag")
    f = next(p for p in (tmp_path / "bag" / "data" / "evidence").rglob("report.txt"))
    f.write_bytes(b"altered")
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(tmp_path / "bag")).validate()


def test_select_incident_exports_only_its_supporting_evidence(filled: Case, tmp_path: Path) -> None:
    res = export.export_bag(filled, None, tmp_path / "bag", select_=["incident:1"])
    assert res["items"] == 1
    files = [p.name for p in (tmp_path / "bag" / "data" / "evidence").rglob("*") if p.is_file()]
    assert files == ["photo.jpg"]


def test_include_protected_needs_permission_reason_and_is_logged(
    filled: Case, tmp_path: Path
) -> None:
    from dalil.core import audit

    with filled.act() as ctx:
        users.add_user(ctx, "ines", "investigator")
    with pytest.raises(PermissionDenied):
        export.export_bag(filled, "ines", tmp_path / "b1", include_protected=True, reason="court")
    with pytest.raises(InputError, match="needs a reason") as refused:
        export.export_bag(filled, None, tmp_path / "b2", include_protected=True)
    assert refused.value.field == "reason"
    res = export.export_bag(
        filled, None, tmp_path / "b3", include_protected=True, reason="ICC request"
    )
    assert res["items"] == 3
    recs = json.loads((tmp_path / "b3" / "data" / "metadata" / "records.json").read_text())
    assert recs["person"][0]["legal_name"] == "Fictional Legal Name"
    with filled.system_session() as s:
        entry = audit.query(s, action="export.bag")[-1]
        assert "ICC request" in entry.detail
    assert not (tmp_path / "b1").exists() and not (tmp_path / "b2").exists()


def test_export_into_case_folder_refused(filled: Case) -> None:
    with pytest.raises(InputError, match="case folder"):
        export.export_bag(filled, None, filled.root / "evidence" / "bag")


def test_viewer_cannot_export(filled: Case, tmp_path: Path) -> None:
    with filled.act() as ctx:
        users.add_user(ctx, "vera", "viewer")
    with pytest.raises(PermissionDenied):
        export.export_bag(filled, "vera", tmp_path / "b")
    with pytest.raises(PermissionDenied):
        export.export_records(filled, "vera", tmp_path / "r.json", "json")


def test_csv_export_has_one_file_per_kind(filled: Case, tmp_path: Path) -> None:
    export.export_records(filled, None, tmp_path / "csv", "csv")
    assert (tmp_path / "csv" / "person.csv").read_text().splitlines()[0].startswith("id,pseudonym")
    assert "Fictional Legal Name" not in (tmp_path / "csv" / "person.csv").read_text()
