"""A list's key (``after``, ``before``) beyond any id is refused as invalid input, in the
API and the pages, not answered with a fault."""

from __future__ import annotations

from typing import Any

from .conftest import Client


def test_a_key_beyond_any_id_is_refused_not_a_fault(
    client: Client, seeded: dict[str, Any], make_client: Any
) -> None:
    """An ``after`` past a 64-bit integer answered 500 (SQLite OverflowError), found by
    the schema test; it is refused as invalid input."""
    bearer = {"Authorization": f"Bearer {seeded['tokens']['viewer']}"}
    r = client.get("/api/v1/sources?after=99999999999999999999", headers=bearer)
    assert r.status_code == 422, r.text
    viewer = make_client()
    viewer.login("viewer")
    assert viewer.get("/sources?after=99999999999999999999&before=1").status_code == 422
