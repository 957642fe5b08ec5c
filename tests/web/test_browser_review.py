"""Browser test of pair review by a team (issue 11 item 6): an analyst states a reason
once, sees the names of the pairs they open, decides and undoes — in English and in
Arabic — on a case whose review queue is not empty (three generated lists of fictional
people linked with a low review bound). Screenshots in ``test-artifacts/web/``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from dalil.testing import TEST_PASSPHRASE
from dalil.testing import build_review_case as build
from dalil.testing import reviewer_password as password
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .test_browser import _axe_problems, browser, page, pytestmark, serving, shot

__all__ = ["browser", "page", "pytestmark"]

REASONS = {"en": "Checking the fictional lists for duplicates",
           "ar": "التحقق من التكرار في القوائم المتخيلة"}  # fmt: skip


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    root = tmp_path_factory.mktemp("browser-review") / "case"
    build(root).close()
    app = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    with serving(app) as url:
        yield url, app
    app.state.case.close()


def _login(page: Any, server: str, name: str, lang: str) -> None:
    page.goto(f"{server}/login?lang={lang}")
    page.fill("#username", name)
    page.fill("#password", password(name))
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_analyst_states_a_reason_once_sees_names_decides_and_undoes(
    page: Any, review_server: tuple[str, Any], lang: str
) -> None:
    from dalil.core import audit

    server, app = review_server
    _login(page, server, "ana", lang)
    page.goto(f"{server}/lists")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    first = page.locator("a[href^='/lists/pairs/']").first
    pair = first.inner_text().strip()
    first.click()
    page.wait_for_url(f"{server}/lists/pairs/{pair}")
    # no name before a reason; the weights in words are there
    assert page.locator("#r-reason").is_visible()
    assert page.locator("tbody tr").count() >= 8
    shot(page, f"review-pair-no-names-{lang}")
    page.fill("#r-reason", REASONS[lang])
    page.locator("form[action='/lists/review-session'] button[type=submit]").click()
    page.wait_for_url(f"{server}/lists/pairs/{pair}")
    assert page.locator("#r-reason").count() == 0
    names_row = page.locator("tbody tr").first
    assert names_row.locator("th").inner_text() == ("الأسماء" if lang == "ar" else "Names")
    assert names_row.locator("td").first.inner_text().strip() not in ("", "—")
    shot(page, f"review-pair-names-{lang}")
    # the next pair: names at once, the reason is not asked again
    page.locator("a.button[href^='/lists/pairs/']").first.click()
    page.wait_for_load_state("load")
    second = page.url.rsplit("/", 1)[1]
    assert second != pair and page.locator("#r-reason").count() == 0
    assert page.locator("tbody tr").first.locator("th").inner_text() in ("Names", "الأسماء")
    # decide: different people; then undo
    page.locator("form[action$='/decide'] button[value=reject]").click()
    page.wait_for_url(f"{server}/lists/pairs/{second}?decided=reject")
    assert page.locator("#decided").is_visible()
    decision = page.inner_text("#decision")
    assert (
        "ana" in decision and ("شخصان مختلفان" if lang == "ar" else "Different people") in decision
    )
    shot(page, f"review-pair-decided-{lang}")
    page.goto(f"{server}/lists/decisions")
    assert page.locator(f"a[href='/lists/pairs/{second}']").count() == 1
    shot(page, f"review-decisions-{lang}")
    page.locator(f"form[action='/lists/pairs/{second}/undo'] button").click()
    page.wait_for_url(f"{server}/lists/decisions?undone=1")
    assert page.locator(f"a[href='/lists/pairs/{second}']").count() == 0
    page.goto(f"{server}/lists/pairs/{second}")
    assert page.locator("#decision").count() == 0
    assert page.locator("form[action$='/decide']").count() == 1  # undecided again
    shot(page, f"review-pair-undone-{lang}")
    # one reveal entry per pair opened, each citing the reason given once
    with app.state.case.act("coord", write=False) as ctx:
        mine = [e for e in audit.query(ctx.session, action="linkage.reveal", limit=500)
                if json.loads(e.detail).get("reason") == REASONS[lang]]  # fmt: skip
        undos = audit.query(ctx.session, action="linkage.undo", limit=500)
    assert len(mine) >= 3  # the first pair, its reload after the reason, the second pair
    assert {json.loads(e.detail)["review_session"] for e in mine} == {
        json.loads(mine[0].detail)["review_session"]
    }
    assert any(e.actor == "ana" for e in undos)
    assert not page.console_errors, page.console_errors


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pair_pages_have_no_serious_accessibility_violations(
    page: Any, review_server: tuple[str, Any], lang: str
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    server, _ = review_server
    _login(page, server, "ivy", lang)
    page.goto(f"{server}/lists")
    href = page.locator("a[href^='/lists/pairs/']").first.get_attribute("href")
    problems: list[str] = []
    for url in (href, "/lists/decisions", "/lists/blind", "/lists"):
        page.goto(f"{server}{url}")
        problems += _axe_problems(Axe(), page, str(url))
    shot(page, f"review-blind-{lang}")
    assert not problems, "\n".join(problems)


def test_pages_never_offer_what_the_role_cannot_do(
    page: Any, review_server: tuple[str, Any]
) -> None:
    server, _ = review_server
    _login(page, server, "vic", "en")
    page.goto(f"{server}/lists")
    href = page.locator("a[href^='/lists/pairs/']").first.get_attribute("href")
    page.goto(f"{server}{href}")
    offered = (
        "form[action$='/decide'], form[action$='/undo'], form[action$='/blind-vote'], #r-reason"
    )
    assert page.locator(offered).count() == 0
    assert "Your role may not decide pairs." in page.content()
    page.goto(f"{server}/lists/blind")
    assert page.locator("form[action='/lists/blind/start']").count() == 0
    shot(page, "review-pair-viewer")


def test_blind_double_review_in_the_browser(browser: Any, review_server: tuple[str, Any]) -> None:
    """Two reviewers decide a pair blind; the second sees nothing of the first's vote;
    their disagreement goes to a third, who settles it."""
    server, _ = review_server

    def as_user(name: str, lang: str = "en") -> Any:
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = ctx.new_page()
        _login(pg, server, name, lang)
        return pg

    coord = as_user("coord")
    coord.goto(f"{server}/lists/blind")
    coord.fill("#b-limit", "1")
    coord.locator("form[action='/lists/blind/start'] button").click()
    coord.wait_for_url(f"{server}/lists/blind?started=1")
    pair = coord.locator("main li a[href^='/lists/pairs/']").first.inner_text().strip()
    ana, ivy, ida = as_user("ana"), as_user("ivy", "ar"), as_user("ida")
    ivy.goto(f"{server}/lists/pairs/{pair}")
    before = ivy.inner_text("#decision-h + *")
    ana.goto(f"{server}/lists/pairs/{pair}")
    ana.locator("form[action$='/blind-vote'] button[value=accept]").click()
    ana.wait_for_url(f"{server}/lists/pairs/{pair}")
    assert ana.locator("#blind-waiting").is_visible()
    shot(ana, "review-blind-voted-en")
    ivy.goto(f"{server}/lists/pairs/{pair}")
    assert ivy.inner_text("#decision-h + *") == before  # nothing of ana's vote
    assert "ana" not in ivy.inner_text("main")
    shot(ivy, "review-blind-second-ar")
    ivy.locator("form[action$='/blind-vote'] button[value=reject]").click()
    ivy.wait_for_url(f"{server}/lists/pairs/{pair}")
    assert "ana" in ivy.inner_text("main")  # both decided: the votes are shown
    ida.goto(f"{server}/lists/blind")
    ida.locator(f"main li a[href='/lists/pairs/{pair}']").last.click()
    ida.wait_for_url(f"{server}/lists/pairs/{pair}")
    ida.fill("#s-note", "Fictional: different first names")
    ida.locator("form[action$='/blind-settle'] button[value=reject]").click()
    ida.wait_for_url(f"{server}/lists/pairs/{pair}")
    assert "ida" in ida.inner_text("#decision")
    ida.goto(f"{server}/lists/blind")
    assert "Percent agreement" in ida.inner_text("main")
    shot(ida, "review-blind-agreement-en")
    ivy.goto(f"{server}/lists/blind")
    shot(ivy, "review-blind-agreement-ar")
    for pg in (coord, ana, ivy, ida):
        pg.context.close()
