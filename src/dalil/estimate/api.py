"""The public Python API of :mod:`dalil.estimate`, mirroring ``dalil estimate``.

>>> from dalil.estimate import CaptureTable, estimate
>>> t = CaptureTable.from_patterns(["A", "B", "C"], {"111": 72, "110": 155, "101": 7,
...     "100": 71, "011": 13, "010": 53, "001": 43})
>>> r = estimate(t, method="loglinear", model="[12,23]")
>>> round(r.estimate)
850

Every result has :meth:`EstimateResult.to_dict`, the stable JSON shape documented in
docs/estimation.md ("JSON").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from dalil.errors import InputError

from . import bma as bma_mod
from . import lcmcr as lcmcr_mod
from . import loglinear as ll
from . import publication
from . import selection as sel
from . import strata as strata_mod
from .data import CaptureData, CaptureTable, read_capture_csv

METHODS = ("loglinear", "lcmcr", "bma", "all")
SMALL_STRATUM = 30


@dataclass
class EstimateResult:
    """One estimate, in the stable JSON shape, plus what plots need (``details``)."""

    observed: int
    method: str
    model: str | None
    estimate: float | None
    ci: tuple[float | None, float | None] | None
    ci_level: float
    se: float | None
    lists: tuple[str, ...]
    diagnostics: dict[str, Any]
    models: list[dict[str, Any]]
    details: Any = field(default=None, repr=False)
    selection: dict[str, Any] | None = None
    draws: np.ndarray | None = field(default=None, repr=False)  # posterior draws of N
    ci_without_linkage: tuple[float | None, float | None] | None = None
    linkage: dict[str, Any] | None = None  # linkage draws: what was sampled and combined
    allocated: dict[str, Any] | None = None  # people of unknown stratum: how allocated

    @property
    def warnings(self) -> list[str]:
        return list(self.diagnostics.get("warnings", []))

    def to_dict(self) -> dict[str, Any]:
        d = self._shape()
        d["publication"] = publication.gates(d)
        return d

    def _shape(self) -> dict[str, Any]:
        return {
            "observed": self.observed,
            "method": self.method,
            "model": self.model,
            "estimate": _num(self.estimate),
            "ci": [_num(self.ci[0]), _num(self.ci[1])] if self.ci else [None, None],
            "ci_level": self.ci_level,
            "se": _num(self.se),
            "lists": list(self.lists),
            "diagnostics": self.diagnostics,
            "models": self.models,
            "selection": self.selection,
            "ci_without_linkage": (
                [_num(self.ci_without_linkage[0]), _num(self.ci_without_linkage[1])]
                if self.ci_without_linkage
                else None
            ),
            "linkage": self.linkage,
            "allocated": self.allocated,
        }


def _num(x: float | None, nd: int = 1) -> float | None:
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return round(x, nd)


def _model_row(
    model: str,
    estimate: float | None,
    ci: Sequence[float | None] | None,
    weight: float | None = None,
    **extra: Any,
) -> dict[str, Any]:
    row = {
        "model": model,
        "estimate": _num(estimate),
        "ci": [_num(ci[0]), _num(ci[1])] if ci else None,
        "aic": None,
        "bic": None,
        "deviance": None,
        "df": None,
        "weight": None if weight is None else round(float(weight), 4),
    }
    row.update(extra)
    return row


# --------------------------------------------------------------------------- data checks

MIN_OVERLAP = 20


def check_overlap(table: CaptureTable) -> list[str]:
    """Refuse a table with no overlap; warn about thin data. Returns warnings."""
    cells = np.arange(table.counts.size)
    on = np.array([bin(int(c)).count("1") for c in cells])
    overlap = int(table.counts[on >= 2].sum())
    if overlap == 0:
        raise InputError(
            "nobody appears on more than one list: the overlap between lists is the only "
            "information about the people none of them recorded, so no total can be "
            "estimated (check the record linkage)"
        )
    warnings = []
    if overlap < MIN_OVERLAP:
        warnings.append(
            f"only {overlap} people appear on two or more lists: every estimate rests on "
            "very few overlaps and is fragile"
        )
    empty = [name for name, size in table.list_sizes.items() if size == 0]
    if empty:
        warnings.append(
            "list " + ", ".join(f"“{e}”" for e in empty) + " records nobody here; "
            "it adds no information and should be left out"
        )
    if table.observed < SMALL_STRATUM:
        warnings.append(f"only {table.observed} people observed: too few for a reliable estimate")
    return warnings


# --------------------------------------------------------------------------- methods


def _loglinear(
    table: CaptureTable,
    model: str | None,
    criterion: str,
    top: int,
    level: float,
    p_threshold: float = sel.P_THRESHOLD,
) -> EstimateResult:
    warnings: list[str] = []
    diag: dict[str, Any] = {"list_sizes": table.list_sizes}
    selection: dict[str, Any]
    if model:
        f = ll.fit(table, model, level=level)
        rows = [f.row()]
        diag.update({"model_choice": "given"})
        selection = {"rule": "given", "requested": "given", "reason": "the model was given"}
        best = f
    else:
        ch = sel.choose(table, rule=criterion, p_threshold=p_threshold, top=top, level=level)
        best = ch.best
        rows = [f.row() for f in ch.fits]
        selection = ch.to_dict()
        diag.update(
            {
                "model_choice": ch.rule,
                "models_fitted": ch.n_models - ch.n_skipped,
                "models_skipped": ch.n_skipped,
                "search": ch.search,
            }
        )
        if best.weight is not None and best.weight < 0.5:
            warnings.append(
                f"the chosen model carries only {best.weight:.0%} of the {ch.rule.upper()} "
                "weight: other models fit almost as well; see the models table"
            )
        if ch.rule == "stepwise":
            lo_hi = sel.log_normal_interval(best, level)
            if lo_hi is not None:
                diag["ci_log_normal"] = [_num(lo_hi[0]), _num(lo_hi[1])]
    diag["deviance"] = round(best.deviance, 3)
    diag["df"] = best.df
    if best.df > 0:
        from scipy import stats

        pval = float(stats.chi2.sf(best.deviance, best.df))
        diag["goodness_of_fit_p"] = round(pval, 4)
        if pval < 0.05:
            warnings.append(
                f"the model fits poorly (deviance {best.deviance:.1f} on {best.df} df, "
                f"p = {pval:.3f}); its interval is too narrow"
            )
    if best.ci and best.ci[1] is None:
        warnings.append(
            "the profile-likelihood interval has no upper end: the data do not "
            "bound N from above under this model"
        )
    diag["warnings"] = warnings
    return EstimateResult(
        observed=table.observed,
        method="loglinear",
        model=best.label,
        estimate=best.estimate,
        ci=best.ci,
        ci_level=level,
        se=best.se,
        lists=table.lists,
        diagnostics=diag,
        models=rows,
        details=best,
        selection=selection,
    )


def _lcmcr(table: CaptureTable, level: float, **kw: Any) -> EstimateResult:
    r = lcmcr_mod.lcmcr(table, level=level, **kw)
    diag = dict(r.diagnostics)
    diag["settings"] = r.settings
    diag["posterior_mean"] = round(r.mean, 1)
    diag["warnings"] = r.warnings
    label = f"LCMCR K={r.settings['K']}"
    return EstimateResult(
        observed=table.observed,
        method="lcmcr",
        model=label,
        estimate=r.estimate,
        ci=r.ci,
        ci_level=level,
        se=r.sd,
        lists=table.lists,
        diagnostics=diag,
        models=[_model_row(label, r.estimate, r.ci)],
        details=r,
        draws=r.samples.ravel(),
    )


def _bma(table: CaptureTable, level: float, delta: float | None, top: int) -> EstimateResult:
    r = bma_mod.bma(table, delta=delta, level=level, top=top)
    diag = {
        "delta": r.delta,
        "graphs": r.n_graphs,
        "posterior_mean": round(r.mean, 1),
        "prior_N": "1/N",
        "warnings": r.warnings,
    }
    rows = [_model_row(g["model"], g["estimate"], g["ci"], g["weight"]) for g in r.graphs]
    label = f"BMA decomposable (delta={r.delta:g})"
    return EstimateResult(
        observed=table.observed,
        method="bma",
        model=label,
        estimate=r.estimate,
        ci=r.ci,
        ci_level=level,
        se=r.sd,
        lists=table.lists,
        diagnostics=diag,
        models=rows,
        details=r,
        draws=np.random.Generator(np.random.PCG64(0)).choice(
            r.n_grid, size=20_000, replace=True, p=r.posterior
        ),
    )


def _all(
    table: CaptureTable,
    *,
    criterion: str,
    top: int,
    level: float,
    delta: float | None,
    lcmcr_kw: dict[str, Any],
    p_threshold: float = sel.P_THRESHOLD,
) -> EstimateResult:
    """Sensitivity: every method side by side (see docs/estimation.md)."""
    parts: list[tuple[str, EstimateResult | None, str | None]] = []
    for name in ("loglinear", "lcmcr", "bma"):
        res: EstimateResult | None
        try:
            if name == "loglinear":
                res = _loglinear(table, None, criterion, top, level, p_threshold)
            elif name == "lcmcr":
                res = _lcmcr(table, level, **lcmcr_kw)
            else:
                res = _bma(table, level, delta, top)
            parts.append((name, res, None))
        except InputError as e:
            parts.append((name, None, str(e)))
    table_rows: list[dict[str, Any]] = []
    models: list[dict[str, Any]] = []
    warnings: list[str] = []
    for name, part, err in parts:
        if part is None:
            table_rows.append(
                {"method": name, "model": None, "estimate": None, "ci": None, "error": err}
            )
            warnings.append(f"{name}: {err}")
            continue
        table_rows.append(
            {
                "method": name,
                "model": part.model,
                "estimate": _num(part.estimate),
                "ci": [_num(part.ci[0]), _num(part.ci[1])] if part.ci else None,
                "se": _num(part.se),
                "gates": publication.gates(part._shape())["reasons"],
            }
        )
        warnings += [f"{name}: {w}" for w in part.warnings]
        for row in part.models[: min(top, 5)]:
            models.append({**row, "model": f"{name} {row['model']}"})
    ok = [r for _, r, _ in parts if r is not None and r.estimate is not None]
    if not ok:
        raise InputError(
            "no method could estimate this table: "
            + "; ".join(f"{n}: {e}" for n, _, e in parts if e)
        )
    ests = [float(r.estimate) for r in ok if r.estimate is not None]
    lows = [r.ci[0] for r in ok if r.ci and r.ci[0] is not None]
    highs = [r.ci[1] for r in ok if r.ci]
    high = None if (not highs or any(h is None for h in highs)) else max(h for h in highs if h)
    spread = (max(ests) - min(ests)) / float(np.median(ests)) if ests else 0.0
    if spread > 0.25:
        warnings.append(
            f"the methods disagree: estimates range from {min(ests):,.0f} to {max(ests):,.0f} "
            f"({spread:.0%} of the median); report the range, not one number"
        )
    diag = {
        "sensitivity": table_rows,
        "spread": round(spread, 4),
        "summary": "estimate = median of the methods' estimates; ci = envelope of their intervals",
        "warnings": warnings,
    }
    return EstimateResult(
        observed=table.observed,
        method="all",
        model=None,
        estimate=float(np.median(ests)),
        ci=(min(lows) if lows else None, high),
        ci_level=level,
        se=None,
        lists=table.lists,
        diagnostics=diag,
        models=models,
        details={n: r for n, r, _ in parts},
    )


# --------------------------------------------------------------------------- strata


def _combine_strata(
    results: dict[str, EstimateResult], method: str, level: float, seed: int | None
) -> tuple[float | None, tuple[float | None, float | None], float | None, np.ndarray | None]:
    """Total over strata with its uncertainty (independent strata); Bayesian methods
    also return the draws of the total."""
    if method == "loglinear":
        est = sum(float(r.estimate) for r in results.values() if r.estimate is not None)
        se = math.sqrt(sum(float(r.se) ** 2 for r in results.values() if r.se is not None))
        n = sum(r.observed for r in results.values())
        f0 = est - n
        if f0 <= 0 or se == 0:
            return est, (est, est), se, None
        from scipy import stats

        z = float(stats.norm.ppf(1 - (1 - level) / 2))
        c = math.exp(z * math.sqrt(math.log(1 + se**2 / f0**2)))
        return est, (n + f0 / c, n + f0 * c), se, None
    rng = np.random.Generator(np.random.PCG64(seed if seed is not None else 0))
    draws = 20_000
    total = np.zeros(draws)
    for r in results.values():
        d = r.details
        if method == "lcmcr":
            s = d.samples.ravel()
            total += rng.choice(s, size=draws, replace=True)
        else:
            total += rng.choice(d.n_grid, size=draws, replace=True, p=d.posterior)
    q = (1 - level) / 2
    lo, med, hi = np.quantile(total, [q, 0.5, 1 - q])
    return float(med), (float(lo), float(hi)), float(total.std(ddof=1)), total


def _stratified(
    data: CaptureData, method: str, level: float, run: Any, seed: int | None
) -> EstimateResult:
    assert data.strata is not None
    per: dict[str, EstimateResult] = {}
    rows: list[dict[str, Any]] = []
    warnings: list[str] = []
    failed = []
    for index, (name, t) in enumerate(data.strata.items()):
        small = []
        if t.observed < SMALL_STRATUM:
            small.append(f"only {t.observed} observed")
        empty = [ln for ln, sz in t.list_sizes.items() if sz == 0]
        if empty:
            small.append("no one on list " + ", ".join(empty))
        row: dict[str, Any] = {"stratum": name, "observed": t.observed}
        if small:
            warnings.append(
                f"stratum “{name}” is too small to estimate reliably ("
                + "; ".join(small)
                + "); consider merging strata"
            )
        try:
            r = run(t, index)
            if r.estimate is None:
                raise InputError(
                    "; ".join(w for w in r.warnings if "chains disagree" in w) or "no estimate"
                )
            per[name] = r
            row.update(
                {
                    "model": r.model,
                    "estimate": _num(r.estimate),
                    "ci": [_num(r.ci[0]), _num(r.ci[1])] if r.ci else None,
                    "se": _num(r.se),
                    "warnings": r.warnings,
                    "gates": publication.gates(r._shape())["reasons"],
                }
            )
        except InputError as e:
            failed.append(name)
            row.update({"model": None, "estimate": None, "ci": None, "se": None, "error": str(e)})
            warnings.append(f"stratum “{name}” cannot be estimated: {e}")
        rows.append(row)
    if failed:
        warnings.append(
            "no combined total: "
            + ", ".join(f"“{f}”" for f in failed)
            + " could not be estimated; merge small strata or estimate without --strata"
        )
        est: float | None = None
        ci: tuple[float | None, float | None] = (None, None)
        se: float | None = None
        total: np.ndarray | None = None
    else:
        est, ci, se, total = _combine_strata(per, method, level, seed)
    diag = {
        "strata": rows,
        "stratum_columns": list(data.stratum_columns),
        "combined": (
            "sum of stratum estimates; SE from the stratum SEs; log-normal "
            "interval for the unobserved (Chao 1987)"
        )
        if method == "loglinear"
        else "posterior of the sum of independent strata",
        "warnings": warnings,
    }
    return EstimateResult(
        observed=data.table.observed,
        method=method,
        model="stratified",
        estimate=est,
        ci=ci,
        ci_level=level,
        se=se,
        lists=data.table.lists,
        diagnostics=diag,
        models=[],
        details=per,
        draws=total,
    )


def _allocated(
    data: CaptureData,
    method: str,
    level: float,
    run: Any,
    seed: int | None,
    allocate: str,
    imputations: int,
) -> EstimateResult:
    """Strata with people of unknown stratum: allocate them (see :mod:`.strata`), then
    estimate; multiple imputations are combined like linkage draws."""
    from .linkage_draws import combine_estimates

    base = 0 if seed is None else seed
    sets, report = strata_mod.allocate(
        data, method=allocate, imputations=imputations, seed=base % (2**32)
    )
    if len(sets) == 1:
        result = _stratified(sets[0], method, level, run, seed)
        result.allocated = report
        return result
    results = [
        _stratified(d, method, level, run, None if seed is None else seed + i)
        for i, d in enumerate(sets)
    ]
    first = results[0]
    ok = [r for r in results if r.estimate is not None]
    if len(ok) < 2:
        first.allocated = {**report, "combined": None}
        first.estimate, first.ci = None, None
        first.diagnostics["warnings"].append(
            "too few imputations could be estimated to combine them: no estimate"
        )
        return first
    est, ci, how, extra = combine_estimates(ok, method, level, base)
    first.estimate, first.ci = est, ci
    first.se = extra.pop("sd", None)
    first.draws = None
    first.allocated = {**report, "combined": how, **extra, "imputations_used": len(ok)}
    first.diagnostics["strata_note"] = (
        "the stratum rows are those of the first imputation; the total combines all of them"
    )
    return first


# --------------------------------------------------------------------------- entry point


def estimate(
    data: CaptureTable | CaptureData | str | Path,
    *,
    method: str = "loglinear",
    model: str | None = None,
    criterion: str = "auto",
    p_threshold: float = sel.P_THRESHOLD,
    top: int = 10,
    K: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    burnin: int = 10_000,
    samples: int | None = None,
    thinning: int = 100,
    chains: int = 2,
    seed: int | None = None,
    target_ess: float = lcmcr_mod.TARGET_ESS,
    target_rhat: float = lcmcr_mod.TARGET_RHAT,
    max_seconds: float | None = lcmcr_mod.MAX_SECONDS,
    allow_unconverged: bool = False,
    progress: Any = None,
    delta: float | None = None,
    strata: str | Sequence[str] | None = None,
    lists: str | Sequence[str] | None = None,
    level: float = 0.95,
    allocate: str = "proportional",
    imputations: int = 10,
) -> EstimateResult:
    """Estimate the total number of people, recorded or not, from overlapping lists.

    ``data`` is a :class:`CaptureTable`, a :class:`CaptureData` (as read from a
    file, possibly stratified) or a path to a CSV file.  ``method`` is
    ``loglinear`` (``model`` in bracket notation, or chosen by ``criterion``: ``auto``
    — the BIC search where the table is dense, the stepwise p-value rule of Chan,
    Silverman & Vincent (2021) where it is sparse — ``bic``, ``aic`` or ``stepwise``),
    ``lcmcr``, ``bma`` or ``all`` (sensitivity table).  With ``strata`` (or a
    stratified ``CaptureData``) each stratum is estimated and the total combined.
    """
    method = method.lower()
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if model and method not in ("loglinear",):
        raise InputError("--model applies to --method loglinear only")
    if not 0 < level < 1:
        raise InputError(f"level must be between 0 and 1, got {level}")
    if isinstance(data, str | Path):
        data = read_capture_csv(data, strata=strata, lists=lists)
    elif strata:
        raise InputError("strata= needs a file or a stratified CaptureData")
    if isinstance(data, CaptureTable):
        data = CaptureData(table=data)
    if seed is None and method in ("lcmcr", "all"):
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    lcmcr_kw = {
        "K": K,
        "a_alpha": a_alpha,
        "b_alpha": b_alpha,
        "burnin": burnin,
        "samples": samples,
        "thinning": thinning,
        "chains": chains,
        "seed": seed,
        "target_ess": target_ess,
        "target_rhat": target_rhat,
        "max_seconds": max_seconds,
        "allow_unconverged": allow_unconverged,
        "progress": progress,
    }

    def run(t: CaptureTable, index: int | None = None) -> EstimateResult:
        data_warnings = check_overlap(t)
        result = _run(t, index)
        result.diagnostics["warnings"] = data_warnings + list(
            result.diagnostics.get("warnings", [])
        )
        return result

    def _run(t: CaptureTable, index: int | None = None) -> EstimateResult:
        if method == "loglinear":
            return _loglinear(t, model, criterion, top, level, p_threshold)
        if method == "lcmcr":
            kw = dict(lcmcr_kw)
            if index is not None and seed is not None:
                # each stratum its own stream, derived from the one seed
                kw["seed"] = int(np.random.SeedSequence([seed, index]).generate_state(1)[0])
            return _lcmcr(t, level, **kw)
        if method == "bma":
            return _bma(t, level, delta, top)
        return _all(
            t,
            criterion=criterion,
            top=top,
            level=level,
            delta=delta,
            lcmcr_kw=lcmcr_kw,
            p_threshold=p_threshold,
        )

    if data.strata is not None:
        if method == "all":
            raise InputError("--strata works with one method at a time; choose --method")
        if data.unknown:
            result = _allocated(data, method, level, run, seed, allocate, imputations)
        else:
            result = _stratified(data, method, level, run, seed)
    else:
        result = run(data.table)
    if method in ("lcmcr", "all") or (data.strata is not None and method == "bma"):
        result.diagnostics["seed"] = seed  # repeat the run exactly with this seed
    return result
