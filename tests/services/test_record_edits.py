"""Edits of records and persons: audited with the values before and after (never a
protected value), and refused when based on a stale version. All data fictional."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dalil.core import audit
from dalil.core.access import Actor
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, PermissionDenied
from dalil.services import persons, records, users

LEGAL = "Fictional Edited Legalname"


def _last(case: Case, object_id: str) -> dict:
    with case.system_session() as s:
        return audit.query(s, object_id=object_id)[-1].to_dict()


def test_record_update_logs_before_and_after_of_changed_fields(any_case: Case) -> None:
    with any_case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional raid", date_start="2025-03")
        iid = inc.id
    with any_case.act() as ctx:
        records.update(
            ctx, "incident", iid, title="Fictional raid (corrected)", date_start="2025-03-07"
        )
    entry = _last(any_case, f"incident:{iid}")
    assert entry["action"] == "incident.update"
    assert entry["detail"]["fields"] == ["date_start", "title"]
    assert entry["detail"]["before"] == {"title": "Fictional raid", "date_start": "2025-03"}
    assert entry["detail"]["after"] == {
        "title": "Fictional raid (corrected)",
        "date_start": "2025-03-07",
    }


def test_person_update_logs_open_values_and_protected_field_names_only(any_case: Case) -> None:
    with any_case.act() as ctx:
        pid = persons.add_person(ctx, pseudonym="V-1", roles=["victim"]).id
    with any_case.act() as ctx:
        persons.update_person(ctx, pid, sex="male", roles=["victim", "witness"], legal_name=LEGAL)
    entry = _last(any_case, f"person:{pid}")
    assert entry["detail"]["before"] == {"sex": None, "roles": ["victim"]}
    assert entry["detail"]["after"] == {"sex": "male", "roles": ["victim", "witness"]}
    assert entry["detail"]["protected_fields"] == ["legal_name"]
    with any_case.system_session() as s:
        every = json.dumps([e.to_dict() for e in audit.query(s)])
    assert LEGAL not in every


def test_an_edit_based_on_a_stale_version_is_refused_and_nothing_is_lost(any_case: Case) -> None:
    with any_case.act() as ctx:
        site = records.add(ctx, "site", name="Fictional site", site_type="burial")
        sid, v1 = site.id, records.version_of(site)
    with any_case.act() as ctx:  # a colleague's edit, based on the current version
        records.update(ctx, "site", sid, if_version=v1, estimated_bodies=12)
    stale = r"changed since you opened it.*estimated_bodies"
    with pytest.raises(Conflict, match=stale), any_case.act() as ctx:  # mine, based on v1
        records.update(ctx, "site", sid, if_version=v1, name="Renamed")
    with any_case.act(write=False) as ctx:
        row = records.get(ctx, "site", sid)
        assert (row.name, row.estimated_bodies) == ("Fictional site", 12)
        v2 = records.version_of(row)
    with any_case.act() as ctx:
        assert records.update(ctx, "site", sid, if_version=v2, name="Renamed").name == "Renamed"


def test_a_stale_person_edit_is_refused(any_case: Case) -> None:
    with any_case.act() as ctx:
        p = persons.add_person(ctx, pseudonym="W-9", roles=["witness"])
        pid, v1 = p.id, records.version_of(p)
    with any_case.act() as ctx:
        persons.update_person(ctx, pid, if_version=v1, age=40)
    with pytest.raises(Conflict, match="age"), any_case.act() as ctx:
        persons.update_person(ctx, pid, if_version=v1, age=41)


def test_viewer_cannot_edit_and_the_refusal_is_logged(any_case: Case) -> None:
    with any_case.act() as ctx:
        users.add_user(ctx, "vic", "viewer", "pw-viewer-fictional")
        uid = records.add(ctx, "unit", name="Fictional Brigade", kind="militia").id
    with pytest.raises(PermissionDenied), any_case.act(Actor("vic", "viewer")) as ctx:
        records.update(ctx, "unit", uid, name="Renamed")
    with any_case.system_session() as s:
        denied = audit.query(s, actor="vic", action="access.denied")
    assert denied


def test_lists_filter_by_type_date_range_and_place_and_sort(any_case: Case) -> None:
    with any_case.act() as ctx:
        for title, kind, date, place, n in (
            ("Fictional A", "raid", "2025-01-05", "Qarya (fictional)", 3),
            ("Fictional B", "shelling", "2025-03", "Tal (fictional)", 9),
            ("Fictional C", "raid", "2025-03-20", "Upper Qarya (fictional)", 1),
            ("Fictional D", "raid", "2024", None, 5),
        ):
            records.add(
                ctx,
                "incident",
                title=title,
                incident_type=kind,
                date_start=date,
                place_name=place,
                fatalities_best=n,
            )
    with any_case.act(write=False) as ctx:

        def titles(**kw: Any) -> list[str]:
            return [r["title"] for r in records.list_open(ctx, "incident", **kw)]

        assert titles(incident_type="raid", order="-fatalities_best") == [
            "Fictional D",
            "Fictional A",
            "Fictional C",
        ]
        assert titles(date_from="2025-03", date_to="2025-03") == ["Fictional B", "Fictional C"]
        assert titles(place="qarya", order="title") == ["Fictional A", "Fictional C"]
        assert records.count(ctx, "incident", incident_type="raid", date_from="2025") == 2
        with pytest.raises(InputError, match="cannot sort"):
            records.list_open(ctx, "incident", order="description")


def test_person_list_filters_by_role_and_sex(any_case: Case) -> None:
    with any_case.act() as ctx:
        persons.add_person(ctx, pseudonym="V-a", roles=["victim"], sex="male")
        persons.add_person(ctx, pseudonym="W-a", roles=["witness", "victim"], sex="female")
        persons.add_person(ctx, pseudonym="W-b", roles=["witness"], sex="female")
    with any_case.act(write=False) as ctx:
        rows = persons.list_persons_open(ctx, role="victim", order="-pseudonym")
        assert [r["pseudonym"] for r in rows] == ["W-a", "V-a"]
        assert persons.count_persons(ctx, role="witness", sex="female") == 2
