"""Model averaging over decomposable graphs, strata and the sensitivity table."""

from __future__ import annotations

import importlib
import itertools

import numpy as np
import pytest
from scipy import special

from dalil.errors import InputError
from dalil.estimate import CaptureTable, bma, estimate, read_capture_csv

from .conftest import DATA, simulate_heterogeneous

bma_mod = importlib.import_module("dalil.estimate.bma")


def test_counts_of_decomposable_graphs_are_the_chordal_graph_numbers():
    # labelled chordal graphs on 3, 4, 5 vertices: 8, 61, 822 (OEIS A058862)
    assert [len(bma_mod.decomposable_graphs(p)) for p in (3, 4, 5)] == [8, 61, 822]


def test_posterior_matches_a_direct_dirichlet_computation_for_the_independence_graph(darroch):
    # Under the complete-independence graph the marginal likelihood is a product of
    # Beta-binomial terms, one per list; check the BMA machinery restricted to that graph
    # against this direct formula.
    p, delta = 3, 0.5
    n = darroch.observed
    n0 = np.arange(0, 3001, dtype=float)
    N = n + n0
    cells = np.arange(8)
    direct = -np.log(N) + special.gammaln(N + 1) - special.gammaln(n0 + 1)
    a = delta * 4  # prior per cell of a one-list margin
    for j in range(p):
        on = darroch.counts[(cells >> j) & 1 == 1].sum()
        direct += (
            special.gammaln(2 * a)
            - special.gammaln(2 * a + N)
            + special.gammaln(a + on)
            - special.gammaln(a)
            + special.gammaln(a + N - on)
            - special.gammaln(a)
        )
    direct = np.exp(direct - direct.max())
    direct /= direct.sum()
    graphs = bma_mod.decomposable_graphs(3)
    empty = next(i for i, g in enumerate(graphs) if not g.edges)
    r = bma(darroch, delta=delta, max_missing=3000, top=8)
    row = next(g for g in r.graphs if g["model"] == "[1,2,3]")
    med = float(N[np.searchsorted(np.cumsum(direct), 0.5)])
    assert row["estimate"] == med
    assert empty >= 0


def test_bma_puts_most_weight_on_12_23_for_darroch(darroch):
    r = bma(darroch)
    assert r.graphs[0]["model"] == "[12,23]" and r.graphs[0]["weight"] > 0.5
    assert sum(g["weight"] for g in r.graphs) == pytest.approx(1.0, abs=1e-9)
    assert r.ci[0] <= r.estimate <= r.ci[1]
    assert r.posterior.sum() == pytest.approx(1.0)


def test_bma_recovers_n_when_lists_are_independent():
    rng = np.random.default_rng(2)
    N = 3000
    x = (rng.random((N, 4)) < np.array([0.3, 0.4, 0.25, 0.35])).astype(int)
    t = CaptureTable.from_records(list("ABCD"), x[x.sum(axis=1) > 0])
    r = bma(t)
    assert r.ci[0] <= N <= r.ci[1]
    assert abs(r.estimate - N) / N < 0.05


def test_delta_changes_the_answer_and_bad_delta_is_refused(darroch):
    a, b = bma(darroch, delta=0.125), bma(darroch, delta=2.0)
    assert a.estimate != b.estimate
    with pytest.raises(InputError, match="delta"):
        bma(darroch, delta=0)
    six = CaptureTable.from_records([f"S{i}" for i in range(6)], np.eye(6, dtype=int))
    with pytest.raises(InputError, match="3 to 5 lists"):
        bma(six)


# --------------------------------------------------------------------------- strata


def _stratified_csv(tmp_path, tables: dict[str, CaptureTable]) -> str:
    lines = ["region,L1,L2,L3,L4,count"]
    for name, t in tables.items():
        for row in t.as_rows():
            lines.append(f"{name},{row['L1']},{row['L2']},{row['L3']},{row['L4']},{row['count']}")
    p = tmp_path / "strata.csv"
    p.write_text("\n".join(lines) + "\n")
    return str(p)


