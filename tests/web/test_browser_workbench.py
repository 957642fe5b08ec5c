"""Browser tests of the workbench's data entry: Playwright driving /usr/bin/chromium.

An investigator records an incident and an act with the keyboard in English and Arabic;
a refused value is shown next to its field with the input kept; a viewer sees no write
controls; axe-core finds no serious or critical violation on the forms and record pages.
Screenshots go to ``test-artifacts/web/``. All data fictional.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .test_browser import (
    _axe_problems,
    browser,
    login,
    page,
    pytestmark,
    server,
    shot,
)

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures shared with test_browser

TITLES = {
    "en": "Fictional night raid on Kafr Example",
    "ar": "مداهمة ليلية متخيلة على كفر المثال",
}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_investigator_records_an_incident_and_an_act_by_keyboard(
    page: Any, server: str, seeded: dict[str, Any], lang: str
) -> None:
    login(page, server, "investigator")
    page.goto(f"{server}/incidents/new?lang={lang}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    page.focus("#f-title")
    page.keyboard.type(TITLES[lang])
    page.keyboard.press("Tab")  # type of incident (a select): arrow keys choose
    assert page.evaluate("document.activeElement.id") == "f-incident_type"
    page.keyboard.press("ArrowDown")
    page.focus("#f-date_start")
    page.keyboard.type("٢٠٢٥-٠٣-٠٩" if lang == "ar" else "2025-03-09")
    page.focus("#f-place_name")
    page.keyboard.type("Kafr Example (fictional)")
    page.focus("#f-fatalities_best")
    page.keyboard.type("x7")  # a mistake: shown next to the field, input kept
    shot(page, f"incident-new-{lang}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    err = page.locator("#err-fatalities_best")
    assert err.is_visible()
    assert page.input_value("#f-title") == TITLES[lang]
    assert page.locator("#f-fatalities_best").get_attribute("aria-invalid") == "true"
    shot(page, f"incident-new-error-{lang}")
    page.fill("#f-fatalities_best", "")
    page.focus("#f-fatalities_best")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/incidents/*?saved=1")
    assert page.locator("#saved").is_visible()
    assert TITLES[lang] in page.locator("h1").inner_text()
    assert "2025-03-09" in page.content()
    shot(page, f"incident-saved-{lang}")
    # Record an act from the incident page: the incident is already chosen.
    page.locator("a[href^='/acts/new?incident_id=']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/acts/new*")
    victim = seeded["person"] + 4  # V-5
    page.select_option("#f-victim_id", str(victim))
    page.select_option("#f-act_type", "killing")
    page.focus("#f-date")
    page.keyboard.type("2025-03")
    page.select_option("#f-perpetrator_unit_id", str(seeded["unit"]))
    shot(page, f"act-new-{lang}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/acts/*?saved=1")
    body = page.content()
    assert TITLES[lang] in body and ">V-5<" in body and "Fictional Brigade" in body
    assert ("قتل" if lang == "ar" else "killing") in body
    shot(page, f"act-saved-{lang}")
    # The refused form answered 422 on purpose; nothing else may fail.
    assert [e for e in page.console_errors if "422" not in e] == [], page.console_errors


def test_viewer_sees_no_write_controls(page: Any, server: str, seeded: dict[str, Any]) -> None:
    login(page, server, "viewer")
    for url in ("/incidents", f"/incidents/{seeded['incident']}", "/persons", "/acts"):
        page.goto(f"{server}{url}")
        assert page.locator("a[href$='/new'], a[href*='/new?'], a[href$='/edit']").count() == 0
    shot(page, "incident-viewer")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_forms_and_record_pages_have_no_serious_accessibility_violations(
    browser: Any, server: str, seeded: dict[str, Any], lang: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ctx = browser.new_context()
    pg = ctx.new_page()
    try:
        login(pg, server, "admin")
        problems: list[str] = []
        for url in (
            f"/incidents/new?lang={lang}",
            "/persons/new",
            f"/acts/new?incident_id={seeded['incident']}",
            "/provenance/new",
            "/record-killing",
            f"/incidents/{seeded['incident']}/edit",
            f"/persons/{seeded['person']}/edit",
            f"/incidents/{seeded['incident']}",
            f"/acts/{seeded['act']}",
            f"/units/{seeded['unit']}",
            "/memberships",
        ):
            pg.goto(f"{server}{url}")
            assert pg.locator("html").get_attribute("lang") == lang
            problems += _axe_problems(axe, pg, url)
        shot(pg, f"person-edit-{lang}")
        assert not problems, "\n".join(problems)
    finally:
        ctx.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_record_a_killing_in_one_flow_by_keyboard(
    page: Any, server: str, seeded: dict[str, Any], lang: str
) -> None:
    login(page, server, "investigator")
    page.goto(f"{server}/record-killing?lang={lang}")
    page.select_option("#k-inc_id", str(seeded["incident"]))
    page.focus("#k-vic_pseudonym")
    page.keyboard.type(f"V-browser-flow-{lang}")
    page.keyboard.press("Tab")  # sex
    page.keyboard.press("Tab")  # age
    page.keyboard.type("٣٣" if lang == "ar" else "33")
    page.focus("#k-act_date")
    page.keyboard.type("2025-03-07")
    page.select_option("#k-src_id", str(seeded["source"]))
    page.focus("#k-src_locator")
    page.keyboard.type("p. 4")
    shot(page, f"record-killing-{lang}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/acts/" in page.url and "saved=1" in page.url
    body = page.content()
    assert f"V-browser-flow-{lang}" in body and "Fictional raid on Qarya" in body
    assert "p. 4" in body
    shot(page, f"record-killing-saved-{lang}")
    assert not page.console_errors, page.console_errors


def test_admin_changes_a_role_and_issues_a_token_in_the_browser(
    page: Any, server: str, seeded: dict[str, Any]
) -> None:
    login(page, server, "admin", "/users")
    row = page.locator("tr", has_text="tmp-user")
    row.locator("summary").click()
    row.locator("select[name=role]").select_option("viewer")
    with page.expect_navigation():
        row.get_by_role("button", name="Change role").click()
    assert page.locator("#done").inner_text() == "Role of tmp-user changed."
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", page.content())  # no microseconds
    shot(page, "users-role-changed")
    row = page.locator("tr", has_text="tmp-user")
    row.locator("summary").click()
    row.locator("input[name=label]").fill("browser test")
    with page.expect_navigation():
        row.get_by_role("button", name="Issue an API token").click()
    token = page.input_value("#token")
    assert token.startswith("dalil_")
    shot(page, "users-token-issued")
    import httpx

    me = httpx.get(f"{server}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == "tmp-user"
    page.goto(f"{server}/users")
    assert token not in page.content()
    assert not page.console_errors, page.console_errors
