from __future__ import annotations

from typing import Any

from .conftest import LEGAL_NAME, Client


def test_login_then_dashboard_and_persons_list(client: Client) -> None:
    client.login("viewer")
    r = client.get("/")
    assert r.status_code == 200, r.text
    r = client.get("/persons")
    assert r.status_code == 200
    assert "W-1" in r.text
    assert LEGAL_NAME not in r.text


def test_api_lists_persons_with_token(client: Client, seeded: dict[str, Any]) -> None:
    tok = seeded["tokens"]["viewer"]
    r = client.get("/api/v1/persons", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= 7 and any(p["pseudonym"] == "W-1" for p in body["items"])
    assert LEGAL_NAME not in r.text
