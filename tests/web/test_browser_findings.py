"""Browser test of the legal assessment: Debian's Chromium records element findings
through the act page as one legal analyst, is refused its own sign-off, and a second
legal analyst signs it off. axe-core checks the act page in English and Arabic.

Screenshots go to ``test-artifacts/web/``. All people and places are fictional.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import USERS, password_for
from .test_browser import _axe_problems, browser, page, pytestmark, serving, shot

__all__ = ["browser", "page", "pytestmark"]  # fixtures and marks shared with test_browser

REVIEWER = "lee-browser"
REVIEWER_PW = "pw-lee-browser-fictional"


@pytest.fixture(scope="module")
def findings_server(seeded: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A uvicorn server on the shared fictional case, with an act of its own and a second
    legal user."""
    from dalil.services import records, users

    app = create_app(seeded["root"], TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    with app.state.case.act(USERS["admin"]) as ctx:
        users.add_user(ctx, REVIEWER, "legal", REVIEWER_PW)
        act = records.add(
            ctx,
            "act",
            incident_id=seeded["incident"],
            act_type="killing",
            victim_id=seeded["person"] + 6,
            date="2025-03-07",
        )
    with serving(app) as url:
        yield {"url": url, "act": act.id}
    app.state.case.close()


def _login(page: Any, base: str, name: str, password: str, next_path: str) -> None:
    page.goto(f"{base}/login?next={next_path}")
    page.fill("#username", name)
    page.fill("#password", password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, page.content()[:500]


def test_record_element_findings_and_sign_off_as_another_legal_analyst(
    page: Any, findings_server: dict[str, Any], seeded: dict[str, Any]
) -> None:
    base, act = findings_server["url"], findings_server["act"]
    url = f"/findings/acts/{act}"
    _login(page, base, USERS["legal"], password_for("legal"), url)
    assert page.locator("h1").inner_text() == f"Legal assessment of act {act}"

    # "established" without evidence: the service's refusal is shown on the page
    page.select_option("#a-element", "civilian")
    page.select_option("#a-finding", "established")
    with page.expect_navigation():
        page.get_by_role("button", name="Record finding").click()
    assert "without evidence" in page.inner_text("[role=alert]")

    evidence = seeded["evidence"][:16]
    for element, finding in (
        ("civilian", "established"),
        ("deliberate", "established"),
        ("identity", "likely"),
        ("party", "likely"),
        ("nexus", "established"),
    ):
        page.select_option("#a-element", element)
        page.select_option("#a-finding", finding)
        page.fill("#a-evidence", evidence if finding == "established" else "")
        page.fill("#a-note", f"fictional note on {element}")
        with page.expect_navigation():
            page.get_by_role("button", name="Record finding").click()
        row = page.locator(f"tr[data-element={element}]")
        assert finding in row.inner_text()
    assert page.locator("[data-qualification=war_crime_murder]").count() == 1
    assert "people decide" in page.inner_text("#main")

    # the assessor's own sign-off is refused, with the reason
    with page.expect_navigation():
        page.get_by_role("button", name="Sign off this assessment").click()
    assert "cannot sign off an assessment they took part in" in page.inner_text("[role=alert]")
    shot(page, "findings-act-own-signoff-refused")

    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(f"{base}/login*")
    _login(page, base, REVIEWER, REVIEWER_PW, url)
    page.fill("#s-note", "Reviewed against the cited evidence (fictional).")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign off this assessment").click()
    assert page.locator(".status-signed").inner_text() == "signed"
    assert f"Signed off by {REVIEWER}" in page.inner_text("#main")
    shot(page, "findings-act-signed")
    # the two refusals above answer 422 and 409, which Chromium logs; nothing else may fail
    expected = ("status of 422", "status of 409")
    unexpected = [e for e in page.console_errors if not any(x in e for x in expected)]
    assert not unexpected, unexpected


def test_act_page_has_no_serious_accessibility_violations_in_english_and_arabic(
    browser: Any, findings_server: dict[str, Any], seeded: dict[str, Any]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    base, act = findings_server["url"], findings_server["act"]
    axe = Axe()
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    try:
        _login(pg, base, USERS["legal"], password_for("legal"), f"/findings/acts/{act}")
        problems: list[str] = []
        for lang in ("en", "ar"):
            for path in (
                f"/findings/acts/{act}",
                f"/findings/incidents/{seeded['incident']}",
                "/findings",
            ):
                pg.goto(f"{base}{path}?lang={lang}")
                problems += _axe_problems(axe, pg, f"{path}?lang={lang}")
            pg.goto(f"{base}/findings/acts/{act}?lang={lang}")
            shot(pg, f"findings-act-{lang}")
        assert not problems, "\n".join(problems)
    finally:
        ctx.close()
