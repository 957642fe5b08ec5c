"""Whatever the table, every method answers or refuses with a reason — never a traceback."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.errors import InputError
from dalil.estimate import CaptureTable, estimate

small_tables = (
    st.integers(3, 4)
    .flatmap(
        lambda J: st.lists(
            st.one_of(st.just(0), st.integers(0, 6), st.integers(0, 400)),
            min_size=2**J - 1,
            max_size=2**J - 1,
        ).map(lambda c, J=J: (J, c))
    )
    .filter(lambda jc: sum(jc[1]) > 0)
)


def _check(result, table: CaptureTable) -> None:
    d = result.to_dict()
    assert d["observed"] == table.observed
    if d["estimate"] is not None:
        assert math.isfinite(d["estimate"])
        assert d["estimate"] >= table.observed - 0.05
        lo, hi = d["ci"]
        assert lo is not None and lo <= d["estimate"] + 0.05
        assert lo >= table.observed - 0.05
        assert hi is None or hi >= d["estimate"] - 0.05
    assert isinstance(d["diagnostics"]["warnings"], list)


@given(small_tables, st.sampled_from(["loglinear", "bma"]))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_loglinear_and_bma_answer_or_refuse_on_any_table(jc, method):
    J, c = jc
    t = CaptureTable([f"L{j}" for j in range(J)], np.array([0, *c]))
    try:
        r = estimate(t, method=method, top=3)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    _check(r, t)


@given(small_tables)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_lcmcr_answers_or_refuses_on_any_table(jc):
    J, c = jc
    t = CaptureTable([f"L{j}" for j in range(J)], np.array([0, *c]))
    try:
        r = estimate(t, method="lcmcr", seed=1, burnin=20, samples=10, thinning=1, chains=2)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return
    _check(r, t)
