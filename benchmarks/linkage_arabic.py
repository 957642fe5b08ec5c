"""Benchmark: generated Arabic-name lists, dalil's model vs plain Splink.

`dalil.synth.lists.generate` writes K fictional lists (Arabic script and several Latin
transliteration habits, typos, blanks, siblings sharing father and family names). Both
runs use the same records, the same blocking rules and the same training; the baseline
replaces dalil's name comparisons (keys, long-vowel key, joint lineage, term
frequencies) by generic Jaro-Winkler comparisons on the raw normalised name parts.

Usage: .venv/bin/python benchmarks/linkage_arabic.py [--people 3000] [--lists 5] [--seeds 1,2,3]
"""

from __future__ import annotations

import argparse
import time

from dalil.linkage.clusters import pairwise_scores
from dalil.linkage.io import load_lists
from dalil.synth.lists import generate


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--lists", type=int, default=5)
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--threshold", type=float, default=0.9)
    args = ap.parse_args()
    import tempfile
    from pathlib import Path

    from dalil.linkage.link import link_records

    keys = ("precision", "recall", "f1", "cluster_accuracy")
    totals: dict[str, dict[str, float]] = {"dalil": dict.fromkeys(keys, 0.0),
                                           "plain": dict.fromkeys(keys, 0.0)}  # fmt: skip
    seeds = [int(s) for s in args.seeds.split(",")]
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            res = generate(args.people, args.lists, seed=seed, out_dir=tmp)
            recs, _ = load_lists(sorted(Path(tmp).glob("list_*.csv")))
        truth = res.truth_map()
        row = {}
        for name, generic in (("dalil", False), ("plain", True)):
            t = time.perf_counter()
            out = link_records(recs, threshold=args.threshold, generic_names=generic)
            secs = time.perf_counter() - t
            s = pairwise_scores(out.clustering.cluster_of, truth)
            row[name] = s
            for k in keys:
                totals[name][k] += s[k] / len(seeds)
            print(f"seed {seed} {name:6} records {len(recs):6d} true pairs {s['true_pairs']:6d} "
                  + " ".join(f"{k} {s[k]:.4f}" for k in keys) + f"  {secs:.1f}s")  # fmt: skip
    print(f"\nmean over seeds {seeds}, {args.people} people, {args.lists} lists, "
          f"threshold {args.threshold}")  # fmt: skip
    print(f"{'':18}{'dalil':>10}{'plain':>10}{'ratio':>8}")
    for k in keys:
        d, p = totals["dalil"][k], totals["plain"][k]
        print(f"{k:18}{d:10.4f}{p:10.4f}{d / p if p else float('inf'):8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
