"""Burial and crime sites: status history, details, victims.

The rules live in :mod:`dalil.findings.sites`; site records themselves are kept by
:mod:`dalil.services.records` (kind ``site``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import InputError
from dalil.findings import sites as S
from dalil.model.findings import (
    SiteDetailRow,
    SiteEventRow,
    SiteVictimRow,
)
from dalil.model.person import Person
from dalil.model.site import Site
from dalil.services.evidence import evidence_ids


def site_history(ctx: Context, site: Site) -> list[S.StatusChange]:
    rows = ctx.session.scalars(
        select(SiteEventRow).where(SiteEventRow.site_id == site.id).order_by(SiteEventRow.id)
    )
    return [
        S.StatusChange(
            r.status,
            date.fromisoformat(r.on_date),
            r.by,
            r.note,
            tuple(str(e) for e in r.evidence or []),
        )
        for r in rows
    ]


def site_status(
    ctx: Context,
    site_id: int,
    status: str,
    on: str,
    *,
    note: str | None = None,
    evidence: Sequence[str | int] = (),
) -> dict[str, Any]:
    """Move a site's status forward (dated, attributed, with evidence)."""
    ctx.require(access.RECORD_WRITE, "update sites")
    site = ctx.get(Site, site_id, "site")
    from dalil.services import retractions

    retractions.refuse_edit_if_retracted(ctx, "site", site.id)
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InputError(
            Message(N_("invalid date %(value)s: use YYYY-MM-DD"), value=repr(on))
        ) from None
    history = site_history(ctx, site)
    S.check_transition(history, status, day)
    if (
        not history
        and site.status in S.SITE_STATUSES
        and S.SITE_STATUSES.index(status) < S.SITE_STATUSES.index(site.status)
    ):
        # no history yet, but the record was created with a later status
        raise InputError(
            Message(
                N_("site %(id)s is already recorded as %(status)s; status only moves forward"),
                id=str(site.id),
                status=Message(site.status),
            )
        )
    ev = evidence_ids(ctx, evidence)
    ctx.session.add(
        SiteEventRow(
            site_id=site.id,
            status=status,
            on_date=day.isoformat(),
            by=ctx.actor.name,
            note=note,
            evidence=ev,
        )
    )
    site.status = status
    ctx.session.flush()
    ctx.audit(
        "site.status",
        [oid("site", site.id), *[oid("evidence", e) for e in ev]],
        change={"status": status, "on": day.isoformat(), "note": note or ""},
        detail={"status": status, "on": day.isoformat()},
    )
    return show_site(ctx, site.id)


def site_details(
    ctx: Context, site_id: int, *, recovered: int | None = None, protection: str | None = None
) -> dict[str, Any]:
    ctx.require(access.RECORD_WRITE, "update sites")
    site = ctx.get(Site, site_id, "site")
    S.check_bodies(site.estimated_bodies, recovered)
    row = ctx.session.scalar(select(SiteDetailRow).where(SiteDetailRow.site_id == site.id))
    if row is None:
        row = SiteDetailRow(site_id=site.id)
        ctx.session.add(row)
    if recovered is not None:
        row.recovered_bodies = recovered
    if protection is not None:
        row.protection_notes = protection
    ctx.session.flush()
    ctx.audit(
        "site.details",
        [oid("site", site.id)],
        change={"recovered": recovered, "protection": protection or ""},
    )
    return show_site(ctx, site.id)


def site_link_victim(
    ctx: Context, site_id: int, person_id: int, evidence: Sequence[str | int] = ()
) -> dict[str, Any]:
    ctx.require(access.RECORD_WRITE, "update sites")
    site = ctx.get(Site, site_id, "site")
    person = ctx.get(Person, person_id, "person")
    exists = ctx.session.scalar(
        select(SiteVictimRow).where(
            SiteVictimRow.site_id == site.id, SiteVictimRow.person_id == person.id
        )
    )
    if exists is not None:
        raise InputError(f"person {person.id} is already linked to site {site.id}")
    ev = evidence_ids(ctx, evidence)
    ctx.session.add(SiteVictimRow(site_id=site.id, person_id=person.id, evidence=ev))
    ctx.session.flush()
    ctx.audit(
        "site.victim", [oid("site", site.id), oid("person", person.id)], change={"evidence": ev}
    )
    return show_site(ctx, site.id)


def show_site(ctx: Context, site_id: int) -> dict[str, Any]:
    ctx.require(access.CASE_READ, "read sites")
    site = ctx.get(Site, site_id, "site")
    det = ctx.session.scalar(select(SiteDetailRow).where(SiteDetailRow.site_id == site.id))
    victims = list(
        ctx.session.scalars(
            select(SiteVictimRow).where(SiteVictimRow.site_id == site.id).order_by(SiteVictimRow.id)
        )
    )
    return {
        "id": site.id,
        "name": site.name,
        "type": site.site_type,
        "status": site.status,
        "place": site.place_name,
        "lat": site.lat,
        "lon": site.lon,
        "estimated_bodies": site.estimated_bodies,
        "recovered_bodies": det.recovered_bodies if det else None,
        "access_notes": site.access_notes,
        "protection_notes": det.protection_notes if det else None,
        "history": [h.to_dict() for h in site_history(ctx, site)],
        "victims": [{"person": v.person_id, "evidence": v.evidence} for v in victims],
        "incident": site.incident_id,
    }
