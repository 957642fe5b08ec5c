"""The review API: a reason once per review session, names per pair (logged), undo, the
decisions list and blind double review, through the same services as the pages."""

from __future__ import annotations

import json
from typing import Any

from dalil.core import audit

from .conftest import USERS, Client


def bearer(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def test_analyst_names_a_pair_within_a_review_session_decides_and_undoes(
    client: Client, seeded: dict[str, Any], app: Any
) -> None:
    h = bearer(seeded, "analyst")
    plain = client.get("/api/v1/lists/pairs/2-5", headers=h).json()
    assert "names" not in plain["a"] and plain["fields"] and plain["pair"] == "2-5"
    r = client.post("/api/v1/lists/review-sessions", json={"reason": "no"}, headers=h)
    assert r.status_code == 422
    sess = client.post(
        "/api/v1/lists/review-sessions", json={"reason": "API review (fictional)"}, headers=h
    ).json()
    named = client.post(
        "/api/v1/lists/pairs/2-5/names", json={"review_session": sess["id"]}, headers=h
    ).json()
    assert named["a"]["names"]["full_name"] == "Fictional Beta Two"
    # another user may not use the analyst's session, nor a viewer see names at all
    for role in ("investigator", "viewer"):
        r = client.post(
            "/api/v1/lists/pairs/2-5/names",
            json={"review_session": sess["id"]},
            headers=bearer(seeded, role),
        )
        assert r.status_code == 403, (role, r.text)
        assert "Fictional Beta" not in r.text
    with app.state.case.act(USERS["admin"], write=False) as ctx:
        e = audit.query(ctx.session, action="linkage.reveal", limit=1)[0]
    assert e.actor == USERS["analyst"]
    assert json.loads(e.detail) == {"reason": "API review (fictional)",
                                    "review_session": sess["id"]}  # fmt: skip
    r = client.post("/api/v1/lists/decide", json={"pair": "2-5", "verdict": "reject"}, headers=h)
    assert r.status_code == 200, r.text
    made = client.get("/api/v1/lists/decisions", headers=bearer(seeded, "viewer")).json()
    assert any(d["pair"] == "2-5" and d["verdict"] == "reject" for d in made)
    undone = client.post("/api/v1/lists/pairs/2-5/undo", json={}, headers=h).json()
    assert undone["previous"] == "reject"
    made = client.get("/api/v1/lists/decisions", headers=h).json()
    assert all(d["pair"] != "2-5" for d in made)
    r = client.post("/api/v1/lists/pairs/2-5/undo", json={}, headers=h)
    assert r.status_code == 409


def test_blind_agreement_is_readable_by_every_role_and_queues_only_by_deciders(
    client: Client, seeded: dict[str, Any]
) -> None:
    rep = client.get("/api/v1/lists/blind/agreement", headers=bearer(seeded, "viewer")).json()
    assert {"decided_by_both", "percent_agreement", "cohen_kappa"} <= set(rep)
    assert client.get("/api/v1/lists/blind", headers=bearer(seeded, "legal")).status_code == 403
    mine = client.get("/api/v1/lists/blind", headers=bearer(seeded, "investigator")).json()
    assert set(mine) == {"agreement", "queue", "disputes"}
