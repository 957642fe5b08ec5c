"""Benchmark: where linkage loses true pairs as lists grow — blocking, scoring, clustering.

Generates fictional lists with `dalil.synth.lists.generate` and, against the generator's
truth, measures the recall of true pairs at each stage: candidate pairs after blocking,
scored pairs at or above the threshold, and pairs that end up in one cluster. Also
prints the model's prior (probability that two random records match) and the largest
cluster. The true pairs lost in the final clusters are split by where they were lost
(``lost_*``, shares of all true pairs): not scored (not blocked, or below 0.01), scored
below 0.3, between 0.3 and the threshold, or at or above it with the join refused by
the support of joins, the cluster-level checks or the check of one record per list.
The baseline in the same script is a
run at a tenth of the size.

Usage: .venv/bin/python benchmarks/linkage_stages.py [--records 100000] [--lists 5]
"""

from __future__ import annotations

import argparse
import itertools
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dalil.linkage.clusters import (
    DEFAULT_SUPPORT,
    cluster,
    pairwise_scores,
    record_attributes,
    record_lists,
)
from dalil.linkage.io import load_lists
from dalil.linkage.link import link_files
from dalil.linkage.model import (
    DEFAULT_THRESHOLD,
    _pairs_under,
    blocking_columns,
    prepare,
    rule_catches,
    run_linkage,
)
from dalil.synth.lists import generate

RECORDS_PER_PERSON_5_LISTS = 2.35


def _true_pairs(ids: list[str], truth: dict[str, str]) -> pd.DataFrame:
    groups: dict[str, list[int]] = {}
    for i, rid in enumerate(ids):
        groups.setdefault(truth[rid], []).append(i)
    rows = [p for g in groups.values() if len(g) > 1 for p in itertools.combinations(g, 2)]
    return pd.DataFrame(rows, columns=["i", "j"])


