"""Estimates in the web: run as a job with its settings checked next to the field, the
result with the model choice and gates in words (en, ar), recorded for the report, and a
reason to publish from a legal user only — the same service functions as the CLI."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from dalil.services import estimates, lists
from dalil.services.reports import build_report_bytes
from dalil.testing import TEST_PASSPHRASE
from dalil.web import create_app
from dalil.web.auth import LoginThrottle

from .conftest import USERS, Client, seed_case


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A case of this module's own: the shared case gains lists from other tests (in an
    order that varies with the workers), and an estimate depends on every list."""
    root = tmp_path_factory.mktemp("estimatescase") / "case"
    seed_case(root)
    application = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=1000))
    yield application
    application.state.case.close()


def _csrf(c: Client) -> str:
    return c.csrf("/estimates")


def _wait(c: Client, job_id: int) -> dict[str, Any]:
    end = time.monotonic() + 120
    while time.monotonic() < end:
        job = c.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] not in ("queued", "running"):
            return dict(job)
        time.sleep(0.3)
    raise AssertionError(f"job {job_id} did not finish")


def test_run_record_and_the_report_prints_the_same_estimate(make_client: Any, app: Any) -> None:
    # Other web tests share this case and may import a list without linking it: link
    # first, as a team would before estimating (an estimate refuses unlinked records).
    with app.state.case.act(USERS["admin"]) as ctx:
        lists.link(ctx)
    c = make_client()
    c.login("analyst")
    page = c.get("/estimates")
    assert page.status_code == 200 and "Run an estimate" in page.text
    assert re.search(r'name="linkage_draws"[^>]*value="20"', page.text)  # on by default

    bad = c.post("/estimates/run", data={"csrf_token": _csrf(c), "linkage_draws": "1"})
    assert bad.status_code == 422
    assert re.search(r'id="e-linkage_draws"[^>]*aria-invalid="true"', bad.text)
    assert 'id="e-linkage_draws-error"' in bad.text and "0 (off) or 2 to 500" in bad.text

    r = c.post(
        "/estimates/run",
        data={"csrf_token": _csrf(c), "method": "loglinear", "linkage_draws": "4", "seed": "7"},
    )
    assert r.status_code == 303, r.text
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    job = _wait(c, job_id)
    assert job["state"] == "done", job.get("error")
    res = job["result"]
    assert res["settings"]["linkage_draws"] == 4 and res["linkage"]["draws"] == 4

    # the same settings through the CLI's service functions give the same numbers
    case = app.state.case
    with case.act(USERS["analyst"], write=False) as ctx:
        source = estimates.case_estimate_input(ctx, linkage_draws=4)
    same = estimates.compute_estimate(source, linkage_draws=4, method="loglinear", seed=7)
    assert same.to_dict()["estimate"] == res["estimate"] and same.to_dict()["ci"] == res["ci"]

    shown = c.get(f"/jobs/{job_id}").text
    assert "Why this model" in shown and "Record for the report" in shown
    assert "Interval without the linkage" in shown and "Passes the publication gates." in shown
    assert "Model chosen by" in shown
    shown_ar = c.get(f"/jobs/{job_id}?lang=ar").text
    assert "لماذا هذا النموذج" in shown_ar and "اختير النموذج" in shown_ar

    empty = c.post(
        "/estimates/record", data={"csrf_token": _csrf(c), "job": str(job_id), "label": " "}
    )
    assert empty.status_code == 422 and 'id="r-label-error"' in empty.text
    label = f"Fictional web estimate {job_id}"
    r = c.post(
        "/estimates/record",
        data={"csrf_token": _csrf(c), "job": str(job_id), "label": label, "note": "two lists"},
    )
    assert r.status_code == 303, r.text
    rid = int(r.headers["location"].rsplit("-", 1)[1])
    listing = c.get("/estimates").text
    assert label in listing and f'href="/jobs/{job_id}"' in listing
    api = {e["id"]: e for e in c.get("/api/v1/estimates").json()}
    assert api[rid]["estimate"] == res["estimate"] and api[rid]["created_by"] == USERS["analyst"]
    assert api[rid]["run"]["job"] == job_id and api[rid]["run"]["settings"]["seed"] == 7
    _, html = build_report_bytes(case, USERS["analyst"], audience="internal", fmt="html")
    report = html.decode()
    assert label in report
    assert f"{round(res['estimate'])}" in report or f"{res['estimate']}" in report


