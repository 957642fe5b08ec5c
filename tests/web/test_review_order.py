"""The review queue ordered by the effect of a decision on the estimate, in the web page
and the API (the same service parameter as ``dalil lists review --order effect``), on a
case of its own with generated fictional lists (the shared case's queue is empty)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dalil.synth.lists import generate
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import USERS, Client, seed_case


@pytest.fixture(scope="module")
def queue_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from dalil.core.case import Case
    from dalil.services import lists

    root: Path = tmp_path_factory.mktemp("ordercase") / "case"
    seed_case(root)
    folder = root.parent / "gen"
    generate(120, 3, seed=5, out_dir=folder)
    case = Case.open(root, TEST_PASSPHRASE)
    try:
        for i in (1, 2, 3):
            lists.import_list(case, USERS["admin"], folder / f"list_{i}.csv",
                              list_name=f"Generated list {i}")  # fmt: skip
        with case.act(USERS["admin"]) as ctx:
            lists.link(ctx, review_low=0.3, threshold=0.99)  # a wide review band
    finally:
        case.close()
    app = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    yield app
    app.state.case.close()


def test_the_queue_can_be_ordered_by_the_effect_on_the_estimate(queue_app: Any) -> None:
    c = Client(queue_app)
    c.login("analyst")
    api = c.get("/api/v1/lists/review?order=effect&limit=500").json()
    assert len(api) >= 3, "the generated case should have uncertain pairs"
    expected = [x["effect"]["expected_change"] for x in api]
    assert expected == sorted(expected, reverse=True)
    doubt = c.get("/api/v1/lists/review?limit=500").json()
    assert [x["pair"] for x in doubt] != [x["pair"] for x in api]
    assert c.get("/api/v1/lists/review?order=loudest").status_code == 422

    page = c.get("/lists?order=effect")
    assert page.status_code == 200 and "Effect on the estimate" in page.text
    assert 'value="effect" selected' in page.text
    shown = re.findall(r'href="/lists/pairs/([0-9p-]+)"', page.text)
    assert shown == [x["pair"] for x in api][: len(shown)] and shown
    assert "Effect on the estimate" not in c.get("/lists").text
    ar = c.get("/lists?order=effect&lang=ar")
    assert "الأثر في التقدير" in ar.text and "إن رُبط:" in ar.text
    assert c.get("/lists?order=loudest").status_code == 422
    c.close()