def stages(
    n_records: int,
    n_lists: int,
    seed: int,
    threshold: float,
    dump: str = "",
    design: int | None = None,
    data_dir: str = "",
    backend: str = "duckdb",
    sweep: tuple[float, ...] = (),
    dump_pairs: str = "",
) -> dict[str, float]:
    people = max(10, int(n_records / RECORDS_PER_PERSON_5_LISTS * 5 / n_lists))
    with tempfile.TemporaryDirectory() as tmp:
        folder = (
            Path(data_dir) / f"{n_records}-{n_lists}-{seed}-{design}" if data_dir else Path(tmp)
        )
        if not (folder / "truth.csv").exists():
            generate(people, n_lists, seed=seed, out_dir=folder, design_seed=design)
        recs, _ = load_lists(sorted(folder.glob("list_*.csv")))
        truth_df = pd.read_csv(folder / "truth.csv", dtype=str)
    truth = dict(zip(truth_df["record_id"], truth_df["person_id"], strict=True))
    print(f"  load average {os.getloadavg()[0]:.1f} (2 cores shared)")
    ids = [str(r["record_id"]) for r in recs]
    t0 = time.perf_counter()
    df = prepare(recs)
    tp = _true_pairs(ids, truth)
    rules = blocking_columns(df)
    caught = np.zeros(len(tp), dtype=bool)
    comparisons = 0
    for cols in rules:
        caught |= rule_catches(df, cols, tp["i"], tp["j"])
        comparisons += _pairs_under(df, cols)
    print(
        f"  candidate pairs of the rules (a pair caught by several counted in each): {comparisons}"
    )
    result = run_linkage(df, review_low=0.01, seed=seed, backend=backend)
    secs = time.perf_counter() - t0
    pairs = result.pairs
    key = {rid: i for i, rid in enumerate(ids)}
    pi = pairs["unique_id_l"].map(key).to_numpy()
    pj = pairs["unique_id_r"].map(key).to_numpy()
    lo, hi = np.minimum(pi, pj), np.maximum(pi, pj)
    ti, tj = tp["i"].to_numpy(), tp["j"].to_numpy()
    true_codes = set((np.minimum(ti, tj).astype(np.int64) * len(ids) + np.maximum(ti, tj)).tolist())
    codes = lo.astype(np.int64) * len(ids) + hi
    is_true = np.fromiter((c in true_codes for c in codes), dtype=bool, count=len(codes))
    prob = pairs["match_probability"].to_numpy()
    above = prob >= threshold
    print("  calibration of scored pairs (predicted probability bin: pairs, share truly matching)")
    for lo_p, hi_p in ((0.01, 0.1), (0.1, 0.5), (0.5, 0.9), (0.9, 0.99), (0.99, 1.01)):
        b = (prob >= lo_p) & (prob < hi_p)
        share = is_true[b].mean() if b.any() else float("nan")
        print(f"    [{lo_p:.2f}, {min(hi_p, 1):.2f}): {int(b.sum()):9d} pairs, {share:.3f} true")
    attrs = record_attributes(df)
    lists = record_lists(df)
    if dump_pairs:
        import pickle

        with open(dump_pairs, "wb") as fh:
            pickle.dump(
                {"ids": ids, "pairs": pairs, "attrs": attrs, "lists": lists, "truth": truth}, fh
            )
    for thr in sweep:
        for sup in (None, DEFAULT_SUPPORT):
            sw = pairwise_scores(
                cluster(ids, pairs, thr, attributes=attrs, support=sup, list_of=lists).cluster_of,
                truth,
            )
            print(
                f"  threshold {thr}, support {sup}: "
                + ", ".join(f"{k} {sw[k]:.4f}" for k in ("precision", "recall", "f1"))
            )
    plain = pairwise_scores(cluster(ids, pairs, threshold).cluster_of, truth)
    # the cluster-level checks without the support of joins (as `dalil link` did before)
    checks = pairwise_scores(cluster(ids, pairs, threshold, attributes=attrs).cluster_of, truth)
    # as `dalil link` clusters: with the cluster-level checks, the support of joins and
    # one record per list
    cl = cluster(ids, pairs, threshold, attributes=attrs, support=DEFAULT_SUPPORT, list_of=lists)
    s = pairwise_scores(cl.cluster_of, truth)
    # where the true pairs that end in different clusters were lost: not scored (not
    # blocked, or below 0.01), scored below the support floor, scored between it and the
    # threshold, or scored at or above the threshold but the join refused (support, checks)
    cid = pd.factorize(pd.Series([cl.cluster_of[r] for r in ids]))[0]
    lost = cid[ti] != cid[tj]
    by_code = pd.Series(prob, index=codes)
    by_code = by_code[~by_code.index.duplicated()]
    lost_p = by_code.reindex(
        np.minimum(ti, tj).astype(np.int64)[lost] * len(ids) + np.maximum(ti, tj)[lost]
    ).to_numpy()
    n_true = max(1, len(tp))
    lam = result.model_json.get("probability_two_random_records_match", float("nan"))
    sizes = pd.Series(list(cl.cluster_of.values())).value_counts()
    out = {
        "records": len(ids),
        "true_pairs": len(tp),
        "recall_blocking": float(caught.mean()),
        "recall_scored_0.01": float(is_true.sum() / len(tp)),
        "recall_above_thr": float((is_true & above).sum() / len(tp)),
        "precision_above_thr": float((is_true & above).sum() / max(1, above.sum())),
        "recall_no_checks": plain["recall"],
        "precision_no_checks": plain["precision"],
        "recall_no_support": checks["recall"],
        "precision_no_support": checks["precision"],
        "f1_no_support": checks["f1"],
        "recall_clusters": s["recall"],
        "precision_clusters": s["precision"],
        "f1": s["f1"],
        "lost_unscored": float(np.isnan(lost_p).sum() / n_true),
        "lost_below_0.3": float((lost_p < 0.3).sum() / n_true),
        "lost_0.3_to_thr": float(((lost_p >= 0.3) & (lost_p < threshold)).sum() / n_true),
        "lost_refused": float((lost_p >= threshold).sum() / n_true),
        "prior_lambda": float(lam),
        "largest_cluster": int(sizes.max()),
        "incompatible_joins": cl.incompatible_joins,
        "seconds": secs,
        "load_average": os.getloadavg()[0],
    }
    print(f"  rules: {[', '.join(r) for r in rules]}")
    if dump:
        import json

        Path(dump).write_text(json.dumps(result.model_json, indent=1), encoding="utf-8")
        for comp in result.model_json["comparisons"]:
            for lv in comp["comparison_levels"]:
                if lv.get("is_null_level"):
                    continue
                w = np.log2(lv["m_probability"] / lv["u_probability"])
                print(
                    f"    {comp['output_column_name'][:12]:12} {lv.get('label_for_charts', '')[:45]:45}"
                    f" m {lv['m_probability']:.4f} u {lv['u_probability']:.2e} w {w:6.2f}"
                )
    for k, v in out.items():
        print(f"  {k:22}{v:14.6g}")
    return out


