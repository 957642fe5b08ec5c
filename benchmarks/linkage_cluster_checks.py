"""Benchmark: the cluster-level checks (no two sexes, no two national ids, birth years at
most 12 apart in one cluster) against plain clustering of the same scored pairs.

Generated lists (5 lists, ``design_seed`` 7) written and read back as files; the model
scores once, then the pairs are clustered without the checks (the baseline) and with
them, with the support of joins (``support``, at thresholds 0.9, 0.7, 0.5), and with
both and the check of one record per list (``list_of``, as ``dalil link`` clusters);
pairwise precision / recall / F1 and cluster accuracy against the truth.

Usage: .venv/bin/python benchmarks/linkage_cluster_checks.py PEOPLE SEEDS (e.g. 2000 1,2,3)
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from dalil.linkage.clusters import (
    DEFAULT_SUPPORT,
    cluster,
    pairwise_scores,
    record_attributes,
    record_lists,
)
from dalil.linkage.io import load_lists
from dalil.linkage.model import prepare, run_linkage
from dalil.synth.lists import generate

people = int(sys.argv[1])
seeds = [int(x) for x in sys.argv[2].split(",")]
print("load", os.getloadavg()[0])
for seed in seeds:
    with tempfile.TemporaryDirectory() as tmp:
        res = generate(people, 5, seed=seed, out_dir=tmp, design_seed=7)
        recs, _ = load_lists(sorted(Path(tmp).glob("list_*.csv")))
    print("records", len(recs))
    df = prepare(recs)
    r = run_linkage(df, review_low=0.3)
    ids = [str(x["record_id"]) for x in recs]
    attrs = record_attributes(df)
    truth = res.truth_map()
    # without checks; with the checks; with the checks and the support of joins (0.4, the
    # default before one record per list) at 0.9, 0.7 and 0.5; as `dalil link` and
    # `dalil lists link` cluster now: checks, DEFAULT_SUPPORT and one record per list
    lists = record_lists(df)
    for spread, support, thr, per_list in (
        (None, None, 0.9, False), (12, None, 0.9, False), (12, 0.4, 0.9, False),
        (12, 0.4, 0.7, False), (12, 0.4, 0.5, False),
        (12, DEFAULT_SUPPORT, 0.9, True), (12, DEFAULT_SUPPORT, 0.5, True),
    ):  # fmt: skip
        cl = cluster(
            ids,
            r.pairs,
            thr,
            attributes=attrs if spread else None,
            max_birth_year_spread=spread or 0,
            support=support,
            list_of=lists if per_list else None,
        )
        s = pairwise_scores(cl.cluster_of, truth)
        print(
            seed,
            f"spread {spread} support {support} threshold {thr} one per list {per_list}",
            {
                k: round(v, 4)
                for k, v in s.items()
                if k in ("precision", "recall", "f1", "cluster_accuracy")
            },
            cl.incompatible_joins,
        )
