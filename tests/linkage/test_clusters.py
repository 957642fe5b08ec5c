"""Clustering scored pairs: thresholds, the weakest-link probability, decisions."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.linkage.clusters import cluster, pairwise_scores

from .cluster_reference import reference_cluster


def _pairs(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_chain_probability_is_the_weakest_link_and_singletons_are_one() -> None:
    ids = ["a", "b", "c", "d"]
    c = cluster(ids, _pairs([("a", "b", 0.99), ("b", "c", 0.93), ("c", "d", 0.5)]), 0.9)
    assert c.cluster_of["a"] == c.cluster_of["b"] == c.cluster_of["c"] == "a"
    assert c.cluster_of["d"] == "d"
    assert c.probability["a"] == c.probability["c"] == 0.93
    assert c.probability["d"] == 1.0


def test_rejected_pair_is_never_clustered_even_through_a_chain() -> None:
    """A reviewer's reject must hold although a ↔ b ↔ c would join a and c."""
    ids = ["a", "b", "c"]
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.95)])
    c = cluster(ids, pairs, 0.9, rejected=[("a", "c")])
    assert c.cluster_of["a"] != c.cluster_of["c"]
    assert c.cluster_of["a"] == c.cluster_of["b"]  # the stronger link wins
    assert c.blocked_joins == 1


def test_accepted_pair_links_below_threshold_with_probability_one() -> None:
    c = cluster(["a", "b"], _pairs([("a", "b", 0.2)]), 0.9, accepted=[("a", "b")])
    assert c.cluster_of["a"] == c.cluster_of["b"]
    assert c.probability["a"] == 1.0


def test_rejected_pair_link_itself_is_dropped() -> None:
    c = cluster(["a", "b"], _pairs([("a", "b", 0.999)]), 0.9, rejected=[("b", "a")])
    assert c.cluster_of["a"] != c.cluster_of["b"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9), st.floats(0.0, 1.0)), max_size=40),
    st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), max_size=5),
    st.floats(0.05, 1.0),
)
def test_clusters_respect_every_rejection_and_threshold(
    edges: list[tuple[int, int, float]], rejects: list[tuple[int, int]], threshold: float
) -> None:
    ids = [f"r{i}" for i in range(10)]
    pairs = _pairs([(f"r{a}", f"r{b}", p) for a, b, p in edges if a != b])
    rej = [(f"r{a}", f"r{b}") for a, b in rejects if a != b]
    c = cluster(ids, pairs, threshold, rejected=rej)
    for a, b in rej:
        assert c.cluster_of[a] != c.cluster_of[b]
    for rid in ids:
        members = [x for x in ids if c.cluster_of[x] == c.cluster_of[rid]]
        if len(members) > 1:
            assert threshold <= c.probability[rid] <= 1.0
        else:
            assert c.probability[rid] == 1.0


def test_pairwise_scores_count_pairs_and_exact_clusters() -> None:
    truth = {"a": "1", "b": "1", "c": "1", "d": "2"}
    pred = {"a": "x", "b": "x", "c": "y", "d": "y"}
    s = pairwise_scores(pred, truth)
    assert s["true_pairs"] == 3 and s["predicted_pairs"] == 2
    assert s["precision"] == 0.5 and abs(s["recall"] - 1 / 3) < 1e-9
    assert s["cluster_accuracy"] == 0.0


def test_cluster_checks_refuse_a_chain_joining_incompatible_records() -> None:
    """A brother (a) and his sister (c) each match a record with no sex (b) strongly:
    the chain a-b-c must not put a man and a woman in one cluster; a reviewer's
    accepted pair is never refused."""
    import pandas as pd

    from dalil.linkage.clusters import cluster

    pairs = pd.DataFrame(
        {
            "unique_id_l": ["a", "b", "d", "e"],
            "unique_id_r": ["b", "c", "e", "f"],
            "match_probability": [0.99, 0.97, 0.99, 0.98],
        }
    )
    attrs = {
        "a": ("m", 1990, None), "b": (None, None, None), "c": ("f", 1991, None),
        "d": ("m", 1950, "X1"), "e": ("m", None, None), "f": ("m", 1990, None),
    }  # fmt: skip
    plain = cluster(list("abcdef"), pairs, 0.9)
    assert plain.cluster_of["a"] == plain.cluster_of["c"]
    checked = cluster(list("abcdef"), pairs, 0.9, attributes=attrs)
    assert checked.cluster_of["a"] == checked.cluster_of["b"] != checked.cluster_of["c"]
    # birth years 40 apart (1950 and 1990) are refused too
    assert checked.cluster_of["d"] == checked.cluster_of["e"] != checked.cluster_of["f"]
    assert checked.incompatible_joins == 2
    decided = cluster(list("abcdef"), pairs, 0.9, attributes=attrs, accepted=[("b", "c")])
    assert decided.cluster_of["b"] == decided.cluster_of["c"]


