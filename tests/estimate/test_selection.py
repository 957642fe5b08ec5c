"""Which log-linear model: the auto rule, the stepwise p-value rule, and what they report."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from dalil.cli.app import cli
from dalil.estimate import CaptureTable, estimate, read_capture_csv
from dalil.estimate import loglinear as ll
from dalil.estimate import selection as sel

from .conftest import DATA, simulate_sparse


@pytest.fixture
def sparse_five() -> CaptureTable:
    """Hand-made fictional five-list table: a regional list that never meets the
    morgue list, most people on one list, 11 of 31 patterns empty."""
    return read_capture_csv(DATA / "fictional_sparse_five.csv").table


@pytest.fixture
def sparse_six() -> CaptureTable:
    return read_capture_csv(DATA / "fictional_sparse_six.csv").table


# --------------------------------------------------------------------------- the auto rule


def test_dense_tables_keep_the_bic_search(darroch, four_lists):
    r = estimate(darroch)
    assert r.selection["rule"] == "bic" and r.selection["requested"] == "auto"
    assert r.model == "[12,23]" and round(r.estimate) == 850  # Darroch et al. (1993)
    assert "dense" in r.selection["reason"]
    assert estimate(four_lists).selection["rule"] == "bic"


def test_sparse_five_lists_go_stepwise_and_say_why(sparse_five):
    r = estimate(sparse_five)
    s = r.selection
    assert s["rule"] == "stepwise" and s["requested"] == "auto"
    assert "morgue–committee_east (0)" in s["reason"]
    assert "11 of 31 capture patterns are empty" in s["reason"]
    assert s["sparsity"]["empty_cells"] == 11
    assert r.diagnostics["model_choice"] == "stepwise"
    # only two-way terms: no generator of three lists or more
    assert all(len(g) <= 2 for g in r.details.model.generators)


def test_six_lists_go_stepwise(sparse_six):
    r = estimate(sparse_six)
    assert r.selection["rule"] == "stepwise"
    assert r.selection["reason"].startswith("sparse table — 6 lists")


def test_asking_for_bic_on_a_sparse_table_still_searches(sparse_five):
    r = estimate(sparse_five, criterion="bic", top=3)
    assert r.selection["rule"] == "bic" and r.selection["requested"] == "bic"
    assert r.diagnostics["search"] == "exhaustive"
    assert r.models[0]["weight"] is not None


def test_one_thin_pair_is_enough_to_leave_the_search():
    # dense everywhere except lists A and D, who share 3 people
    pats = {"".join(p): 40 for p in itertools.product("01", repeat=4) if "1" in "".join(p)}
    for p in list(pats):
        if p[0] == "1" and p[3] == "1":
            pats[p] = 0
    pats["1001"] = 3
    t = CaptureTable.from_patterns(list("ABCD"), pats)
    rule, reason = sel.auto_rule(t)
    assert rule == "stepwise"
    assert "A–D (3)" in reason and "empty" not in reason


# --------------------------------------------------------------------------- the stepwise rule


def test_each_step_adds_the_smallest_poisson_p_value(sparse_five):
    best, steps, path = sel.stepwise_p(sparse_five)
    y = sparse_five.counts
    cells = np.arange(1, y.size)
    for k, step in enumerate(steps):
        glm, _ = ll._fit_observed(sparse_five, path[k].model)
        present = set(path[k].model.terms)
        ps = {}
        for i, j in itertools.combinations(range(5), 2):
            if frozenset((i, j)) in present:
                continue
            on = (cells & ((1 << i) | (1 << j))) == ((1 << i) | (1 << j))
            t_obs = int(y[1:][on].sum())
            e = float(glm.mu[on].sum())
            ps[(i, j)] = stats.poisson.sf(t_obs - 1, e) if t_obs else 1.0
        pmin = min(ps.values())
        assert step.p_value == pytest.approx(pmin, rel=1e-9)
        if step.term is not None:
            assert ps[step.term] == pytest.approx(pmin, rel=1e-9)
            assert step.p_value < sel.P_THRESHOLD
        else:
            assert pmin >= sel.P_THRESHOLD  # stops at the first non-significant pair
    assert steps[-1].term is None
    assert best.model == path[-1].model


def test_pairs_that_share_nobody_are_never_added(sparse_five):
    best, _, _ = sel.stepwise_p(sparse_five, p_threshold=0.5)
    names = sparse_five.lists
    m, e = names.index("morgue"), names.index("committee_east")
    assert frozenset((m, e)) not in best.model.terms


def test_threshold_zero_gives_the_main_effects_model(sparse_five):
    best, steps, _ = sel.stepwise_p(sparse_five, p_threshold=0.0)
    assert best.model == ll.independence(5)
    assert len(steps) == 1 and steps[0].term is None


def test_a_pair_without_a_finite_mle_is_refused_even_when_every_margin_is_positive():
    # Three lists, nobody on exactly two: each single two-way term can be estimated, but
    # any two of them leave a parameter unbounded although no margin is zero — only
    # the linear programme (Haberman 1974) sees it.
    t = CaptureTable.from_patterns(list("ABC"), {"100": 200, "010": 150, "001": 120, "111": 30})
    best, steps, _ = sel.stepwise_p(t)
    assert len(best.model.terms) == 1
    refused = [why for s in steps for _, why in s.refused]
    assert refused and all(w == "no finite maximum-likelihood estimate" for w in refused)
    for s in steps:
        for pair, _ in s.refused:
            m2 = ll.Model.from_terms(3, set(best.model.terms) | {frozenset(pair)})
            assert ll.zero_margins(t, m2) == []
            assert not ll.mle_exists(t, m2)


def test_log_normal_interval_is_symmetric_on_the_log_of_the_unrecorded(sparse_five):
    r = estimate(sparse_five)
    lo, hi = r.diagnostics["ci_log_normal"]
    n = r.observed
    f0 = r.estimate - n
    assert np.log(f0 / (lo - n)) == pytest.approx(np.log((hi - n) / f0), rel=1e-3)


# --------------------------------------------------------------------------- output


def test_json_and_text_say_which_rule_chose_the_model_and_why():
    runner = CliRunner()
    path = str(DATA / "fictional_sparse_five.csv")
    out = runner.invoke(cli, ["estimate", path, "--json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.output)
    assert d["selection"]["rule"] == "stepwise"
    assert d["selection"]["steps"][0]["added"] == "ngo*press"
    txt = runner.invoke(cli, ["estimate", path])
    assert "model chosen by: stepwise — sparse table" in txt.output
    assert "ngo*press" in txt.output
    bic = runner.invoke(cli, ["estimate", path, "--criterion", "bic", "--json"])
    assert json.loads(bic.output)["selection"]["rule"] == "bic"
    given = runner.invoke(cli, ["estimate", path, "--model", "[12,23]", "--json"])
    assert json.loads(given.output)["selection"]["rule"] == "given"


def test_generated_sparse_designs_choose_stepwise():
    for design in ("sparse5", "sparse6"):
        t = simulate_sparse(design, 10_000, seed=7)
        r = estimate(t, top=1)
        assert r.selection["rule"] == "stepwise"
        assert r.ci[0] <= r.estimate <= (r.ci[1] or np.inf)


def test_a_three_way_term_on_a_handful_of_people_is_not_chosen_by_default():
    # Hand-made fictional table in the shape the issue found on the UK 2013 lists: eight
    # people on press, committee_east and families together, almost nobody on two of
    # them only. The search over every hierarchical model builds on that handful a
    # three-way term and a larger estimate, with less than half of the BIC weight; the
    # default (sparse table -> stepwise) keeps to two-way terms.
    t = read_capture_csv(DATA / "fictional_sparse_five_threeway.csv").table
    old = estimate(t, criterion="bic", top=3)
    assert any(len(g) == 3 for g in old.model.strip("[]").split(","))
    assert old.models[0]["weight"] < 0.5
    assert not old.to_dict()["publication"]["ok"]
    new = estimate(t)
    assert new.selection["rule"] == "stepwise" and new.selection["requested"] == "auto"
    assert all(len(g) <= 2 for g in new.model.strip("[]").split(","))
    assert new.estimate < old.estimate
    assert new.to_dict()["publication"]["ok"]
