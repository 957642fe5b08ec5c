"""Perpetrator persons on acts (beside the unit): stored, shown, edited with an audited
before/after, refused when a person does not exist. All data fictional."""

from __future__ import annotations

import pytest

from dalil.core import audit
from dalil.core.case import Case
from dalil.errors import Conflict, NotFound
from dalil.services import persons, records, retractions


def test_an_act_names_perpetrator_persons(any_case: Case) -> None:
    with any_case.act() as ctx:
        inc = records.add(ctx, "incident", title="Fictional raid")
        victim = persons.add_person(ctx, pseudonym="V-Fict", roles=["victim"])
        s1 = persons.add_person(ctx, pseudonym="S-Fict-1", roles=["suspect"])
        s2 = persons.add_person(ctx, pseudonym="S-Fict-2", roles=["suspect"])
        act = records.add(
            ctx,
            "act",
            incident_id=inc.id,
            victim_id=victim.id,
            act_type="killing",
            perpetrator_ids=f"{s2.id}, {s1.id}, {s2.id}",  # as the CLI passes it
        )
        aid = act.id
    with any_case.act(write=False) as ctx:
        assert records.get(ctx, "act", aid).to_dict()["perpetrator_ids"] == [s1.id, s2.id]
        [row] = records.list_open(ctx, "act", act_type="killing")  # the column-query path
        assert row["perpetrator_ids"] == [s1.id, s2.id]
        assert [a.id for a in records.acts_of_perpetrator(ctx, s1.id)] == [aid]
        assert records.acts_of_perpetrator(ctx, victim.id) == []
        assert records.acts_of_person(ctx, victim.id) == {
            "acts_as_victim": [aid],
            "acts_as_perpetrator": [],
        }
        assert records.acts_of_person(ctx, s2.id)["acts_as_perpetrator"] == [aid]
    with any_case.act() as ctx:
        records.update(ctx, "act", aid, perpetrator_ids=[s2.id])
    with any_case.system_session() as s:
        entry = audit.query(s, object_id=f"act:{aid}")[-1].to_dict()
    assert entry["detail"]["before"] == {"perpetrator_ids": [s1.id, s2.id]}
    assert entry["detail"]["after"] == {"perpetrator_ids": [s2.id]}
    with pytest.raises(NotFound) as err, any_case.act() as ctx:
        records.update(ctx, "act", aid, perpetrator_ids=[s1.id, 9999])
    assert err.value.field == "perpetrator_ids"
    with any_case.act() as ctx:
        assert records.get(ctx, "act", aid).perpetrator_ids == [s2.id]  # nothing changed
        retractions.retract(ctx, "act", aid, reason="Fictional: entered in error")
    with any_case.act(write=False) as ctx:
        assert records.acts_of_perpetrator(ctx, s2.id) == []
    with pytest.raises(Conflict, match="restore it"), any_case.act() as ctx:
        records.update(ctx, "act", aid, perpetrator_ids="")  # not edited while retracted
    with any_case.act() as ctx:
        retractions.restore(ctx, "act", aid, reason="Fictional: it was right after all")
    with any_case.act() as ctx:
        records.update(ctx, "act", aid, perpetrator_ids="")
        assert records.get(ctx, "act", aid).perpetrator_ids == []
