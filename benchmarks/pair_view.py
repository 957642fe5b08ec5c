"""Benchmark: viewing a linkage pair and a cluster, read from what the run kept against
scoring the pair again (what every view did before runs kept their explanations).

Builds a SQLite case in a temporary folder from generated fictional lists
(``dalil.synth.lists.generate``), links them with a wide review band, then, in the same
run and on the same pairs:

* stored:   ``pair_review.pair_view`` and ``lists.cluster_view`` as they are now (the
  run kept each pair's probability, match weight and field contributions);
* baseline: the same views once the kept explanations are removed, as for a run made
  before runs kept them (each view scores its pairs again with Splink).

Checks the two give the same explanation, then prints milliseconds per view (median and
max) for both, the ratio, and what keeping them added to the run (one scoring of every
kept pair). Deletes everything it made.

    PYTHONPATH=src .venv/bin/python benchmarks/pair_view.py [--people 150] [--lists 3]
        [--views 10] [--seed 21]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from dalil.core.case import Case
from dalil.model.lists import ListRecord, PairExplanation
from dalil.services import lists, pair_review
from dalil.synth.lists import generate

PASS = "fictional benchmark passphrase"


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000.0, out


def _views(case: Case, pairs: list[str], clusters: list[int]) -> tuple[list[float], list[Any]]:
    times: list[float] = []
    outs: list[Any] = []
    for p in pairs:
        with case.act("coord", write=False) as ctx:
            ms, view = _timed(lambda p=p, ctx=ctx: pair_review.pair_view(ctx, p))
        times.append(ms)
        outs.append((view["model_probability"], view["match_weight"], view["fields"]))
    for pid in clusters:
        with case.act("coord", write=False) as ctx:
            ms, view = _timed(lambda pid=pid, ctx=ctx: lists.cluster_view(ctx, pid))
        times.append(ms)
        outs.append(view["links"])
    return times, outs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--people", type=int, default=150)
    ap.add_argument("--lists", type=int, default=3)
    ap.add_argument("--views", type=int, default=10, help="pairs (and as many clusters)")
    ap.add_argument("--seed", type=int, default=21)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dalil-bench-") as tmp:
        root = Path(tmp) / "case"
        case = Case.init(root, PASS, admin="coord")
        try:
            generate(args.people, args.lists, seed=args.seed, out_dir=Path(tmp) / "lists")
            for i in range(1, args.lists + 1):
                lists.import_list(case, "coord", Path(tmp) / "lists" / f"list_{i}.csv",
                                  list_name=f"list{i}")  # fmt: skip
            with case.act("coord") as ctx:
                run_ms, summary = _timed(lambda: lists.link(ctx, review_low=0.05, threshold=0.99))
            with case.act("coord", write=False) as ctx:
                n_records = len(lists._records(ctx))
                pairs = [str(q["pair"]) for q in lists.review(ctx, limit=args.views)]
                sizes: dict[int, int] = {}
                for r in ctx.session.scalars(select(ListRecord)):
                    if r.person_id is not None:
                        sizes[r.person_id] = sizes.get(r.person_id, 0) + 1
                clusters = sorted((p for p, n in sizes.items() if n > 1),
                                  key=lambda p: -sizes[p])[: args.views]  # fmt: skip
                kept = list(ctx.session.scalars(select(PairExplanation)))
                model = lists._latest_model(ctx)
                records = lists._explain_records(ctx)
            # what keeping the explanations adds to a run: one scoring of the kept pairs
            from dalil.linkage.incremental import explain_groups

            groups = [e.pair.split("-") for e in kept]
            keep_ms, _ = _timed(lambda: explain_groups(records, groups, model, protected=True))
            _views(case, pairs[:1], [])  # warm-up (imports, first query)
            stored_t, stored = _views(case, pairs, clusters)
            with case.act("coord") as ctx:
                ctx.session.execute(delete(PairExplanation))
            base_t, again = _views(case, pairs, clusters)
        finally:
            case.close()
    if stored != again:
        bad = next(i for i, (x, y) in enumerate(zip(stored, again, strict=True)) if x != y)
        raise SystemExit(f"view {bad}: the kept explanation differs from the pair scored "
                         f"again:\n{stored[bad]}\n{again[bad]}")  # fmt: skip
    med_s, med_b = statistics.median(stored_t), statistics.median(base_t)
    print(f"records {n_records}, pairs kept {summary['pairs_explained']}, "
          f"views {len(pairs)} pairs + {len(clusters)} clusters")  # fmt: skip
    print(f"link run: {run_ms / 1000:.1f} s, of which keeping the explanations ≈ "
          f"{keep_ms / 1000:.2f} s")  # fmt: skip
    print(f"baseline (scored again): median {med_b:.0f} ms, max {max(base_t):.0f} ms per view")
    print(f"stored (read):           median {med_s:.1f} ms, max {max(stored_t):.1f} ms per view")
    print(f"ratio baseline/stored (median): {med_b / med_s:.0f}x; explanations identical")


if __name__ == "__main__":
    main()
