"""Benchmark: adding a list incrementally against relinking everything.

Generated lists (``dalil.synth.lists.generate``, K lists): a full run on the first
K-1 lists (its model and clusters are what an earlier run left), then the last list
is added two ways in the same process:

* **full relink** (the baseline): train and score all K lists again;
* **incremental** (``dalil.linkage.incremental``): the earlier model, only the pairs
  with a new record scored, clustering from the existing clusters.

Prints wall-clock seconds of both and their ratio, pairwise precision / recall / F1
of each against the truth, and the agreement of the incremental clusters with the
full relink (pairwise F1 taking the full relink as reference).

Usage: .venv/bin/python benchmarks/linkage_incremental.py [--people N] [--lists K] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from dalil.linkage.clusters import pairwise_scores
from dalil.linkage.incremental import cluster_incremental, score_new_records
from dalil.linkage.io import load_lists
from dalil.linkage.link import link_records
from dalil.synth.lists import generate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=5000)
    ap.add_argument("--lists", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=0.9)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        # written and read back as a user's files are: values parsed and normalised
        res = generate(a.people, a.lists, seed=a.seed, design_seed=7, out_dir=tmp)
        names = list(res.lists)
        old, _ = load_lists([Path(tmp) / f"{n}.csv" for n in names[:-1]])
        new, _ = load_lists([Path(tmp) / f"{names[-1]}.csv"])
    truth = res.truth_map()
    print(f"{len(old)} records in {len(names) - 1} lists, then {len(new)} in {names[-1]}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    t = time.perf_counter()
    base = link_records(old, threshold=a.threshold)
    print(f"earlier run on {len(names) - 1} lists: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    full = link_records(old + new, threshold=a.threshold)
    t_full = time.perf_counter() - t
    t = time.perf_counter()
    scored = score_new_records(old, new, base.result.model_json)
    inc = cluster_incremental(
        base.clustering.cluster_of,
        base.clustering.probability,
        [str(r["record_id"]) for r in new],
        scored.pairs,
        a.threshold,
        attributes=scored.attributes,
    )
    t_inc = time.perf_counter() - t
    print(f"full relink {t_full:.1f} s; incremental {t_inc:.1f} s "
          f"(ratio {t_full / max(t_inc, 1e-9):.1f}x); "
          f"pairs scored {len(full.result.pairs)} vs {len(scored.pairs)}")  # fmt: skip
    for label, cl in (("full relink", full.clustering.cluster_of), ("incremental", inc.cluster_of)):
        s = pairwise_scores(cl, truth)
        print(f"  {label}: precision {s['precision']:.3f} recall {s['recall']:.3f} "
              f"F1 {s['f1']:.3f} clusters {s['predicted_clusters']}")  # fmt: skip
    agree = pairwise_scores(inc.cluster_of, full.clustering.cluster_of)
    same = sum(1 for r in inc.cluster_of if inc.cluster_of[r] == full.clustering.cluster_of[r])
    print(f"  incremental vs full relink: pairwise F1 {agree['f1']:.3f} "
          f"(precision {agree['precision']:.3f}, recall {agree['recall']:.3f}); "
          f"identical cluster id for {same / len(inc.cluster_of):.3f} of records")  # fmt: skip


if __name__ == "__main__":
    main()
