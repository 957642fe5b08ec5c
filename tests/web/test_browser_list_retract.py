"""Browser test (Playwright driving /usr/bin/chromium): an investigator retracts one
list record in Arabic with the keyboard alone, sees what it changes before confirming
and the confirmation after; the record leaves the list's page and comes back after a
restore. A viewer is offered no retract control. Screenshots go to
``test-artifacts/web/``. All data fictional."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dalil.core.case import Case
from dalil.model.lists import ListRecord
from dalil.testing import TEST_PASSPHRASE

from .conftest import USERS
from .test_browser import _axe_problems, browser, login, page, pytestmark, server, shot

__all__ = ["browser", "page", "pytestmark", "server"]  # fixtures shared with test_browser

ROWS = (
    "record_id,full_name,sex,age,date_of_death,place_of_death\n"
    "1,زبيدة قرواتي المتخيلة,female,64,2025-03-09,وادي متخيل\n"
    "2,يسرى بلمانوف المتخيلة,female,71,2025-03-09,وادي متخيل\n"
)
REASON = "متخيل: السجل نفسه أُدخل مرتين في هذه القائمة"
BACK = "متخيل: شخصان مختلفان في الحقيقة"


@pytest.fixture(scope="module")
def own_list(browser_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, int]:
    from dalil.services import lists

    f: Path = tmp_path_factory.mktemp("blist") / "browser-list.csv"
    f.write_text(ROWS, encoding="utf-8")
    case = Case.open(browser_root, TEST_PASSPHRASE)
    try:
        vl = lists.import_list(case, USERS["admin"], f, list_name="قائمة متخيلة للمتصفح")
        with case.act(USERS["admin"], write=False) as ctx:
            rid = ctx.session.scalar(
                select(ListRecord.id).where(ListRecord.list_id == vl["id"]).order_by(ListRecord.id)
            )
    finally:
        case.close()
    return {"list": int(vl["id"]), "record": int(rid)}


def _rows(page: Any) -> set[int]:
    return {int(x) for x in re.findall(r'id="list-record-(\d+)"', page.content())}


def _by_keyboard(page: Any, reason: str) -> None:
    """Open the form, type the reason and send it, with the keyboard alone."""
    page.locator("details.retract summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#retract-impact").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "retract-reason"
    page.keyboard.type(reason)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.type") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_retract_and_restore_a_list_record_in_arabic_by_keyboard(
    page: Any, browser: Any, server: str, own_list: dict[str, int]
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    lid, rid = own_list["list"], own_list["record"]
    login(page, server, "investigator")
    page.goto(f"{server}/lists/{lid}?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert rid in _rows(page)
    shot(page, "list-page-ar")
    asked: list[str] = []

    def answer(dialog: Any) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.goto(f"{server}/lists/records/{rid}")
    page.locator("details.retract summary").focus()
    page.keyboard.press("Enter")
    impact = page.locator("#retract-impact").inner_text()
    assert "سجلات القوائم التي تخرج من عمليات الربط والتقديرات: 1" in impact
    page.keyboard.press("Escape")
    shot(page, "list-record-retract-form-ar")
    page.reload()
    _by_keyboard(page, REASON)
    assert len(asked) == 1 and "هل تريد سحبه" in asked[0]
    assert page.locator("#retract-done").is_visible()
    assert "سُحب" in page.locator("#retract-done").inner_text()
    notice = page.locator("#retraction").inner_text()
    assert REASON in notice and USERS["investigator"] in notice
    shot(page, "list-record-retracted-ar")
    problems = _axe_problems(Axe(), page, f"/lists/records/{rid}")
    assert not problems, "\n".join(problems)
    page.goto(f"{server}/lists/{lid}")
    assert rid not in _rows(page)
    page.goto(f"{server}/lists/{lid}?retracted=only")
    assert _rows(page) == {rid}
    shot(page, "list-page-retracted-only-ar")
    page.goto(f"{server}/lists/records/{rid}")
    _by_keyboard(page, BACK)
    assert len(asked) == 2 and "استعادته" in asked[1]
    assert "استُعيد" in page.locator("#retract-done").inner_text()
    assert page.locator("#retraction").count() == 0
    page.goto(f"{server}/lists/{lid}")
    assert rid in _rows(page)
    shot(page, "list-page-restored-ar")
    assert not page.console_errors, page.console_errors

    viewer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        login(viewer, server, "viewer")
        viewer.goto(f"{server}/lists/records/{rid}?lang=ar")
        assert viewer.locator("h1").is_visible()
        assert viewer.locator("details.retract, #retract-form").count() == 0
        viewer.goto(f"{server}/lists/{lid}")
        assert viewer.locator("details.retract, #retract-form").count() == 0
        assert rid in _rows(viewer)
        shot(viewer, "list-page-viewer-ar")
    finally:
        viewer.context.close()
