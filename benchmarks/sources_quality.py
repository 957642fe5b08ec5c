"""Quality of source verification on generated rewrites with known edits.

Generates N derivatives (``dalil.synth.documents.generate``), compares each with its
source and prints precision/recall of:

* quote verdicts — per status (a quote counts for a status when truth and prediction
  agree on it), plus overall accuracy, plus flag precision/recall;
* additions — a predicted addition is right when it is a sentence the generator added
  or falsified (kind also reported);
* omissions — source sentences the generator dropped.

Baseline in the same run: a naive "every quote is verbatim if its text occurs in the
source" checker with no additions/omissions logic.

    .venv/bin/python benchmarks/sources_quality.py --n 300 --seed 1
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter

from dalil.sources.compare import analyse, compare
from dalil.synth.documents import generate


def norm(s: str) -> str:
    return " ".join(re.findall(r"\w+", s.lower()))


def pr(tp: int, fp: int, fn: int) -> str:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return f"precision {p:.3f} recall {r:.3f} (tp {tp}, fp {fp}, fn {fn})"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--words", type=int, default=400)
    args = ap.parse_args()
    files, truth = generate(args.n, args.seed, args.words)
    status_tp: Counter[str] = Counter()
    status_fp: Counter[str] = Counter()
    status_fn: Counter[str] = Counter()
    base_tp: Counter[str] = Counter()
    base_fp: Counter[str] = Counter()
    base_fn: Counter[str] = Counter()
    flag_tp = flag_fp = flag_fn = 0
    add_tp = add_fp = add_fn = 0
    kind_right = 0
    om_tp = om_fp = om_fn = 0
    quotes_total = quotes_right = quotes_missing = 0
    t0 = time.perf_counter()
    cache: dict[str, object] = {}
    for d in truth["derivatives"]:
        src = cache.get(d["source"]) or analyse(files[d["source"]], id=d["source"])
        cache[d["source"]] = src
        der = analyse(files[d["id"]], id=d["id"])
        r = compare(src, der)  # type: ignore[arg-type]
        got = {norm(q["text"]): q for q in r["quotes"]}
        src_norm = norm(files[d["source"]])
        for tq in d["quotes"]:
            quotes_total += 1
            q = got.get(norm(tq["text"]))
            want = tq["status"]
            if q is None:
                quotes_missing += 1
                status_fn[want] += 1
                continue
            if q["status"] == want:
                quotes_right += 1
                status_tp[want] += 1
            else:
                status_fp[q["status"]] += 1
                status_fn[want] += 1
            tf, pf = set(tq["flags"]), set(q["flags"])
            flag_tp += len(tf & pf)
            flag_fp += len(pf - tf)
            flag_fn += len(tf - pf)
            naive = "verbatim" if norm(tq["text"]) in src_norm else "not_in_source"
            if naive == want:
                base_tp[want] += 1
            else:
                base_fp[naive] += 1
                base_fn[want] += 1
        true_adds = {norm(a["text"]): a for a in d["additions"]}
        pred_adds = {norm(a["text"]): a for a in r["additions"]}
        for k, a in pred_adds.items():
            if k in true_adds:
                add_tp += 1
                kind_right += a["kind"] == true_adds[k]["kind"]
            else:
                add_fp += 1
        add_fn += sum(1 for k in true_adds if k not in pred_adds)
        true_om = {norm(s) for s in d["omitted"]}
        pred_om = {norm(o["text"]) for o in r["omissions"]}
        om_tp += len(true_om & pred_om)
        om_fp += len(pred_om - true_om)
        om_fn += len(true_om - pred_om)
    dt = time.perf_counter() - t0
    print(
        f"{len(truth['derivatives'])} derivatives of {len(truth['sources'])} sources "
        f"(~{args.words} words each, seed {args.seed}); compared in {dt:.1f} s "
        f"({len(truth['derivatives']) / dt:.1f} pairs/s)"
    )
    print(
        f"quotes: {quotes_total} in truth, {quotes_missing} not found as quotations; "
        f"status accuracy {quotes_right / max(1, quotes_total):.3f}"
    )
    for st in ["verbatim", "trimmed", "altered", "not_in_source", "misattributed"]:
        print(f"  {st:<14} {pr(status_tp[st], status_fp[st], status_fn[st])}")
    base_acc = sum(base_tp.values()) / max(1, quotes_total)
    print(
        f"  baseline (substring check, verbatim/not_in_source only): accuracy {base_acc:.3f}; "
        f"ratio dalil/baseline {quotes_right / max(1, quotes_total) / max(base_acc, 1e-9):.2f}"
    )
    print(f"quote flags: {pr(flag_tp, flag_fp, flag_fn)}")
    print(f"additions: {pr(add_tp, add_fp, add_fn)}; kind right for {kind_right}/{add_tp}")
    print(f"omissions: {pr(om_tp, om_fp, om_fn)}")


if __name__ == "__main__":
    main()
