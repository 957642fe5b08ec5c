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