def test_cluster_checks_judge_chains_not_single_pairs_and_forgive_an_id_typo() -> None:
    """Two records joined directly are the model's call (it weighs sex and id itself);
    a national id mistyped by one swap is not two ids; ids far apart split a chain."""
    from dalil.linkage.clusters import cluster

    pairs = pd.DataFrame(
        {
            "unique_id_l": ["a", "c", "d", "e"],
            "unique_id_r": ["b", "x", "e", "f"],
            "match_probability": [0.99, 0.98, 0.99, 0.97],
        }
    )
    attrs = {
        "a": ("m", 1990, "4051234"), "b": ("f", 1990, "9990000"),  # one strong pair
        "c": ("m", 1980, "5550123"), "x": ("m", 1980, "5550213"),  # 1 and 2 swapped
        "d": ("m", 1970, "7771111"), "e": ("m", 1970, None), "f": ("m", 1970, "1234567"),
    }  # fmt: skip
    checked = cluster(list("abcxdef"), pairs, 0.9, attributes=attrs)
    assert checked.cluster_of["a"] == checked.cluster_of["b"]
    assert checked.cluster_of["c"] == checked.cluster_of["x"]
    assert checked.cluster_of["d"] == checked.cluster_of["e"] != checked.cluster_of["f"]
    assert checked.incompatible_joins == 1


def test_support_refuses_a_namesake_chained_in_by_one_link() -> None:
    """Records a, b, c are one man (all pairs strong); d matches only c (a namesake
    who shares c's sparse fields) — joining d needs the pairs with a and b too."""
    ids = ["a", "b", "c", "d"]
    pairs = _pairs([("a", "b", 0.99), ("a", "c", 0.97), ("b", "c", 0.98), ("c", "d", 0.95),
                    ("a", "d", 0.05)])  # fmt: skip
    plain = cluster(ids, pairs, 0.9)
    assert len(set(plain.cluster_of.values())) == 1  # single link: d chained in
    c = cluster(ids, pairs, 0.9, support=0.4)
    assert c.cluster_of["a"] == c.cluster_of["b"] == c.cluster_of["c"] != c.cluster_of["d"]
    assert c.unsupported_joins == 1


def test_support_joins_a_cluster_whose_members_all_match() -> None:
    ids = ["a", "b", "c", "d"]
    pairs = _pairs([("a", "b", 0.99), ("c", "d", 0.99), ("b", "c", 0.6), ("a", "c", 0.55),
                    ("a", "d", 0.5), ("b", "d", 0.45)])  # fmt: skip
    assert len(set(cluster(ids, pairs, 0.9, support=0.4).cluster_of.values())) == 2
    # at a join threshold of 0.5 the two pairs join: the four pairs between them
    # average 0.525
    c = cluster(ids, pairs, 0.5, support=0.4)
    assert len(set(c.cluster_of.values())) == 1 and c.unsupported_joins == 0
    # links kept from an earlier run (or accepted) are never refused for want of support
    kept = [("a", "b", 0.95), ("c", "d", 0.95), ("b", "c", 0.92)]
    c = cluster(ids, _pairs([]), 0.9, support=0.4, kept=kept)
    assert len(set(c.cluster_of.values())) == 1 and c.unsupported_joins == 0


