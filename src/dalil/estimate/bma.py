"""Bayesian model averaging over decomposable graphical models (Madigan & York 1997).

Each decomposable (chordal) graph on the lists is a log-linear model whose
generators are the graph's cliques.  With a hyper-Dirichlet prior on the cell
probabilities of the complete ``2**p`` table (``delta`` prior people in every
cell of the full table, so ``delta * 2**(p - |C|)`` in every cell of the margin
over clique ``C``), the marginal likelihood of a completed table factorises
over cliques and separators:

    p(table | G) = prod_C f(n_C) / prod_S f(n_S),
    f(m) = Γ(A) / Γ(A + N) * prod_cells Γ(a + m_cell) / Γ(a),

with ``A`` the prior total.  For each number ``n0`` of people on no list,

    p(G, n0 | data) ∝ p(G) p(N) N! / n0! * p(table(n0) | G),

computed exactly on a grid of ``n0`` and averaged over all decomposable graphs
with a uniform prior over graphs — the approach of HRDAG's R package dga
(Lum, Johndrow & Ball).  The default ``delta = 2**-p`` follows dga's suggestion.
Our prior on N is ``1/N`` (dga's default is ``1/n0``, which excludes ``n0 = 0``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import special

from dalil.errors import InputError

from .data import CaptureTable
from .loglinear import Model

MIN_LISTS, MAX_LISTS = 3, 5
MAX_GRID = 20_000


def _is_chordal(p: int, edges: frozenset[tuple[int, int]]) -> bool:
    adj: dict[int, set[int]] = {v: set() for v in range(p)}
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    left = set(range(p))
    while left:
        for v in sorted(left):
            nb = adj[v] & left
            if all(b in adj[a] for a, b in itertools.combinations(sorted(nb), 2)):
                left.remove(v)
                break
        else:
            return False
    return True


def _cliques(p: int, edges: frozenset[tuple[int, int]]) -> list[frozenset[int]]:
    def complete(s: tuple[int, ...]) -> bool:
        return all((a, b) in edges for a, b in itertools.combinations(s, 2))

    comp = [
        frozenset(s)
        for r in range(1, p + 1)
        for s in itertools.combinations(range(p), r)
        if complete(s)
    ]
    return [c for c in comp if not any(c < o for o in comp)]


def _separators(cliques: list[frozenset[int]]) -> list[frozenset[int]]:
    """Separators of a junction tree: a maximum-weight spanning tree of the clique graph."""
    if len(cliques) <= 1:
        return []
    in_tree = {0}
    seps = []
    while len(in_tree) < len(cliques):
        best = None
        for i in in_tree:
            for j in range(len(cliques)):
                if j in in_tree:
                    continue
                w = len(cliques[i] & cliques[j])
                if best is None or w > best[0]:
                    best = (w, i, j)
        assert best is not None
        _, i, j = best
        seps.append(cliques[i] & cliques[j])
        in_tree.add(j)
    return seps


@dataclass(frozen=True)
class Graph:
    edges: frozenset[tuple[int, int]]
    cliques: tuple[frozenset[int], ...]
    separators: tuple[frozenset[int], ...]

    def model(self, p: int) -> Model:
        return Model.from_terms(p, [c for c in self.cliques if len(c) >= 2])


@lru_cache(maxsize=8)
def decomposable_graphs(p: int) -> tuple[Graph, ...]:
    """All decomposable graphs on p labelled vertices (p=3: 8, p=4: 61, p=5: 822)."""
    pairs = list(itertools.combinations(range(p), 2))
    out = []
    for mask in range(1 << len(pairs)):
        edges = frozenset(pr for i, pr in enumerate(pairs) if mask >> i & 1)
        if _is_chordal(p, edges):
            cl = _cliques(p, edges)
            out.append(Graph(edges, tuple(cl), tuple(_separators(cl))))
    return tuple(out)


@dataclass
class BmaResult:
    observed: int
    lists: tuple[str, ...]
    delta: float
    n_grid: np.ndarray = field(repr=False)  # N values
    posterior: np.ndarray = field(repr=False)  # p(N | data), sums to 1
    graphs: list[dict[str, Any]]  # best first: model, weight, estimate, ci
    estimate: float
    ci: tuple[float, float]
    ci_level: float
    mean: float
    sd: float
    warnings: list[str]
    n_graphs: int


def _quantiles(n_grid: np.ndarray, pmf: np.ndarray, qs: list[float]) -> list[float]:
    cdf = np.cumsum(pmf)
    cdf /= cdf[-1]
    return [float(n_grid[min(int(np.searchsorted(cdf, q)), n_grid.size - 1)]) for q in qs]


def bma(
    table: CaptureTable,
    *,
    delta: float | None = None,
    level: float = 0.95,
    max_missing: int | None = None,
    top: int = 10,
) -> BmaResult:
    """Posterior of N averaged over all decomposable graphical models."""
    p = table.n_lists
    if not MIN_LISTS <= p <= MAX_LISTS:
        raise InputError(
            f"--method bma handles {MIN_LISTS} to {MAX_LISTS} lists; the table has {p}. "
            "Merge lists or use --method lcmcr"
        )
    if delta is None:
        delta = 2.0**-p
    if not delta > 0:
        raise InputError(f"--delta must be positive, got {delta}")
    n = table.observed
    if max_missing is None:
        max_missing = max(30 * n, 1000)
    # a unit grid up to MAX_GRID points; coarser steps beyond (the posterior of N is
    # smooth on that scale), so memory and time stay bounded for large lists
    step = max(1, math.ceil(max_missing / MAX_GRID))
    n0 = np.arange(0, max_missing + 1, step, dtype=np.float64)
    N = n + n0
    cells = np.arange(2**p)
    y = table.counts.astype(np.float64)

    # log f(margin over subset S) on the n0 grid, for every subset S (with S = {} -> 0)
    logf: dict[frozenset[int], np.ndarray] = {frozenset(): np.zeros_like(n0)}
    for r in range(1, p + 1):
        for s in itertools.combinations(range(p), r):
            smask = sum(1 << j for j in s)
            a = delta * 2.0 ** (p - r)
            A = a * 2**r
            total = special.gammaln(A) - special.gammaln(A + N)
            const = 0.0
            zero_cell = 0.0
            for sub in range(2**r):
                amask = sum(1 << s[i] for i in range(r) if sub >> i & 1)
                m = y[(cells & smask) == amask].sum()
                if amask == 0:
                    zero_cell = m
                else:
                    const += special.gammaln(a + m) - special.gammaln(a)
            total = total + const + special.gammaln(a + zero_cell + n0) - special.gammaln(a)
            logf[frozenset(s)] = total

    base = -np.log(N) + special.gammaln(N + 1) - special.gammaln(n0 + 1)
    graphs = decomposable_graphs(p)

    def row(g: Graph) -> np.ndarray:
        lp = base.copy()
        for c in g.cliques:
            lp += logf[c]
        for sep in g.separators:
            lp -= logf[sep]
        return np.asarray(lp)

    # two passes over the graphs, one row at a time: never a graphs x grid matrix
    row_max = np.empty(len(graphs))
    row_lse = np.empty(len(graphs))
    for i, g in enumerate(graphs):
        lp = row(g)
        row_max[i] = lp.max()
        row_lse[i] = row_max[i] + math.log(float(np.exp(lp - row_max[i]).sum()))
    mx = float(row_max.max())
    gw = np.exp(row_lse - mx)
    gw /= gw.sum()
    pmf = np.zeros_like(n0)
    for i, g in enumerate(graphs):
        if gw[i] > 1e-12:
            pmf += np.exp(row(g) - mx)
    pmf /= pmf.sum()
    q = (1 - level) / 2
    lo, med, hi = _quantiles(N, pmf, [q, 0.5, 1 - q])
    mean = float((N * pmf).sum())
    sd = float(math.sqrt(max(((N - mean) ** 2 * pmf).sum(), 0.0)))
    warnings = []
    tail = float(pmf[int(0.9 * pmf.size) :].sum())
    if tail > 1e-3:
        warnings.append(
            f"{tail:.1%} of the posterior lies near the end of the grid (n0 up to {max_missing}): "
            "the data barely bound N from above; the interval's upper end is unreliable"
        )
    order = np.argsort(-gw)
    rows = []
    for i in order[: max(top, 1)]:
        lp = row(graphs[i])
        cond = np.exp(lp - lp.max())
        cond /= cond.sum()
        glo, gmed, ghi = _quantiles(N, cond, [q, 0.5, 1 - q])
        rows.append(
            {
                "model": graphs[i].model(p).label(),
                "weight": float(gw[i]),
                "estimate": gmed,
                "ci": [glo, ghi],
            }
        )
    return BmaResult(
        observed=n,
        lists=table.lists,
        delta=float(delta),
        n_grid=N,
        posterior=pmf,
        graphs=rows,
        estimate=med,
        ci=(lo, hi),
        ci_level=level,
        mean=mean,
        sd=sd,
        warnings=warnings,
        n_graphs=len(graphs),
    )