#: the hand-written lists (fictional) in tests/data/linkage and their true clusters
HAND_WRITTEN = {
    ("committee.csv", "network.csv"): {
        "c1": "A", "n1": "A", "c3": "B", "n2": "B", "c4": "C", "n3": "C", "c2": "D", "n4": "E",
    },
    # a record entered twice in one list, two namesakes in one list (see the README there)
    ("morgue.csv", "ngo.csv"): {
        "m1": "A", "g1": "A", "m2": "B", "m3": "C", "m4": "C", "g2": "C", "m5": "D", "g3": "D",
        "m6": "E", "g5": "F",
    },
}  # fmt: skip


def hand_written() -> None:
    data = Path(__file__).resolve().parent.parent / "tests" / "data" / "linkage"
    for files, truth in HAND_WRITTEN.items():
        out = link_files([data / f for f in files])
        s = pairwise_scores(out.clustering.cluster_of, truth)
        print(f"hand-written lists ({' + '.join(files)}, Arabic script + Latin, "
              f"{len(truth)} records):")  # fmt: skip
        print("  " + ", ".join(f"{k} {s[k]:.3f}" for k in ("precision", "recall", "f1")))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--lists", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument(
        "--design-seed",
        type=int,
        default=None,
        help="fix the lists' design independently of the size (generate design_seed)",
    )
    ap.add_argument("--dump-model", default="", help="write the trained model JSON here")
    ap.add_argument("--backend", default="duckdb", choices=["duckdb", "spark"])
    ap.add_argument(
        "--sweep", default="", help="also cluster at these thresholds (e.g. 0.5,0.7,0.8)"
    )
    ap.add_argument("--dump-pairs", default="", help="pickle the scored pairs and the truth here")
    ap.add_argument(
        "--data-dir", default="", help="keep the generated lists here and reuse them next time"
    )
    ap.add_argument(
        "--em-max-pairs",
        type=float,
        default=None,
        help="override dalil.linkage.model.EM_MAX_PAIRS (0: no cap)",
    )
    args = ap.parse_args()
    if args.em_max_pairs is not None:
        import dalil.linkage.model as model

        model.EM_MAX_PAIRS = args.em_max_pairs or None
    sizes = [args.records] if args.no_baseline else [args.records // 10, args.records]
    res = []
    for n in sizes:
        print(f"{n} records:")
        res.append(
            stages(n, args.lists, args.seed, args.threshold, args.dump_model, args.design_seed,
                   args.data_dir, args.backend,
                   tuple(float(x) for x in args.sweep.split(",") if x), args.dump_pairs)
        )  # fmt: skip
    hand_written()
    if len(res) == 2:
        b, f = res
        print(f"\n{'':22}{'1/10':>12}{'full':>12}{'ratio':>8}")
        for k in b:
            print(f"{k:22}{b[k]:12.4g}{f[k]:12.4g}{(f[k] / b[k] if b[k] else float('nan')):8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
