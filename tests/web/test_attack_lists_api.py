"""Attacks on the victim-list pages and API (issue 18, break 12): a viewer read the
original file name of a list stored as sensitive evidence. Lists are fictional."""

from __future__ import annotations

from .conftest import Client


def test_viewer_does_not_see_the_original_file_name_of_a_sensitive_list(
    client: Client, make_client: object
) -> None:
    client.login("viewer")
    rows = client.get("/api/v1/lists").json()
    assert rows and all(r["original_name"] is None for r in rows)
    assert "Fictional-list-A.csv" not in client.get("/api/v1/lists").text
    admin = make_client()  # type: ignore[operator]
    admin.login("admin")
    names = {r["original_name"] for r in admin.get("/api/v1/lists").json()}
    assert "Fictional-list-A.csv" in names


CANARY = "Fictional-Canary-Name"


def test_not_found_answers_never_repeat_the_submitted_value(
    client: Client, make_client: object
) -> None:
    """Issue 18, break 16: some 404/422 answers repeated what was submitted."""
    client.login("admin")
    t = client.csrf("/users")
    r = client.post(f"/users/{CANARY}/unlock", data={"csrf_token": t, "reason": "fictional"})
    assert r.status_code == 404 and CANARY not in r.text, [
        ln for ln in r.text.splitlines() if CANARY in ln
    ]
    api = make_client()  # type: ignore[operator]
    api.login("admin")
    for url in (f"/api/v1/evidence/{CANARY}", f"/api/v1/sources/compare?a={CANARY}&b=1"):
        r = api.get(url)
        assert r.status_code in (404, 422), (url, r.status_code)
        assert CANARY not in r.text, (url, r.text)
