"""The clustering of dalil.linkage.clusters as it was before it was made fast (pure
Python, one union-find step per pair): the oracle the fast version must agree with."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from dalil.linkage.clusters import MAX_BIRTH_YEAR_SPREAD, SUPPORT_FLOOR, Clustering


def _ids_conflict(a: set[str], b: set[str]) -> bool:
    """Two national ids that are not one typo apart (a letter changed, added, dropped or
    two neighbours swapped): the same person's id mistyped in one list is no conflict."""
    from rapidfuzz.distance import OSA

    return any(x != y and OSA.distance(x, y) > 1 for x in a for y in b)


def reference_cluster(
    record_ids: Sequence[str],
    pairs: pd.DataFrame,
    threshold: float,
    *,
    accepted: Iterable[tuple[str, str]] = (),
    rejected: Iterable[tuple[str, str]] = (),
    attributes: dict[str, tuple[str | None, int | None, str | None]] | None = None,
    max_birth_year_spread: int = MAX_BIRTH_YEAR_SPREAD,
    kept: Iterable[tuple[str, str, float]] = (),
    support: float | None = None,
    list_of: dict[str, str] | None = None,
) -> Clustering:
    """Cluster *record_ids* using *pairs* (``unique_id_l, unique_id_r, match_probability``).

    With *attributes* (record id -> sex, birth year, national id) a join by the model is
    refused when the joined cluster would hold two sexes, two national ids more than one
    typo apart, or birth
    years more than *max_birth_year_spread* apart — the chains that join a brother to
    his sister through a cousin. Reviewers' accepted pairs are never refused, nor the
    *kept* links (an earlier run's clusters, with their probabilities).

    With *support* a link that would join two clusters, one of them of several
    records, is refused unless the pairs between them are, on average, that likely
    (the mean probability over all their pairs, a pair not scored at
    :data:`SUPPORT_FLOOR` or more counting 0): one strong link between a record and
    one member of a cluster no longer pulls in a record that the other members do
    not match (a chain through a namesake). Its expected share of true pairs is the
    mean: a join is worth making, for pairwise F1, when that share is about half.

    With *list_of* a join that would put two records of one list in one cluster is
    refused unless those two are linked to each other by an edge of their own.
    """
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

    # per cluster root: sexes, national ids, lowest and highest birth year
    sexes: list[set[str]] = [set() for _ in range(n)]
    nids: list[set[str]] = [set() for _ in range(n)]
    by_lo: list[int | None] = [None] * n
    by_hi: list[int | None] = [None] * n
    if attributes:
        for rid, i in index.items():
            sx, by, nid = attributes.get(rid, (None, None, None))
            if sx:
                sexes[i].add(sx)
            if nid:
                nids[i].add(nid)
            by_lo[i] = by_hi[i] = by
    forced: set[tuple[int, int]] = set()

    def compatible(ra: int, rb: int) -> bool:
        if len(sexes[ra] | sexes[rb]) > 1 or _ids_conflict(nids[ra], nids[rb]):
            return False
        los = [x for x in (by_lo[ra], by_lo[rb]) if x is not None]
        his = [x for x in (by_hi[ra], by_hi[rb]) if x is not None]
        return not los or max(his) - min(los) <= max_birth_year_spread

    edges: list[tuple[float, int, int]] = []
    rejected_set = {frozenset(p) for p in rejected}
    for a, b in accepted:
        if a in index and b in index:
            edges.append((1.0, index[a], index[b]))
            forced.add((index[a], index[b]))
    for a, b, p in kept:
        if a in index and b in index:
            edges.append((float(p), index[a], index[b]))
            forced.add((index[a], index[b]))
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
    linked = {frozenset((ia, ib)) for _, ia, ib in edges}

    def one_per_list(ra: int, rb: int) -> bool:
        assert list_of is not None
        for m in members[ra]:
            for o in members[rb]:
                lm, lo = list_of.get(record_ids[m]), list_of.get(record_ids[o])
                if lm and lm == lo and frozenset((m, o)) not in linked:
                    return False
        return True

    # support: every scored pair (down to SUPPORT_FLOOR) by record, to weigh a join of
    # two clusters by all the pairs between them, not only by its strongest link
    near: dict[int, dict[int, float]] = {}
    if support is not None and len(pairs):
        sup = pairs[pairs["match_probability"] >= SUPPORT_FLOOR]
        for a, b, p in zip(
            sup["unique_id_l"].astype(str),
            sup["unique_id_r"].astype(str),
            sup["match_probability"].astype(float),
            strict=True,
        ):
            na, nb = index.get(a), index.get(b)
            if na is not None and nb is not None:
                near.setdefault(na, {})[nb] = p
                near.setdefault(nb, {})[na] = p

    def supported(ra: int, rb: int) -> bool:
        small, big = (ra, rb) if len(members[ra]) <= len(members[rb]) else (rb, ra)
        total = 0.0
        for m in members[small]:
            for o, p in near.get(m, {}).items():
                if find(o) == big:
                    total += p
        return total >= support * len(members[ra]) * len(members[rb])  # type: ignore[operator]

    blocked = incompatible = unsupported = same_list = 0
    for p, ia, ib in edges:
        ra, rb = find(ia), find(ib)
        if ra == rb:
            continue
        if support is not None and (ia, ib) not in forced:
            chain_join = len(members[ra]) > 1 or len(members[rb]) > 1
            if chain_join and not supported(ra, rb):
                unsupported += 1
                continue
        chain = len(members[ra]) > 1 or len(members[rb]) > 1
        if attributes and chain and (ia, ib) not in forced and not compatible(ra, rb):
            incompatible += 1
            continue
        if list_of and chain and (ia, ib) not in forced and not one_per_list(ra, rb):
            same_list += 1
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
        if attributes:
            sexes[ra] |= sexes[rb]
            nids[ra] |= nids[rb]
            los = [x for x in (by_lo[ra], by_lo[rb]) if x is not None]
            his = [x for x in (by_hi[ra], by_hi[rb]) if x is not None]
            by_lo[ra] = min(los) if los else None
            by_hi[ra] = max(his) if his else None
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
    return Clustering(cluster_of, probability, blocked, incompatible, unsupported, same_list)
