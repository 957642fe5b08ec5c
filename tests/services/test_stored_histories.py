"""Stored capture histories (what the estimates page reads) and the list check job, on
SQLite and PostgreSQL, run by a real worker. All names are fictional."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from dalil.core.case import Case
from dalil.errors import InputError
from dalil.model.lists import ListRecord
from dalil.services import jobs, lists, retractions

LIST_A = b"record_id,full_name,sex\na1,Fictional Rana Aziz,f\na2,Fictional Omar Said,m\n"
LIST_B = b"record_id,full_name,sex\nb1,Fictional Rana Aziz,f\nb2,Fictional Yusuf Kamal,m\n"


def _run(case: Case, job_id: int) -> dict[str, Any]:
    assert jobs.Worker(case, poll_seconds=0.1).run_once()
    with case.act(write=False) as ctx:
        got = jobs.get(ctx, job_id)
    assert got["state"] == "done", got
    return got


def _request(case: Case) -> int:
    with case.act() as ctx:
        job = lists.request_histories(ctx)
        assert job is not None
        again = lists.request_histories(ctx)  # one queued already: that one, no other
        assert again is not None and again["id"] == job["id"]
    return int(job["id"])


def test_stored_histories_hold_until_a_change_and_the_job_stores_them(any_case: Case) -> None:
    case = any_case
    with case.act(write=False) as ctx:
        assert lists.stored_histories(ctx)["state"] == "missing"
    got = _run(case, _request(case))
    assert got["result"] == {"lists": 0, "rows": 0}
    assert "no capture histories: no list imported yet" in [x["message"] for x in got["log"]]
    with case.act(write=False) as ctx:
        held = lists.stored_histories(ctx)
        assert (held["state"], held["problem"]) == ("fresh", "no_lists")
    for name, data in (("Fictional A", LIST_A), ("Fictional B", LIST_B)):
        with case.act() as ctx:
            row = lists.submit_import(ctx, "l.csv", data, mapping={}, list_name=name)
        _run(case, int(row["id"]))
    with case.act(write=False) as ctx:
        assert lists.stored_histories(ctx)["state"] == "stale"  # two imports since
    with case.act() as ctx:
        lists.link(ctx)
    _run(case, _request(case))
    with case.act(write=False) as ctx:
        held = lists.stored_histories(ctx)
        names, rows = lists.case_histories(ctx)
        assert held["state"] == "fresh" and (held["lists"], held["rows"]) == (names, rows)
    with case.act() as ctx:
        assert lists.request_histories(ctx) is None  # they hold: nothing queued
        rid = ctx.session.scalar(select(ListRecord.id).order_by(ListRecord.id).limit(1))
        assert rid is not None
        retractions.retract(ctx, "list_record", rid, reason="fictional duplicate")
    with case.act(write=False) as ctx:
        assert lists.stored_histories(ctx)["state"] == "stale"
        assert lists.read_histories(ctx) == lists.case_histories(ctx)  # the API: counted
    with case.act() as ctx:
        lists.store_histories(ctx)
    with case.act(write=False) as ctx:
        held = lists.stored_histories(ctx)
        assert held["state"] == "fresh"
        assert (held["lists"], held["rows"]) == lists.case_histories(ctx)
        assert held["rows"] != rows  # the retracted record is no longer counted


def test_the_list_check_job_reports_and_a_bad_mapping_is_refused_first(any_case: Case) -> None:
    case = any_case
    data = b"Ref,Victim,Gender\nc1,Fictional Nadim Qasir,m\nc2,,f\n"
    with case.act() as ctx:
        row = lists.submit_check(
            ctx, "fictional.csv", data, mapping={"Victim": "full_name"}, list_name="Fictional C"
        )
    got = _run(case, int(row["id"]))
    assert got["result"]["report"]["rows"] == 2 and got["result"]["report"]["rejected"] == 1
    assert got["result"]["mapping"] == {"Victim": "full_name"}
    assert "checked 2 rows: 1 records to import, 1 rejected" in [x["message"] for x in got["log"]]
    assert got["files"] == []  # the upload is not kept with the job once done
    with case.act(write=False) as ctx:
        assert lists.list_lists(ctx) == []  # a check stores nothing
    actor = case.actor("admin")
    cols = ["Ref", "Victim", "Gender"]
    with pytest.raises(InputError) as e:
        lists.check_mapping(case, actor, "f.csv", cols, {"Victim": "full_name", "Ref": "full_name"})
    assert e.value.field == "mapping" and "both map to" in e.value.message
    with pytest.raises(InputError) as e:
        lists.check_mapping(case, actor, "f.csv", cols, {})
    assert "no name column" in e.value.message
    # headings recognised fill the rest, as the import would map them
    assert lists.check_mapping(case, actor, "f.csv", cols, {"Victim": "full_name"}) == {
        "Victim": "full_name",
        "Gender": "sex",
    }
