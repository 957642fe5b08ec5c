"""Legal assessment of acts and incidents, element by element, and sign-off.

The rules live in :mod:`dalil.findings.assessment`; this module stores, permits and audits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.errors import NotFound
from dalil.findings import assessment as A
from dalil.model.act import Act
from dalil.model.common import as_utc
from dalil.model.findings import (
    ElementAssessmentRow,
    SignOffRow,
)
from dalil.model.incident import Incident
from dalil.model.site import Site
from dalil.services.evidence import evidence_ids


def _get_act(ctx: Context, act_id: int) -> Act:
    return ctx.get(Act, act_id, "act")


def element_history(
    ctx: Context, *, act_id: int | None = None, incident_id: int | None = None
) -> list[A.ElementFinding]:
    """Every element finding recorded for an act (or an incident's own), oldest first."""
    q = select(ElementAssessmentRow).order_by(
        ElementAssessmentRow.created_at, ElementAssessmentRow.id
    )
    if act_id is not None:
        q = q.where(ElementAssessmentRow.act_id == act_id)
    else:
        q = q.where(
            ElementAssessmentRow.incident_id == incident_id, ElementAssessmentRow.act_id.is_(None)
        )
    return [
        A.ElementFinding(
            r.element,
            r.finding,
            tuple(str(e) for e in r.evidence or []),
            r.assessor,
            r.note,
            as_utc(r.created_at),
        )
        for r in ctx.session.scalars(q)
    ]


def sign_offs(ctx: Context, act_id: int) -> list[A.SignOff]:
    """The sign-offs of an act, oldest first."""
    q = (
        select(SignOffRow)
        .where(SignOffRow.act_id == act_id)
        .order_by(SignOffRow.created_at, SignOffRow.id)
    )
    return [A.SignOff(r.reviewer, as_utc(r.created_at), r.note) for r in ctx.session.scalars(q)]


def assess(
    ctx: Context,
    act_id: int,
    element: str,
    finding: str,
    evidence: Sequence[str | int] = (),
    note: str | None = None,
) -> dict[str, Any]:
    """Record one element finding for an act (append-only). Needs ``finding.assess``."""
    ctx.require(access.FINDING_ASSESS, "assess acts")
    act = _get_act(ctx, act_id)
    el = A.normalise_element(element, level="act")
    f = A.validate_finding(el, finding, [str(e) for e in evidence])
    ev = evidence_ids(ctx, evidence)
    row = ElementAssessmentRow(
        act_id=act.id, element=el, finding=f, evidence=ev, assessor=ctx.actor.name, note=note
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        "assessment.add",
        [oid("act", act.id), *[oid("evidence", e) for e in ev]],
        change={"element": el, "finding": f, "evidence": ev, "note": note or ""},
        detail={"element": el, "finding": f, "evidence": ev},
    )
    return {"act": act.id, "element": el, "finding": f, "evidence": ev, "assessor": ctx.actor.name}


def assess_incident(
    ctx: Context,
    incident_id: int,
    element: str,
    finding: str,
    evidence: Sequence[str | int] = (),
    note: str | None = None,
) -> dict[str, Any]:
    """Record the incident-level element (widespread or systematic attack)."""
    ctx.require(access.FINDING_ASSESS, "assess incidents")
    inc = ctx.get(Incident, incident_id, "incident")
    el = A.normalise_element(element, level="incident")
    f = A.validate_finding(el, finding, [str(e) for e in evidence])
    ev = evidence_ids(ctx, evidence)
    ctx.session.add(
        ElementAssessmentRow(
            incident_id=inc.id,
            element=el,
            finding=f,
            evidence=ev,
            assessor=ctx.actor.name,
            note=note,
        )
    )
    ctx.session.flush()
    ctx.audit(
        "assessment.add",
        [oid("incident", inc.id), *[oid("evidence", e) for e in ev]],
        change={"element": el, "finding": f, "evidence": ev, "note": note or ""},
        detail={"element": el, "finding": f, "evidence": ev},
    )
    return {
        "incident": inc.id,
        "element": el,
        "finding": f,
        "evidence": ev,
        "assessor": ctx.actor.name,
    }


def sign_off(ctx: Context, act_id: int, note: str | None = None) -> dict[str, Any]:
    """Sign off an act's assessment. The reviewer must not have assessed any of its elements."""
    ctx.require(access.FINDING_SIGNOFF, "sign off assessments")
    act = _get_act(ctx, act_id)
    history = element_history(ctx, act_id=act.id)
    A.check_sign_off(ctx.actor.name, history)
    ctx.session.add(SignOffRow(act_id=act.id, reviewer=ctx.actor.name, note=note))
    ctx.session.flush()
    ctx.audit(
        "assessment.signoff",
        [oid("act", act.id)],
        change={"reviewer": ctx.actor.name, "note": note or ""},
    )
    return show_assessment(ctx, act.id)


def show_assessment(ctx: Context, act_id: int) -> dict[str, Any]:
    from dalil.services import retractions

    ctx.require(access.CASE_READ, "read assessments")
    act = _get_act(ctx, act_id)
    history = element_history(ctx, act_id=act.id)
    signs = sign_offs(ctx, act.id)
    cur = A.current_findings(history)
    inc_cur = A.current_findings(element_history(ctx, incident_id=act.incident_id))
    return {
        "act": act.id,
        "incident": act.incident_id,
        "status": A.sign_off_status(history, signs),
        "elements": [
            (
                cur[e].to_dict()
                if e in cur
                else {"element": e, "label": A.ELEMENT_LABELS[e], "finding": None, "evidence": []}
            )
            for e in A.ACT_ELEMENTS
        ],
        "incident_elements": [v.to_dict() for v in inc_cur.values()],
        # A sign-off given before a later change of the act's record approved something
        # else: shown as no longer valid.
        "sign_offs": [{**s.to_dict(), "before_change": _changed_after(act, s.at)} for s in signs],
        "history": [h.to_dict() for h in history],
        # evidence cited by a finding that was retracted since (or its source was)
        "retracted_evidence": sorted(
            str(i)
            for i in retractions.withdrawn_evidence(ctx, [e for h in history for e in h.evidence])
        ),
        "suggested_qualifications": [q.to_dict() for q in A.suggest_qualifications(cur, inc_cur)],
        "note": "Qualifications are suggestions computed from the findings; the legal team decides.",
    }


def _changed_after(act: Act, when: Any) -> bool:
    from dalil.model.common import as_utc

    changed = as_utc(act.updated_at)
    return bool(changed is not None and when is not None and changed > when)


def aggregates(ctx: Context, incident_id: int | None = None) -> list[dict[str, Any]]:
    ctx.require(access.CASE_READ, "read assessments")
    from dalil.services import retractions

    q = select(Incident).order_by(Incident.id)
    if incident_id is not None:
        ctx.get(Incident, incident_id, "incident")
        q = q.where(Incident.id == incident_id)
    else:  # retracted incidents leave the counts; one asked for by id is still shown
        q = retractions.in_force(q, "incident", Incident.id)
    out = []
    for inc in ctx.session.scalars(q):
        of_it = select(Act).where(Act.incident_id == inc.id).order_by(Act.id)
        acts = list(ctx.session.scalars(retractions.acts_in_force(of_it, incident=False)))
        hist = {str(a.id): element_history(ctx, act_id=a.id) for a in acts}
        signs = {str(a.id): sign_offs(ctx, a.id) for a in acts}
        d = A.aggregate(str(inc.id), hist, signs).to_dict()
        d["title"] = inc.title
        out.append(d)
    return out


def require_known(ctx: Context, kind: str, ident: int) -> None:
    models = {"act": Act, "incident": Incident, "site": Site}
    if ctx.session.get(models[kind], ident) is None:
        raise NotFound(f"no {kind} with id {ident}")
