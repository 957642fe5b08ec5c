"""A small fictional case for the findings service tests (all names invented)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dalil.core.case import Case
from dalil.services import persons, records, users
from dalil.services.evidence import add_bytes


@dataclass
class Small:
    case: Case
    incident: int
    act: int
    act2: int
    victim: int
    suspect: int
    unit: int
    sub_unit: int
    site: int
    ev: list[int]
    sources: list[int]


@pytest.fixture
def small(case: Case) -> Small:
    with case.act() as ctx:
        for name, role in (
            ("lina", "legal"),
            ("omar", "legal"),
            ("vera", "viewer"),
            ("sami", "analyst"),
            ("nadia", "investigator"),
        ):
            users.add_user(ctx, name, role)
        inc = records.add(
            ctx,
            "incident",
            title="Killings in a fictional quarter",
            incident_type="mass_killing",
            date_start="2021-04-14",
            place_name="Fictional quarter",
            lat=-31.5,
            lon=-118.2,
            coord_precision="locality",
            fatalities_low="3",
            fatalities_best="5",
            fatalities_high="9",
        )
        v1 = persons.add_person(
            ctx,
            pseudonym="V-1",
            sex="male",
            age=40,
            roles=["victim"],
            legal_name="Canary Victimname One",
        )
        v2 = persons.add_person(
            ctx,
            pseudonym="V-2",
            sex="female",
            age=33,
            roles=["victim"],
            legal_name="Canary Victimname Two",
        )
        sus = persons.add_person(
            ctx,
            pseudonym="S-1",
            roles=["suspect"],
            legal_name="Fawwaz Hamdan Qarawi",
            aliases=["Abu Layth"],
        )
        brig = records.add(ctx, "unit", name="Fictional Brigade", kind="militia")
        bn = records.add(
            ctx,
            "unit",
            name="2nd Battalion, Fictional Brigade",
            kind="unit",
            parent_id=str(brig.id),
        )
        mem = records.add(
            ctx,
            "membership",
            person_id=str(sus.id),
            organization_id=str(bn.id),
            rank="commander",
            date_start="2019-06-01",
        )
        act = records.add(
            ctx,
            "act",
            incident_id=str(inc.id),
            victim_id=str(v1.id),
            act_type="killing",
            method="shooting",
            date="2021-04-14",
            perpetrator_unit_id=str(brig.id),
        )
        act2 = records.add(
            ctx,
            "act",
            incident_id=str(inc.id),
            victim_id=str(v2.id),
            act_type="killing",
            date="2021-04-14",
        )
        site = records.add(
            ctx,
            "site",
            name="Fictional field grave",
            site_type="mass_grave",
            place_name="Field",
            lat=-31.49,
            lon=-118.17,
            estimated_bodies="12",
        )
        src1 = records.add(ctx, "source", kind="report", title="Fictional NGO release")
        src2 = records.add(ctx, "source", kind="article", title="Fictional news rewrite")
        ids = (
            inc.id,
            act.id,
            act2.id,
            v1.id,
            sus.id,
            brig.id,
            bn.id,
            site.id,
            mem.id,
            src1.id,
            src2.id,
        )
    admin = case.actor()
    ev = [
        add_bytes(
            case,
            admin,
            f"fictional evidence item {i}\n".encode(),
            name=f"ev{i}.txt",
            media_type="text/plain",
        ).item.id
        for i in range(4)
    ]
    with case.act() as ctx:
        records.add(
            ctx,
            "provenance",
            subject_kind="membership",
            subject_id=str(ids[8]),
            evidence_id=str(ev[3]),
            role="supports",
        )
        records.add(
            ctx,
            "provenance",
            subject_kind="act",
            subject_id=str(ids[1]),
            evidence_id=str(ev[0]),
            role="supports",
        )
    return Small(
        case, ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ev, [ids[9], ids[10]]
    )
