"""How much deciding a linkage pair would move the estimate: the review queue's order.

A capture-recapture estimate rests on the overlaps between lists, so one linkage
decision can move it a lot (two records of people seen on one list each, joined, add
one to the overlap of two lists) or hardly at all (a duplicate inside one list). The
review queue can be ordered by that effect instead of by uncertainty alone.

The effect is a cheap first-order approximation, not a refit of the case's estimate:

* the estimator is the independence model of the lists (Darroch's ``M_t``; the
  log-linear independence model gives the same total), whose total ``N`` depends only
  on the number of people observed ``n`` and on each list's size ``n_j``. It solves
  ``1 - n/N = prod_j (1 - n_j/N)``; for two lists that is Lincoln-Petersen,
  ``N = n_1 n_2 / m``. With no overlap at all ``N`` is unbounded;
* **linking** a pair whose records are two different people now (two clusters) makes
  them one: ``n`` falls by one, and every list both were on loses one person;
* **rejecting** a pair whose records are in one cluster now (joined through a chain)
  splits it; which other records go with which side is not known before the next run,
  so the change is the mean of splitting off either record alone (the rest of the
  cluster keeps a list only if another of its records is on it);
* the **expected change** of a decision is the probability that the reviewer changes
  the state — the pair's match probability for a pair not linked now, one minus it for
  a pair linked now — times the absolute change of ``N``. Deciding a pair removes that
  expected error from the estimate. A change to or from an unbounded ``N`` (the first
  overlap, the last one) is infinite and comes first.

Pure: record ids, list names and cluster ids in, numbers out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy import optimize


def independence_total(list_sizes: Sequence[int], observed: int) -> float:
    """The independence model's total ``N`` for lists of *list_sizes* people and
    *observed* distinct people: the root ``N >= observed`` of
    ``1 - n/N = prod_j (1 - n_j/N)``; ``inf`` when the lists do not overlap at all."""
    n = int(observed)
    sizes = [int(s) for s in list_sizes if s > 0]
    if n <= 0:
        return 0.0
    if sum(sizes) <= n:
        return math.inf

    def f(total: float) -> float:
        return math.log1p(-n / total) - sum(math.log1p(-s / total) for s in sizes)

    lo = n * (1 + 1e-12) + 1e-9
    if max(sizes) >= n or f(lo) >= 0:
        return float(n)  # one list holds everyone seen
    hi = 2.0 * n
    while f(hi) < 0:
        hi *= 2
        if hi > 1e15:
            return math.inf
    return float(optimize.brentq(f, lo, hi, xtol=1e-9, rtol=1e-12))


@dataclass(frozen=True)
class Effect:
    """What deciding one pair is expected to do to the estimate."""

    outcome: str  # "link" (the pair is two people now) or "split" (one person now)
    change: float  # N after that outcome minus N now (may be +-inf)
    expected: float  # probability of that outcome x |change|


def _change(before: float, after: float) -> float:
    if math.isinf(before) and math.isinf(after):
        return 0.0
    return after - before


class _Table:
    """People (clusters) and the lists each is on, with the sizes the estimator needs."""

    def __init__(self, list_of: Mapping[str, str], person_of: Mapping[str, str]) -> None:
        self.list_of = dict(list_of)
        self.person_of = {r: person_of.get(r, f"record:{r}") for r in list_of}
        self.records: dict[str, Counter[str]] = {}
        for rid, person in self.person_of.items():
            self.records.setdefault(person, Counter())[self.list_of[rid]] += 1
        self.lists = sorted({*self.list_of.values()})
        size = Counter(lst for recs in self.records.values() for lst in recs)
        self.sizes = tuple(size[lst] for lst in self.lists)
        self.n = len(self.records)
        self.now = independence_total(self.sizes, self.n)
        self._cache: dict[tuple[frozenset[str], frozenset[str], int], float] = {}

    def _total(self, less: frozenset[str], more: frozenset[str], dn: int) -> float:
        key = (less, more, dn)
        if key not in self._cache:
            sizes = [s - (lst in less) + (lst in more)
                     for lst, s in zip(self.lists, self.sizes, strict=True)]  # fmt: skip
            self._cache[key] = independence_total(sizes, self.n + dn)
        return self._cache[key]

    def link(self, a: str, b: str) -> float:
        both = frozenset(self.records[self.person_of[a]]) & frozenset(
            self.records[self.person_of[b]]
        )
        return _change(self.now, self._total(both, frozenset(), -1))

    def split_off(self, r: str) -> float:
        recs = self.records[self.person_of[r]]
        lst = self.list_of[r]
        # the rest stays on lst if another of its records is on it: lst gains a person
        more = frozenset({lst}) if recs[lst] > 1 else frozenset()
        return _change(self.now, self._total(frozenset(), more, +1))


def decision_effects(
    list_of: Mapping[str, str],
    person_of: Mapping[str, str],
    pairs: Sequence[tuple[str, str, float]],
) -> list[Effect]:
    """The effect on the estimate of deciding each of *pairs* (record a, record b, match
    probability). *list_of* maps every record to its list, *person_of* to its person or
    cluster now (a record missing from it is a person of its own). With fewer than two
    lists there is no estimate: every effect is zero."""
    table = _Table(list_of, person_of)
    out = []
    for a, b, p in pairs:
        if len(table.lists) < 2 or a not in table.list_of or b not in table.list_of:
            out.append(Effect("link", 0.0, 0.0))
        elif table.person_of[a] != table.person_of[b]:
            ch = table.link(a, b)
            out.append(Effect("link", ch, float(p) * abs(ch)))
        else:
            ch_a, ch_b = table.split_off(a), table.split_off(b)
            ch = ch_a if ch_a == ch_b else (ch_a + ch_b) / 2
            out.append(Effect("split", ch, (1.0 - float(p)) * abs(ch)))
    return out


def order_by_effect(effects: Sequence[Effect], probabilities: Sequence[float]) -> list[int]:
    """Indices of the pairs, largest expected change of the estimate first; ties (the
    same change) most uncertain first (probability nearest 0.5)."""
    return sorted(
        range(len(effects)),
        key=lambda i: (-effects[i].expected, abs(float(probabilities[i]) - 0.5), i),
    )
