"""The web import's last step as a job: the whole list read, validated and stored by a
real worker, with progress in records stored; a retried job finds what it stored. All
names are fictional."""

from __future__ import annotations

from typing import Any

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict
from dalil.model.job import Job
from dalil.services import jobs, lists

LIST = (
    b"record_id,full_name,age\n"
    + b"".join(b"k%d,Fictional Name %d,%d\n" % (i, i, 20 + i % 40) for i in range(1100))
    + b"k-bad,,30\n"
)


def _submit(case: Case, name: str) -> dict[str, Any]:
    with case.act() as ctx:
        return lists.submit_import(ctx, "fictional.csv", LIST, mapping={}, list_name=name)


def test_import_job_stores_the_list_and_reports_progress(case: Case) -> None:
    row = _submit(case, "Fictional job list")
    with case.act(write=False) as ctx:
        assert lists.list_lists(ctx) == []  # nothing stored until the job runs
    assert jobs.Worker(case, poll_seconds=0.1).run_once()
    with case.act(write=False) as ctx:
        got = jobs.get(ctx, row["id"])
        assert got["state"] == "done", got
        assert got["result"]["name"] == "Fictional job list"
        assert got["result"]["records"] == 1100
        assert got["result"]["report"]["rejected"] == 1
        assert any(i["row"] == 1102 for i in got["result"]["report"]["issues"])
        log = [line["message"] for line in got["log"]]
        assert "stored 1,100 of 1,100 records" in log and "stored 500 of 1,100 records" in log
        assert got["files"] == []  # the uploaded file is not kept with the job once done
        assert [x["name"] for x in lists.list_lists(ctx)] == ["Fictional job list"]
    with case.system_session() as s:
        assert len(audit.query(s, action="list.import")) == 1
    # the name is now taken: refused at submission, no job queued
    with pytest.raises(Conflict):
        _submit(case, "Fictional job list")


def test_a_retried_import_job_finds_the_list_it_stored(case: Case) -> None:
    row = _submit(case, "Fictional retried list")
    assert jobs.Worker(case, poll_seconds=0.1).run_once()
    # as if its worker had died after storing the list, before recording the outcome
    with case.system_session() as s:
        job = s.get(Job, row["id"])
        assert job is not None
        job.state, job.attempts, job.result_enc = "queued", 1, None
    with case.act() as ctx:  # its input file was dropped once done: put it back
        from dalil.services.jobs import _add_file

        _add_file(ctx, row["id"], "input", "list", LIST, "text/csv")
    assert jobs.Worker(case, poll_seconds=0.1).run_once()
    with case.act(write=False) as ctx:
        got = jobs.get(ctx, row["id"])
        assert got["state"] == "done", got
        assert got["result"]["already_imported"] is True and got["result"]["records"] == 1100
        assert [x["name"] for x in lists.list_lists(ctx)] == ["Fictional retried list"]
    with case.system_session() as s:
        assert len(audit.query(s, action="list.import")) == 1