def test_a_reason_to_publish_from_legal_only(make_client: Any, app: Any) -> None:
    from dalil.estimate import CaptureTable, estimate

    table = CaptureTable.from_patterns(
        ["A", "B", "C"], {"111": 72, "110": 155, "101": 7, "100": 71, "011": 13, "010": 53}
    )
    short = estimate(table, method="lcmcr", seed=2, burnin=50, samples=20, thinning=1)
    case = app.state.case
    with case.act(USERS["analyst"]) as ctx:
        rid = estimates.record_estimate(ctx, "Fictional short run", short.to_dict())

    ana = make_client()
    ana.login("analyst")
    page = ana.get("/estimates").text
    block = page[page.index(f'id="estimate-{rid}"') :]
    assert "Not for publication" in block.split("</section>")[0]
    assert f'action="/estimates/{rid}/publish"' not in page  # not the analyst's decision
    r = ana.post(f"/estimates/{rid}/publish", data={"csrf_token": _csrf(ana), "reason": "x"})
    assert r.status_code == 403

    lee = make_client()
    lee.login("legal")
    page_ar = lee.get("/estimates?lang=ar").text
    assert "ليس للنشر" in page_ar and "حجم العينة الفعلي" in page_ar
    assert f'action="/estimates/{rid}/publish"' in lee.get("/estimates?lang=en").text
    r = lee.post(f"/estimates/{rid}/publish", data={"csrf_token": _csrf(lee), "reason": "  "})
    assert r.status_code == 422 and f'id="reason-{rid}-error"' in r.text
    r = lee.post(
        f"/estimates/{rid}/publish",
        data={"csrf_token": _csrf(lee), "reason": "Fictional: a lower bound is what we state"},
    )
    assert r.status_code == 303
    block = lee.get("/estimates").text.split(f'id="estimate-{rid}"')[1].split("</section>")[0]
    assert "Allowed for publication by" in block and "a lower bound is what we state" in block
    _, html = build_report_bytes(case, USERS["legal"], audience="internal", fmt="html")
    row = html.decode().split("Fictional short run")[1].split("</tr>")[0]
    assert "NOT FOR PUBLICATION" not in row and "a lower bound is what we state" in row


def test_an_estimate_job_page_says_when_it_predates_a_retraction(
    make_client: Any, app: Any
) -> None:
    from dalil.services import persons, retractions

    with app.state.case.act(USERS["admin"]) as ctx:
        lists.link(ctx)
    c = make_client()
    c.login("analyst")
    r = c.post(
        "/estimates/run",
        data={"csrf_token": _csrf(c), "method": "loglinear", "linkage_draws": "0", "seed": "3"},
    )
    assert r.status_code == 303, r.text
    job_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert _wait(c, job_id)["state"] == "done"
    assert 'id="job-stale"' not in c.get(f"/jobs/{job_id}").text
    with app.state.case.act(USERS["admin"]) as ctx:
        p = persons.add_person(ctx, pseudonym="V-Job-Stale-Fict", roles=["victim"]).id
        retractions.retract(ctx, "person", p, reason="Fictional: entered by mistake")
        retractions.restore(ctx, "person", p, reason="Fictional: it was right")
    page = c.get(f"/jobs/{job_id}?lang=ar").text
    notice = page[page.index('id="job-stale"') :].split("</p>")[0]
    assert "حُسب قبل سحب 1" in notice and "واستعادة 1" in notice
