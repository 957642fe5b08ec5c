"""Benchmark: the corroboration page (``/findings/corroboration``, the service
``corroboration.corroboration``) on a case of a realistic size, before and after its
derivation graph was kept by a content version key.

Builds a SQLite case with ``--docs`` fictional news texts (the generator of
``dalil.synth.documents``: sources and reports derived from them, ``--words`` words
each), each a Source with its text as evidence, and ``--claims`` claims each carried by
``--carriers`` of them. Then, in the same run:

* before (baseline): the graph built for the view, as every view did before (the kept
  graphs are forgotten before each call): each source's text decrypted, every pair of
  texts compared;
* after: the views that follow, finding the graph kept for the same texts (their
  SHA-256, titles and dates unchanged).

Prints the median of ``--repeat`` calls each and the ratio, and checks that both give
the same matrix. A change of any source's text, title or date makes a new key: the first
view after it costs what "before" does.

    python benchmarks/corroboration_page.py --docs 90 --claims 60
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from _bench import scratch_case


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--docs", type=int, default=90, help="derived reports (+ a third as many sources)"
    )
    ap.add_argument("--words", type=int, default=400)
    ap.add_argument("--claims", type=int, default=60)
    ap.add_argument("--carriers", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from dalil.services import corroboration, evidence, records
    from dalil.synth.documents import generate

    with scratch_case("dalil-corrob-bench-") as (case, _work):
        files, _truth = generate(args.docs, seed=11, words=args.words)
        sids: list[int] = []
        for name, text in sorted(files.items()):
            with case.act("admin") as ctx:
                sid = records.add(ctx, "source", title=f"Fictional {name}", kind="article").id
            evidence.add_bytes(case, case.actor("admin"), text.encode(), name=name,
                               source_id=sid, media_type="text/plain; charset=utf-8")  # fmt: skip
            sids.append(sid)
        rng = random.Random(5)
        with case.act("admin") as ctx:
            for i in range(args.claims):
                cid = corroboration.add_claim(
                    ctx, "toll", f"Fictional claim {i}", low=i, high=i + 9
                )
                for sid in rng.sample(sids, min(args.carriers, len(sids))):
                    corroboration.add_carrier(ctx, cid, sid, rng.choice(["B2", "C3", "A1", "D4"]))
        print(f"case: {len(sids)} sources with texts of about {args.words} words, "
              f"{args.claims} claims x {args.carriers} sources")  # fmt: skip

        def view() -> tuple[float, dict[str, object]]:
            t = time.perf_counter()
            with case.act("admin") as ctx:
                m = corroboration.corroboration(ctx)
            return time.perf_counter() - t, m

        before, after = [], []
        first = None
        for _ in range(args.repeat):
            corroboration._GROUPS.clear()  # as before: nothing kept between views
            t, m = view()
            before.append(t)
            first = first or m
        for _ in range(args.repeat):
            t, m = view()
            after.append(t)
            assert m == first, "the kept graph gave another matrix"
        b, a = statistics.median(before), statistics.median(after)
        print(f"before (graph built for the view): median {b * 1000:8.1f} ms")
        print(f"after  (graph kept by its key):    median {a * 1000:8.1f} ms")
        print(f"ratio before/after: {b / a:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
