"""Source upload from the workbench: the API call the page's script makes."""

from __future__ import annotations

from typing import Any

from .conftest import Client


def test_page_offers_the_upload_form(client: Client) -> None:
    client.login("investigator")
    r = client.get("/sources/new")
    assert 'id="source-upload-form"' in r.text and 'action="/api/v1/sources/upload"' in r.text


def test_upload_creates_a_readable_source(client: Client) -> None:
    client.login("investigator")
    t = client.csrf("/sources/new")
    body = (
        b"Fictional Herald, 2 April 2025. The Fictional Herald reported that 9 civilians "
        b"were killed in the fictional hamlet of Ayn Zarqa.\n"
    )
    r = client.post(
        "/api/v1/sources/upload",
        params={"name": "herald.txt", "title": "Fictional Herald story", "kind": "article"},
        content=body,
        headers={"X-CSRF-Token": t, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    assert data["source"]["title"] == "Fictional Herald story"
    assert data["evidence"]["copy_kind"] == "evidentiary"
    reading = client.get(f"/api/v1/sources/{data['source']['id']}/reading")
    assert reading.status_code == 200
    assert "Ayn Zarqa" in "".join(s.get("text", "") for s in reading.json()["segments"])


def test_viewer_cannot_upload_a_source(client: Client) -> None:
    client.login("viewer")
    t = client.csrf("/sources/new")
    r = client.post(
        "/api/v1/sources/upload",
        params={"name": "x.txt", "title": "Fictional"},
        content=b"fictional",
        headers={"X-CSRF-Token": t},
    )
    assert r.status_code == 403


def test_bad_date_answers_422_naming_the_field(client: Client) -> None:
    client.login("investigator")
    t = client.csrf("/sources/new")
    r = client.post(
        "/api/v1/sources/upload",
        params={"name": "x.txt", "title": "Fictional", "published": "2025-13-01"},
        content=b"fictional text",
        headers={"X-CSRF-Token": t},
    )
    assert r.status_code == 422 and "published" in r.text
