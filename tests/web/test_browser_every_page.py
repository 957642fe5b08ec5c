"""axe-core on every page of the workbench (every GET page route, a real record for each
path parameter, the forms included), as the admin, in English and in Arabic: no serious
or critical violation. A screenshot of each page in each language goes to
``test-artifacts/web/every-page/`` for people to look at.

The case is the one of ``test_pages_in_words`` (fictional, with every kind of record).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import seed_case
from .test_browser import ARTIFACTS, CHROMIUM, _axe_problems, browser, login, serving
from .test_pages_in_words import _concrete, _fill, _page_routes

__all__ = ["browser"]  # the fixture of test_browser, shared by the browser tests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"browser tests need Chromium at {CHROMIUM} (installed by .ci/run)",
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("axecase") / "case"
    ids = seed_case(root)
    app = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    ids.update(_fill(app, ids))
    with serving(app) as url:
        yield {"url": url, "ids": ids, "app": app}
    app.state.case.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_page_passes_axe(browser: Any, site: dict[str, Any], lang: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    server = site["url"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    folder = ARTIFACTS / "every-page"
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    walked = 0
    try:
        page.goto(f"{server}/login?lang={lang}")
        problems += _axe_problems(axe, page, "/login")
        page.screenshot(path=str(folder / f"login-{lang}.png"), full_page=True)
        login(page, server, "admin")
        for path in _page_routes(site["app"]):
            if path == "/login":
                continue
            url = _concrete(path, site["ids"])
            resp = page.goto(f"{server}{url}")
            assert resp is not None and resp.status == 200, (url, resp and resp.status)
            assert page.locator("html").get_attribute("lang") == lang, url
            problems += _axe_problems(axe, page, url)
            name = re.sub(r"[^\w]+", "-", url.strip("/"))[:80] or "dashboard"
            page.screenshot(path=str(folder / f"{name}-{lang}.png"), full_page=True)
            walked += 1
        assert walked > 40
        assert not problems, "\n".join(problems)
    finally:
        ctx.close()
