"""Fixtures for report tests: the demo story as a snapshot, rendered once per session."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from dalil.demo.snapshot import build_snapshot
from dalil.report.data import CaseSnapshot, EstimateView
from dalil.report.render import write_report

FIXED = datetime(2021, 7, 1, 12, 0)


@pytest.fixture(scope="session")
def snapshot() -> CaseSnapshot:
    est = EstimateView(
        "Marjan, four lists (fictional)",
        "log-linear",
        83,
        104.0,
        (88.0, 131.0),
        ["mdc", "cmr", "hosp", "fam"],
        ["ngo", "monitor"],
    )
    return build_snapshot("small", estimates=[est])


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory, snapshot: CaseSnapshot) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("reports")
    out = {}
    for aud in ("internal", "public"):
        for fmt in ("html", "pdf"):
            out[f"{aud}.{fmt}"] = write_report(
                snapshot, d / f"{aud}.{fmt}", audience=aud, fmt=fmt, generated=FIXED
            )
    out["public-ar.pdf"] = write_report(
        snapshot, d / "public-ar.pdf", audience="public", fmt="pdf", lang="ar", generated=FIXED
    )
    return out
