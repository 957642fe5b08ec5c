"""Publication gates: estimates that must not be published as they stand."""

from __future__ import annotations

from dalil.estimate import estimate, read_capture_csv
from dalil.estimate.publication import gates

from .conftest import DATA


def test_a_dense_well_chosen_model_passes(darroch):
    d = estimate(darroch).to_dict()
    assert d["models"][0]["weight"] > 0.5
    assert d["publication"] == {"ok": True, "reasons": []}


def test_a_model_with_less_than_half_the_weight_is_not_for_publication():
    t = read_capture_csv(DATA / "fictional_sparse_six.csv").table
    d = estimate(t, criterion="bic", top=3).to_dict()
    assert d["models"][0]["weight"] < 0.5
    assert not d["publication"]["ok"]
    assert any("of the BIC weight" in r for r in d["publication"]["reasons"])


def test_unconverged_chains_are_not_for_publication(darroch):
    r = estimate(
        darroch, method="lcmcr", seed=7, burnin=300, samples=100, thinning=3,
        allow_unconverged=True,
    )  # fmt: skip
    p = r.to_dict()["publication"]
    assert not p["ok"]
    assert any(x.startswith("R-hat") for x in p["reasons"])
    assert any(x.startswith("effective sample size") for x in p["reasons"])
    assert any("chains disagree" in x for x in p["reasons"])


def test_methods_that_disagree_by_more_than_a_quarter_are_not_for_publication():
    fake = {
        "method": "all",
        "estimate": 1000.0,
        "diagnostics": {
            "spread": 0.31,
            "sensitivity": [
                {"method": "loglinear", "gates": []},
                {"method": "lcmcr", "gates": ["effective sample size 120 < 400"]},
            ],
        },
    }
    g = gates(fake)
    assert not g["ok"]
    assert "the methods disagree by 31% of their median (> 25%)" in g["reasons"]
    assert "lcmcr: effective sample size 120 < 400" in g["reasons"]


def test_a_stratum_without_an_estimate_blocks_publication(tmp_path):
    p = tmp_path / "s.csv"
    p.write_text(
        "gov,A,B,C,count\n"
        "x,1,0,0,50\nx,0,1,0,40\nx,0,0,1,30\nx,1,1,0,20\nx,1,0,1,10\nx,0,1,1,12\nx,1,1,1,5\n"
        "y,1,0,0,3\ny,0,1,0,2\n"
    )
    d = estimate(p, strata="gov").to_dict()
    assert d["estimate"] is None
    assert not d["publication"]["ok"]
    assert "no estimate" in d["publication"]["reasons"]


def test_a_stratum_and_a_list_are_named_as_written_not_as_python_quotes() -> None:
    """A name with an apostrophe and quotes is quoted in words (“…”, «…» in Arabic),
    never with Python's repr (backslashes, swapped quotes)."""
    from dalil.display.estimate_words import gate_words
    from dalil.estimate.api import check_overlap
    from dalil.estimate.data import CaptureTable

    name = 'Dar\'a "north"'
    g = gates(
        {"estimate": 1.0, "diagnostics": {"strata": [{"stratum": name, "gates": ["no estimate"]}]}}
    )
    assert g["reasons"] == [f"stratum “{name}”: no estimate"], g
    assert gate_words(g["reasons"][0], "en") == f"stratum “{name}”: no estimate"
    assert gate_words(g["reasons"][0], "ar") == f"الفئة «{name}»: لا يوجد تقدير"
    assert gate_words("stratum 'x': no estimate", "ar") == "الفئة «x»: لا يوجد تقدير"  # as stored
    t = CaptureTable.from_patterns(["A", name, "C"], {"100": 5, "001": 4, "101": 2})
    warned = [w for w in check_overlap(t) if "records nobody" in w]
    assert warned == [
        f"list “{name}” records nobody here; it adds no information and should be left out"
    ], warned
