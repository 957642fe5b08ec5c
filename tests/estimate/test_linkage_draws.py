"""Linkage uncertainty carried into the estimate: sampled clusterings and their combination."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from dalil.errors import InputError
from dalil.estimate import linkage_draws as ld
from dalil.estimate.linkage_draws import LinkageInput

from .conftest import simulate_linkage


def _same(clustering: dict[str, int], a: str, b: str) -> bool:
    return clustering[a] == clustering[b]


def toy() -> LinkageInput:
    # fictional records: r1..r6 on lists A/B/C; r1+r2 grouped by the linkage
    return LinkageInput(
        records=[("r1", "A"), ("r2", "B"), ("r3", "C"), ("r4", "A"), ("r5", "B"), ("r6", "C")],
        groups=[["r1", "r2"]],
        pairs=[
            ("r2", "r3", 0.3),  # uncertain
            ("r4", "r5", 1.0),  # certain in every draw
            ("r5", "r6", 0.0),  # never
            ("r3", "r4", 0.9),  # but r1–r4 rejected: r3 may join r4 only while r3 is apart from r1
        ],
        rejected=[("r1", "r4")],
        accepted=[("r6", "r3")],
    )


def test_decisions_are_kept_in_every_draw_and_probabilities_respected():
    inp = toy()
    draws = list(ld.clusterings(inp, 2000, seed=1))
    joined_23 = 0
    for c in draws:
        assert _same(c, "r1", "r2")  # fixed group
        assert _same(c, "r3", "r6")  # accepted
        assert _same(c, "r4", "r5")  # probability 1
        assert not _same(c, "r1", "r4")  # rejected: never one person, even through chains
        joined_23 += _same(c, "r2", "r3")
    # r2–r3 is sampled at 0.3 and joined strongest-first after r3–r4 (0.9): when r3–r4
    # came first, joining r2–r3 would put the rejected r1 and r4 together, so it is refused.
    expected = 0.3 * 0.1
    sd = math.sqrt(expected * (1 - expected) / 2000)
    assert abs(joined_23 / 2000 - expected) < 5 * sd


def test_a_rejection_inside_a_linked_person_holds_before_the_next_link_run():
    # fictional records: the last link run put r1, r2 and r3 in one person through r2;
    # a reviewer has since rejected r1–r3. Until the lists are linked again, the draws
    # and the chosen clustering keep r1 and r3 apart (r2 stays with the first of them).
    inp = LinkageInput(
        records=[("r1", "A"), ("r2", "B"), ("r3", "C")],
        groups=[["r1", "r2", "r3"]],
        pairs=[("r2", "r3", 0.8)],
        rejected=[("r1", "r3")],
    )
    for c in ld.clusterings(inp, 200, seed=3):
        assert _same(c, "r1", "r2")
        assert not _same(c, "r1", "r3")
    assert ld.single_clustering(inp).table.observed == 2


def test_an_isolated_pair_is_joined_as_often_as_its_probability():
    inp = LinkageInput(records=[("a", "A"), ("b", "B")], pairs=[("a", "b", 0.3)])
    n = sum(_same(c, "a", "b") for c in ld.clusterings(inp, 4000, seed=2))
    assert abs(n / 4000 - 0.3) < 5 * math.sqrt(0.21 / 4000)


def test_the_chosen_clustering_joins_groups_and_accepted_pairs_only():
    data = ld.single_clustering(toy())
    # persons: {r1,r2}, {r3,r6}, {r4}, {r5} → patterns AB, C+C=C, A, B
    assert data.table.observed == 4
    assert data.table.counts[0b011] == 1  # r1 (A) + r2 (B)
    assert data.table.counts[0b100] == 1  # r3 and r6 are both on C: one person on C


def test_same_seed_same_draws():
    a = [c for c in ld.clusterings(toy(), 50, seed=9)]
    b = [c for c in ld.clusterings(toy(), 50, seed=9)]
    assert a == b


def test_bad_input_is_refused():
    with pytest.raises(InputError, match="probability"):
        list(
            ld.clusterings(
                LinkageInput(records=[("a", "A"), ("b", "B")], pairs=[("a", "b", 1.5)]), 1
            )
        )
    with pytest.raises(InputError, match="unknown record"):
        list(ld.clusterings(LinkageInput(records=[("a", "A")], pairs=[("a", "z", 0.5)]), 1))
    with pytest.raises(InputError, match="twice"):
        ld.single_clustering(LinkageInput(records=[("a", "A"), ("a", "B")]))


def test_rubin_rules_by_hand():
    # three draws with symmetric log intervals of half-width z*s
    z = 1.959963984540054
    ests = [1000.0, 1100.0, 1210.0]
    s = 0.05
    cis = [(e * math.exp(-z * s), e * math.exp(z * s)) for e in ests]
    est, (lo, hi), info = ld.rubin_log(ests, cis)
    q = np.log(ests)
    B = q.var(ddof=1)
    T = s**2 + (1 + 1 / 3) * B
    nu = 2 * (1 + s**2 / ((1 + 1 / 3) * B)) ** 2
    from scipy import stats

    t = stats.t.ppf(0.975, nu)
    assert est == pytest.approx(math.exp(q.mean()))
    assert lo == pytest.approx(math.exp(q.mean() - t * math.sqrt(T)))
    assert hi == pytest.approx(math.exp(q.mean() + t * math.sqrt(T)))
    assert info["total_variance"] == pytest.approx(T, abs=1e-6)


def test_pooling_takes_the_same_number_of_draws_from_each_clustering():
    a = np.full(5000, 100.0)
    b = np.full(3000, 200.0)
    _med, (lo, hi), pool = ld.pooled_draws([a, b], take=4000)
    assert pool.size == 6000 and (pool == 100).sum() == 3000
    assert lo == 100 and hi == 200


@pytest.mark.parametrize("method", ["loglinear", "bma"])
def test_the_interval_with_linkage_uncertainty_is_never_narrower(method):
    for seed in (1, 2, 3):
        inp, _ = simulate_linkage(1200, seed)
        assert len(inp.pairs) > 50  # a case with uncertain pairs
        r = ld.estimate_with_linkage(inp, draws=12, method=method, seed=seed)
        lo, hi = r.ci
        lo0, hi0 = r.ci_without_linkage
        assert hi - lo >= hi0 - lo0 - 1e-6
        assert hi / lo >= hi0 / lo0 - 1e-9
        d = r.to_dict()
        assert d["ci_without_linkage"] == [round(lo0, 1), round(hi0, 1)]
        assert d["linkage"]["draws_used"] == 12
        assert d["linkage"]["uncertain_pairs"] == len(inp.pairs)
        # sampled clusterings join some uncertain pairs: fewer people than the chosen one
        assert d["linkage"]["people"]["max"] < d["linkage"]["people_without_linkage"]


def test_without_uncertain_pairs_the_draws_change_nothing():
    inp, _ = simulate_linkage(800, 4, certain=1.0)
    assert not inp.pairs
    r = ld.estimate_with_linkage(inp, draws=4, method="loglinear", seed=1)
    assert r.estimate == pytest.approx(r.linkage["estimate_without_linkage"], rel=1e-3)
    assert r.linkage["rubin"]["between_variance"] == 0


def test_all_methods_at_once_is_refused():
    with pytest.raises(InputError, match="one method at a time"):
        ld.estimate_with_linkage(toy(), draws=3, method="all")


def test_strata_follow_the_most_common_value_of_a_persons_records():
    inp = LinkageInput(
        records=[("a", "A"), ("b", "B"), ("c", "A"), ("d", "B")],
        groups=[["a", "b"]],
        strata={"a": "north", "b": "north", "c": "south"},
    )
    data = ld.single_clustering(inp)
    assert data.strata is not None
    counts = Counter({k: t.observed for k, t in data.strata.items()})
    assert counts == {"north": 1, "south": 1}
    assert data.unknown_people == 1  # d: no value on any record → allocated, not a stratum
