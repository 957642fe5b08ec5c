"""Clustering scored pairs into one group per person, respecting reviewers' decisions.

Pairs at or above the threshold are joined strongest first (Kruskal order on the
maximum spanning forest). An *accepted* pair is a link of probability 1.0; a *rejected*
pair is a cannot-link constraint: two groups are never joined if that would put a
rejected pair in one cluster (the weaker link is dropped instead).

Each record's ``match_probability`` is the probability of the weakest link that holds
its cluster together — the last (lowest) join in Kruskal order, the same for every
member; it is 1.0 for a singleton (and for a cluster held together only by accepted
pairs).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd


@dataclass
class Clustering:
    cluster_of: dict[str, str]
    probability: dict[str, float]
    blocked_joins: int  # joins refused because of a rejected pair

    def to_frame(self) -> pd.DataFrame:
        ids = list(self.cluster_of)
        return pd.DataFrame(
            {
                "record_id": ids,
                "cluster_id": [self.cluster_of[i] for i in ids],
                "match_probability": [round(self.probability[i], 6) for i in ids],
            }
        )


def cluster(
    record_ids: Sequence[str],
    pairs: pd.DataFrame,
    threshold: float,
    *,
    accepted: Iterable[tuple[str, str]] = (),
    rejected: Iterable[tuple[str, str]] = (),
) -> Clustering:
    """Cluster *record_ids* using *pairs* (``unique_id_l, unique_id_r, match_probability``)."""
    index = {rid: i for i, rid in enumerate(record_ids)}
    n = len(record_ids)
    parent = list(range(n))
    members: list[list[int]] = [[i] for i in range(n)]
    last_p = [1.0] * n
    cannot: dict[int, set[int]] = {}
    for a, b in rejected:
        if a in index and b in index:
            ia, ib = index[a], index[b]
            cannot.setdefault(ia, set()).add(ib)
            cannot.setdefault(ib, set()).add(ia)

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges: list[tuple[float, int, int]] = []
    rejected_set = {frozenset(p) for p in rejected}
    for a, b in accepted:
        if a in index and b in index:
            edges.append((1.0, index[a], index[b]))
    if len(pairs):
        sel = pairs[pairs["match_probability"] >= threshold]
        for a, b, p in zip(
            sel["unique_id_l"].astype(str),
            sel["unique_id_r"].astype(str),
            sel["match_probability"].astype(float),
            strict=True,
        ):
            if a in index and b in index and frozenset((a, b)) not in rejected_set:
                edges.append((p, index[a], index[b]))
    edges.sort(key=lambda e: -e[0])
    blocked = 0
    for p, ia, ib in edges:
        ra, rb = find(ia), find(ib)
        if ra == rb:
            continue
        if len(members[ra]) < len(members[rb]):
            ra, rb = rb, ra
        if cannot and any(m in cannot and cannot[m] for m in members[rb]):
            big = set(members[ra])
            if any(cannot.get(m, set()) & big for m in members[rb]):
                blocked += 1
                continue
        parent[rb] = ra
        members[ra].extend(members[rb])
        members[rb] = []
        last_p[ra] = min(last_p[ra], last_p[rb], p)
    cluster_of: dict[str, str] = {}
    probability: dict[str, float] = {}
    # cluster id: the smallest record id in the cluster (stable across runs)
    roots: dict[int, str] = {}
    for i, rid in enumerate(record_ids):
        r = find(i)
        if r not in roots or rid < roots[r]:
            roots[r] = rid
    for i, rid in enumerate(record_ids):
        r = find(i)
        cluster_of[rid] = roots[r]
        probability[rid] = last_p[r] if len(members[r]) > 1 else 1.0
    return Clustering(cluster_of, probability, blocked)


def pairwise_scores(predicted: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """Pairwise precision, recall and F1 of a clustering against true entity ids, and
    cluster accuracy (share of true entities reproduced exactly as one cluster)."""
    from collections import Counter

    def pairs_count(groups: Counter[Any]) -> int:
        return sum(c * (c - 1) // 2 for c in groups.values())

    ids = [i for i in predicted if i in truth]
    pc = Counter(predicted[i] for i in ids)
    tc = Counter(truth[i] for i in ids)
    both = Counter((predicted[i], truth[i]) for i in ids)
    tp = pairs_count(both)
    p_pairs, t_pairs = pairs_count(pc), pairs_count(tc)
    precision = tp / p_pairs if p_pairs else 1.0
    recall = tp / t_pairs if t_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    pred_sets: dict[str, set[str]] = {}
    true_sets: dict[str, set[str]] = {}
    for i in ids:
        pred_sets.setdefault(predicted[i], set()).add(i)
        true_sets.setdefault(truth[i], set()).add(i)
    exact = {frozenset(s) for s in pred_sets.values()}
    acc = sum(1 for s in true_sets.values() if frozenset(s) in exact) / max(1, len(true_sets))
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "cluster_accuracy": acc,
        "true_pairs": t_pairs,
        "predicted_pairs": p_pairs,
        "true_entities": len(true_sets),
        "predicted_clusters": len(pred_sets),
    }
