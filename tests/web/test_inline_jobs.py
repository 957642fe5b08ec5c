"""The app's inline job runner (where no worker process runs: tests, an app embedded
elsewhere) runs a job that was queued without it: by the CLI or another process on the
same case, or left queued when its thread stopped on a database error. The job's page,
followed by its owner, wakes it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from dalil.core.case import Case
from dalil.services import jobs
from dalil.testing import TEST_PASSPHRASE
from dalil.web.app import create_app

from .conftest import USERS, Client, seed_case


def test_a_job_queued_outside_the_app_runs_once_its_page_is_followed(tmp_path: Path) -> None:
    ids: dict[str, Any] = seed_case(tmp_path / "case")
    other = Case.open(tmp_path / "case", TEST_PASSPHRASE)  # as the CLI would
    try:
        with other.act(USERS["admin"]) as ctx:
            jid = int(jobs.submit(ctx, "fixity", {})["id"])
    finally:
        other.close()
    app = create_app(tmp_path / "case", TEST_PASSPHRASE)
    client = Client(app)
    try:
        runner = app.state.job_runner
        assert runner is not None and runner._thread is None  # nothing woke it yet
        client.login("admin")
        deadline = time.monotonic() + 60
        state = ""
        while time.monotonic() < deadline:
            r = client.get(
                f"/api/v1/jobs/{jid}", headers={"Authorization": "Bearer " + ids["tokens"]["admin"]}
            )
            assert r.status_code == 200, r.text
            state = r.json()["state"]
            if state not in ("queued", "running"):
                break
            time.sleep(0.2)
        assert state == "done", state
    finally:
        client.close()
        app.state.case.close()
