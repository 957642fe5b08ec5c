"""Log-linear models: published results, closed forms, notation, and refusals."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.errors import InputError
from dalil.estimate import CaptureTable, EstimationError, fit, parse_model, search
from dalil.estimate import loglinear as ll

# --------------------------------------------------------------------------- published results


def test_darroch_1993_model_12_23_gives_850_se_186_deviance_3_8_on_1_df(darroch):
    # Darroch, Fienberg, Glonek & Junker (1993), JASA 88:1137; figures as Rcapture reports them.
    f = fit(darroch, "[12,23]")
    assert round(f.estimate) == 850
    assert round(f.se) == 186
    assert round(f.deviance, 1) == 3.8
    assert f.df == 1


def test_darroch_1993_saturated_model_gives_1240_se_451(darroch):
    f = fit(darroch, "[12,13,23]")
    assert round(f.estimate) == 1240
    assert round(f.se) == 451
    assert f.df == 0
    assert f.deviance == pytest.approx(0.0, abs=1e-8)


# --------------------------------------------------------------------------- closed forms


@given(n11=st.integers(1, 500), n10=st.integers(1, 500), n01=st.integers(1, 500))
@settings(max_examples=40, deadline=None)
def test_two_lists_independence_is_lincoln_petersen(n11, n10, n01):
    # Petersen (1896) / Lincoln (1930): N = n1 n2 / m with m on both lists.
    t = CaptureTable.from_patterns(["A", "B"], {"11": n11, "10": n10, "01": n01})
    f = fit(t, "[1,2]")
    n1, n2 = n11 + n10, n11 + n01
    assert f.estimate == pytest.approx(n1 * n2 / n11, rel=1e-8)
    assert f.ci[0] <= f.estimate
    assert f.ci[1] is None or f.ci[1] >= f.estimate


@given(st.lists(st.integers(1, 300), min_size=7, max_size=7))
@settings(max_examples=40, deadline=None)
def test_three_list_saturated_model_matches_its_closed_form(c):
    # Bishop, Fienberg & Holland (1975) §6.4: under [12,13,23] the unobserved cell is
    # n100 n010 n001 n111 / (n110 n101 n011).
    pats = ["100", "010", "001", "110", "101", "011", "111"]
    t = CaptureTable.from_patterns(["A", "B", "C"], dict(zip(pats, c, strict=True)))
    n100, n010, n001, n110, n101, n011, n111 = c
    m0 = n100 * n010 * n001 * n111 / (n110 * n101 * n011)
    f = fit(t, "[12,13,23]", ci=False)
    assert f.estimate == pytest.approx(t.observed + m0, rel=1e-7)


def test_fit_agrees_with_statsmodels_poisson_glm_on_a_four_list_model(four_lists):
    import statsmodels.api as sm

    model = parse_model("[12,23,34]", four_lists.lists)
    X = ll.design_matrix(model)[1:]
    y = four_lists.counts[1:]
    g = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    f = fit(four_lists, model, ci=False)
    n0 = math.exp(g.params[0])
    assert f.estimate == pytest.approx(four_lists.observed + n0, rel=1e-8)
    assert f.deviance == pytest.approx(g.deviance, rel=1e-8)
    assert f.se == pytest.approx(math.sqrt(n0 + n0**2 * g.cov_params()[0, 0]), rel=1e-6)
    assert f.aic == pytest.approx(g.aic, rel=1e-8)


def test_profile_interval_ends_are_where_the_likelihood_ratio_crosses_chi2_cutoff(darroch):
    f = fit(darroch, "[12,23]")
    grid, prof = f.profile
    lo, hi = f.ci
    assert lo < f.estimate < hi
    # inside the interval the relative log-likelihood is above -1.92, outside below
    inside = (grid > lo + 1) & (grid < hi - 1)
    outside = (grid < lo - 1) | (grid > hi + 1)
    assert (prof[inside] > -1.9207).all()
    assert (prof[outside] < -1.9207).all()


# --------------------------------------------------------------------------- notation


def test_digits_and_list_names_give_the_same_model(darroch):
    assert parse_model("[12,23]", darroch.lists) == parse_model("[A*B,B*C]", darroch.lists)
    assert parse_model("[12][23]", darroch.lists) == parse_model("[23,12]", darroch.lists)
    assert parse_model("[12,23,2]", darroch.lists).label() == "[12,23]"
    assert parse_model("[1,2,3]", darroch.lists).label() == "[1,2,3]"
    assert parse_model("[A*B,C]", darroch.lists).label() == "[12,3]"


def test_names_with_digits_are_read_as_names():
    lists = ["L1", "L2", "L3"]
    assert parse_model("[L1*L2,L3]", lists).label() == "[12,3]"


@pytest.mark.parametrize(
    "spec, words",
    [
        ("12,23", "brackets"),
        ("[14]", "position 4"),
        ("[A*Z]", "unknown list 'Z'"),
        ("[11]", "twice"),
        ("[1?2]", "neither"),
        ("[]", "empty"),
        ("[12,,23]", "empty term"),
    ],
)
def test_malformed_model_is_refused_with_a_reason(spec, words):
    with pytest.raises(InputError, match=words.replace("(", r"\(")):
        parse_model(spec, ["A", "B", "C"])


def test_model_with_all_lists_interaction_is_not_identifiable(darroch):
    with pytest.raises(EstimationError, match="not identifiable"):
        fit(darroch, "[123]")


# --------------------------------------------------------------------------- refusals


def test_zero_margin_is_reported_as_such_not_as_a_number():
    # nobody is on both A and C: the AC interaction cannot be estimated
    t = CaptureTable.from_patterns(
        ["A", "B", "C"], {"100": 50, "010": 40, "001": 30, "110": 20, "011": 10}
    )
    with pytest.raises(EstimationError, match=r"needed margin is zero.*1 \(A\) and 3 \(C\)"):
        fit(t, "[12,13,23]")
    # [12,23] fits cell 101 exactly, at zero: no finite MLE either (found by the LP)
    with pytest.raises(EstimationError, match="does not exist"):
        fit(t, "[12,23]")
    # a model that pools A and C information is fine
    assert fit(t, "[12,3]").estimate > t.observed


def test_mle_nonexistence_is_detected_by_the_linear_programme():
    # Every two-way margin is positive, but with 110, 101, 011 empty the saturated
    # three-list model has no finite MLE.
    t = CaptureTable.from_patterns(["A", "B", "C"], {"100": 30, "010": 25, "001": 20, "111": 5})
    m = parse_model("[12,13,23]", t.lists)
    assert ll.zero_margins(t, m) == []
    assert not ll.mle_exists(t, m)
    with pytest.raises(EstimationError, match="does not exist"):
        fit(t, m)
    assert ll.mle_exists(t, parse_model("[1,2,3]", t.lists))


# --------------------------------------------------------------------------- search


def _brute_force_hierarchical_count(J: int) -> int:
    terms = [frozenset(c) for r in range(2, J) for c in itertools.combinations(range(J), r)]
    count = 0
    for mask in range(1 << len(terms)):
        chosen = {t for i, t in enumerate(terms) if mask >> i & 1}
        if all(
            frozenset(s) in chosen
            for t in chosen
            if len(t) > 2
            for s in itertools.combinations(t, len(t) - 1)
        ):
            count += 1
    return count


@pytest.mark.parametrize("J", [3, 4])
def test_search_enumerates_every_hierarchical_model(J):
    got = {m.label() for m in ll.hierarchical_models(J)}
    assert len(got) == len(ll.hierarchical_models(J)) == _brute_force_hierarchical_count(J)


def test_search_picks_12_23_for_darroch_by_bic_and_weights_sum_to_one(darroch):
    r = search(darroch, criterion="bic")
    assert r.best.label == "[12,23]"
    assert r.exhaustive and r.n_models == 8
    bics = [f.bic for f in r.fits]
    assert bics == sorted(bics)
    assert sum(f.weight for f in r.fits) == pytest.approx(1.0, abs=1e-9)


def test_aic_prefers_the_saturated_model_for_darroch(darroch):
    r = search(darroch, criterion="aic")
    assert r.best.label == "[12,13,23]"


def test_search_skips_models_without_mle_and_says_how_many():
    t = CaptureTable.from_patterns(
        ["A", "B", "C"], {"100": 50, "010": 40, "001": 30, "110": 20, "011": 10}
    )
    r = search(t)
    assert r.n_skipped >= 1
    assert all("13" not in f.label for f in r.fits)


def test_six_lists_use_stepwise_search_and_seven_are_refused():
    rng = np.random.default_rng(4)
    x = (rng.random((3000, 6)) < rng.uniform(0.2, 0.5, 6)).astype(int)
    x = x[x.sum(axis=1) > 0]
    t = CaptureTable.from_records([f"S{i}" for i in range(6)], x)
    r = search(t, top=3)
    assert not r.exhaustive
    assert r.best.estimate == pytest.approx(3000, rel=0.1)
    x7 = (rng.random((500, 7)) < 0.4).astype(int)
    t7 = CaptureTable.from_records([f"S{i}" for i in range(7)], x7[x7.sum(axis=1) > 0])
    with pytest.raises(InputError, match="up to 6 lists"):
        search(t7)


def test_a_lower_level_gives_a_narrower_interval_inside_the_95_one(darroch):
    wide, narrow = fit(darroch, "[12,23]", level=0.95), fit(darroch, "[12,23]", level=0.8)
    assert wide.ci[0] < narrow.ci[0] < narrow.estimate < narrow.ci[1] < wide.ci[1]
    assert narrow.ci_level == 0.8
