"""Browser tests: Playwright driving Debian's Chromium against a real uvicorn server on
127.0.0.1, plus axe-core accessibility checks in English and Arabic.

Screenshots go to ``test-artifacts/web/`` (gitignored) for people to look at.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import LEGAL_NAME, USERS, password_for

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"browser tests need Chromium at {CHROMIUM} (installed by .ci/run)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """*app* served by uvicorn in a thread on a free loopback port, until the block ends."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not th.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        th.join(timeout=10)


@pytest.fixture(scope="module")
def server(browser_root: Path) -> Iterator[str]:
    app = create_app(browser_root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    with serving(app) as url:
        yield url
    app.state.case.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    yield pg
    ctx.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def login(page: Any, server: str, role: str, next_path: str = "/") -> None:
    page.goto(f"{server}/login?next={next_path}")
    page.get_by_label("User name").fill(USERS[role]) if page.locator("html").get_attribute(
        "lang"
    ) == "en" else page.fill("#username", USERS[role])
    page.fill("#password", password_for(role))
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, page.content()[:500]


def test_login_with_the_keyboard_and_see_the_dashboard(page: Any, server: str) -> None:
    page.goto(f"{server}/")
    assert "/login" in page.url
    assert page.evaluate("document.activeElement.id") == "username"  # autofocus
    page.keyboard.type(USERS["investigator"])
    page.keyboard.press("Tab")
    page.keyboard.type(password_for("investigator"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/")
    assert page.locator("h1").inner_text() == "Dashboard"
    page.keyboard.press("Tab")  # the skip link is the first stop, and visible when focused
    assert page.evaluate("document.activeElement.className") == "skip-link"
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    shot(page, "dashboard-en")
    assert not page.console_errors, page.console_errors


def test_upload_a_source_file_with_progress(
    page: Any, server: str, seeded: dict[str, Any], tmp_path: Path
) -> None:
    login(page, server, "investigator", "/sources/new")
    page.fill("#title", "Fictional field report (browser test)")
    page.select_option("#kind", "report")
    page.fill("#published", "2025-03-20")
    page.locator("form[action='/sources/new'] button[type=submit]").click()
    page.wait_for_url(f"{server}/sources/*")
    source_id = page.url.rsplit("/", 1)[1]
    assert "Fictional field report (browser test)" in page.content()
    f = tmp_path / "field-report-fictional.txt"
    f.write_bytes(b"Fictional field notes: 12 houses searched. " * 20000)  # ~900 kB
    page.goto(f"{server}/evidence/upload")
    page.set_input_files("#file", str(f))
    page.select_option("#source", source_id)
    page.locator("#upload-form button[type=submit]").click()
    page.wait_for_selector("#uploaded-link", timeout=30_000)
    assert page.eval_on_selector("#progress", "e => e.value") == 100
    status = page.inner_text("#upload-status")
    import hashlib

    assert hashlib.sha256(f.read_bytes()).hexdigest() in status
    shot(page, "evidence-upload")
    page.click("#uploaded-link")
    page.wait_for_load_state("load")
    assert "evidence.add" in page.content()  # custody history shows the ingest
    assert not page.console_errors, page.console_errors


def test_open_a_comparison(page: Any, server: str, seeded: dict[str, Any]) -> None:
    login(page, server, "analyst", "/sources/compare")
    page.select_option("#a", str(seeded["source"]))
    page.select_option("#b", str(seeded["source2"]))
    page.locator("form[action='/sources/compare'][method=get] button").click()
    page.wait_for_selector("#comparison-result")
    assert page.get_attribute("#direction", "data-code") == "derivative_of_source"
    assert "derivative_of_source" not in page.inner_text("#main")  # shown in words
    assert page.locator("mark.reused").count() >= 2
    assert page.locator("tr.verdict-trimmed, tr.verdict-altered").count() >= 1
    shot(page, "comparison")


COMPARE_EARLIER = (
    "The Fictional Commission said at least 60 people died in the shelling of the district. "
    '"What appears to be an attempt to drive residents from the district must stop '
    'immediately," said Commissioner Lio Example.'
)
COMPARE_LATER = (
    '"A deliberate attempt to drive residents from the district must stop immediately," '
    "Lio Example said. The Fictional Commission said at least 60 people were murdered in "
    "the shelling of the district."
)


@pytest.mark.parametrize(
    ("lang", "verdict", "flag"),
    [
        ("en", "Quoted with words changed", "a hedge was left out"),
        ("ar", "منقول مع تغيير كلمات", "حُذفت صيغة التحفظ"),
    ],
)
def test_comparison_in_words_with_changed_words_marked(
    page: Any, server: str, lang: str, verdict: str, flag: str
) -> None:
    # Invented texts: a hedge turned into "deliberate", "died" into "were murdered".
    login(page, server, "analyst", "/sources/compare")
    page.goto(f"{server}/sources/compare?lang={lang}")
    page.fill("#earlier", COMPARE_EARLIER)
    page.fill("#later", COMPARE_LATER)
    page.locator("form[action='/sources/compare'][method=post] button").click()
    page.wait_for_selector("#comparison-result")
    row = page.locator("tr.verdict-altered")
    assert verdict in row.inner_text() and flag in row.inner_text()
    # The changed words, highlighted on both sides.
    assert row.locator("mark.q-add").first.inner_text() == "A deliberate"
    assert row.locator("mark.q-omit").first.inner_text() == "What appears to be an"
    changes = page.locator("table").filter(has_text="murdered")
    assert changes.count() >= 1
    shot(page, f"comparison-words-{lang}")
    assert not page.console_errors, page.console_errors


def test_reveal_a_protected_field_with_a_reason(
    page: Any, server: str, seeded: dict[str, Any]
) -> None:
    login(page, server, "legal", f"/persons/{seeded['person']}")
    assert LEGAL_NAME not in page.content()
    page.get_by_label("Reason for revealing (logged)").fill("Preparing a fictional court filing")
    page.get_by_role("button", name="Reveal protected fields").click()
    page.wait_for_selector(".revealed")
    assert LEGAL_NAME in page.inner_text(".protected")
    shot(page, "person-revealed")
    page.reload()  # a reload re-submits nothing silently and shows the masked page?
    page.goto(f"{server}/persons/{seeded['person']}")
    assert LEGAL_NAME not in page.content()


def test_switch_to_arabic_sets_rtl(page: Any, server: str) -> None:
    login(page, server, "viewer")
    page.locator(".lang-switch a[hreflang=ar]").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("h1").inner_text() == "لوحة المتابعة"
    # Logical properties mirror the layout: the header tools sit on the left in RTL.
    nav = page.locator(".main-nav").bounding_box()
    tools = page.locator(".header-tools").bounding_box()
    assert tools["x"] < nav["x"]
    shot(page, "dashboard-ar")
    page.goto(f"{server}/persons")  # the choice sticks (cookie)
    assert page.locator("html").get_attribute("dir") == "rtl"
    shot(page, "persons-ar")
    page.goto(f"{server}/incidents/map")
    shot(page, "map-ar")


MAIN_PAGES = [
    "/",
    "/persons",
    "/persons/{person}",
    "/sources",
    "/sources/{source}",
    "/incidents",
    "/incidents/timeline",
    "/incidents/map",
    "/evidence",
    "/evidence/upload",
    "/audit",
    "/users",
    "/sources/compare",
    "/lists",
    "/estimates",
    "/search?q=Qarya",
    "/same-media",
]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_serious_or_critical_accessibility_violations(
    browser: Any, server: str, seeded: dict[str, Any], lang: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ctx = browser.new_context()
    page = ctx.new_page()
    try:
        page.goto(f"{server}/login?lang={lang}")
        problems = _axe_problems(axe, page, "/login")
        login(page, server, "admin")
        for tpl in MAIN_PAGES:
            url = tpl.format(person=seeded["person"], source=seeded["source"])
            page.goto(f"{server}{url}")
            assert page.locator("html").get_attribute("lang") == lang
            problems += _axe_problems(axe, page, url)
            if url in ("/estimates", "/lists", "/sources/compare"):
                shot(page, f"{url.strip('/').replace('/', '-')}-{lang}")
        assert not problems, "\n".join(problems)
    finally:
        ctx.close()


def _axe_problems(axe: Any, page: Any, url: str) -> list[str]:
    results = axe.run(page)
    out = []
    for v in results.response["violations"]:
        if v.get("impact") in ("serious", "critical"):
            targets = [n.get("target") for n in v.get("nodes", [])][:3]
            out.append(f"{url}: {v['id']} ({v['impact']}): {v['help']} {targets}")
    return out


def test_run_the_linkage_and_follow_its_progress(page: Any, server: str) -> None:
    login(page, server, "analyst", "/lists")
    page.get_by_role("button", name="Run the linkage").click()
    page.wait_for_url(f"{server}/jobs/*")
    page.wait_for_selector("#job[data-state=done]", timeout=120_000)
    assert page.inner_text("#job-state") == "Finished."
    assert page.locator("#job-messages li").count() >= 1
    assert "Victims" in page.inner_text("#job-result")  # the result in words, not its keys
    shot(page, "linkage-run")
    assert not page.console_errors, page.console_errors


def _queue(root: Path) -> str:
    """The case's jobs in one line each (for a timeout's message: what ran before)."""
    from sqlalchemy import select

    from dalil.core.case import Case
    from dalil.model.job import Job

    case = Case.open(root, TEST_PASSPHRASE)
    try:
        with case.system_session(write=False) as s:
            rows = s.execute(
                select(
                    Job.id, Job.kind, Job.state, Job.worker, Job.lock_key, Job.attempts, Job.error
                )
            ).all()
    finally:
        case.close()
    return "\n".join(" ".join(str(x) for x in r) for r in rows)


def test_run_an_estimate_follow_it_and_record_it_for_the_report(
    page: Any, server: str, browser_root: Path
) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    login(page, server, "analyst", "/estimates")
    page.get_by_label("Method").select_option("loglinear")
    page.get_by_label("Linkage draws").fill("3")
    page.get_by_label("Seed").fill("11")
    page.get_by_role("button", name="Run the estimate (background job)").click()
    page.wait_for_url(f"{server}/jobs/*")
    # the page reloads itself once the job has finished, to show the result in words
    try:
        page.wait_for_selector("#estimate-result", timeout=120_000)
    except PlaywrightTimeout:
        pytest.fail(f"no result on {page.url}; the case's jobs:\n{_queue(browser_root)}")
    assert "Why this model" in page.inner_text("#estimate-result")
    assert "Interval without the linkage" in page.inner_text("#estimate-result")
    job_url = page.url
    page.get_by_label("What was estimated").fill("Fictional browser estimate")
    page.get_by_role("button", name="Record for the report").click()
    page.wait_for_url(f"{server}/estimates*")
    card = page.locator("section.card", has_text="Fictional browser estimate")
    assert card.count() == 1 and "from job" in card.inner_text()
    assert card.locator("a", has_text="from job").get_attribute("href") == job_url.removeprefix(
        server
    )
    shot(page, "estimate-recorded")
    assert not page.console_errors, page.console_errors
