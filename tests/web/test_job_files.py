"""A job's output file kept in its row by a job older than the vault-kept files still
downloads, through the page and the API, with the same headers."""

from __future__ import annotations

import hashlib
from typing import Any

from dalil.services import jobs
from dalil.services.jobs import _add_file

from .conftest import USERS, Client


def test_an_older_jobs_inline_output_still_downloads(client: Client, app: Any) -> None:
    case = app.state.case
    with case.act(USERS["admin"]) as ctx:
        jid = int(jobs.submit(ctx, "fixity", {})["id"])
        _add_file(ctx, jid, "output", "old-report.html", b"<html>fictional</html>", "text/html")
    client.login("admin")
    for url in (f"/jobs/{jid}/files/old-report.html", f"/api/v1/jobs/{jid}/files/old-report.html"):
        r = client.get(url)
        assert r.status_code == 200, r.text
        assert r.content == b"<html>fictional</html>"
        assert r.headers["x-content-sha256"] == hashlib.sha256(r.content).hexdigest()
        assert r.headers["content-length"] == str(len(r.content))
    assert client.get(f"/jobs/{jid}/files/none.html").status_code == 404
