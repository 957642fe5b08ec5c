"""Source upload from the workbench: the API call the page's script makes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dalil.services import jobs
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import Client, seed_case


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
    assert r.status_code == 202, r.text
    data: dict[str, Any] = r.json()
    assert data["source"]["title"] == "Fictional Herald story"
    assert data["evidence"]["copy_kind"] == "evidentiary"
    assert data["text"] is None and isinstance(data["text_job"], int)
    assert r.headers["location"] == data["text_job_url"] == f"/api/v1/jobs/{data['text_job']}"
    assert jobs.wait(client.app.state.case, data["text_job"], timeout=60) == "done"
    job = client.get(data["text_job_url"]).json()
    # plain UTF-8 text is its own text: no separate working copy, and no error
    assert job["kind"] == "source_text" and job["result"]["text_error"] is None, job
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


@pytest.fixture(scope="module")
def queued_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A case of its own whose app runs no job: the test runs the worker itself."""
    root: Path = tmp_path_factory.mktemp("sourcetextcase") / "case"
    seed_case(root)
    application = create_app(
        root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=1000), inline_jobs=False
    )
    yield application
    application.state.case.close()


def test_text_is_extracted_by_a_job_and_the_page_says_so_meanwhile(queued_app: Any) -> None:
    client = Client(queued_app)
    try:
        client.login("investigator")
        t = client.csrf("/sources/new")
        body = (
            b"<html><body><p>Fictional Courier, 3 May 2025. Seven fictional civilians were "
            b"killed in the fictional village of Dayr Samak. Marker: saffron-kite-19.</p>"
            b"</body></html>"
        )
        r = client.post(
            "/api/v1/sources/upload",
            params={"name": "courier.html", "title": "Fictional Courier story"},
            content=body,
            headers={"X-CSRF-Token": t, "Content-Type": "application/octet-stream"},
        )
        assert r.status_code == 202, r.text
        data = r.json()
        sid, jid = data["source"]["id"], data["text_job"]
        page = client.get(f"/sources/{sid}")
        assert page.status_code == 200
        assert "Extracting text…" in page.text and f'href="/jobs/{jid}"' in page.text
        assert "saffron-kite-19" not in page.text  # not extracted inside the request
        assert client.get(f"/api/v1/jobs/{jid}").json()["state"] == "queued"
        worker = jobs.Worker(queued_app.state.case, poll_seconds=0.1)
        assert worker.run_once()
        assert client.get(f"/api/v1/jobs/{jid}").json()["state"] == "done"
        page = client.get(f"/sources/{sid}")
        assert "Extracting text…" not in page.text and "saffron-kite-19" in page.text
    finally:
        client.close()


def test_a_failed_extraction_job_is_named_on_the_page(queued_app: Any) -> None:
    client = Client(queued_app)
    try:
        client.login("investigator")
        t = client.csrf("/sources/new")
        r = client.post(
            "/api/v1/sources/upload",
            params={"name": "courier.txt", "title": "Fictional note"},
            content=b"A short fictional note about nothing in particular.\n",
            headers={"X-CSRF-Token": t, "Content-Type": "application/octet-stream"},
        )
        assert r.status_code == 202, r.text
        jid = r.json()["text_job"]
        cancelled = client.post(f"/api/v1/jobs/{jid}/cancel", headers={"X-CSRF-Token": t})
        assert cancelled.status_code == 200, cancelled.text
        page = client.get(f"/sources/{r.json()['source']['id']}")
        assert "Extracting text…" not in page.text
        assert "The text extraction did not finish:" in page.text and f"/jobs/{jid}" in page.text
    finally:
        client.close()
