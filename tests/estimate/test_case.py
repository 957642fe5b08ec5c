"""`dalil estimate` on a case's linked victim lists (fictional lists from dalil.synth)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.estimate import estimate
from dalil.services.estimates import case_capture_data
from dalil.synth.lists import generate
from dalil.testing import TEST_PASSPHRASE, DalilRunner

# The linked cases are built once per module (import three lists, link: tens of seconds on
# a loaded machine) in folders no test opens; each test gets its own copy, database
# included, and ``dalil`` is bound to the case the test uses.


def _template(folder: Path, fresh_case: Path, link: Callable[[DalilRunner], None]) -> Path:
    root = folder / "case"
    shutil.copytree(fresh_case, root)
    run = DalilRunner({"DALIL_CASE": str(root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    generate(150, 3, seed=21, out_dir=folder / "lists")
    for i, name in enumerate(("committee", "network", "hospital"), start=1):
        r = run("lists", "import", folder / "lists" / f"list_{i}.csv", "--list", name)
        assert r.exit_code == 0, r.stderr
    link(run)
    return root


def _copy(template: Path, root: Path) -> Iterator[Case]:
    shutil.copytree(template, root)
    c = Case.open(root, TEST_PASSPHRASE)
    yield c
    c.close()


@pytest.fixture(scope="module")
def linked_template(tmp_path_factory: pytest.TempPathFactory, fresh_case_template: Path) -> Path:
    def link(run: DalilRunner) -> None:
        assert run("lists", "link", "--json").exit_code == 0

    return _template(tmp_path_factory.mktemp("linked"), fresh_case_template, link)


@pytest.fixture
def linked(linked_template: Path, tmp_path: Path) -> Iterator[Case]:
    yield from _copy(linked_template, tmp_path / "case")


@pytest.fixture
def dalil(request: pytest.FixtureRequest) -> DalilRunner:
    """CLI runner bound to this test's case (``linked``, ``uncertain`` or ``case``)."""
    name = next(n for n in ("linked", "uncertain", "case") if n in request.fixturenames)
    c = request.getfixturevalue(name)
    return DalilRunner({"DALIL_CASE": str(c.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})


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


@pytest.fixture(scope="module")
def uncertain_template(tmp_path_factory: pytest.TempPathFactory, fresh_case_template: Path) -> Path:
    """Fictional lists linked with a high threshold, so that many pairs stay uncertain."""

    def link(run: DalilRunner) -> None:
        r = run.json("lists", "link", "--threshold", "0.995", "--review-low", "0.2")
        assert r["review_queue"] >= 10, r

    return _template(tmp_path_factory.mktemp("uncertain"), fresh_case_template, link)


@pytest.fixture
def uncertain(uncertain_template: Path, tmp_path: Path) -> Iterator[Case]:
    yield from _copy(uncertain_template, tmp_path / "case")


def test_linkage_draws_interval_is_never_narrower_than_the_chosen_clusterings(
    uncertain: Case, dalil: DalilRunner
) -> None:
    for method in ("loglinear", "bma"):
        d = dalil.json("estimate", "--method", method, "--linkage-draws", "8", "--seed", "3")
        link = d["linkage"]
        assert link["draws_used"] == 8 and link["uncertain_pairs"] >= 10
        lo, hi = d["ci"]
        lo0, hi0 = d["ci_without_linkage"]
        assert hi - lo >= hi0 - lo0 - 0.2 and hi / lo >= hi0 / lo0 - 1e-6
        # without draws, the estimate is that of the chosen clustering
        plain = dalil.json("estimate", "--method", method, "--seed", "3")
        assert plain["ci"] == d["ci_without_linkage"]
        assert plain["linkage"] is None and plain["ci_without_linkage"] is None
    text = dalil("estimate", "--linkage-draws", "4", "--seed", "1")
    assert text.exit_code == 0, text.stderr
    assert "with linkage uncertainty: 4 sampled clusterings" in text.stdout
    r = dalil("estimate", "--linkage-draws", "1")
    assert r.exit_code == 2 and "at least 2" in r.stderr


def test_decided_pairs_are_kept_in_the_draws(uncertain: Case, dalil: DalilRunner) -> None:
    from dalil.estimate.linkage_draws import clusterings
    from dalil.services.estimates import case_linkage_input

    queue = dalil.json("lists", "review", "--limit", "4")
    assert len(queue) >= 2
    first, second = queue[0], queue[1]
    assert dalil("lists", "decide", first["pair"], "accept").exit_code == 0
    assert dalil("lists", "decide", second["pair"], "reject").exit_code == 0
    with uncertain.act(write=False) as ctx:
        inp = case_linkage_input(ctx)
    a1, b1 = first["pair"].split("-")
    a2, b2 = second["pair"].split("-")
    assert (a1, b1) in inp.accepted and (a2, b2) in inp.rejected
    assert not any({a, b} in ({a1, b1}, {a2, b2}) for a, b, _ in inp.pairs)
    for c in clusterings(inp, 50, seed=1):
        assert c[a1] == c[b1] and c[a2] != c[b2]


def test_unknown_strata_are_allocated_not_estimated(linked: Case, dalil: DalilRunner) -> None:
    d = dalil.json("estimate", "--strata", "sex", "--model", "[1,2,3]")
    strata = {s["stratum"] for s in d["diagnostics"]["strata"]}
    assert "unknown" not in strata
    if d["allocated"]:
        assert d["allocated"]["method"] == "proportional"
        assert d["allocated"]["people"] == sum(d["allocated"]["to_strata"].values())
