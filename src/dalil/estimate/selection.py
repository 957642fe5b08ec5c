"""Which log-linear model: the rule that chooses it, and why.

Two rules, and a default that picks between them from the data:

* **Search** (``bic`` or ``aic``): every hierarchical model is fitted (up to five
  lists; a stepwise search on the criterion for six) and the best by the criterion
  is chosen.  Good where the table is dense: every interaction the search may pick
  rests on many people.

* **Stepwise p-value** (``stepwise``), the method of Chan, Silverman & Vincent
  (2021, *JASA* 116:1297–1306), validated by its authors on published modern-slavery
  data.  Start from the main-effects model; at each step consider every two-way
  interaction not yet in the model.  For the pair of lists ``(i, j)`` the statistic
  is the number of people on both lists (whatever else they are on); under the
  current model it is Poisson with mean the fitted count of those cells, and its
  one-sided p-value is ``P(X >= observed)``.  The pair with the smallest p-value is
  added if that p-value is below the threshold (default 0.02) and the enlarged
  model passes the exact checks: identifiable (the design has full rank on the
  observed cells) and a finite maximum-likelihood estimate (no zero margin and the
  Haberman linear programme).  Only two-way terms: three-way terms cannot be
  supported by tables with a handful of people on three lists at once.

* **auto** (the default): the search where the table supports it — at most five
  lists, every pair of lists sharing at least ``MIN_PAIR_OVERLAP`` people, and at
  most a quarter of the capture patterns empty — and the stepwise p-value rule
  otherwise.  The result says which rule chose the model and which condition sent
  it there.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from dalil.errors import InputError

from . import loglinear as ll
from .data import CaptureTable

RULES = ("auto", "bic", "aic", "stepwise")
P_THRESHOLD = 0.02
MIN_PAIR_OVERLAP = 5
MAX_EMPTY_SHARE = 0.25


@dataclass(frozen=True)
class Sparsity:
    """How much the table holds for interaction terms."""

    n_lists: int
    cells: int  # capture patterns that can be observed (2**J - 1)
    empty: int  # of those, how many nobody has
    pair_overlap: dict[tuple[int, int], int]  # people on both lists i and j (0-based)

    @property
    def empty_share(self) -> float:
        return self.empty / self.cells

    @property
    def thin_pairs(self) -> list[tuple[int, int]]:
        return [p for p, n in sorted(self.pair_overlap.items()) if n < MIN_PAIR_OVERLAP]

    def to_dict(self, lists: tuple[str, ...]) -> dict[str, Any]:
        return {
            "cells": self.cells,
            "empty_cells": self.empty,
            "pairs_below_min_overlap": [
                {"lists": [lists[i], lists[j]], "overlap": self.pair_overlap[(i, j)]}
                for i, j in self.thin_pairs
            ],
            "min_pair_overlap": MIN_PAIR_OVERLAP,
        }


def sparsity(table: CaptureTable) -> Sparsity:
    J = table.n_lists
    y = table.counts
    cells = np.arange(y.size)
    overlap = {}
    for i, j in itertools.combinations(range(J), 2):
        both = (1 << i) | (1 << j)
        overlap[(i, j)] = int(y[(cells & both) == both].sum())
    return Sparsity(
        n_lists=J, cells=y.size - 1, empty=int((y[1:] == 0).sum()), pair_overlap=overlap
    )


def auto_rule(table: CaptureTable, p_threshold: float = P_THRESHOLD) -> tuple[str, str]:
    """(rule, reason) of the default: the search where the data support it."""
    sp = sparsity(table)
    names = table.lists
    reasons = []
    if table.n_lists > ll.EXHAUSTIVE_MAX_LISTS:
        reasons.append(f"{table.n_lists} lists: too many hierarchical models to compare them all")
    thin = sp.thin_pairs
    if thin:
        shown = ", ".join(f"{names[i]}–{names[j]} ({sp.pair_overlap[(i, j)]})" for i, j in thin[:4])
        more = f" and {len(thin) - 4} more" if len(thin) > 4 else ""
        reasons.append(
            f"{len(thin)} pair{'s' if len(thin) > 1 else ''} of lists share fewer than "
            f"{MIN_PAIR_OVERLAP} people: {shown}{more}"
        )
    if sp.empty_share > MAX_EMPTY_SHARE:
        reasons.append(
            f"{sp.empty} of {sp.cells} capture patterns are empty "
            f"({sp.empty_share:.0%} > {MAX_EMPTY_SHARE:.0%})"
        )
    if reasons:
        return "stepwise", (
            "sparse table — "
            + "; ".join(reasons)
            + ": interactions of three or more lists would rest on a handful of people, so "
            "two-way interactions are added one at a time while significant "
            f"(p < {p_threshold:g}; Chan, Silverman & Vincent 2021)"
        )
    return "bic", (
        f"dense table — every pair of lists shares at least {MIN_PAIR_OVERLAP} people and "
        f"{sp.empty} of {sp.cells} capture patterns are empty: every hierarchical model "
        "compared by BIC"
    )


@dataclass
class Step:
    """One step of the stepwise p-value rule."""

    term: tuple[int, int] | None  # the pair added (None: stopped)
    p_value: float | None
    observed: int | None
    expected: float | None
    refused: list[tuple[tuple[int, int], str]] = field(default_factory=list)

    def to_dict(self, lists: tuple[str, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "added": None if self.term is None else f"{lists[self.term[0]]}*{lists[self.term[1]]}",
            "p_value": None if self.p_value is None else float(f"{self.p_value:.3g}"),
            "on_both": self.observed,
            "expected": None if self.expected is None else round(self.expected, 1),
        }
        if self.refused:
            out["refused"] = [
                {"term": f"{lists[i]}*{lists[j]}", "why": why} for (i, j), why in self.refused
            ]
        return out


@dataclass
class Selection:
    """The chosen model, the models compared, and the rule that chose."""

    best: ll.LoglinearFit
    fits: list[ll.LoglinearFit]
    rule: str  # given | bic | aic | stepwise
    requested: str
    reason: str
    n_models: int = 1
    n_skipped: int = 0
    search: str = "exhaustive"  # exhaustive | stepwise (criterion) | stepwise-p
    steps: list[Step] = field(default_factory=list)
    p_threshold: float | None = None
    sparsity: Sparsity | None = None

    def to_dict(self) -> dict[str, Any]:
        lists = self.best.lists
        out: dict[str, Any] = {
            "rule": self.rule,
            "requested": self.requested,
            "reason": self.reason,
        }
        if self.rule == "stepwise":
            out["p_threshold"] = self.p_threshold
            out["steps"] = [s.to_dict(lists) for s in self.steps]
        if self.sparsity is not None:
            out["sparsity"] = self.sparsity.to_dict(lists)
        return out


def _why_not(table: CaptureTable, model: ll.Model) -> str | None:
    """None when ``model`` has a finite, identifiable MLE on ``table``; else the reason."""
    Xo = ll.design_matrix(model)[1:]
    if np.linalg.matrix_rank(Xo) < Xo.shape[1]:
        return "not identifiable"
    if ll.zero_margins(table, model):
        return "a needed margin is zero"
    if not ll.mle_exists(table, model):
        return "no finite maximum-likelihood estimate"
    return None


def _fitted(table: CaptureTable, model: ll.Model) -> tuple[ll.LoglinearFit, np.ndarray]:
    glm, _ = ll._fit_observed(table, model)
    if not glm.converged or not np.isfinite(glm.beta).all():
        raise ll.EstimationError(f"model {model.label()}: the fit did not converge")
    p = 1 + table.n_lists + len(model.terms)
    return ll._summarise(table, model, glm, p), glm.mu


def stepwise_p(
    table: CaptureTable,
    *,
    p_threshold: float = P_THRESHOLD,
    level: float = 0.95,
) -> tuple[ll.LoglinearFit, list[Step], list[ll.LoglinearFit]]:
    """The stepwise p-value rule (Chan, Silverman & Vincent 2021); see the module doc.

    Returns the chosen fit (with its profile interval), the steps taken, and the fit
    of every model on the path (main effects first)."""
    if not 0 <= p_threshold < 1:
        raise InputError(f"the p-value threshold must be in [0, 1), got {p_threshold}")
    J = table.n_lists
    y = table.counts
    cells = np.arange(1, y.size)
    terms: set[frozenset[int]] = set()
    model = ll.independence(J)
    why = _why_not(table, model)
    if why:
        raise ll.EstimationError(
            f"the main-effects model cannot be estimated ({why}); merge lists or strata"
        )
    fit, mu = _fitted(table, model)
    path = [fit]
    steps: list[Step] = []
    while True:
        cands = []
        for i, j in itertools.combinations(range(J), 2):
            if frozenset((i, j)) in terms:
                continue
            both = (1 << i) | (1 << j)
            on = (cells & both) == both
            t_obs = int(y[1:][on].sum())
            expected = float(mu[on].sum())
            # one-sided: more people on both lists than the model expects
            p = float(stats.poisson.sf(t_obs - 1, expected)) if t_obs > 0 else 1.0
            cands.append((p, (i, j), t_obs, expected))
        cands.sort(key=lambda c: (c[0], c[1]))
        refused: list[tuple[tuple[int, int], str]] = []
        chosen = None
        for p, pair, t_obs, expected in cands:
            if p >= p_threshold:
                break
            m2 = ll.Model.from_terms(J, terms | {frozenset(pair)})
            reason = _why_not(table, m2)
            if reason:
                refused.append((pair, reason))
                continue
            chosen = (p, pair, t_obs, expected, m2)
            break
        if chosen is None:
            top = cands[0] if cands else None
            steps.append(
                Step(
                    None,
                    None if top is None else top[0],
                    None if top is None else top[2],
                    None if top is None else top[3],
                    refused,
                )
            )
            break
        p, pair, t_obs, expected, model = chosen
        terms.add(frozenset(pair))
        steps.append(Step(pair, p, t_obs, expected, refused))
        fit, mu = _fitted(table, model)
        path.append(fit)
    chosen_fit = path[-1]
    chosen_fit.ci, chosen_fit.profile = ll.profile_interval(
        table, chosen_fit.model, level=level, start=chosen_fit.estimate
    )
    chosen_fit.ci_level = level
    return chosen_fit, steps, path


def choose(
    table: CaptureTable,
    *,
    rule: str = "auto",
    p_threshold: float = P_THRESHOLD,
    top: int = 10,
    level: float = 0.95,
) -> Selection:
    """Choose a log-linear model by ``rule`` (auto, bic, aic or stepwise)."""
    requested = rule.lower()
    if requested not in RULES:
        raise InputError(f"model choice must be one of {', '.join(RULES)}, not {rule!r}")
    sp = sparsity(table)
    if requested == "auto":
        chosen, reason = auto_rule(table, p_threshold)
    else:
        chosen = requested
        reason = {
            "bic": "asked for: the hierarchical model with the lowest BIC",
            "aic": "asked for: the hierarchical model with the lowest AIC",
            "stepwise": (
                "asked for: two-way interactions added one at a time while significant "
                f"(p < {p_threshold:g}; Chan, Silverman & Vincent 2021)"
            ),
        }[chosen]
    if chosen == "stepwise":
        best, steps, path = stepwise_p(table, p_threshold=p_threshold, level=level)
        fits = [best] + [f for f in reversed(path[:-1])]
        return Selection(
            best=best,
            fits=fits[: max(top, 1)],
            rule="stepwise",
            requested=requested,
            reason=reason,
            n_models=len(path),
            n_skipped=sum(len(s.refused) for s in steps),
            search="stepwise-p",
            steps=steps,
            p_threshold=p_threshold,
            sparsity=sp,
        )
    sr = ll.search(table, criterion=chosen, top=top, level=level)
    return Selection(
        best=sr.best,
        fits=sr.fits,
        rule=chosen,
        requested=requested,
        reason=reason,
        n_models=sr.n_models,
        n_skipped=sr.n_skipped,
        search="exhaustive" if sr.exhaustive else "stepwise",
        sparsity=sp,
    )


def log_normal_interval(fit: ll.LoglinearFit, level: float = 0.95) -> tuple[float, float] | None:
    """``n + exp(u ± z·se(u))``: the interval Chan, Silverman & Vincent (2021) report
    with the stepwise rule (normal on the log of the number unrecorded)."""
    var_u = float(fit.var_u) if fit.var_u is not None else math.nan
    if not math.isfinite(var_u) or var_u < 0:
        return None
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    u = float(fit.beta[0])
    s = math.sqrt(var_u)
    return fit.observed + math.exp(u - z * s), fit.observed + math.exp(u + z * s)
