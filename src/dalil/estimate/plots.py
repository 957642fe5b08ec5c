"""Plots for reports: posterior (or profile likelihood) of N, and model comparison.

SVG or PNG by the file suffix, drawn with matplotlib's Agg backend (no display).
SVG output is deterministic (fixed hash salt, no date) so reports can be diffed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dalil.errors import InputError

from .api import EstimateResult

FORMATS = {".svg": "svg", ".png": "png"}


def _figure() -> tuple[Any, Any]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "dalil"
    fig, ax = plt.subplots(figsize=(7.0, 4.2), dpi=120)
    return fig, ax


def _save(fig: Any, path: str | Path) -> Path:
    import matplotlib.pyplot as plt

    p = Path(path)
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        plt.close(fig)
        raise InputError(f"{p}: plots are written as .svg or .png")
    if not p.parent.exists():
        plt.close(fig)
        raise InputError(f"{p}: folder {p.parent} does not exist")
    fig.tight_layout()
    meta = {"Date": None} if fmt == "svg" else {}
    fig.savefig(p, format=fmt, metadata=meta)
    plt.close(fig)
    return p


def _mark(ax: Any, r: EstimateResult) -> None:
    if r.estimate is not None:
        ax.axvline(r.estimate, color="#b2182b", lw=1.5, label=f"estimate {r.estimate:,.0f}")
    if r.ci:
        lo, hi = r.ci
        if lo is not None:
            ax.axvline(lo, color="#b2182b", lw=1, ls="--")
        if hi is not None:
            ax.axvline(
                hi,
                color="#b2182b",
                lw=1,
                ls="--",
                label=f"{r.ci_level:.0%} interval {lo:,.0f}–{hi:,.0f}",
            )
    ax.axvline(r.observed, color="#444444", lw=1, ls=":", label=f"observed {r.observed:,}")


def plot_posterior(result: EstimateResult, path: str | Path) -> Path:
    """Posterior density of N (LCMCR, BMA) or the profile likelihood (log-linear)."""
    fig, ax = _figure()
    d = result.details
    if result.method == "lcmcr":
        s = d.samples.ravel()
        ax.hist(
            s,
            bins=min(80, max(10, int(np.sqrt(s.size)))),
            density=True,
            color="#92c5de",
            edgecolor="#4393c3",
        )
        ax.set_ylabel("posterior density")
        ax.set_title(f"Posterior of N — LCMCR (K={d.settings['K']}, {s.size:,} draws)")
    elif result.method == "bma":
        keep = d.posterior > d.posterior.max() * 1e-4
        ax.fill_between(d.n_grid[keep], d.posterior[keep], color="#92c5de")
        ax.plot(d.n_grid[keep], d.posterior[keep], color="#4393c3")
        ax.set_ylabel("posterior probability")
        ax.set_title(f"Posterior of N — model averaging over {d.n_graphs} decomposable graphs")
    elif result.method == "loglinear" and getattr(d, "profile", None) is not None:
        grid, prof = d.profile
        ax.plot(grid, prof, color="#4393c3")
        from scipy import stats

        ax.axhline(-stats.chi2.ppf(result.ci_level, 1) / 2, color="#777777", lw=1, ls="-.")
        ax.set_ylabel("profile log-likelihood (relative to max)")
        ax.set_title(f"Profile likelihood of N — model {result.model}")
    elif result.method == "all" and isinstance(d, dict):
        _overlay(ax, d)
        ax.set_ylabel("density")
        ax.set_title("Sensitivity: the answer under each method")
        ax.axvline(
            result.observed, color="#444444", lw=1, ls=":", label=f"observed {result.observed:,}"
        )
        ax.set_xlabel("N (total, recorded or not)")
        ax.legend(fontsize=8, loc="best")
        return _save(fig, path)
    else:
        plt_close(fig)
        return plot_models(result, path)
    _mark(ax, result)
    ax.set_xlabel("N (total, recorded or not)")
    ax.legend(fontsize=8, loc="best")
    return _save(fig, path)


def _overlay(ax: Any, parts: dict[str, Any]) -> None:
    """Each method's distribution for N on one axis (densities per person)."""
    ll, lc, bm = parts.get("loglinear"), parts.get("lcmcr"), parts.get("bma")
    if lc is not None:
        s = lc.details.samples.ravel()
        ax.hist(
            s,
            bins=min(80, max(10, int(np.sqrt(s.size)))),
            density=True,
            histtype="step",
            color="#1b7837",
            lw=1.5,
            label=(
                f"LCMCR posterior (median {lc.estimate:,.0f})"
                if lc.estimate is not None
                else "LCMCR draws (chains disagree: no single number)"
            ),
        )
    if bm is not None:
        d = bm.details
        keep = d.posterior > d.posterior.max() * 1e-4
        ax.plot(
            d.n_grid[keep],
            d.posterior[keep],
            color="#4393c3",
            lw=1.5,
            label=f"BMA posterior (median {bm.estimate:,.0f})",
        )
    if ll is not None and getattr(ll.details, "profile", None) is not None:
        grid, prof = ll.details.profile
        like = np.exp(prof)
        area = float(np.sum((like[1:] + like[:-1]) * np.diff(grid)) / 2)
        if area > 0:
            ax.plot(
                grid,
                like / area,
                color="#b2182b",
                lw=1.5,
                ls="--",
                label=f"log-linear {ll.model}: normalised profile likelihood "
                f"(MLE {ll.estimate:,.0f})",
            )


