"""LCMCR speed: the 4-list Kosovo table (4,400 observed), K = 10, 110,000 Gibbs iterations.

Reference: the R package LCMCR (C++) takes 2.9 s for this run on this machine class
(figure given in issue 5; R is not installed here, so it cannot be re-run in this
script).  The in-script baseline is the identical pure-Python kernel (same numbers),
timed on a short run and scaled per iteration.

    .venv/bin/python benchmarks/estimate_lcmcr_speed.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import importlib
import os
import time
from pathlib import Path

import numpy as np

from dalil.estimate import read_capture_csv

lc = importlib.import_module("dalil.estimate.lcmcr")

REFERENCE_R_LCMCR_SECONDS = 2.9
DATA = Path(__file__).resolve().parent.parent / "tests" / "estimate" / "data" / "kosovo_aggregate.csv"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--pure-iterations", type=int, default=300)
    args = ap.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    table = read_capture_csv(DATA).table
    print(f"table: {table.n_lists} lists, {table.observed:,} observed, "
          f"{int((table.counts[1:] > 0).sum())} capture patterns")
    kw = dict(K=10, a_alpha=0.25, b_alpha=0.25, burnin=10_000, samples=1_000, thinning=100)
    t0 = time.perf_counter()
    lc._run_chain(table, K=10, a_alpha=0.25, b_alpha=0.25, burnin=1, samples=1, thinning=1,
                  seed=np.random.SeedSequence(0))
    print(f"first call (numba compile or cache load): {time.perf_counter() - t0:.2f} s")
    times = []
    for r in range(args.repeats):
        t0 = time.perf_counter()
        out = lc._run_chain(table, seed=np.random.SeedSequence(r), **kw)
        times.append(time.perf_counter() - t0)
        lo, med, hi = np.quantile(out.n, [0.025, 0.5, 0.975])
        print(f"run {r + 1}: {times[-1]:.3f} s  (110,000 iterations, one chain, one core)  "
              f"N median {med:,.0f} [{lo:,.0f}, {hi:,.0f}]")
    best = min(times)
    print(f"LCMCR 110k iterations: best {best:.3f} s, median {float(np.median(times)):.3f} s")
    print(f"ratio to R LCMCR reference ({REFERENCE_R_LCMCR_SECONDS} s): "
          f"{best / REFERENCE_R_LCMCR_SECONDS:.2f}  (below 1 = faster)")
    n = args.pure_iterations
    t0 = time.perf_counter()
    lc._run_chain(table, K=10, a_alpha=0.25, b_alpha=0.25, burnin=n, samples=1, thinning=1,
                  seed=np.random.SeedSequence(0), pure=True)
    per_iter = (time.perf_counter() - t0) / (n + 1)
    print(f"pure-Python kernel (same numbers): {per_iter * 1e3:.2f} ms/iteration -> "
          f"{per_iter * 110_000:.0f} s for 110k; compiled speed-up {per_iter * 110_000 / best:.0f}x")


if __name__ == "__main__":
    main()