def test_strata_are_estimated_separately_and_the_total_is_their_sum(tmp_path):
    tables = {"north": simulate_heterogeneous(1500, 1), "south": simulate_heterogeneous(900, 2)}
    path = _stratified_csv(tmp_path, tables)
    r = estimate(path, strata="region", model="[12,13,14,23,24,34]")
    rows = {s["stratum"]: s for s in r.diagnostics["strata"]}
    assert set(rows) == {"north", "south"}
    assert r.estimate == pytest.approx(
        sum(estimate(t, model="[12,13,14,23,24,34]").estimate for t in tables.values()), rel=1e-9
    )
    assert r.se == pytest.approx(
        np.hypot(*[estimate(t, model="[12,13,14,23,24,34]").se for t in tables.values()]), rel=1e-9
    )
    assert r.ci[0] < r.estimate < r.ci[1]
    assert r.observed == sum(t.observed for t in tables.values())


def test_bayesian_strata_combine_the_posteriors(tmp_path):
    tables = {"a": simulate_heterogeneous(800, 3), "b": simulate_heterogeneous(600, 4)}
    path = _stratified_csv(tmp_path, tables)
    r = estimate(path, strata="region", method="bma", seed=1)
    parts = [s["estimate"] for s in r.diagnostics["strata"]]
    assert r.estimate == pytest.approx(sum(parts), rel=0.05)
    assert r.ci[0] < r.estimate < r.ci[1]


def test_small_stratum_is_warned_about_and_a_failed_one_blocks_the_total(tmp_path):
    big = simulate_heterogeneous(1500, 5)
    tiny = CaptureTable.from_patterns(["L1", "L2", "L3", "L4"], {"1000": 3, "0100": 2})
    path = _stratified_csv(tmp_path, {"big": big, "tiny": tiny})
    r = estimate(path, strata="region")
    assert any("“tiny” is too small" in w for w in r.warnings)
    assert any("no combined total" in w for w in r.warnings)
    assert r.estimate is None
    row = next(s for s in r.diagnostics["strata"] if s["stratum"] == "tiny")
    assert row["error"]


# --------------------------------------------------------------------------- sensitivity


def test_all_methods_table_reports_each_method_and_flags_disagreement(four_lists):
    # a deliberately short LCMCR run: the pooled figure is asked for even if the chains disagree
    r = estimate(
        four_lists,
        method="all",
        seed=3,
        burnin=500,
        samples=200,
        thinning=5,
        allow_unconverged=True,
    )
    methods = [row["method"] for row in r.diagnostics["sensitivity"]]
    assert methods == ["loglinear", "lcmcr", "bma"]
    ests = [row["estimate"] for row in r.diagnostics["sensitivity"]]
    assert r.estimate == pytest.approx(float(np.median(ests)), abs=0.1)
    lows = [row["ci"][0] for row in r.diagnostics["sensitivity"]]
    assert r.ci[0] == pytest.approx(min(lows), abs=0.1)
    spread = (max(ests) - min(ests)) / np.median(ests)
    assert (spread > 0.25) == any("methods disagree" in w for w in r.warnings)


def test_stratified_file_reads_per_victim_rows(tmp_path):
    lines = ["id,gov,A,B,C"]
    rng = np.random.default_rng(9)
    for i in range(400):
        row = (rng.random(3) < 0.5).astype(int)
        if row.sum() == 0:
            continue
        lines.append(f"{i},{'X' if i % 2 else 'Y'},{row[0]},{row[1]},{row[2]}")
    p = tmp_path / "v.csv"
    p.write_text("\n".join(lines) + "\n")
    d = read_capture_csv(p, strata="gov", lists="A,B,C")
    assert set(d.strata) == {"X", "Y"}
    assert d.table.observed == sum(t.observed for t in d.strata.values()) == len(lines) - 1
    assert d.table.lists == ("A", "B", "C")
    for a, b in itertools.pairwise(sorted(d.strata)):
        assert a < b
    assert (DATA / "darroch1993.csv").exists()


def test_plots_for_strata_and_for_all_methods_are_written(tmp_path):
    from dalil.estimate.plots import plot_models, plot_posterior

    tables = {"a": simulate_heterogeneous(700, 6), "b": simulate_heterogeneous(500, 7)}
    r = estimate(_stratified_csv(tmp_path, tables), strata="region", method="bma")
    out = plot_models(r, tmp_path / "strata.svg")
    assert "<svg" in out.read_text() and "Estimates by stratum" in out.read_text()
    a = estimate(tables["a"], method="all", seed=2, burnin=300, samples=100, thinning=3)
    out = plot_posterior(a, tmp_path / "all.png")
    assert out.read_bytes()[:4] == b"\x89PNG"
