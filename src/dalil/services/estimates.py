"""Estimates kept in a case for reports, and a case's lists as estimation input.

The estimation itself lives in :mod:`dalil.estimate` (a pure library).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.errors import InputError
from dalil.estimate.data import CaptureData, capture_data_from_rows
from dalil.estimate.linkage_draws import LinkageInput
from dalil.model.findings import (
    EstimateRow,
)
from dalil.services.evidence import evidence_ids


def record_estimate(
    ctx: Context,
    label: str,
    result: dict[str, Any],
    *,
    evidence: Sequence[str | int] = (),
    note: str | None = None,
) -> int:
    """Keep an estimation result (``dalil estimate --json`` shape) for reports."""
    ctx.require(access.ANALYSIS_RUN, "record estimates")
    observed, est, low, high = _estimate_numbers(result)
    row = EstimateRow(
        label=label,
        method=str(result.get("method") or result.get("model") or "estimate"),
        observed=observed,
        estimate=est,
        ci_low=low,
        ci_high=high,
        lists=[str(x) for x in result.get("lists") or []],
        evidence=evidence_ids(ctx, evidence),
        result=result,
        note=note,
        created_by=ctx.actor.name,
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit(
        "estimate.record",
        [oid("estimate", row.id)],
        change={"label": label, "estimate": row.estimate},
    )
    return row.id


def _estimate_numbers(result: Any) -> tuple[int, float | None, float | None, float | None]:
    """(observed, estimate, ci low, ci high) of a ``dalil estimate --json`` result.

    ``estimate`` may be null (not estimable, e.g. a stratum too small) and either end of
    ``ci`` may be null (an unbounded profile-likelihood interval); ``ci`` itself may be
    null or absent. Numbers must be finite and ordered low <= estimate <= high."""
    import math

    def num(v: Any, what: str) -> float | None:
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise InputError(f"estimate result: {what} must be a finite number or null, not {v!r}")
        return float(v)

    if not isinstance(result, dict):
        raise InputError("estimate result must be a JSON object (dalil estimate --json)")
    obs = result.get("observed")
    if isinstance(obs, bool) or not isinstance(obs, int) or obs < 0:
        raise InputError("estimate result: observed must be a whole number >= 0")
    est = num(result.get("estimate"), "estimate")
    ci = result.get("ci")
    if ci is None:
        ci = [None, None]
    if not isinstance(ci, list | tuple) or len(ci) != 2:
        raise InputError("estimate result: ci must be [low, high] (either may be null)")
    low, high = num(ci[0], "ci low"), num(ci[1], "ci high")
    if est is None and (low is not None or high is not None):
        raise InputError("estimate result: an interval without an estimate")
    if low is not None and high is not None and low > high:
        raise InputError(f"estimate result: ci low {low} is above ci high {high}")
    if est is not None and ((low is not None and est < low) or (high is not None and est > high)):
        raise InputError(f"estimate result: estimate {est} lies outside its interval")
    return obs, est, low, high


def estimates(ctx: Context) -> list[EstimateRow]:
    ctx.require(access.CASE_READ, "read estimates")
    return list(ctx.session.scalars(select(EstimateRow).order_by(EstimateRow.id)))


def case_capture_data(
    ctx: Context,
    *,
    strata: str | Sequence[str] | None = None,
    lists: str | Sequence[str] | None = None,
) -> CaptureData:
    """Capture histories of a case's linked victim lists (``dalil lists link`` first),
    through the linkage service (permission ``case.read``), as estimation input.
    ``strata``: sex, governorate, place_of_death, date_of_death, age_group."""
    from dalil.services.lists import case_histories

    wanted = [
        s.strip()
        for s in (strata.split(",") if isinstance(strata, str) else strata or [])
        if s.strip()
    ]
    names, rows = case_histories(ctx, wanted)
    return capture_data_from_rows(names, rows, strata=wanted, keep=lists, source="case lists")


def case_linkage_input(
    ctx: Context,
    *,
    strata: str | Sequence[str] | None = None,
    lists: str | Sequence[str] | None = None,
) -> LinkageInput:
    """The case's linkage as plain data for :mod:`dalil.estimate.linkage_draws`: every
    list record with its list, the linked victims as fixed groups (joins at or above
    the linkage threshold and accepted pairs), the uncertain pairs of the latest
    ``lists link`` with their match probabilities, and the reviewers' decisions.
    ``strata``: one of sex, governorate, place_of_death, date_of_death, age_group
    (the value of each record; a person takes the most common one)."""
    from dalil.errors import Conflict, NotFound
    from dalil.model.lists import LinkDecision, ListRecord, ReviewPair, VictimList
    from dalil.services.lists import STRATA, _age_group

    ctx.require(access.CASE_READ, "read the linkage for an estimate")
    wanted = [
        s.strip()
        for s in (strata.split(",") if isinstance(strata, str) else strata or [])
        if s.strip()
    ]
    if len(wanted) > 1:
        raise InputError("--linkage-draws takes one stratum column at most")
    for s in wanted:
        if s not in STRATA:
            raise InputError(f"--strata: unknown stratum {s!r}; use {', '.join(STRATA)}")
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList).order_by(VictimList.id))}
    if not names:
        raise NotFound("no list imported yet: run dalil lists import FILE --list NAME")
    keep = [
        x.strip()
        for x in (lists.split(",") if isinstance(lists, str) else lists or [])
        if x.strip()
    ] or list(names.values())
    for name in keep:
        if name not in names.values():
            raise InputError(
                f"case lists: no list named {name!r} (lists: {', '.join(names.values())})"
            )
    recs = [r for r in ctx.session.scalars(select(ListRecord)) if names[r.list_id] in keep]
    if any(r.person_id is None for r in recs):
        raise Conflict("some list records are not linked yet: run dalil lists link")
    ids = {r.id for r in recs}
    groups: dict[int, list[str]] = {}
    for r in recs:
        assert r.person_id is not None
        groups.setdefault(r.person_id, []).append(str(r.id))
    pairs = [
        (str(p.record_a), str(p.record_b), float(p.probability))
        for p in ctx.session.scalars(select(ReviewPair))
        if p.record_a in ids and p.record_b in ids
    ]
    accepted: list[tuple[str, str]] = []
    rejected: list[tuple[str, str]] = []
    for d in ctx.session.scalars(select(LinkDecision)):
        if d.record_a in ids and d.record_b in ids:
            (accepted if d.verdict == "accept" else rejected).append(
                (str(d.record_a), str(d.record_b))
            )
    values = None
    if wanted:
        s = wanted[0]
        values = {
            str(r.id): (
                _age_group(r.age, r.birth_year, r.date_of_death)
                if s == "age_group"
                else (getattr(r, s) or "unknown")
            )
            for r in recs
        }
    return LinkageInput(
        records=[(str(r.id), names[r.list_id]) for r in recs],
        pairs=pairs,
        groups=list(groups.values()),
        accepted=accepted,
        rejected=rejected,
        strata=values,
        lists=keep,
    )
