"""The workbench over a case on SQLite and on PostgreSQL (skipped where none is set up):
login, paged lists, reveal with a logged reason, evidence upload and download."""

from __future__ import annotations

from typing import Any

from dalil.core.case import Case
from dalil.web import create_app

from .conftest import Client

PASSWORD = "pw-any-db-fictional"


def test_workbench_on_sqlite_and_postgres(any_case: Case) -> None:
    from dalil.services import persons, users

    with any_case.act("admin") as ctx:
        users.update_user(ctx, "admin", password=PASSWORD)
        for i in range(12):
            persons.add_person(
                ctx, pseudonym=f"W-{i}", legal_name=f"Fictional Name {i}", roles=["witness"]
            )
        token, _ = users.issue_token(ctx, "admin")
    app = create_app(case=any_case)
    c = Client(app)
    try:
        t = c.csrf("/login")
        r = c.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": t})
        assert r.status_code == 303
        html = c.get("/persons?limit=5&offset=5").text
        assert "W-5" in html and "W-9" in html and "W-10" not in html
        assert "Fictional Name" not in html
        h = {"Authorization": f"Bearer {token}"}
        page = c.get("/api/v1/persons?limit=5&offset=10", headers=h).json()
        assert page["total"] == 12 and [p["pseudonym"] for p in page["items"]] == ["W-10", "W-11"]
        pid = page["items"][0]["id"]
        r = c.post(f"/api/v1/persons/{pid}/reveal", json={"reason": "fictional check"}, headers=h)
        assert r.json()["legal_name"] == "Fictional Name 10"
        up = c.post(
            "/api/v1/evidence", params={"name": "a.txt"}, content=b"fictional bytes", headers=h
        )
        assert up.status_code == 201
        got = c.get(f"/api/v1/evidence/{up.json()['sha256']}/content", headers=h)
        assert got.content == b"fictional bytes"
        audit = c.get("/api/v1/audit?action=person.reveal", headers=h).json()
        assert audit["items"][0]["detail"]["reason"] == "fictional check"
        verify: Any = c.post("/api/v1/audit/verify", headers=h).json()
        assert verify["ok"] is True
    finally:
        c.close()
