"""An estimate run as a job, recorded for the report with its run, gated for publication,
and the same numbers in the CLI, the job and the report (fictional lists, dalil.synth)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, PermissionDenied
from dalil.services import estimates, jobs, users
from dalil.services.reports import build_report_bytes
from dalil.synth.lists import generate
from dalil.testing import DalilRunner

# LCMCR short enough for a test (the defaults run to ESS >= 1000): ESS >= 60 is reached
# within seconds. How far past 60 the first block of draws goes depends on how well the
# chains mix on the linked lists, so this run is not sure to stay under the gate.
SHORT_LCMCR = {"burnin": 200, "thinning": 2, "target_ess": 60.0}
# A fixed run of 150 draws in each of the two chains: an effective sample size of at
# most about 300, so the gate "effective sample size < 400" holds whatever the data.
GATED_LCMCR = {"burnin": 200, "thinning": 1, "samples": 150}


@pytest.fixture
def uncertain(case: Case, dalil: DalilRunner, tmp_path: Path) -> Case:
    """Fictional lists linked with a high threshold, so that many pairs stay uncertain."""
    generate(100, 3, seed=21, out_dir=tmp_path / "lists")
    for i, name in enumerate(("committee", "network", "hospital"), start=1):
        r = dalil("lists", "import", tmp_path / "lists" / f"list_{i}.csv", "--list", name)
        assert r.exit_code == 0, r.stderr
    r = dalil.json("lists", "link", "--threshold", "0.995", "--review-low", "0.2")
    assert r["review_queue"] >= 3, r
    with case.act() as ctx:
        users.add_user(ctx, "lena", "legal", password="a long fictional password 1")
        users.add_user(ctx, "ana", "analyst", password="a long fictional password 2")
    return case


def _run(case: Case, params: dict, user: str = "ana") -> dict:
    with case.act(user) as ctx:
        jid = int(estimates.submit_estimate(ctx, params)["id"])
    assert jobs.Worker(case, lease_seconds=30).run_once() is True
    with case.act(user, write=False) as ctx:
        return jobs.get(ctx, jid)


def test_the_job_gives_the_cli_numbers_with_linkage_draws_on_by_default(
    uncertain: Case, dalil: DalilRunner
) -> None:
    job = _run(uncertain, {"method": "loglinear", "seed": 3})
    assert job["state"] == "done", job.get("error")
    res = job["result"]
    assert res["settings"]["linkage_draws"] == 20  # on by default outside the CLI
    assert res["linkage"]["draws_used"] == 20 and res["ci_without_linkage"] is not None
    cli = dalil.json("estimate", "--linkage-draws", "20", "--seed", "3")
    assert cli["estimate"] == res["estimate"] and cli["ci"] == res["ci"]
    assert cli["ci_without_linkage"] == res["ci_without_linkage"]
    assert res["selection"]["rule"] in ("bic", "stepwise")  # the rule says which chose it
    assert any("linkage draw 20 of 20" in line["message"] for line in job["log"])


def test_an_lcmcr_job_reports_progress_and_its_gates(uncertain: Case) -> None:
    job = _run(uncertain, {"method": "lcmcr", "linkage_draws": 0, "seed": 5, **SHORT_LCMCR})
    assert job["state"] == "done", job.get("error")
    words = [line["message"] for line in job["log"]]
    assert any(w.startswith("LCMCR: ") and "effective sample size" in w for w in words)
    res = job["result"]
    assert res["method"] == "lcmcr" and res["diagnostics"]["ess"] >= 60
    gated = _run(uncertain, {"method": "lcmcr", "linkage_draws": 0, "seed": 5, **GATED_LCMCR})
    assert gated["state"] == "done", gated.get("error")
    res = gated["result"]
    assert res["diagnostics"]["ess"] < 400
    assert not res["publication"]["ok"]
    assert any("effective sample size" in r for r in res["publication"]["reasons"])


def test_bad_settings_are_refused_before_queueing(uncertain: Case) -> None:
    with uncertain.act("ana") as ctx:
        for params, words in [
            ({"linkage_draws": 1}, "linkage draws: 0 (off) or 2 to 500"),
            ({"method": "magic"}, "method: one of"),
            ({"strata": "religion"}, "strata: one of"),
            ({"method": "all", "linkage_draws": 5}, "one method at a time"),
            ({"burnin": -3}, "burnin: a positive number"),
            ({"colour": "red"}, "unknown setting 'colour'"),
        ]:
            with pytest.raises(InputError, match=re.escape(words)):
                estimates.submit_estimate(ctx, params)
        assert jobs.list_jobs(ctx, kind="estimate") == []
    with pytest.raises(PermissionDenied), uncertain.act("lena") as ctx:  # legal: no analysis.run
        estimates.submit_estimate(ctx, {})


def test_recorded_from_a_job_with_its_run_gated_in_the_report_until_a_reason_is_given(
    uncertain: Case,
) -> None:
    job = _run(uncertain, {"method": "lcmcr", "linkage_draws": 0, "seed": 5, **GATED_LCMCR})
    with uncertain.act("ana") as ctx:
        rid = estimates.record_job_estimate(ctx, job["id"], "Fictional town, all lists")
    with uncertain.act("ana", write=False) as ctx:
        row = next(e for e in estimates.estimates(ctx) if e.id == rid)
        assert row.created_by == "ana" and row.estimate == job["result"]["estimate"]
        run = row.result["run"]
        assert run["job"] == job["id"] and run["ran_by"] == "ana"
        assert run["settings"]["seed"] == 5 and run["settings"]["samples"] == 150
        assert "settings" not in row.result
        status = estimates.publication_status(row)
        assert not status["publishable"] and status["override"] is None
    _, html = build_report_bytes(uncertain, "ana", audience="internal", fmt="html")
    text = html.decode()
    assert "Fictional town, all lists" in text and "NOT FOR PUBLICATION" in text
    assert "effective sample size" in text and "is below 400" in text
    _, html_ar = build_report_bytes(uncertain, "ana", audience="internal", fmt="html", lang="ar")
    assert "ليس للنشر" in html_ar.decode() and "حجم العينة الفعلي" in html_ar.decode()

    # only a legal or admin user may record a reason to publish, and it is logged
    with pytest.raises(PermissionDenied), uncertain.act("ana") as ctx:
        estimates.allow_publication(ctx, rid, "the analyst thinks so")
    with pytest.raises(InputError, match="reason"), uncertain.act("lena") as ctx:
        estimates.allow_publication(ctx, rid, "   ")
    with uncertain.act("lena") as ctx:
        st = estimates.allow_publication(
            ctx, rid, "Fictional: the order of magnitude is what matters"
        )
    assert st["publishable"] and st["override"]["by"] == "lena" and st["reasons"]
    _, html = build_report_bytes(uncertain, "lena", audience="internal", fmt="html")
    text = html.decode()
    assert "NOT FOR PUBLICATION" not in text
    assert "reason recorded by" in text and "the order of magnitude is what matters" in text
    with uncertain.system_session(write=False) as s:
        entries = audit.query(s, action="estimate.publish", limit=5)
    assert [e.actor for e in entries] == ["lena"]


def test_only_a_finished_estimate_job_can_be_recorded(uncertain: Case) -> None:
    with uncertain.act("ana") as ctx:
        jid = int(estimates.submit_estimate(ctx, {"linkage_draws": 0})["id"])
        with pytest.raises(Conflict, match="has not finished"):
            estimates.record_job_estimate(ctx, jid, "too early")
        fixity = int(jobs.submit(ctx, "fixity", {})["id"])
        with pytest.raises(InputError, match="not an estimate"):
            estimates.record_job_estimate(ctx, fixity, "not an estimate")


def test_an_estimate_that_passes_its_gates_needs_no_reason(uncertain: Case) -> None:
    job = _run(uncertain, {"linkage_draws": 0, "seed": 1})
    assert job["result"]["publication"]["ok"], job["result"]["publication"]
    with uncertain.act("ana") as ctx:
        rid = estimates.record_job_estimate(ctx, job["id"], "Fictional town")
    with pytest.raises(Conflict, match="passes its publication gates"), uncertain.act() as ctx:
        estimates.allow_publication(ctx, rid, "no need")
    _, html = build_report_bytes(uncertain, "ana", audience="internal", fmt="html")
    assert "NOT FOR PUBLICATION" not in html.decode()


def test_a_reason_to_publish_is_kept_on_sqlite_and_postgresql(any_case: Case) -> None:
    from dalil.estimate import CaptureTable, estimate

    table = CaptureTable.from_patterns(
        ["A", "B", "C"], {"111": 72, "110": 155, "101": 7, "100": 71, "011": 13, "010": 53}
    )
    short = estimate(table, method="lcmcr", seed=3, burnin=50, samples=20, thinning=1)
    with any_case.act() as ctx:
        users.add_user(ctx, "lena", "legal", password="a long fictional password 1")
        rid = estimates.record_estimate(ctx, "Fictional short run", short.to_dict())
    with any_case.act("lena") as ctx:
        estimates.allow_publication(ctx, rid, "Fictional: stated as a lower bound")
    with any_case.act(write=False) as ctx:
        row = next(e for e in estimates.estimates(ctx) if e.id == rid)
        st = estimates.publication_status(row)
    assert st["publishable"] and not st["ok"] and st["override"]["by"] == "lena"
    assert st["override"]["reason"] == "Fictional: stated as a lower bound"


def test_cli_record_list_and_allow_publication(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    from dalil.estimate import CaptureTable, estimate

    table = CaptureTable.from_patterns(
        ["A", "B", "C"], {"111": 72, "110": 155, "101": 7, "100": 71, "011": 13, "010": 53}
    )
    short = estimate(table, method="lcmcr", seed=4, burnin=50, samples=20, thinning=1)
    run = tmp_path / "run.json"
    import json

    run.write_text(json.dumps(short.to_dict()), encoding="utf-8")
    rid = dalil.json("finding", "estimate-add", run, "--label", "Fictional short run")["id"]
    with case.act() as ctx:
        users.add_user(ctx, "lena", "legal", password="a long fictional password 1")
        users.add_user(ctx, "ana", "analyst", password="a long fictional password 2")
    listed = dalil("finding", "estimates")
    assert listed.exit_code == 0, listed.stderr
    assert "Fictional short run" in listed.stdout and "NOT FOR PUBLICATION" in listed.stdout
    assert f"  {rid}: effective sample size" in listed.stdout
    r = dalil("finding", "estimate-publish", str(rid), "--reason", "x", env={"DALIL_USER": "ana"})
    assert r.exit_code != 0 and "may not allow an estimate to be published" in r.stderr
    r = dalil("finding", "estimate-publish", str(rid), "--reason", " ", env={"DALIL_USER": "lena"})
    assert r.exit_code == 2 and "reason" in r.stderr
    r = dalil(
        "finding",
        "estimate-publish",
        str(rid),
        "--reason",
        "Fictional: stated as a lower bound",
        env={"DALIL_USER": "lena"},
    )
    assert r.exit_code == 0, r.stderr
    rows = dalil.json("finding", "estimates")
    row = next(x for x in rows if x["id"] == rid)
    assert row["publication"]["publishable"] and row["publication"]["override"]["by"] == "lena"
    assert "allowed by lena" in dalil("finding", "estimates").stdout
