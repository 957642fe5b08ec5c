"""Pair review by a team (issue 11 item 6): who may see the names of a pair, decide and
undo; a reason stated once per review session, each pair's reveal logged on its own;
the pair view field by field with what drove the score. Fictional data."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, PermissionDenied
from dalil.model.lists import LinkDecision, ListRecord, ReviewPair
from dalil.services import lists, pair_review


def _first_pair(case: Case) -> str:
    with case.act("coord", write=False) as ctx:
        return str(lists.review(ctx, limit=1)[0]["pair"])


def test_analyst_states_a_reason_once_and_each_pair_reveal_is_logged_citing_it(
    rcase: Case,
) -> None:
    with rcase.act("ana", write=False) as ctx:
        queue = lists.review(ctx, limit=3)
    assert len(queue) == 3
    with rcase.act("ana") as ctx:
        sess = pair_review.start_review(ctx, "checking duplicates in the fictional lists")
    for item in queue:
        with rcase.act("ana") as ctx:
            view = pair_review.pair_view(ctx, item["pair"], review_session=sess["id"])
        assert view["a"]["names"] and view["b"]["names"]
    with rcase.act("coord", write=False) as ctx:
        reveals = audit.query(ctx.session, action="linkage.reveal")
    mine = [e for e in reveals if e.actor == "ana"]
    assert len(mine) == 3  # one entry per pair, not one for the session
    for e, item in zip(mine, queue, strict=True):
        d = json.loads(e.detail)
        assert d["reason"] == "checking duplicates in the fictional lists"
        assert d["review_session"] == sess["id"]
        a, b = item["pair"].split("-")
        assert json.loads(e.object_ids) == [f"list_record:{a}", f"list_record:{b}"]


def test_without_a_review_session_no_name_is_shown(rcase: Case) -> None:
    pair = _first_pair(rcase)
    with rcase.act("ana") as ctx:
        view = pair_review.pair_view(ctx, pair)
    assert "names" not in view["a"] and "names" not in view["b"]


def test_a_review_session_is_its_owners_only_and_ends(rcase: Case) -> None:
    pair = _first_pair(rcase)
    with rcase.act("ana") as ctx:
        sess = pair_review.start_review(ctx, "fictional review of the queue")
    with pytest.raises(PermissionDenied), rcase.act("ivy") as ctx:
        pair_review.pair_view(ctx, pair, review_session=sess["id"])  # ana's reason is not ivy's
    with rcase.act("ana") as ctx:
        pair_review.end_review(ctx, sess["id"])
    with pytest.raises(Conflict), rcase.act("ana") as ctx:
        pair_review.pair_view(ctx, pair, review_session=sess["id"])


def test_a_reason_too_short_is_refused_next_to_the_field(rcase: Case) -> None:
    with pytest.raises(InputError) as e, rcase.act("ana") as ctx:
        pair_review.start_review(ctx, "  ok ")
    assert e.value.field == "reason"


@pytest.mark.parametrize("user", ["vic"])
def test_a_viewer_may_neither_see_names_nor_decide(rcase: Case, user: str) -> None:
    pair = _first_pair(rcase)
    with pytest.raises(PermissionDenied), rcase.act(user) as ctx:
        pair_review.start_review(ctx, "a fictional reason")
    with pytest.raises(PermissionDenied), rcase.act(user) as ctx:
        lists.decide(ctx, pair, "accept")


def test_legal_sees_names_but_may_not_decide(rcase: Case) -> None:
    pair = _first_pair(rcase)
    with rcase.act("lee") as ctx:
        sess = pair_review.start_review(ctx, "a fictional legal check")
        assert pair_review.pair_view(ctx, pair, review_session=sess["id"])["a"]["names"]
    with pytest.raises(PermissionDenied), rcase.act("lee") as ctx:
        lists.decide(ctx, pair, "accept")


@pytest.mark.parametrize("user", ["ana", "ivy"])
def test_analyst_and_investigator_decide_and_undo_and_the_next_run_respects_the_latest(
    rcase: Case, user: str
) -> None:
    pair = _first_pair(rcase)
    a, b = (int(x) for x in pair.split("-"))
    with rcase.act(user) as ctx:
        lists.decide(ctx, pair, "reject", note="fictional: different fathers")
    with rcase.act(user, write=False) as ctx:
        made = pair_review.decisions(ctx)
        assert [d["pair"] for d in made] == [pair]
        assert made[0]["verdict"] == "reject" and made[0]["decided_by"] == user
        assert pair not in {x["pair"] for x in lists.review(ctx, limit=500)}
    with rcase.act("coord") as ctx:
        lists.link(ctx, review_low=0.05)
    with rcase.act("coord", write=False) as ctx:
        ra, rb = ctx.session.get(ListRecord, a), ctx.session.get(ListRecord, b)
        assert ra is not None and rb is not None and ra.person_id != rb.person_id
    with rcase.act(user) as ctx:
        undone = pair_review.undo(ctx, pair, note="fictional: decided too fast")
    assert undone["previous"] == "reject"
    with rcase.act(user, write=False) as ctx:
        assert pair_review.decisions(ctx) == []
        # back in the queue at once, scored by the latest model
        assert pair in {x["pair"] for x in lists.review(ctx, limit=500)}
        assert ctx.session.scalar(select(LinkDecision)) is None
    with rcase.act("coord", write=False) as ctx:
        entries = audit.query(ctx.session, action="linkage.undo")
    assert len(entries) == 1 and entries[0].actor == user
    assert json.loads(entries[0].detail)["previous"] == "reject"
    with rcase.act("coord") as ctx:
        res = lists.link(ctx, review_low=0.05)
    assert res["decisions_applied"] == {"accept": 0, "reject": 0}


def test_undo_of_a_pair_never_decided_is_refused(rcase: Case) -> None:
    pair = _first_pair(rcase)
    with pytest.raises(Conflict), rcase.act("ana") as ctx:
        pair_review.undo(ctx, pair)


def test_pair_view_explains_the_score_field_by_field(rcase: Case) -> None:
    with rcase.act("ana", write=False) as ctx:
        item = lists.review(ctx, limit=1)[0]
        view = pair_review.pair_view(ctx, item["pair"])
        explained = lists.explain(ctx, item["pair"])
    assert view["probability"] == pytest.approx(item["probability"], abs=1e-3)
    fields = {f["field"]: f for f in view["fields"]}
    assert fields and set(fields) == {f["field"] for f in explained["fields"]}
    for f in view["fields"]:
        assert f["bayes_factor"] == pytest.approx(2 ** f["weight"], rel=0.05)
        assert f["direction"] == ("same" if f["weight"] > 0.1 else
                                  "different" if f["weight"] < -0.1 else "neither")  # fmt: skip
    # the fields are ordered by how much they drove the score
    weights = [abs(f["weight"]) for f in view["fields"]]
    assert weights == sorted(weights, reverse=True)
    assert {"sex", "birth_year", "date_of_death"} <= set(view["a"])


def test_decide_then_pair_view_shows_the_decision(rcase: Case) -> None:
    pair = _first_pair(rcase)
    with rcase.act("ana") as ctx:
        lists.decide(ctx, pair, "accept")
    with rcase.act("ivy", write=False) as ctx:
        view = pair_review.pair_view(ctx, pair)
    assert view["decision"]["verdict"] == "accept" and view["decision"]["decided_by"] == "ana"
    a, b = (int(x) for x in pair.split("-"))
    with rcase.act("ana", write=False) as ctx:
        q = select(ReviewPair).where(ReviewPair.record_a == a, ReviewPair.record_b == b)
        assert ctx.session.scalar(q) is None  # decided: out of the queue
