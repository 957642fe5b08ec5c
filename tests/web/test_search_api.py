"""``GET /api/v1/search``: the same service as ``dalil search``, within each role's rights."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import Client


def _h(seeded: dict[str, Any], role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded['tokens'][role]}"}


def test_search_api_roles(client: Client, seeded: dict[str, Any]) -> None:
    r = client.get("/api/v1/search", params={"q": "amber-lantern"}, headers=_h(seeded, "analyst"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] >= 1 and body["hits"][0]["kind"] == "source"
    assert "<mark>amber</mark>" in body["hits"][0]["snippet"]
    assert set(body["hits"][0]) == {"kind", "id", "label", "snippet", "score"}
    # a viewer does not read evidence content
    r = client.get("/api/v1/search", params={"q": "amber-lantern"}, headers=_h(seeded, "viewer"))
    assert r.status_code == 200 and r.json()["total"] == 0
    r = client.get(
        "/api/v1/search",
        params={"q": "x", "protected": "true", "reason": "probing"},
        headers=_h(seeded, "viewer"),
    )
    assert r.status_code == 403
    r = client.get(
        "/api/v1/search", params={"q": "x", "kind": "bogus"}, headers=_h(seeded, "analyst")
    )
    assert r.status_code == 422 and "unknown kind" in r.json()["error"]
    assert client.get("/api/v1/search", params={"q": "x"}).status_code == 401
