"""Incremental linkage: a new list against an earlier run's model and clusters
(generated fictional lists with known truth)."""

from __future__ import annotations

from typing import Any

import pytest

from dalil.linkage.clusters import pairwise_scores
from dalil.linkage.incremental import cluster_incremental, score_new_records
from dalil.linkage.io import load_lists
from dalil.linkage.link import LinkOutput, link_records
from dalil.synth.lists import SynthLists, generate


@pytest.fixture(scope="module")
def runs(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[SynthLists, list[dict[str, Any]], list[dict[str, Any]], LinkOutput, LinkOutput]:
    folder = tmp_path_factory.mktemp("lists")
    res = generate(300, 4, seed=3, out_dir=folder)
    names = list(res.lists)
    old, _ = load_lists([folder / f"{n}.csv" for n in names[:-1]])
    new, _ = load_lists([folder / f"{names[-1]}.csv"])
    return res, old, new, link_records(old), link_records(old + new)


def test_a_new_list_joins_existing_clusters_like_a_full_relink(runs) -> None:  # type: ignore[no-untyped-def]
    res, old, new, base, full = runs
    scored = score_new_records(old, new, base.result.model_json)
    pairs, attrs = scored.pairs, scored.attributes
    ids = [str(r["record_id"]) for r in new]
    # only pairs that involve a new record are scored
    assert len(pairs) and all(
        a in ids or b in ids for a, b in zip(pairs.unique_id_l, pairs.unique_id_r, strict=True)
    )
    inc = cluster_incremental(base.clustering.cluster_of, base.clustering.probability, ids,
                              pairs, 0.9, attributes=attrs)  # fmt: skip
    assert set(inc.cluster_of) == {str(r["record_id"]) for r in old + new}
    # existing clusters are kept whole
    for cid in set(base.clustering.cluster_of.values()):
        members = [r for r, c in base.clustering.cluster_of.items() if c == cid]
        assert len({inc.cluster_of[m] for m in members}) == 1
    # new records did join existing people
    assert sum(1 for i in ids if inc.cluster_of[i] in base.clustering.cluster_of.values()) > 50
    truth = res.truth_map()
    f_inc = pairwise_scores(inc.cluster_of, truth)["f1"]
    f_full = pairwise_scores(full.clustering.cluster_of, truth)["f1"]
    agree = pairwise_scores(inc.cluster_of, full.clustering.cluster_of)["f1"]
    assert f_inc >= f_full - 0.03 and agree >= 0.95


def test_reviewed_decisions_hold_in_an_incremental_run(runs) -> None:  # type: ignore[no-untyped-def]
    _, old, new, base, _ = runs
    scored = score_new_records(old, new, base.result.model_json)
    pairs, attrs = scored.pairs, scored.attributes
    ids = [str(r["record_id"]) for r in new]
    inc = cluster_incremental(base.clustering.cluster_of, base.clustering.probability, ids,
                              pairs, 0.9, attributes=attrs)  # fmt: skip
    joined = next(i for i in ids if inc.cluster_of[i] in base.clustering.cluster_of.values())
    mate = next(r for r, c in base.clustering.cluster_of.items() if c == inc.cluster_of[joined])
    alone = next(i for i in ids if inc.cluster_of[i] == i and i != joined)
    again = cluster_incremental(base.clustering.cluster_of, base.clustering.probability, ids,
                                pairs, 0.9, rejected=[(joined, mate)], attributes=attrs,
                                accepted=[(alone, mate)])  # fmt: skip
    assert again.cluster_of[joined] != again.cluster_of[mate]
    assert again.cluster_of[alone] == again.cluster_of[mate]


def test_fields_the_earlier_model_never_compared_are_reported(runs) -> None:  # type: ignore[no-untyped-def]
    _, old, new, _, _ = runs
    blind = [{k: v for k, v in r.items() if k not in ("place_of_death", "locality")}
             for r in old]  # fmt: skip
    model = link_records(blind).result.model_json
    scored = score_new_records(blind, new, model)
    assert "place_key" in scored.unused_fields
    assert score_new_records(old, new, runs[3].result.model_json).unused_fields == []