def plt_close(fig: Any) -> None:
    import matplotlib.pyplot as plt

    plt.close(fig)


def plot_models(result: EstimateResult, path: str | Path) -> Path:
    """Estimates and intervals side by side: models, methods (``all``) or strata."""
    if result.method == "all":
        rows = [
            {
                "model": r["method"] + (f" {r['model']}" if r.get("model") else ""),
                "estimate": r.get("estimate"),
                "ci": r.get("ci"),
                "weight": None,
            }
            for r in result.diagnostics["sensitivity"]
        ]
        title = "Sensitivity: estimates by method"
    elif "strata" in result.diagnostics:
        rows = [
            {
                "model": str(r["stratum"]),
                "estimate": r.get("estimate"),
                "ci": r.get("ci"),
                "weight": None,
                "observed": r.get("observed"),
            }
            for r in result.diagnostics["strata"]
        ]
        if result.estimate is not None:
            rows.insert(
                0,
                {
                    "model": "all strata (combined)",
                    "estimate": result.estimate,
                    "ci": list(result.ci) if result.ci else None,
                    "weight": None,
                    "observed": result.observed,
                },
            )
        title = "Estimates by stratum"
    else:
        rows = result.models
        title = f"Model comparison ({result.method})"
    rows = [r for r in rows if r.get("estimate") is not None]
    if not rows:
        raise InputError("nothing to plot: no model produced an estimate")
    fig, ax = _figure()
    ys = np.arange(len(rows))[::-1]
    for y, r in zip(ys, rows, strict=True):
        ci = r.get("ci") or [None, None]
        lo = ci[0] if ci[0] is not None else r["estimate"]
        hi = ci[1] if ci[1] is not None else r["estimate"]
        ax.plot([lo, hi], [y, y], color="#4393c3", lw=2)
        if ci[1] is None:
            ax.annotate(
                "→ unbounded", (hi, y), xytext=(4, 2), textcoords="offset points", fontsize=7
            )
        ax.plot([r["estimate"]], [y], "o", color="#b2182b")
        if r.get("observed") is not None:
            ax.plot([r["observed"]], [y], "|", color="#444444", ms=12)
    labels = []
    for r in rows:
        w = r.get("weight")
        labels.append(r["model"] + (f"  (w={w:.2f})" if w is not None else ""))
    ax.set_yticks(ys, labels, fontsize=8)
    if any(r.get("observed") is not None for r in rows):
        ax.plot([], [], "|", color="#444444", ms=12, label="observed")
    else:
        ax.axvline(
            result.observed, color="#444444", lw=1, ls=":", label=f"observed {result.observed:,}"
        )
    ax.set_xlabel(f"N with {result.ci_level:.0%} interval")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="best")
    return _save(fig, path)
