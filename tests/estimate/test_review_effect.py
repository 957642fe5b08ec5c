"""The review queue's order by the effect of a decision on the estimate, on small
examples whose answer is known by hand (Lincoln-Petersen for two lists)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dalil.estimate.data import CaptureTable
from dalil.estimate.loglinear import fit, independence
from dalil.estimate.review_effect import decision_effects, independence_total, order_by_effect


def test_two_lists_give_lincoln_petersen() -> None:
    # A holds 100 people, B 80, 20 on both: N = 100 * 80 / 20 = 400
    assert independence_total([100, 80], 160) == pytest.approx(400.0)
    assert independence_total([100, 80], 180) == math.inf  # no overlap: unbounded
    assert independence_total([100, 30], 100) == 100.0  # A holds everyone seen


def test_three_lists_agree_with_the_loglinear_independence_fit() -> None:
    counts = np.zeros(8, dtype=np.int64)
    # bit 0 = A, bit 1 = B, bit 2 = C
    for cell, n in {1: 60, 2: 45, 3: 12, 4: 30, 5: 9, 6: 7, 7: 4}.items():
        counts[cell] = n
    table = CaptureTable(("A", "B", "C"), counts)
    want = fit(table, independence(3), ci=False).estimate
    sizes = list(table.list_sizes.values())
    assert independence_total(sizes, table.observed) == pytest.approx(want, rel=1e-6)


def _two_lists() -> tuple[dict[str, str], dict[str, str]]:
    """80 people on A only, 60 on B only, 20 on both (records a<i>, b<i>)."""
    list_of: dict[str, str] = {}
    person_of: dict[str, str] = {}
    for i in range(80):
        list_of[f"a{i}"], person_of[f"a{i}"] = "A", f"pa{i}"
    for i in range(60):
        list_of[f"b{i}"], person_of[f"b{i}"] = "B", f"pb{i}"
    for i in range(20):
        list_of[f"ab{i}A"], person_of[f"ab{i}A"] = "A", f"pab{i}"
        list_of[f"ab{i}B"], person_of[f"ab{i}B"] = "B", f"pab{i}"
    return list_of, person_of


def test_effects_and_order_on_a_known_example() -> None:
    list_of, person_of = _two_lists()
    pairs = [
        ("a0", "b0", 0.6),  # across the lists: overlap 20 -> 21, N 400 -> 380.95
        ("a1", "a2", 0.9),  # a duplicate inside A: n_A 100 -> 99, N 400 -> 396
        ("a3", "b3", 0.3),  # across, less likely
        ("ab0A", "ab0B", 0.55),  # one person now; a reject splits it: N -> 8000/19
    ]
    eff = decision_effects(list_of, person_of, pairs)
    assert [e.outcome for e in eff] == ["link", "link", "link", "split"]
    assert eff[0].change == pytest.approx(8000 / 21 - 400)
    assert eff[0].expected == pytest.approx(0.6 * (400 - 8000 / 21))
    assert eff[1].change == pytest.approx(-4.0)
    assert eff[1].expected == pytest.approx(3.6)
    assert eff[3].change == pytest.approx(8000 / 19 - 400)
    assert eff[3].expected == pytest.approx(0.45 * (8000 / 19 - 400))
    # by effect: the likely cross-list link, the split, the unlikely link, the duplicate
    assert order_by_effect(eff, [p for *_, p in pairs]) == [0, 3, 2, 1]
    # (by uncertainty alone it would be 3, 0, 2, 1: the duplicate is as far down, but
    # the split, nearest 0.5, would come before the likelier cross-list link)


def test_a_split_off_record_whose_list_stays_in_the_cluster() -> None:
    list_of, person_of = _two_lists()
    # person pab0 also has a second record on A: splitting it off adds a person to A
    list_of["ab0A2"], person_of["ab0A2"] = "A", "pab0"
    (eff,) = decision_effects(list_of, person_of, [("ab0A", "ab0A2", 0.5)])
    # either record alone leaves the rest on A and B: n 161, n_A 101, n_B 80, m 20
    assert eff.outcome == "split"
    assert eff.change == pytest.approx(101 * 80 / 20 - 400)


def test_the_first_overlap_comes_first_and_one_list_has_no_effect() -> None:
    list_of = {"a": "A", "a2": "A", "b": "B"}
    eff = decision_effects(list_of, {}, [("a", "a2", 0.9), ("a", "b", 0.5)])
    assert eff[1].expected == math.inf and order_by_effect(eff, [0.9, 0.5]) == [1, 0]
    one = decision_effects({"a": "A", "a2": "A"}, {}, [("a", "a2", 0.7)])
    assert one[0].expected == 0.0
