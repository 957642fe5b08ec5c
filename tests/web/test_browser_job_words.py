"""Browser check: a job followed on its page in Arabic — its lines while it waits, and
once it has finished (the page's script follows it and draws the page again), are Arabic
words. Fictional data. Screenshot in ``test-artifacts/web/``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dalil.services import jobs
from dalil.testing import TEST_PASSPHRASE, run_job
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import USERS, password_for, seed_case
from .test_browser import browser, page, pytestmark, serving, shot

__all__ = ["browser", "page", "pytestmark"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """A case of its own and no inline job runner: the job stays queued until the test
    runs it (reading a queued job's page wakes an app's runner; another app's runner on a
    shared case could take it too)."""
    root = tmp_path_factory.mktemp("jobwords") / "case"
    seed_case(root)
    app = create_app(
        root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100), inline_jobs=False
    )
    with serving(app) as url:
        yield url, app
    app.state.case.close()


def _arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def test_a_job_followed_in_arabic_reads_in_arabic(page: Any, served: tuple[str, Any]) -> None:
    server, app = served
    case = app.state.case
    with case.act(USERS["admin"]) as ctx:  # queued: no worker runs it yet
        jid = int(jobs.submit(ctx, "fixity", {"report_every": 1})["id"])
    page.goto(f"{server}/login?lang=ar")
    page.fill("#username", USERS["admin"])
    page.fill("#password", password_for("admin"))
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("load")
    page.goto(f"{server}/jobs/{jid}")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#job").get_attribute("data-state") == "queued"
    first = page.locator("#job-messages li").all_inner_texts()
    assert first and all(_arabic(x) for x in first), first
    # a worker runs it now: the page's script follows it and draws the page again
    assert run_job(case, jid, timeout=120) == "done"
    page.wait_for_selector("#job[data-state=done]", timeout=60_000)
    lines = page.locator("#job-messages li").all_inner_texts()
    assert len(lines) > len(first)
    assert all(_arabic(x) for x in lines), lines
    assert not any(w in " ".join(lines) for w in ("checked", "finished", "attempt", "queued"))
    # the result's labels too (not the report's keys)
    labels = page.locator("#job-result dt").all_inner_texts()
    assert labels and all(_arabic(x) for x in labels), labels
    shot(page, "job-log-ar")
    assert not page.console_errors, page.console_errors
