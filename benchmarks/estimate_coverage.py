"""Coverage and bias of the estimates over repeated draws from populations with known N.

Designs (fictional populations; see tests/estimate/conftest.py):

* ``dense4``: N people in two latent classes with very different capture
  probabilities on four lists (heterogeneous capture).  Methods: the independence
  model (baseline), the BIC search, LCMCR and BMA.
* ``sparse5`` / ``sparse6``: five or six lists in the shape of casualty lists — most
  people on one list, few overlaps, a regional list that never meets the other
  region's list, a list copying part of another, a hidden majority.  Methods: the
  independence model (baseline), the old default (BIC search over all hierarchical
  models; stepwise on BIC for six lists) and the new default (``auto``: the BIC search
  where the table is dense, the stepwise p-value rule where it is sparse), optionally
  LCMCR (``--lcmcr``, slow).

Reported per method: share of 95% intervals that contain the true N, median and
mean relative error (bias), median interval width, seconds per replicate, and the
ratio of each method's absolute median error to the baseline's.  With ``--tables``
the hand-made sparse tables kept with the tests are estimated by the old and new
default side by side (no truth: fictional tables in the forms real lists take).

    .venv/bin/python benchmarks/estimate_coverage.py [--design dense4|sparse5|sparse6|all]
        [--reps 50] [--N 10000] [--tables] [--lcmcr]
        [--burnin 3000 --samples 500 --thinning 10]   (LCMCR settings for dense4)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.estimate.conftest import simulate_heterogeneous, simulate_sparse

from dalil.estimate import bma, estimate, fit, lcmcr, search
from dalil.estimate.loglinear import independence

DATA = Path(__file__).resolve().parent.parent / "tests" / "estimate" / "data"
HAND_MADE = [
    "fictional_sparse_five.csv",
    "fictional_sparse_five_threeway.csv",
    "fictional_sparse_six.csv",
    "fictional_four_lists.csv",
]


def _row(r: Any) -> tuple[float, float, float]:
    lo, hi = r.ci if r.ci else (np.nan, np.nan)
    lo = np.nan if lo is None else lo
    hi = np.inf if hi is None else hi
    est = np.nan if r.estimate is None else r.estimate
    return float(est), float(lo), float(hi)


def _report(
    title: str,
    N: int,
    res: dict[str, list[tuple[float, float, float]]],
    times: dict[str, float],
    reps: int,
) -> None:
    print(title)
    print(
        f"{'method':34s} {'coverage':>9s} {'median rel.err':>15s} {'mean rel.err':>13s} "
        f"{'rel. RMSE':>10s} {'>+50%':>6s} {'median width':>13s} {'s/rep':>7s} "
        f"{'|err| vs baseline':>18s}"
    )
    base = None
    for name, rows in res.items():
        a = np.array(rows, dtype=float)
        ok = np.isfinite(a[:, 0])
        cover = float(np.mean((a[:, 1] <= N) & (a[:, 2] >= N)))
        rel = (a[ok, 0] - N) / N
        med, mean = float(np.median(rel)), float(np.mean(rel))
        rmse = float(np.sqrt(np.mean(rel**2)))
        over = float(np.mean(rel > 0.5))
        width = float(np.median(a[:, 2] - a[:, 1]))
        if base is None:
            base = abs(med) or 1e-9
        note = "" if ok.all() else f"  ({(~ok).sum()} without estimate)"
        print(
            f"{name:34s} {cover:9.0%} {med:+15.1%} {mean:+13.1%} {rmse:10.1%} {over:6.0%} "
            f"{width:13,.0f} "
            f"{times[name] / reps:7.2f} {abs(med) / base:17.2f}x{note}"
        )
    print()


def dense4(args: argparse.Namespace) -> None:
    N = args.N_dense
    runs: dict[str, Callable[[Any, int], Any]] = {
        "independence [1,2,3,4] (baseline)": lambda t, rep: fit(t, "[1,2,3,4]"),
        "loglinear BIC search": lambda t, rep: search(t, top=1).best,
        "lcmcr": lambda t, rep: lcmcr(
            t,
            seed=rep,
            burnin=args.burnin,
            samples=args.samples,
            thinning=args.thinning,
            chains=2,
        ),
        "bma": lambda t, rep: bma(t),
    }
    res: dict[str, list[tuple[float, float, float]]] = {k: [] for k in runs}
    times = dict.fromkeys(runs, 0.0)
    for rep in range(args.reps):
        t = simulate_heterogeneous(N, seed=10_000 + rep)
        for name, f in runs.items():
            t0 = time.perf_counter()
            res[name].append(_row(f(t, rep)))
            times[name] += time.perf_counter() - t0
    _report(
        f"dense4: {args.reps} replicates, N = {N:,}, 4 lists, two latent classes "
        "(70% with capture p 0.15-0.30, 30% with p 0.50-0.70)",
        N,
        res,
        times,
        args.reps,
    )


def sparse(design: str, args: argparse.Namespace) -> None:
    N = args.N
    runs: dict[str, Callable[[Any, int], Any]] = {
        "independence (baseline)": lambda t, rep: fit(t, independence(t.n_lists)),
        "old default: BIC search": lambda t, rep: estimate(t, criterion="bic", top=1),
        "new default: auto": lambda t, rep: estimate(t, top=1),
    }
    if args.lcmcr:
        runs["lcmcr (default run)"] = lambda t, rep: estimate(t, method="lcmcr", seed=rep + 1)
    res: dict[str, list[tuple[float, float, float]]] = {k: [] for k in runs}
    times = dict.fromkeys(runs, 0.0)
    rules: dict[str, int] = {}
    observed = []
    for rep in range(args.reps):
        t = simulate_sparse(design, N, seed=20_000 + rep)
        observed.append(t.observed)
        for name, f in runs.items():
            t0 = time.perf_counter()
            try:
                r = f(t, rep)
            except Exception as e:  # a method that cannot estimate counts as a miss
                print(f"  {name}, replicate {rep}: {e}")
                res[name].append((np.nan, np.nan, np.nan))
                continue
            finally:
                times[name] += time.perf_counter() - t0
            if name.startswith("new default"):
                rule = r.selection["rule"]
                rules[rule] = rules.get(rule, 0) + 1
            res[name].append(_row(r))
    _report(
        f"{design}: {args.reps} replicates, N = {N:,}, observed {np.median(observed):,.0f} "
        f"(median); auto chose {', '.join(f'{k} {v}x' for k, v in sorted(rules.items()))}",
        N,
        res,
        times,
        args.reps,
    )


def hand_made() -> None:
    print("hand-made fictional tables (no known truth): old default vs new default")
    print(f"{'table':28s} {'rule':9s} {'model':34s} {'estimate':>9s} {'95% interval':>17s}")
    for name in HAND_MADE:
        for crit in ("bic", "auto"):
            r = estimate(DATA / name, criterion=crit, top=1)
            lo, hi = r.ci
            hi_s = "∞" if hi is None else f"{hi:,.0f}"
            print(
                f"{name:28s} {r.selection['rule']:9s} {r.model:34s} {r.estimate:9,.0f} "
                f"{lo:8,.0f}–{hi_s:>8s}"
            )
    print()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--design", default="all", choices=["dense4", "sparse5", "sparse6", "all"])
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--N", type=int, default=10_000, help="population of the sparse designs")
    ap.add_argument("--N-dense", type=int, default=2000, help="population of dense4")
    ap.add_argument("--burnin", type=int, default=3000)
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--thinning", type=int, default=10)
    ap.add_argument("--tables", action="store_true", help="also the hand-made sparse tables")
    ap.add_argument("--lcmcr", action="store_true", help="also LCMCR on the sparse designs")
    args = ap.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    if args.tables:
        hand_made()
    designs = ["dense4", "sparse5", "sparse6"] if args.design == "all" else [args.design]
    for d in designs:
        if d == "dense4":
            dense4(args)
        else:
            sparse(d, args)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
