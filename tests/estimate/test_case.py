"""`dalil estimate` on a case's linked victim lists (fictional lists from dalil.synth)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.estimate import estimate
from dalil.services.estimates import case_capture_data
from dalil.synth.lists import generate
from dalil.testing import DalilRunner


@pytest.fixture
def linked(case: Case, dalil: DalilRunner, tmp_path: Path) -> Case:
    generate(150, 3, seed=21, out_dir=tmp_path / "lists")
    for i, name in enumerate(("committee", "network", "hospital"), start=1):
        r = dalil("lists", "import", tmp_path / "lists" / f"list_{i}.csv", "--list", name)
        assert r.exit_code == 0, r.stderr
    assert dalil("lists", "link", "--json").exit_code == 0
    return case


def test_estimate_from_the_case_equals_estimate_from_its_exported_histories(
    linked: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    out = tmp_path / "histories.csv"
    r = dalil("lists", "histories", "--out", out)
    assert r.exit_code == 0, r.stderr
    from_case = dalil.json("estimate", "--method", "bma")
    from_file = dalil.json("estimate", out, "--method", "bma")
    assert from_case["lists"] == ["committee", "network", "hospital"]
    assert from_case == from_file
    with linked.act(write=False) as ctx:
        data = case_capture_data(ctx, lists="committee,network")
    assert data.table.lists == ("committee", "network")
    assert estimate(data, model="[1,2]").observed == data.table.observed


def test_case_strata_and_bad_requests(linked: Case, dalil: DalilRunner, tmp_path: Path) -> None:
    d = dalil.json("estimate", "--strata", "sex", "--model", "[1,2,3]")
    assert {s["stratum"] for s in d["diagnostics"]["strata"]} <= {"f", "m", "unknown", "F", "M"}
    assert d["observed"] == sum(s["observed"] for s in d["diagnostics"]["strata"])
    r = dalil("estimate", "--strata", "religion")
    assert r.exit_code == 2 and "unknown stratum 'religion'" in r.stderr
    r = dalil("estimate", "--lists", "committee,mosque")
    assert r.exit_code == 2 and "no list named 'mosque'" in r.stderr
    csv_file = tmp_path / "t.csv"
    csv_file.write_text("A,B,count\n1,1,3\n1,0,2\n0,1,4\n")
    r = dalil("estimate", csv_file, "--case", str(linked.root))
    assert r.exit_code == 2 and "not both" in r.stderr


def test_estimate_needs_linked_lists(case: Case, dalil: DalilRunner) -> None:
    r = dalil("estimate")
    assert r.exit_code == 2 and "no list imported yet" in r.stderr
