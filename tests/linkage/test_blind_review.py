"""Blind double review of victim-list pairs (issue 16 item 4): two reviewers decide a
pair independently, neither learns the other's decision (nor that one exists) before
both decided; agreement reported; a disagreement settled by a third. Fictional data."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict, PermissionDenied
from dalil.model.lists import ListRecord
from dalil.services import blind_review, lists, pair_review
from dalil.testing import build_review_case as build


def _pairs(case: Case, n: int) -> list[str]:
    with case.act("coord", write=False) as ctx:
        return [str(p["pair"]) for p in lists.review(ctx, limit=n) if "p" not in p["pair"]]


def _both_vote(case: Case, pair: str, first: str, second: str) -> None:
    """ana then ivy vote on *pair*, under blind review already started."""
    with case.act("ana") as ctx:
        blind_review.vote(ctx, pair, first)
    with case.act("ivy") as ctx:
        blind_review.vote(ctx, pair, second)


def _everything_seen_by(case: Case, user: str, pair: str) -> dict[str, Any]:
    """All a reviewer can read about *pair* and the blind review through the services."""
    with case.act(user, write=False) as ctx:
        seen = {
            "pair_view": pair_review.pair_view(ctx, pair),
            "queue": blind_review.queue(ctx),
            "disputes": blind_review.disputes(ctx),
            "agreement": blind_review.agreement(ctx),
            "decisions": pair_review.decisions(ctx),
            "review": lists.review(ctx, limit=500),
        }
    return json.loads(json.dumps(seen, default=str))


def test_blind_reviewer_never_sees_the_other_reviewers_decision_before_both_decided(
    rcase: Case,
) -> None:
    """Attack: the second reviewer looks for the first one's vote (pair page, queues,
    decisions, agreement figures, audit log) to follow it instead of judging alone."""
    pair, other = _pairs(rcase, 2)
    with rcase.act("coord") as ctx:
        assert blind_review.start(ctx, [pair, other])["started"] == [pair, other]
    before = _everything_seen_by(rcase, "ivy", pair)
    with rcase.act("coord", write=False) as ctx:
        last = audit.query(ctx.session, limit=1)[0].seq
    with rcase.act("ana") as ctx:
        blind_review.vote(ctx, pair, "accept")
    after = _everything_seen_by(rcase, "ivy", pair)
    assert after == before  # nothing ivy can read changed with ana's vote
    assert after["pair_view"]["blind"] == {"status": "open", "my_vote": None,
                                           "may_vote": True, "may_settle": False}  # fmt: skip
    with rcase.act("ivy", write=False) as ctx:  # investigators read the audit log
        new = [e for e in audit.query(ctx.session, limit=50) if e.seq > last]
    assert [e.action for e in new] == ["linkage.blind_vote"]
    a, b = pair.split("-")
    text = json.dumps([e.object_ids for e in new] + [e.detail for e in new])
    assert "accept" not in text and pair not in text
    assert f"list_record:{a}" not in text and f"list_record:{b}" not in text
    # ana sees her own vote, and only hers
    with rcase.act("ana", write=False) as ctx:
        mine = blind_review.state(ctx, pair)
        assert mine is not None and mine["my_vote"] == "accept" and "votes" not in mine
        assert blind_review.queue(ctx)["waiting"][0]["pair"] == pair
    # deciding the pair outside the blind review is refused (it would skip the second vote)
    with pytest.raises(Conflict), rcase.act("ivy") as ctx:
        lists.decide(ctx, pair, "reject")
    with rcase.act("ivy") as ctx:
        res = blind_review.vote(ctx, pair, "reject")
    assert res["status"] == "disputed"
    assert {(v["reviewer"], v["verdict"]) for v in res["votes"]} == {("ana", "accept"),
                                                                       ("ivy", "reject")}  # fmt: skip


def test_agreeing_blind_votes_become_the_decision_and_later_runs_keep_it(rcase: Case) -> None:
    (pair,) = _pairs(rcase, 1)
    with rcase.act("ana") as ctx:
        blind_review.start(ctx, [pair])
        blind_review.vote(ctx, pair, "reject")
    with rcase.act("ivy") as ctx:
        assert blind_review.vote(ctx, pair, "reject")["status"] == "agreed"
    with rcase.act("lee", write=False) as ctx:
        made = pair_review.decisions(ctx)
    assert [(d["pair"], d["verdict"], d["blind"]) for d in made] == [(pair, "reject", True)]
    assert made[0]["decided_by"] == "ana, ivy (blind)"
    with rcase.act("coord") as ctx:
        assert lists.link(ctx, review_low=0.05)["decisions_applied"]["reject"] == 1
    a, b = (int(x) for x in pair.split("-"))
    with rcase.act("coord", write=False) as ctx:
        ra, rb = ctx.session.get(ListRecord, a), ctx.session.get(ListRecord, b)
        assert ra is not None and rb is not None and ra.person_id != rb.person_id


def test_a_disagreement_waits_for_a_third_reviewer_whose_decision_settles_it(
    rcase: Case,
) -> None:
    (pair,) = _pairs(rcase, 1)
    with rcase.act("coord") as ctx:
        blind_review.start(ctx, [pair])
    _both_vote(rcase, pair, "accept", "reject")
    with rcase.act("ida", write=False) as ctx:
        (d,) = blind_review.disputes(ctx)
        assert d["pair"] == pair and d["may_settle"]
        assert pair_review.decisions(ctx) == []  # nothing decided yet
    with pytest.raises(Conflict), rcase.act("ana") as ctx:  # a blind voter cannot settle it
        blind_review.settle(ctx, pair, "accept")
    with rcase.act("ida") as ctx:
        blind_review.settle(ctx, pair, "accept", note="fictional: same father and date")
    with rcase.act("ida", write=False) as ctx:
        assert blind_review.disputes(ctx) == []
        (made,) = pair_review.decisions(ctx)
        rep = blind_review.agreement(ctx)
    assert (made["verdict"], made["decided_by"]) == ("accept", "ida (third reviewer)")
    assert rep["settled_by_third"] == 1 and rep["disagreed"] == 1 and rep["agreed"] == 0


def test_agreement_report_gives_counts_percent_and_cohens_kappa(rcase: Case) -> None:
    pairs = _pairs(rcase, 4)
    votes = [("accept", "accept"), ("reject", "reject"), ("accept", "reject"),
             ("accept", "accept")]  # fmt: skip
    with rcase.act("coord") as ctx:
        blind_review.start(ctx, pairs)
    for pair, (first, second) in zip(pairs, votes, strict=True):
        _both_vote(rcase, pair, first, second)
    with rcase.act("vic", write=False) as ctx:
        rep = blind_review.agreement(ctx)
    assert (rep["decided_by_both"], rep["agreed"], rep["disagreed"]) == (4, 3, 1)
    assert rep["percent_agreement"] == 75.0
    # p_o = 0.75; first accepts 3/4, second 2/4: p_e = 0.75*0.5 + 0.25*0.5 = 0.5
    assert rep["cohen_kappa"] == 0.5
    assert rep["by_reviewers"] == [{"reviewers": ["ana", "ivy"], "pairs": 4, "agreed": 3,
                                    "percent_agreement": 75.0}]  # fmt: skip


def test_a_vote_in_the_log_is_a_commitment_checked_when_the_pair_closes(rcase: Case) -> None:
    (pair,) = _pairs(rcase, 1)
    with rcase.act("coord") as ctx:
        blind_review.start(ctx, [pair])
    _both_vote(rcase, pair, "accept", "accept")
    with rcase.act("coord", write=False) as ctx:
        votes = {json.loads(e.object_ids)[0]: e for e in
                 audit.query(ctx.session, action="linkage.blind_vote")}  # fmt: skip
        (close,) = audit.query(ctx.session, action="linkage.blind_close")
    detail = json.loads(close.detail)
    assert detail["outcome"] == "agreed" and len(detail["votes"]) == 2
    for v in detail["votes"]:
        entry = votes[f"blind_vote:{v['vote']}"]
        change = {"item": detail["item"], "verdict": v["verdict"], "salt": v["salt"]}
        digest = hashlib.sha256(audit.canonical_json(change).encode()).hexdigest()
        assert digest == entry.digest


def test_roles_that_may_not_decide_cannot_vote_and_nobody_votes_twice(rcase: Case) -> None:
    (pair,) = _pairs(rcase, 1)
    with rcase.act("coord") as ctx:
        blind_review.start(ctx, [pair])
    for user in ("lee", "vic"):
        with pytest.raises(PermissionDenied), rcase.act(user) as ctx:
            blind_review.vote(ctx, pair, "accept")
    with rcase.act("ana") as ctx:
        blind_review.vote(ctx, pair, "accept")
    with pytest.raises(Conflict), rcase.act("ana") as ctx:
        blind_review.vote(ctx, pair, "reject")


@pytest.mark.postgres
def test_blind_review_is_stored_durably_on_postgresql(pg_schema_url: str, tmp_path: Path) -> None:
    from dalil.testing import TEST_PASSPHRASE

    case = build(tmp_path / "case", database=pg_schema_url)
    try:
        (pair,) = _pairs(case, 1)
        with case.act("coord") as ctx:
            blind_review.start(ctx, [pair])
        with case.act("ana") as ctx:
            blind_review.vote(ctx, pair, "reject")
    finally:
        case.close()
    case = Case.open(tmp_path / "case", TEST_PASSPHRASE)  # a restart
    try:
        with case.act("ivy") as ctx:
            assert blind_review.vote(ctx, pair, "reject")["status"] == "agreed"
        with case.act("ivy", write=False) as ctx:
            assert pair_review.decisions(ctx)[0]["pair"] == pair
    finally:
        case.close()
