"""A linkage run keeps what the review views show (issues 11 and 16): each pair's
probability, match weight and field-by-field contributions, so that viewing a pair or a
cluster is a read. What it keeps equals what scoring the pair again gives; a run made
before runs kept them still displays (scored again). Fictional data."""

from __future__ import annotations

from itertools import combinations
from typing import Any

import pytest
from sqlalchemy import delete, select

from dalil.core.case import Case
from dalil.linkage import incremental
from dalil.model.lists import ListRecord, PairExplanation, ReviewPair
from dalil.services import lists, pair_review


def _clusters(case: Case) -> dict[int, list[int]]:
    with case.act("coord", write=False) as ctx:
        out: dict[int, list[int]] = {}
        for r in ctx.session.scalars(select(ListRecord).where(ListRecord.person_id.is_not(None))):
            assert r.person_id is not None
            out.setdefault(r.person_id, []).append(r.id)
    return out


def _explanation(view: dict[str, Any]) -> tuple[Any, ...]:
    return view["model_probability"], view["match_weight"], view["fields"]


def test_the_run_keeps_every_queue_pair_and_every_pair_within_a_cluster(rcase: Case) -> None:
    with rcase.act("coord", write=False) as ctx:
        kept = {e.pair: e for e in ctx.session.scalars(select(PairExplanation))}
        queue = list(ctx.session.scalars(select(ReviewPair)))
    assert queue
    for rp in queue:
        e = kept[f"{rp.record_a}-{rp.record_b}"]
        # the run's probability for the pair, as its queue holds it
        assert e.probability == pytest.approx(rp.probability, abs=1e-6)
        assert e.fields and all(set(f) == {"field", "level", "weight"} for f in e.fields)
    multi = [ids for ids in _clusters(rcase).values() if len(ids) > 1]
    assert multi
    for ids in multi:
        for a, b in combinations(sorted(ids), 2):
            assert f"{a}-{b}" in kept


def test_kept_explanations_equal_the_pairs_scored_again(rcase: Case) -> None:
    """Every pair the run kept, scored again on its own (as a view did before runs kept
    them): the same probability, match weight, levels and weights."""
    with rcase.act("coord", write=False) as ctx:
        kept = {e.pair: e for e in ctx.session.scalars(select(PairExplanation))}
        model = lists._latest_model(ctx)
        records = lists._explain_records(ctx)
    assert len(kept) >= 10
    # every queue pair and cluster, each scored in a session of its own
    groups: list[list[str]] = [p.split("-") for p in kept if not _in_cluster(p, rcase)]
    groups += [[str(i) for i in ids] for ids in _clusters(rcase).values() if len(ids) > 1]
    again: dict[str, dict[str, Any]] = {}
    for g in groups[:40]:
        for item in incremental.explain_pairs(records, g, model, protected=True):
            again[f"{item['a']}-{item['b']}"] = item
    assert len(again) >= 10
    for pair, item in again.items():
        e = kept[pair]
        assert (e.probability, e.match_weight, e.fields) == (
            item["probability"], item["match_weight"], item["fields"]
        )  # fmt: skip


def _in_cluster(pair: str, case: Case) -> bool:
    a, b = (int(x) for x in pair.split("-"))
    return any(a in ids and b in ids for ids in _clusters(case).values())


def test_viewing_a_pair_or_a_cluster_is_a_read(
    rcase: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    with rcase.act("ana", write=False) as ctx:
        pairs = [item["pair"] for item in lists.review(ctx, limit=3)]
        stored = [_explanation(pair_review.pair_view(ctx, p)) for p in pairs]
        pid, ids = next((p, i) for p, i in _clusters(rcase).items() if len(i) > 2)
        cluster = lists.cluster_view(ctx, pid)["links"]

    def no_scoring(*_a: Any, **_k: Any) -> Any:
        raise AssertionError("a view scored the pair again")

    with monkeypatch.context() as m:
        m.setattr(incremental, "explain_pairs", no_scoring)
        with rcase.act("ana", write=False) as ctx:
            assert [_explanation(pair_review.pair_view(ctx, p)) for p in pairs] == stored
            assert lists.cluster_view(ctx, pid)["links"] == cluster
    assert len(cluster) == len(ids) * (len(ids) - 1) // 2
    # strongest first; pairs the model is equally sure of in pair order, kept or not
    order = [(-x["probability"], *map(int, x["pair"].split("-"))) for x in cluster]
    assert order == sorted(order)
    assert all(s[2] for s in stored)


def test_a_run_made_before_runs_kept_explanations_still_displays(rcase: Case) -> None:
    with rcase.act("ana", write=False) as ctx:
        pairs = [item["pair"] for item in lists.review(ctx, limit=3)]
        stored = [_explanation(pair_review.pair_view(ctx, p)) for p in pairs]
        pid = next(p for p, i in _clusters(rcase).items() if len(i) > 2)
        cluster = lists.cluster_view(ctx, pid)["links"]
    with rcase.act("coord") as ctx:
        ctx.session.execute(delete(PairExplanation))
    with rcase.act("ana", write=False) as ctx:
        assert not lists.stored_explanations(ctx, pairs)
        again = [_explanation(pair_review.pair_view(ctx, p)) for p in pairs]
        assert lists.cluster_view(ctx, pid)["links"] == cluster
    assert again == stored


def test_a_new_run_replaces_what_the_last_one_kept(rcase: Case) -> None:
    with rcase.act("coord", write=False) as ctx:
        before = {e.pair for e in ctx.session.scalars(select(PairExplanation))}
    with rcase.act("coord") as ctx:
        out = lists.link(ctx, review_low=0.05, threshold=0.99)
    with rcase.act("coord", write=False) as ctx:
        rows = list(ctx.session.scalars(select(PairExplanation)))
        latest = ctx.session.scalar(
            select(lists.LinkageRun.id).order_by(lists.LinkageRun.id.desc())
        )
    assert out["pairs_explained"] == len(rows) and {e.run_id for e in rows} == {latest}
    assert {e.pair for e in rows} == before
