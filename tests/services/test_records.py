"""Generic records: validation of dates, coordinates, enums, references; audit of writes."""

from __future__ import annotations

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import InputError, NotFound
from dalil.services import persons, records
from dalil.testing import DalilRunner


def test_partial_dates_keep_their_precision(any_case: Case) -> None:
    case = any_case
    with case.act() as ctx:
        inc = records.add(
            ctx, "incident", title="Fictional", date_start="2025-03", date_end="2025-W11"
        )
        assert (inc.date_start, inc.date_start_precision) == ("2025-03", "month")
        assert (inc.date_end, inc.date_end_precision) == ("2025-W11", "week")
        src = records.add(ctx, "source", kind="report", title="T", published="2024")
        assert src.published_precision == "year"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"date_start": "2025-02-30"}, "invalid date_start '2025-02-30'"),
        ({"date_start": "03/07/2025"}, "use YYYY-MM-DD"),
        ({"date_start": "2025-04", "date_end": "2025-03"}, "before start"),
        ({"lat": "91", "lon": "0"}, "latitude must be between -90 and 90"),
        ({"lat": "0", "lon": "-181"}, "longitude must be between -180 and 180"),
        ({"lat": "nan", "lon": "0"}, "latitude"),
        ({"lat": "10"}, "give both latitude"),
        ({"coord_precision": "exact"}, "coord_precision needs lat and lon"),
        ({"lat": "1", "lon": "1", "coord_precision": "perfect"}, "allowed: exact, approximate"),
        ({"incident_type": "war"}, "allowed: killing, mass_killing"),
        ({"fatalities_low": "10", "fatalities_best": "5"}, "low <= best <= high"),
        ({"fatalities_best": "-1"}, "must be zero or more"),
        ({"fatalities_best": "many"}, "invalid fatalities_best 'many'"),
    ],
)
def test_incident_bad_input_is_refused_with_clear_message(
    case: Case, values: dict, message: str
) -> None:  # type: ignore[type-arg]
    with (
        pytest.raises(InputError, match=message.replace("(", r"\(").replace("[", r"\[")),
        case.act() as ctx,
    ):
        records.add(ctx, "incident", title="Fictional", **values)
    with case.act(write=False) as ctx:
        assert records.list_(ctx, "incident") == []


def test_unknown_references_name_the_id(case: Case) -> None:
    with case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional")
    with pytest.raises(NotFound, match="no person with id 42"), case.act() as ctx:
        records.add(ctx, "act", incident_id=inc.id, victim_id=42, act_type="killing")
    with pytest.raises(NotFound, match="no unit with id 3"), case.act() as ctx:
        records.add(ctx, "unit", name="U", kind="unit", parent_id=3)


def test_act_status_enum_and_default(case: Case) -> None:
    with case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional")
        p = persons.add_person(ctx, pseudonym="V-1", roles=["victim"])
        act = records.add(ctx, "act", incident_id=inc.id, victim_id=p.id, act_type="killing")
        assert act.status == "unknown"
    allowed = "allowed: confirmed, likely, possible, unlikely, unknown"
    with pytest.raises(InputError, match=allowed), case.act() as ctx:
        records.update(ctx, "act", act.id, status="certain")


def test_unit_cycle_refused(case: Case) -> None:
    with case.act() as ctx:
        a = records.add(ctx, "unit", name="Fictional Brigade", kind="state_force")
        b = records.add(ctx, "unit", name="Fictional Battalion", kind="unit", parent_id=a.id)
    with pytest.raises(InputError, match="own parent"), case.act() as ctx:
        records.update(ctx, "unit", a.id, parent_id=b.id)


def test_membership_dated_with_rank(case: Case) -> None:
    with case.act() as ctx:
        u = records.add(ctx, "unit", name="Fictional Unit", kind="militia")
        p = persons.add_person(ctx, pseudonym="S-1", roles=["suspect"])
        m = records.add(
            ctx,
            "membership",
            person_id=p.id,
            organization_id=u.id,
            rank="captain",
            position="commander",
            date_start="2024-06",
            date_end="2025",
        )
        assert m.to_dict()["date_start_precision"] == "month"
        assert [x.id for x in records.list_(ctx, "membership", organization_id=u.id)] == [m.id]


def test_site_status_and_estimated_bodies(case: Case) -> None:
    with case.act() as ctx:
        s = records.add(
            ctx,
            "site",
            name="Fictional grave A",
            site_type="mass_grave",
            lat="35.5",
            lon="35.8",
            coord_precision="approximate",
            estimated_bodies="40",
        )
        assert s.status == "reported" and s.estimated_bodies == 40
        records.update(ctx, "site", s.id, status="secured")
    allowed = "allowed: reported, located, secured, exhumed"
    with pytest.raises(InputError, match=allowed), case.act() as ctx:
        records.update(ctx, "site", s.id, status="dug")


def test_provenance_needs_exactly_one_support_and_existing_subject(any_case: Case) -> None:
    case = any_case
    with case.act() as ctx:
        src = records.add(ctx, "source", kind="article", title="Fictional article")
        inc = records.add(ctx, "incident", title="Fictional")
        link = records.add(
            ctx,
            "provenance",
            subject_kind="incident",
            subject_id=inc.id,
            source_id=src.id,
            role="corroborates",
            locator="para 3",
        )
        assert link.role == "corroborates"
    with pytest.raises(InputError, match="exactly one"), case.act() as ctx:
        records.add(ctx, "provenance", subject_kind="incident", subject_id=inc.id, role="supports")
    with pytest.raises(NotFound, match="no site with id 5"), case.act() as ctx:
        records.add(
            ctx, "provenance", subject_kind="site", subject_id=5, source_id=src.id, role="locates"
        )


def test_every_record_write_is_audited_with_object_id(any_case: Case) -> None:
    case = any_case
    with case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional")
        records.update(ctx, "incident", inc.id, fatalities_best=3)
    with case.system_session() as s:
        assert [e.action for e in audit.query(s, object_id=f"incident:{inc.id}")] == [
            "incident.add",
            "incident.update",
        ]


def test_cli_bad_enum_exit_2_lists_allowed(dalil: DalilRunner) -> None:
    r = dalil("source", "add", "--kind", "blog", "--title", "Fictional")
    assert r.exit_code == 2
    assert r.stderr.strip() == (
        "error: invalid kind 'blog'; allowed: report, article, statement, testimony, list, "
        "media, official (--kind)"
    )
    r = dalil("incident", "add", "--title", "F", "--lat", "100", "--lon", "1")
    assert r.exit_code == 2 and "latitude" in r.stderr and r.stderr.count("\n") == 1
    r = dalil("act", "show", "42")
    assert r.exit_code == 2 and r.stderr.strip() == "error: no act with id 42"


def test_cli_record_round_trip_json_keys_snake_case(dalil: DalilRunner) -> None:
    inc = dalil.json(
        "incident",
        "add",
        "--title",
        "Fictional raid",
        "--date-start",
        "2025-03-07",
        "--place-name",
        "Fictional Town",
        "--lat",
        "35.1",
        "--lon",
        "35.9",
    )
    assert inc["date_start_precision"] == "day" and inc["place_name"] == "Fictional Town"
    upd = dalil.json("incident", "update", str(inc["id"]), "--place-name", "")
    assert upd["place_name"] is None
    assert [i["id"] for i in dalil.json("incidents", "list")] == [inc["id"]]
