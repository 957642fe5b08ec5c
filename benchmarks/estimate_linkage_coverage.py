"""Coverage of the interval with and without the linkage's uncertainty (`--linkage-draws`),
on generated lists with a known total.

Each replicate draws a fictional population of N people on three lists (two latent groups
with different chances of being recorded), makes one record per person and list, and
builds what a linkage would know about them: every pair of records of the same person and
a number of pairs of different people get a score (same person: normal around +2; others:
normal around -1), and the match probability of a pair is the exact posterior
P(same person | score), so the probabilities are calibrated by construction.  As in
`dalil lists link`, pairs at or above the threshold (0.95) are joined, pairs between the
review floor (0.2) and the threshold are left apart and handed to the draws as uncertain,
the rest dropped.  The estimate is then made from the chosen clustering (the interval
*without* the linkage's uncertainty) and from `--draws` sampled clusterings combined
(the interval *with* it), and each is checked against the true N.

Reported per method: share of 95% intervals containing N (without / with), median
relative error of the estimate, median interval width relative to N, the ratio of the
widths (with / without: the baseline is the single-clustering interval of the same
replicate), and seconds per replicate.

    .venv/bin/python benchmarks/estimate_linkage_coverage.py [--reps 20] [--N 2000]
        [--draws 20] [--false-pairs 1.0] [--method loglinear|bma|both] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from dalil.estimate.linkage_draws import LinkageInput, estimate_with_linkage

THRESHOLD = 0.95
REVIEW_FLOOR = 0.2
LISTS = ("morgue", "ngo", "committee")
# two latent groups: (share, capture probability on each list)
GROUPS = ((0.6, (0.45, 0.35, 0.30)), (0.4, (0.15, 0.10, 0.20)))


def _population(N: int, rng: np.random.Generator) -> list[list[int]]:
    """For each person, the lists that recorded them (people on no list are missed)."""
    out = []
    for _ in range(N):
        share = rng.random()
        probs = GROUPS[0][1] if share < GROUPS[0][0] else GROUPS[1][1]
        on = [j for j, p in enumerate(probs) if rng.random() < p]
        out.append(on)
    return out


def _normal_pdf(x: float, mu: float) -> float:
    return math.exp(-0.5 * (x - mu) ** 2) / math.sqrt(2 * math.pi)


def linkage_input(N: int, false_ratio: float, rng: np.random.Generator) -> LinkageInput:
    people = _population(N, rng)
    records: list[tuple[str, str]] = []
    owner: list[int] = []
    for i, on in enumerate(people):
        for j in on:
            records.append((f"r{len(records)}", LISTS[j]))
            owner.append(i)
    by_person: dict[int, list[int]] = {}
    for k, i in enumerate(owner):
        by_person.setdefault(i, []).append(k)
    true_pairs = [
        (a, b) for ks in by_person.values() for x, a in enumerate(ks) for b in ks[x + 1 :]
    ]
    n_false = int(false_ratio * len(true_pairs))
    false_pairs: set[tuple[int, int]] = set()
    n = len(records)
    while len(false_pairs) < n_false:
        a, b = sorted(int(x) for x in rng.integers(0, n, 2))
        if owner[a] != owner[b] and records[a][1] != records[b][1]:
            false_pairs.add((a, b))
    prior = len(true_pairs) / (len(true_pairs) + n_false)
    scored: list[tuple[int, int, float]] = []
    for pairs, mu in ((true_pairs, 2.0), (sorted(false_pairs), -1.0)):
        for a, b in pairs:
            s = float(rng.normal(mu, 1.0))
            t, f = prior * _normal_pdf(s, 2.0), (1 - prior) * _normal_pdf(s, -1.0)
            scored.append((a, b, t / (t + f)))
    # the linkage's chosen clustering: joins at or above the threshold, transitively
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, p in scored:
        if p >= THRESHOLD:
            parent[find(a)] = find(b)
    groups: dict[int, list[str]] = {}
    for k in range(n):
        groups.setdefault(find(k), []).append(records[k][0])
    uncertain = [
        (records[a][0], records[b][0], p)
        for a, b, p in scored
        if REVIEW_FLOOR <= p < THRESHOLD and find(a) != find(b)
    ]
    return LinkageInput(records=records, pairs=uncertain, groups=list(groups.values()), lists=LISTS)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--N", type=int, default=2000)
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--false-pairs", type=float, default=1.0, help="false pairs per true pair")
    ap.add_argument("--method", choices=("loglinear", "bma", "both"), default="both")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    methods = ("loglinear", "bma") if args.method == "both" else (args.method,)
    print(
        f"N={args.N} reps={args.reps} draws={args.draws} false pairs per true pair="
        f"{args.false_pairs} lists={len(LISTS)} cpus={os.cpu_count()} "
        f"load={os.getloadavg()[0]:.2f}"
    )
    rows: dict[str, dict[str, list[float]]] = {
        m: {k: [] for k in ("cov0", "cov1", "err0", "err1", "w0", "w1", "sec", "unc")}
        for m in methods
    }
    for r in range(args.reps):
        rng = np.random.default_rng([args.seed, r])
        inp = linkage_input(args.N, args.false_pairs, rng)
        for m in methods:
            t0 = time.perf_counter()
            res = estimate_with_linkage(inp, draws=args.draws, method=m, seed=args.seed + r)
            d: dict[str, Any] = res.to_dict()
            sec = time.perf_counter() - t0
            lo1, hi1 = d["ci"]
            lo0, hi0 = d["ci_without_linkage"]
            est0 = d["linkage"]["estimate_without_linkage"]
            row = rows[m]
            row["cov0"].append(float(lo0 <= args.N <= (hi0 if hi0 is not None else math.inf)))
            row["cov1"].append(float(lo1 <= args.N <= (hi1 if hi1 is not None else math.inf)))
            row["err0"].append((est0 - args.N) / args.N)
            row["err1"].append((d["estimate"] - args.N) / args.N)
            row["w0"].append(((hi0 or math.inf) - lo0) / args.N)
            row["w1"].append(((hi1 or math.inf) - lo1) / args.N)
            row["sec"].append(sec)
            row["unc"].append(d["linkage"]["uncertain_pairs"])
    print(
        f"{'method':<10} {'cover w/o':>9} {'cover with':>10} {'med err w/o':>11} "
        f"{'med err with':>12} {'width w/o':>9} {'width with':>10} {'ratio':>6} "
        f"{'uncertain':>9} {'s/rep':>6}"
    )
    for m, row in rows.items():
        w0, w1 = np.median(row["w0"]), np.median(row["w1"])
        print(
            f"{m:<10} {np.mean(row['cov0']):>9.0%} {np.mean(row['cov1']):>10.0%} "
            f"{np.median(row['err0']):>+11.1%} {np.median(row['err1']):>+12.1%} "
            f"{w0:>9.2f} {w1:>10.2f} {w1 / w0:>6.2f} {np.median(row['unc']):>9.0f} "
            f"{np.median(row['sec']):>6.1f}"
        )


if __name__ == "__main__":
    main()
