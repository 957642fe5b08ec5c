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
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz.distance import OSA

from dalil.linkage.gcpause import paused_gc

#: Largest spread of birth years inside one cluster (the cluster-level check): an age
#: gives the birth year ±1, lists round ages and mistype years, so this is generous.
MAX_BIRTH_YEAR_SPREAD = 12
#: Pairs scored below this count as 0 when a join is weighed by its support.
SUPPORT_FLOOR = 0.3
#: A join of two clusters of which one has several records needs the mean probability
#: of all pairs between them (unscored pairs count 0) at least this high.
DEFAULT_SUPPORT = 0.2


def _ids_conflict(a: AbstractSet[str], b: AbstractSet[str]) -> bool:
    """Two national ids that are not one typo apart (a letter changed, added, dropped or
    two neighbours swapped): the same person's id mistyped in one list is no conflict."""
    return any(x != y and OSA.distance(x, y) > 1 for x in a for y in b)


@dataclass
class Clustering:
    cluster_of: dict[str, str]
    probability: dict[str, float]
    blocked_joins: int  # joins refused because of a rejected pair
    incompatible_joins: int = 0  # joins refused by the cluster-level checks
    unsupported_joins: int = 0  # joins refused for want of support (``support``)
    same_list_joins: int = 0  # joins refused: two records of one list not linked (``list_of``)

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

    With *list_of* (record id -> the list it came from) a join that would put two
    records of one list in one cluster is refused unless those two are themselves
    linked (a pair at or above *threshold*, or a reviewer's or an earlier run's link):
    a list names a person once, so a second record of the same list reached only
    through other lists is more likely a namesake than a duplicate. A duplicate inside
    a list still joins by its own link.
    """
    with paused_gc():
        return _cluster(record_ids, pairs, threshold, accepted=accepted, rejected=rejected,
                        attributes=attributes, max_birth_year_spread=max_birth_year_spread,
                        kept=kept, support=support, list_of=list_of)  # fmt: skip


def _cluster(
    record_ids: Sequence[str],
    pairs: pd.DataFrame,
    threshold: float,
    *,
    accepted: Iterable[tuple[str, str]],
    rejected: Iterable[tuple[str, str]],
    attributes: dict[str, tuple[str | None, int | None, str | None]] | None,
    max_birth_year_spread: int,
    kept: Iterable[tuple[str, str, float]],
    support: float | None,
    list_of: dict[str, str] | None,
) -> Clustering:
    n = len(record_ids)
    index = {rid: i for i, rid in enumerate(record_ids)}
    list_at: list[str | None] = [None] * n
    if list_of:
        for rid, i in index.items():
            list_at[i] = list_of.get(rid) or None
    rejected = list(rejected)
    cannot: dict[int, set[int]] = {}
    for a, b in rejected:
        if a in index and b in index:
            ia, ib = index[a], index[b]
            cannot.setdefault(ia, set()).add(ib)
            cannot.setdefault(ib, set()).add(ia)
    # the edges, strongest first (a stable sort: ties keep the order accepted, kept,
    # scored): arrays of record positions, built without a Python step per pair
    forced_l: list[int] = []
    forced_r: list[int] = []
    forced_p: list[float] = []
    for a, b in accepted:
        if a in index and b in index:
            forced_l.append(index[a])
            forced_r.append(index[b])
            forced_p.append(1.0)
    for a, b, p in kept:
        if a in index and b in index:
            forced_l.append(index[a])
            forced_r.append(index[b])
            forced_p.append(float(p))
    positions = pd.Index(list(record_ids)) if n else pd.Index([], dtype=object)
    if not positions.is_unique:  # the last of equal ids wins, as in a dict
        positions = pd.Index(list(index))
        order = np.array(list(index.values()), dtype=np.int64)
    else:
        order = None

    def locate(ids: pd.Series) -> np.ndarray:
        loc = positions.get_indexer(ids.astype(str).to_numpy()) if n else np.full(len(ids), -1)
        loc = np.asarray(loc, dtype=np.int64)
        if order is not None:
            loc = np.where(loc >= 0, order[np.maximum(loc, 0)], -1)
        return loc

    def code(left: np.ndarray, right: np.ndarray) -> np.ndarray:
        out: np.ndarray = np.minimum(left, right) * (n + 1) + np.maximum(left, right)
        return out

    scored_l = scored_r = np.zeros(0, dtype=np.int64)
    scored_p = np.zeros(0, dtype=np.float64)
    all_l = all_r = scored_l
    all_p = scored_p
    if len(pairs):
        all_l, all_r = locate(pairs["unique_id_l"]), locate(pairs["unique_id_r"])
        all_p = pairs["match_probability"].to_numpy(dtype=np.float64)
        at = all_p >= threshold
        sl, sr, sp = all_l[at], all_r[at], all_p[at]
        keep = (sl >= 0) & (sr >= 0)
        rej_codes = [code(np.array([index[a]]), np.array([index[b]]))[0]
                     for a, b in rejected if a in index and b in index]  # fmt: skip
        if rej_codes:
            keep &= ~np.isin(code(sl, sr), np.array(rej_codes, dtype=np.int64))
        scored_l, scored_r, scored_p = sl[keep], sr[keep], sp[keep]
    edge_l = np.concatenate([np.array(forced_l, dtype=np.int64), scored_l])
    edge_r = np.concatenate([np.array(forced_r, dtype=np.int64), scored_r])
    edge_p = np.concatenate([np.array(forced_p, dtype=np.float64), scored_p])
    by_strength = np.argsort(-edge_p, kind="stable")
    strong: set[int] = set()
    if list_of:
        strong = set(code(edge_l, edge_r).tolist())
    forced = {(a, b) for a, b in zip(forced_l, forced_r, strict=True)}
    is_forced = np.zeros(len(edge_p), dtype=bool)
    if forced:
        fc = np.array([a * (n + 1) + b for a, b in forced], dtype=np.int64)
        is_forced = np.isin(edge_l * (n + 1) + edge_r, fc)
    # support: every scored pair (down to SUPPORT_FLOOR) by record, in both directions
    # (CSR arrays: the neighbours of record i are near_to[start[i]:start[i + 1]]), to
    # weigh a join of two clusters by all the pairs between them
    near_start: list[int] = []
    near_to: list[int] = []
    near_p: list[float] = []
    if support is not None and len(pairs):
        ok = (all_p >= SUPPORT_FLOOR) & (all_l >= 0) & (all_r >= 0)
        ul, ur, up = all_l, all_r, all_p
        ul, ur, up = ul[ok], ur[ok], up[ok]
        src = np.empty(2 * len(ul), dtype=np.int64)
        dst = np.empty(2 * len(ul), dtype=np.int64)
        val = np.empty(2 * len(ul), dtype=np.float64)
        src[0::2], src[1::2] = ul, ur
        dst[0::2], dst[1::2] = ur, ul
        val[0::2], val[1::2] = up, up
        directed = pd.DataFrame({"src": src, "dst": dst, "p": val})
        if directed.duplicated(["src", "dst"]).any():
            # a pair given twice: its first place, its last probability (as a dict)
            directed = directed.groupby(["src", "dst"], sort=False, as_index=False).last()
        by_src = np.argsort(directed["src"].to_numpy(), kind="stable")
        near_to = directed["dst"].to_numpy()[by_src].tolist()
        near_p = directed["p"].to_numpy()[by_src].tolist()
        counts = np.bincount(directed["src"].to_numpy(), minlength=n)
        near_start = np.concatenate([[0], np.cumsum(counts)]).tolist()

    # union by size: root[i] is the cluster of record i, members[r] the records of a
    # cluster of several (a record alone is its own root and only member)
    root = list(range(n))
    members: dict[int, list[int]] = {}
    last_p = [1.0] * n
    # per root: its cluster's sexes and national ids (sets shared between records, never
    # changed in place), lowest and highest birth year
    none: frozenset[str] = frozenset()
    sexes: list[frozenset[str]] = [none] * n
    nids: list[frozenset[str]] = [none] * n
    by_lo: list[int | None] = [None] * n
    by_hi: list[int | None] = [None] * n
    if attributes:
        one: dict[str, frozenset[str]] = {}
        for rid, i in index.items():
            sx, by, nid = attributes.get(rid, (None, None, None))
            if sx:
                sexes[i] = one.get(sx) or one.setdefault(sx, frozenset((sx,)))
            if nid:
                nids[i] = frozenset((nid,))
            by_lo[i] = by_hi[i] = by

    def compatible(ra: int, rb: int) -> bool:
        sa, sb = sexes[ra], sexes[rb]
        if len(sa) > 1 or len(sb) > 1 or (sa and sb and sa != sb):
            return False  # two sexes
        na, nb = nids[ra], nids[rb]
        if na and nb and _ids_conflict(na, nb):
            return False
        # the spread of the birth years of both (None: no year in a cluster, and then
        # none at either end)
        loa, lob, hia, hib = by_lo[ra], by_lo[rb], by_hi[ra], by_hi[rb]
        if loa is None or hia is None:
            return lob is None or hib is None or hib - lob <= max_birth_year_spread
        if lob is None or hib is None:
            return hia - loa <= max_birth_year_spread
        return max(hia, hib) - min(loa, lob) <= max_birth_year_spread

    def one_per_list(ra: int, rb: int) -> bool:
        # two records of one list end in one cluster only when their own pair links them
        ma, mb = members.get(ra, [ra]), members.get(rb, [rb])
        la: dict[str, list[int]] = {}
        for m in ma:
            if list_at[m] is not None:
                la.setdefault(list_at[m], []).append(m)  # type: ignore[arg-type]
        for m in mb:
            for o in la.get(list_at[m], ()):  # type: ignore[arg-type]
                if min(m, o) * (n + 1) + max(m, o) not in strong:
                    return False
        return True

    def supported(ra: int, rb: int, size_a: int, size_b: int) -> bool:
        small, big = (ra, rb) if size_a <= size_b else (rb, ra)
        total = 0.0
        for m in members.get(small, (small,)):
            for k in range(near_start[m], near_start[m + 1]):
                if root[near_to[k]] == big:
                    total += near_p[k]
        return total >= support * size_a * size_b  # type: ignore[operator]

    blocked = incompatible = unsupported = same_list = 0
    order_l = edge_l[by_strength].tolist()
    order_r = edge_r[by_strength].tolist()
    order_p = edge_p[by_strength].tolist()
    order_f = is_forced[by_strength].tolist()
    for ia, ib, p, is_f in zip(order_l, order_r, order_p, order_f, strict=True):
        ra, rb = root[ia], root[ib]
        if ra == rb:
            continue
        ma, mb = members.get(ra), members.get(rb)
        size_a = len(ma) if ma is not None else 1
        size_b = len(mb) if mb is not None else 1
        if (size_a > 1 or size_b > 1) and not is_f:
            if support is not None and not supported(ra, rb, size_a, size_b):
                unsupported += 1
                continue
            if attributes and not compatible(ra, rb):
                incompatible += 1
                continue
            if list_of and not one_per_list(ra, rb):
                same_list += 1
                continue
        if size_a < size_b:
            ra, rb, ma, mb = rb, ra, mb, ma
        small_m = mb if mb is not None else [rb]
        if cannot and any(m in cannot and cannot[m] for m in small_m):
            big = set(ma if ma is not None else [ra])
            if any(cannot.get(m, set()) & big for m in small_m):
                blocked += 1
                continue
        if attributes:
            if not sexes[rb] <= sexes[ra]:
                sexes[ra] = sexes[ra] | sexes[rb]
            if not nids[rb] <= nids[ra]:
                nids[ra] = nids[ra] | nids[rb]
            lo_a, lo_b, hi_a, hi_b = by_lo[ra], by_lo[rb], by_hi[ra], by_hi[rb]
            if lo_a is None or hi_a is None:
                by_lo[ra], by_hi[ra] = lo_b, hi_b
            elif lo_b is not None and hi_b is not None:
                by_lo[ra], by_hi[ra] = min(lo_a, lo_b), max(hi_a, hi_b)
        if ma is None:
            ma = members[ra] = [ra]
        for m in small_m:
            root[m] = ra
        ma.extend(small_m)
        members.pop(rb, None)
        last_p[ra] = min(last_p[ra], last_p[rb], p)
    cluster_of: dict[str, str] = {}
    probability: dict[str, float] = {}
    # cluster id: the smallest record id in the cluster (stable across runs)
    roots: dict[int, str] = {}
    for i, rid in enumerate(record_ids):
        r = root[i]
        if r not in roots or rid < roots[r]:
            roots[r] = rid
    for i, rid in enumerate(record_ids):
        r = root[i]
        cluster_of[rid] = roots[r]
        probability[rid] = last_p[r] if r in members else 1.0
    return Clustering(cluster_of, probability, blocked, incompatible, unsupported, same_list)


def record_attributes(df: pd.DataFrame) -> dict[str, tuple[str | None, int | None, str | None]]:
    """Sex, birth year and national id of each prepared record (the output of
    :func:`dalil.linkage.model.prepare`), for the cluster-level checks."""
    if df.empty:
        return {}
    with paused_gc():
        return _record_attributes(df)


def _record_attributes(df: pd.DataFrame) -> dict[str, tuple[str | None, int | None, str | None]]:
    nothing = [None] * len(df)
    sex = df["sex"].tolist() if "sex" in df else nothing
    nid = df["national_id"].tolist() if "national_id" in df else nothing
    by = df["birth_year"].tolist() if "birth_year" in df else nothing
    return dict(
        zip(
            (str(u) for u in df["unique_id"].tolist()),
            zip(
                [s if isinstance(s, str) and s else None for s in sex],
                [int(b) if b is not None and not pd.isna(b) else None for b in by],
                [n if isinstance(n, str) and n else None for n in nid],
                strict=True,
            ),
            strict=True,
        )
    )


def record_lists(df: pd.DataFrame) -> dict[str, str]:
    """The list of each prepared record (``list`` of :func:`dalil.linkage.model.prepare`),
    for the check that one cluster holds a list's records only where they are linked to
    each other; empty unless the records come from two lists or more (a single list is
    linked to find its duplicates, and chains of them stay joined)."""
    if df.empty or "list" not in df:
        return {}
    out = {
        str(u): lst
        for u, lst in zip(df["unique_id"], df["list"], strict=True)
        if isinstance(lst, str) and lst
    }
    return out if len(set(out.values())) > 1 else {}


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
