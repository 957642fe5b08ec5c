"""Source verification speed.

1. compare two ~2,000-word documents (a generated release and an edited rewrite of it);
   target < 0.5 s.  Baseline in the same run: difflib.SequenceMatcher over the same two
   token lists (the naive whole-document alignment).
2. graph over N generated ~800-word documents (default 10,000); target < 2 minutes and
   < 4 GB.  Prints docs/s and peak memory (ru_maxrss).  Baseline in the same run: exact
   shingle containment over all pairs of the first 300 documents, extrapolated to N.

    .venv/bin/python benchmarks/sources_speed.py            # full size
    .venv/bin/python benchmarks/sources_speed.py --n 2000   # reduced
"""

from __future__ import annotations

import argparse
import resource
import time
from difflib import SequenceMatcher

from dalil.sources.compare import analyse, compare
from dalil.sources.graph import GraphDoc, build_graph, containment, shingle_hashes
from dalil.sources.segment import tokens
from dalil.synth.documents import generate, generate_corpus


def bench_compare(repeats: int = 5) -> None:
    files, truth = generate(3, seed=42, words=2000)
    d = truth["derivatives"][0]
    # Make the derivative about as long as the source: append a second rewrite.
    a_text = files[d["source"]]
    b_text = files[d["id"]] + "\n\n" + files[truth["derivatives"][1]["id"]]
    # Cut the derivative at a paragraph boundary near 2,000 words.
    paras, n = [], 0
    for para in b_text.split("\n\n"):
        if n >= 2000:
            break
        paras.append(para)
        n += len(para.split())
    b_text = "\n\n".join(paras)
    a_words, b_words = len(a_text.split()), len(b_text.split())
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        compare(analyse(a_text, id="a"), analyse(b_text, id="b"))
        times.append(time.perf_counter() - t0)
    ta = [t.norm for t in tokens(a_text)]
    tb = [t.norm for t in tokens(b_text)]
    t0 = time.perf_counter()
    SequenceMatcher(None, ta, tb, autojunk=False).get_matching_blocks()
    base = time.perf_counter() - t0
    best, med = min(times), sorted(times)[len(times) // 2]
    print(
        f"compare: {a_words} vs {b_words} words: best {best:.3f} s, median {med:.3f} s "
        f"(target < 0.5 s) over {repeats} runs, including extraction of both documents"
    )
    print(
        f"  baseline difflib whole-document alignment: {base:.3f} s; ratio compare/baseline "
        f"{med / base:.2f}"
    )


def bench_graph(n: int) -> None:
    t0 = time.perf_counter()
    corpus, true_edges = generate_corpus(n, seed=7, words=800)
    docs = [GraphDoc(k, text) for k, text in corpus]
    gen = time.perf_counter() - t0
    words = sum(len(d.text.split()) for d in docs) / len(docs)
    t0 = time.perf_counter()
    g = build_graph(docs)
    dt = time.perf_counter() - t0
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(
        f"graph: {len(docs)} documents (mean {words:.0f} words; generated in {gen:.1f} s): "
        f"{dt:.1f} s, {len(docs) / dt:.0f} docs/s, {g.stats['candidate_pairs']} candidate "
        f"pairs, {len(g.edges)} edges; peak RSS {peak_gb:.2f} GB (targets < 120 s, < 4 GB)"
    )
    print(f"  stages (s): {g.stats['seconds']}")
    # Quality against the generator's truth.
    parent = {d: s for s, d in true_edges}

    def ancestors(x: str) -> set[str]:
        out = set()
        while x in parent:
            x = parent[x]
            out.add(x)
        return out

    found = {(e["source"], e["derivative"]) for e in g.edges}
    undirected = {frozenset(p) for p in found}
    recall = sum(1 for s, d in true_edges if frozenset((s, d)) in undirected) / max(
        1, len(true_edges)
    )
    related = sum(
        1 for a, b in found
        if a in ancestors(b) or b in ancestors(a) or (ancestors(a) & ancestors(b))
        or parent.get(a) == parent.get(b) is not None
    )  # fmt: skip
    precision = related / max(1, len(found))
    directed = sum(1 for s, d in true_edges if (s, d) in found) / max(1, len(true_edges))
    print(
        f"  edges vs truth: recall {recall:.3f} of {len(true_edges)} true reuse edges, "
        f"precision {precision:.3f} (edge between related documents), "
        f"direction right for {directed:.3f} of true edges (no dates given)"
    )
    m = min(300, len(docs))
    sh = [shingle_hashes(d.text) for d in docs[:m]]
    t0 = time.perf_counter()
    for i in range(m):
        for j in range(m):
            if i != j:
                containment(sh[i], sh[j])
    base = time.perf_counter() - t0
    est = base * (len(docs) / m) ** 2
    print(
        f"  baseline all-pairs exact containment: {m} docs in {base:.1f} s → {est:.0f} s "
        f"extrapolated to {len(docs)}; ratio baseline/graph {est / dt:.1f}×"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--skip-graph", action="store_true")
    args = ap.parse_args()
    bench_compare()
    if not args.skip_graph:
        bench_graph(args.n)


if __name__ == "__main__":
    main()
