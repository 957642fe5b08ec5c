"""Browser tests (Playwright driving /usr/bin/chromium): retract a record with a reason
and restore it, in English and Arabic; a password set by the admin must be replaced at
the next sign-in. Screenshots go to ``test-artifacts/web/``. All data fictional."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .test_browser import _axe_problems, browser, login, page, pytestmark, server, shot

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures shared with test_browser

TITLES = {
    "en": "Fictional raid entered twice",
    "ar": "مداهمة متخيلة أُدخلت مرتين",
}
REASONS = {
    "en": "Fictional: the same raid as the first record",
    "ar": "متخيل: المداهمة نفسها المسجلة أولًا",
}


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_retract_and_restore_a_record_in_the_browser(
    page: Any, server: str, seeded: dict[str, Any], lang: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    r = httpx.post(
        f"{server}/api/v1/incidents",
        json={"title": TITLES[lang], "date_start": "2025-03"},
        headers={"Authorization": f"Bearer {seeded['tokens']['admin']}"},
    )
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    login(page, server, "investigator")
    page.goto(f"{server}/incidents/{iid}?lang={lang}")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.locator("details.retract summary").click()
    page.fill("#retract-reason", REASONS[lang])
    shot(page, f"retract-form-{lang}")
    with page.expect_navigation():
        page.locator("#retract-form button[type=submit]").click()
    assert asked, "no confirmation was asked"
    assert page.locator("#retraction").is_visible()
    notice = page.locator("#retraction").inner_text()
    assert REASONS[lang] in notice and "ivy" in notice
    assert page.locator("#retract-done").is_visible()
    assert page.locator(f"a[href='/incidents/{iid}/edit']").count() == 0
    shot(page, f"retract-notice-{lang}")
    problems = _axe_problems(Axe(), page, f"/incidents/{iid}")
    assert not problems, "\n".join(problems)
    page.goto(f"{server}/incidents?limit=500")
    assert page.locator(f"a[href='/incidents/{iid}']").count() == 0
    page.goto(f"{server}/incidents?retracted=only&limit=500")
    assert page.locator(f"a[href='/incidents/{iid}']").count() == 1
    shot(page, f"retracted-list-{lang}")
    page.goto(f"{server}/incidents/{iid}")
    page.locator("details.retract summary").click()
    page.fill("#retract-reason", "Fictional: a different raid after all")
    with page.expect_navigation():
        page.locator("#retract-form button[type=submit]").click()
    assert page.locator("#retraction").count() == 0
    assert len(asked) == 2
    assert not page.console_errors, page.console_errors


def test_a_password_set_by_the_admin_is_replaced_at_the_next_sign_in(
    page: Any, browser: Any, server: str
) -> None:
    name = "fict-browser-user"
    login(page, server, "admin", "/users")
    page.on("dialog", lambda d: d.accept())
    page.fill("#u-name", name)
    page.select_option("#u-role", "analyst")
    page.fill("#u-password", "pw-first-fictional")
    with page.expect_navigation():
        page.get_by_role("button", name="Add user").click()
    row = page.locator("tr", has_text=name)
    row.locator("summary").click()
    row.locator("input[name=password]").fill("pw-admin-set-fictional")
    with page.expect_navigation():
        row.get_by_role("button", name="Set password").click()
    assert "must choose their own" in page.locator("#done").inner_text()
    shot(page, "users-password-set")
    for lang in ("en", "ar"):
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        user = ctx.new_page()
        try:
            user.goto(f"{server}/login?next=/incidents&lang={lang}")
            user.fill("#username", name)
            user.fill("#password", "pw-admin-set-fictional" if lang == "en" else "pw-mine-fict-1")
            with user.expect_navigation():
                user.locator("form[action='/login'] button[type=submit]").click()
            user.wait_for_load_state("load")
            if lang == "ar":  # changed in English already: the pages open at once
                assert "/account/password" not in user.url
                user.goto(f"{server}/account/password?lang=ar")
                shot(user, "password-change-ar")
                continue
            assert "/account/password" in user.url, user.url
            assert user.locator("#forced").is_visible()
            user.goto(f"{server}/persons")
            assert "/account/password" in user.url  # every page leads here first
            user.goto(f"{server}/account/password?next=/incidents&lang=ar")
            assert user.locator("html").get_attribute("dir") == "rtl"
            shot(user, "password-forced-ar")
            user.goto(f"{server}/account/password?next=/incidents&lang=en")
            shot(user, "password-forced-en")
            from axe_playwright_python.sync_playwright import Axe

            problems = _axe_problems(Axe(), user, "/account/password")
            assert not problems, "\n".join(problems)
            user.fill("#pw-current", "pw-admin-set-fictional")
            user.fill("#pw-new", "pw-mine-fict-1")
            user.fill("#pw-again", "pw-mine-fict-2")  # a slip: refused by the field
            with user.expect_navigation():
                user.locator("#password-form button[type=submit]").click()
            assert user.locator("#err-again").is_visible()
            shot(user, "password-forced-error-en")
            user.fill("#pw-current", "pw-admin-set-fictional")
            user.fill("#pw-new", "pw-mine-fict-1")
            user.fill("#pw-again", "pw-mine-fict-1")
            with user.expect_navigation():
                user.locator("#password-form button[type=submit]").click()
            assert user.locator("#done").is_visible()
            shot(user, "password-changed-en")
            user.get_by_role("link", name="Continue").click()
            user.wait_for_load_state("load")
            assert user.url.endswith("/incidents")
        finally:
            ctx.close()