def test_a_second_record_of_one_list_joins_only_by_its_own_link() -> None:
    """A namesake chain: a (list 1) and c (list 1) both match b (list 2) strongly, but
    not each other: a list names a person once, so only one of them joins b. A real
    duplicate inside a list (a and d, linked directly) still joins."""
    ids = ["a", "b", "c"]
    lists = {"a": "list_1", "b": "list_2", "c": "list_1"}
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.95), ("a", "c", 0.2)])
    plain = cluster(ids, pairs, 0.9)
    assert len(set(plain.cluster_of.values())) == 1  # without the check: all three
    c = cluster(ids, pairs, 0.9, list_of=lists)
    assert c.cluster_of["a"] == c.cluster_of["b"] != c.cluster_of["c"]  # the stronger link
    assert c.same_list_joins == 1
    # a duplicate inside list 1 that is linked to its twin joins
    ids4 = ["a", "b", "d"]
    lists4 = {"a": "list_1", "b": "list_2", "d": "list_1"}
    dup = _pairs([("a", "b", 0.99), ("b", "d", 0.95), ("a", "d", 0.93)])
    c = cluster(ids4, dup, 0.9, list_of=lists4)
    assert len(set(c.cluster_of.values())) == 1 and c.same_list_joins == 0
    # a reviewer's accepted pair is never refused by the check, and it decides which
    # of the two joins b
    c = cluster(ids, pairs, 0.9, list_of=lists, accepted=[("b", "c")])
    assert c.cluster_of["b"] == c.cluster_of["c"] != c.cluster_of["a"]
    # a reviewer who accepts a and c as one record listed twice links all three
    c = cluster(ids, pairs, 0.9, list_of=lists, accepted=[("a", "c")])
    assert len(set(c.cluster_of.values())) == 1 and c.same_list_joins == 0
    # records with no list (or in different lists) are not held by it
    c = cluster(ids, pairs, 0.9, list_of={"a": "list_1", "b": "list_2", "c": "list_3"})
    assert len(set(c.cluster_of.values())) == 1


_SEXES = st.sampled_from([None, "m", "f"])
_YEARS = st.one_of(st.none(), st.integers(1950, 1990))
_NIDS = st.sampled_from([None, "1234", "1243", "9999", "99"])


@settings(max_examples=300, deadline=None)
@given(
    st.integers(2, 14),
    st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13), st.floats(0.0, 1.0)), max_size=60),
    st.lists(st.tuples(_SEXES, _YEARS, _NIDS), min_size=14, max_size=14),
    st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=4),
    st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), max_size=3),
    st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13), st.floats(0.0, 1.0)), max_size=3),
    st.sampled_from([0.3, 0.5, 0.7, 0.9]),
    st.sampled_from([None, 0.2, 0.4, 0.6]),
    st.booleans(),
    st.lists(st.sampled_from([None, "L1", "L2", "L3"]), min_size=14, max_size=14),
    st.booleans(),
)
def test_fast_clustering_gives_the_clusters_of_the_pure_python_one(
    n: int,
    edges: list[tuple[int, int, float]],
    attrs: list[tuple[str | None, int | None, str | None]],
    accepts: list[tuple[int, int]],
    rejects: list[tuple[int, int]],
    kept: list[tuple[int, int, float]],
    threshold: float,
    support: float | None,
    with_attributes: bool,
    lists: list[str | None],
    with_lists: bool,
) -> None:
    """The clustering made fast (arrays, no Python loop per scored pair) gives exactly
    the clusters, probabilities and counts of the pure-Python one it replaced, with
    every option: decisions, kept links, cluster-level checks, support and the check of
    one record per list. Probabilities
    are drawn from few values so that ties (and their order) are exercised."""
    ids = [f"r{i}" for i in range(n)]
    # coarse probabilities: many ties, as in real scores (0.999… for exact matches)
    rows = [(f"r{a}", f"r{b}", round(p, 1)) for a, b, p in edges if a != b]
    pairs = _pairs(rows)
    attributes = {f"r{i}": attrs[i] for i in range(n)} if with_attributes else None
    acc = [(f"r{a}", f"r{b}") for a, b in accepts if a != b]
    rej = [(f"r{a}", f"r{b}") for a, b in rejects if a != b]
    kp = [(f"r{a}", f"r{b}", round(p, 1)) for a, b, p in kept if a != b]
    list_of = {f"r{i}": x for i, x in enumerate(lists[:n]) if x} if with_lists else None
    kw = {"accepted": acc, "rejected": rej, "attributes": attributes, "kept": kp,
          "support": support, "list_of": list_of}  # fmt: skip
    new = cluster(ids, pairs, threshold, **kw)  # type: ignore[arg-type]
    old = reference_cluster(ids, pairs, threshold, **kw)  # type: ignore[arg-type]
    assert new.cluster_of == old.cluster_of
    assert new.probability == old.probability
    assert (
        new.blocked_joins,
        new.incompatible_joins,
        new.unsupported_joins,
        new.same_list_joins,
    ) == (old.blocked_joins, old.incompatible_joins, old.unsupported_joins, old.same_list_joins)
