"""Units (organizations) and the suspects linked to acts through them.

The rules live in :mod:`dalil.findings.units`; unit records are kept by
:mod:`dalil.services.records` (kind ``unit``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context
from dalil.model.act import Act
from dalil.model.fields import first_day, last_day
from dalil.model.organization import Membership, Organization
from dalil.services.provenance import evidence_links


def unit_records(ctx: Context) -> dict[str, Any]:
    from dalil.findings.units import UnitRecord

    return {
        str(o.id): UnitRecord(str(o.id), o.name, str(o.parent_id) if o.parent_id else None, o.kind)
        for o in ctx.session.scalars(select(Organization).order_by(Organization.id))
    }


def suspects_for_acts(ctx: Context) -> list[dict[str, object]]:
    """Persons linked to acts through the attributed unit (or a unit below it) on the act's date."""
    from dalil.findings.units import ActAttribution
    from dalil.findings.units import Membership as M
    from dalil.findings.units import suspects_for_acts as link

    ctx.require(access.CASE_READ, "read units")
    units = unit_records(ctx)
    from dalil.services import retractions

    mems = list(ctx.session.scalars(retractions.memberships_in_force(select(Membership))))
    mem_ev = evidence_links(ctx, "membership", [m.id for m in mems])
    attributed = select(Act).where(Act.perpetrator_unit_id.is_not(None))
    acts = list(ctx.session.scalars(retractions.acts_in_force(attributed)))
    act_ev = evidence_links(ctx, "act", [a.id for a in acts])
    ms = [
        M(
            str(m.person_id),
            str(m.organization_id),
            m.rank,
            m.position,
            first_day(m.date_start),
            last_day(m.date_end),
            tuple(mem_ev.get(m.id, [])),
        )
        for m in mems
    ]
    atts = [
        ActAttribution(
            str(a.id), str(a.perpetrator_unit_id), first_day(a.date), tuple(act_ev.get(a.id, []))
        )
        for a in acts
    ]
    return [x.to_dict() for x in link(units, ms, atts)]
