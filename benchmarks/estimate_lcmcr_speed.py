"""LCMCR speed: a 4-list table of 4,400 observed records, K = 10, 110,000 Gibbs iterations.

The table is fictional: people drawn in three latent groups with different chances
of being recorded until 4,400 have been recorded at least once (the size of the
four-list Kosovo table used to time R LCMCR).

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

import numpy as np

from dalil.estimate import CaptureTable

lc = importlib.import_module("dalil.estimate.lcmcr")

REFERENCE_R_LCMCR_SECONDS = 2.9


def fictional_table(observed: int = 4_400, seed: int = 1999) -> CaptureTable:
    rng = np.random.default_rng(seed)
    w = np.array([0.55, 0.3, 0.15])
    p = np.array([[0.10, 0.22, 0.15, 0.06], [0.35, 0.30, 0.40, 0.12], [0.70, 0.55, 0.65, 0.35]])
    rows = []
    while sum(len(r) for r in rows) < observed:
        z = rng.choice(3, size=4 * observed, p=w)
        x = (rng.random((z.size, 4)) < p[z]).astype(int)
        rows.append(x[x.sum(axis=1) > 0])
    x = np.vstack(rows)[:observed]
    return CaptureTable.from_records(["A", "B", "C", "D"], x)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--pure-iterations", type=int, default=300)
    args = ap.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    table = fictional_table()
    print(
        f"table: {table.n_lists} lists, {table.observed:,} observed, "
        f"{int((table.counts[1:] > 0).sum())} capture patterns"
    )
    kw = dict(K=10, a_alpha=0.25, b_alpha=0.25, burnin=10_000, samples=1_000, thinning=100)
    t0 = time.perf_counter()
    lc._run_chain(
        table,
        K=10,
        a_alpha=0.25,
        b_alpha=0.25,
        burnin=1,
        samples=1,
        thinning=1,
        seed=np.random.SeedSequence(0),
    )
    print(f"first call (numba compile or cache load): {time.perf_counter() - t0:.2f} s")
    times, cpu = [], []
    for r in range(args.repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        out = lc._run_chain(table, seed=np.random.SeedSequence(r), **kw)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        lo, med, hi = np.quantile(out.n, [0.025, 0.5, 0.975])
        print(
            f"run {r + 1}: {times[-1]:.3f} s wall, {cpu[-1]:.3f} s CPU  (110,000 iterations, "
            f"one chain, one thread)  N median {med:,.0f} [{lo:,.0f}, {hi:,.0f}]"
        )
    best = min(times)
    print(
        f"LCMCR 110k iterations: best {best:.3f} s wall (median {float(np.median(times)):.3f}), "
        f"best {min(cpu):.3f} s CPU; load average now {os.getloadavg()[0]:.1f}"
    )
    print(
        f"CPU-time ratio to R LCMCR reference ({REFERENCE_R_LCMCR_SECONDS} s): "
        f"{min(cpu) / REFERENCE_R_LCMCR_SECONDS:.2f}"
    )
    print(
        f"ratio to R LCMCR reference ({REFERENCE_R_LCMCR_SECONDS} s): "
        f"{best / REFERENCE_R_LCMCR_SECONDS:.2f}  (below 1 = faster)"
    )
    n = args.pure_iterations
    t0 = time.perf_counter()
    lc._run_chain(
        table,
        K=10,
        a_alpha=0.25,
        b_alpha=0.25,
        burnin=n,
        samples=1,
        thinning=1,
        seed=np.random.SeedSequence(0),
        pure=True,
    )
    per_iter = (time.perf_counter() - t0) / (n + 1)
    print(
        f"pure-Python kernel (same numbers): {per_iter * 1e3:.2f} ms/iteration -> "
        f"{per_iter * 110_000:.0f} s for 110k; compiled speed-up {per_iter * 110_000 / best:.0f}x"
    )


if __name__ == "__main__":
    main()
