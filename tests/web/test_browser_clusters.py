"""Browser test of cluster review: Playwright driving /usr/bin/chromium against a case of
its own (the fictional lists of the web tests), so the split and merge made here touch
no other test's data.

An analyst opens a victim's cluster, reads each link in words, ticks a record, splits it
off, runs the linkage and finds the split kept; in Arabic, searches another victim and
merges the two; merging back what was split is refused on the page. Screenshots go to
``test-artifacts/web/cluster-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dalil.model.lists import LinkDecision, ListRecord, VictimList
from dalil.model.person import Person
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import seed_case
from .test_browser import _axe_problems, browser, login, page, pytestmark, serving, shot

__all__ = ["browser", "page", "pytestmark"]  # fixtures shared with test_browser


@pytest.fixture(scope="module")
def lists_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    root: Path = tmp_path_factory.mktemp("clustercase") / "case"
    seed_case(root)
    app = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    with serving(app) as url:
        yield url, app
    app.state.case.close()


def _person_of(app: Any, list_name: str, key: str) -> tuple[int, int]:
    """(list record id, person id) of row *key* of *list_name*."""
    with app.state.case.system_session(write=False) as s:
        lid = s.scalar(select(VictimList.id).where(VictimList.name == list_name))
        rec = s.scalar(
            select(ListRecord).where(ListRecord.list_id == lid, ListRecord.record_key == key)
        )
        assert rec is not None and rec.person_id is not None
        return rec.id, rec.person_id


def _pseudonym(app: Any, person_id: int) -> str:
    with app.state.case.system_session(write=False) as s:
        p = s.get(Person, person_id)
        assert p is not None
        return p.pseudonym


def _run_linkage(page: Any, server: str, app: Any) -> None:
    from dalil.services import jobs

    page.goto(f"{server}/lists?lang=en")
    page.get_by_role("button", name="Run the linkage").click()
    page.wait_for_url(f"{server}/jobs/*")
    job_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    assert jobs.wait(app.state.case, job_id, timeout=180) == "done"
    # the job page's script reloads the page once it sees the job done: wait for that
    # reload, or the test's next navigation is interrupted by it
    page.wait_for_selector("#job[data-state=done]", timeout=60_000)


def test_split_and_merge_from_the_cluster_page(page: Any, lists_app: tuple[str, Any]) -> None:
    server, app = lists_app
    # "Fictional Beta Two": row 2 of list A and row 3 of list B, one victim
    beta_a, beta = _person_of(app, "Fictional list A", "2")
    beta_b, beta_too = _person_of(app, "Fictional list B", "3")
    assert beta == beta_too
    login(page, server, "analyst", f"/lists/clusters/{beta}")
    assert page.locator("h1").inner_text().startswith("Victim cluster")
    text = page.inner_text("main")
    assert "First name" in text and "For the same person:" in text
    assert "Fictional Beta" not in page.content()  # no name on the page
    shot(page, "cluster-en")
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = _axe_problems(axe, page, "/lists/clusters (en)")
    # tick record B, give the reason, split
    page.get_by_label("split off").nth(1).check()
    page.fill("#split-note", "a different woman (fictional)")
    page.get_by_role("button", name="Split the ticked records off").click()
    page.wait_for_selector("#cluster-done")
    assert "every later run keeps it" in page.inner_text("#cluster-done")
    shot(page, "cluster-split-en")
    with app.state.case.system_session(write=False) as s:
        d = s.scalar(select(LinkDecision).where(LinkDecision.record_a == min(beta_a, beta_b)))
        assert d is not None and d.verdict == "reject"
        assert d.note == "a different woman (fictional)" and d.decided_by
    _run_linkage(page, server, app)
    _, after_a = _person_of(app, "Fictional list A", "2")
    _, after_b = _person_of(app, "Fictional list B", "3")
    assert after_a != after_b, "the split was not applied"

    # in Arabic: two victims of one record each are one person — search, merge
    _, eps = _person_of(app, "Fictional list B", "4")
    zeta_rec, zeta = _person_of(app, "Fictional list B", "5")
    page.goto(f"{server}/lists/clusters/{eps}?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.fill("#merge-q", _pseudonym(app, zeta))
    with page.expect_navigation():
        page.get_by_role("search", name="ابحث عن ضحية").get_by_role("button").click()
    row = page.locator("tr", has=page.locator(f"a[href='/lists/clusters/{zeta}']"))
    row.locator("input[name=note]").fill("الشخص نفسه بتهجئتين (متخيل)")
    shot(page, "cluster-merge-search-ar")
    problems += _axe_problems(axe, page, "/lists/clusters (ar, search)")
    assert not problems, "\n".join(problems)
    row.get_by_role("button", name="الشخص نفسه: ادمج").click()
    page.wait_for_selector("#cluster-done")
    shot(page, "cluster-merge-ar")
    # merging back the records split apart contradicts the split: said on the page
    page.goto(f"{server}/lists/clusters/{after_a}?lang=ar&q={after_b}")
    page.locator("tr", has=page.locator(f"a[href='/lists/clusters/{after_b}']")).get_by_role(
        "button", name="الشخص نفسه: ادمج"
    ).click()
    page.wait_for_selector("#cluster-error")
    assert "قرّر مراجعٌ أن اثنين من هذه السجلات" in page.inner_text("#cluster-error")
    shot(page, "cluster-merge-refused-ar")
    _run_linkage(page, server, app)
    _, eps_after = _person_of(app, "Fictional list B", "4")
    _, zeta_after = _person_of(app, "Fictional list B", "5")
    assert eps_after == zeta_after, "the merge was not applied"
    _, a2 = _person_of(app, "Fictional list A", "2")
    _, b2 = _person_of(app, "Fictional list B", "3")
    assert a2 != b2, "the split did not hold on the next run"
    page.goto(f"{server}/lists/clusters/{eps_after}?lang=ar")
    shot(page, "cluster-merged-ar")
    assert zeta_rec in [
        int(x)
        for x in page.locator("input[name=record]").evaluate_all("els => els.map(e => e.value)")
    ]
    # the refused merge answered 422 (the form again, with the reason): nothing else
    assert all("422" in e for e in page.console_errors), page.console_errors
