"""Estimates kept in a case for reports, and a case's lists as estimation input.

The estimation itself lives in :mod:`dalil.estimate` (a pure library).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.display.messages import N_, Message
from dalil.errors import Conflict, InputError
from dalil.estimate import publication
from dalil.estimate.data import CaptureData, capture_data_from_rows
from dalil.estimate.linkage_draws import LinkageInput
from dalil.model.findings import (
    EstimateRow,
)
from dalil.services import retractions
from dalil.services.evidence import evidence_ids

#: No victim list in the case (an estimate or a linkage run needs one).
_NO_LISTS = N_("no list imported yet: import a victim list first")


def record_estimate(
    ctx: Context,
    label: str,
    result: dict[str, Any],
    *,
    evidence: Sequence[str | int] = (),
    note: str | None = None,
    run: dict[str, Any] | None = None,
) -> int:
    """Keep an estimation result (``dalil estimate --json`` shape) for reports.

    ``run`` says which run it came from (a job's number, its settings, who ran it and
    when); it is kept with the result under ``result["run"]``. The publication gates are
    computed again from the result, never taken from it."""
    ctx.require(access.ANALYSIS_RUN, "record estimates")
    if not isinstance(label, str) or not label.strip():
        raise InputError("label: say what was estimated (e.g. 'Marjan, 14-15 April, four lists')")
    if len(label) > 300:
        raise InputError("label: at most 300 characters")
    observed, est, low, high = _estimate_numbers(result)
    result = dict(result)
    result["publication"] = publication.gates(result)
    if run is not None:
        result["run"] = run
    else:
        result.pop("run", None)
    row = EstimateRow(
        label=label.strip(),
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
        detail={"job": (run or {}).get("job"), "publication_ok": result["publication"]["ok"]},
    )
    return row.id


def record_job_estimate(ctx: Context, job_id: int, label: str, *, note: str | None = None) -> int:
    """Keep the result of a finished estimate job (the web's "Record for the report"):
    the same row as ``dalil finding estimate-add``, with the job's number, settings, who
    ran it and when."""
    from dalil.services import jobs

    ctx.require(access.ANALYSIS_RUN, "record estimates")
    job = jobs.get(ctx, job_id)
    if job["kind"] != "estimate":
        raise InputError(
            Message(
                N_("job %(job_id)s is not an estimate (it is a %(job_kind)s job)"),
                job_id=str(job_id),
                job_kind=str(job["kind"]),
            )
        )
    if job["state"] != "done" or not isinstance(job.get("result"), dict):
        raise Conflict(
            Message(
                N_("job %(job_id)s has not finished; record it once it has"), job_id=str(job_id)
            )
        )
    result = dict(job["result"])
    settings = result.pop("settings", None) or {}
    run = {
        "job": job_id,
        "settings": settings,
        "ran_by": job.get("owner"),
        "finished": str(job.get("finished") or ""),
    }
    return record_estimate(ctx, label, result, note=note, run=run)


def allow_publication(ctx: Context, estimate_id: int, reason: str) -> dict[str, Any]:
    """A legal or admin user's reason to publish an estimate its gates mark "not for
    publication" (``finding.signoff``); logged ``estimate.publish``. The gates stay in
    the record and the report shows the reason beside them."""
    from datetime import UTC, datetime

    ctx.require(access.FINDING_SIGNOFF, "allow an estimate to be published")
    reason = (reason or "").strip()
    if not reason:
        raise InputError("reason: say why this estimate may be published despite its gates")
    if len(reason) > 2000:
        raise InputError("reason: at most 2,000 characters")
    row = ctx.get(EstimateRow, estimate_id, "estimate")
    result = dict(row.result or {})
    gates = publication.gates(result)
    if gates["ok"]:
        raise Conflict(
            Message(
                N_("estimate %(estimate_id)s passes its publication gates; no reason needed"),
                estimate_id=str(estimate_id),
            )
        )
    override = {
        "by": ctx.actor.name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "reason": reason,
    }
    result["publication"] = {**gates, "override": override}
    row.result = result  # a new dict: the JSON column is written again
    ctx.session.flush()
    ctx.audit(
        "estimate.publish",
        [oid("estimate", row.id)],
        change={"reason": reason, "gates": gates["reasons"]},
        detail={"gates": len(gates["reasons"])},
    )
    return publication_status(row)


def publication_status(row: EstimateRow) -> dict[str, Any]:
    """``{"ok", "reasons", "override", "publishable"}`` of a recorded estimate: the gates
    computed from its result, and a legal or admin user's recorded reason if any."""
    result = row.result or {}
    gates = publication.gates(result)
    override = (result.get("publication") or {}).get("override")
    return {
        **gates,
        "override": override,
        "publishable": gates["ok"] or bool(override),
    }


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
            raise InputError(
                Message(
                    N_("estimate result: %(what)s must be a finite number or null, not %(value)s"),
                    what=str(what),
                    value=repr(v),
                )
            )
        return float(v)

    if not isinstance(result, dict):
        raise InputError("estimate result must be a JSON object (the estimation JSON)")
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
        raise InputError(
            Message(
                N_("estimate result: ci low %(low)s is above ci high %(high)s"),
                low=str(low),
                high=str(high),
            )
        )
    if est is not None and ((low is not None and est < low) or (high is not None and est > high)):
        raise InputError(
            Message(N_("estimate result: estimate %(est)s lies outside its interval"), est=str(est))
        )
    return obs, est, low, high


def computed_at(row: EstimateRow) -> Any:
    """When an estimate's input was read: its job's end (the job read the case before),
    or when it was recorded (``dalil finding estimate-add``)."""
    from datetime import datetime

    finished = str(((row.result or {}).get("run") or {}).get("finished") or "")
    try:
        return datetime.fromisoformat(finished) if finished else row.created_at
    except ValueError:
        return row.created_at


def estimate_staleness(ctx: Context, row: EstimateRow) -> dict[str, int]:
    """How many persons, lists and list records were retracted and restored since the
    estimate was computed (``{"retracted": n, "restored": m}``): if either is not 0,
    the estimate predates them; run it again."""
    return retractions.changed_since(ctx, computed_at(row))


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
    (the value of each record; a person takes the most common one). Retracted lists,
    list records and victims are left out."""
    from dalil.errors import NotFound
    from dalil.model.lists import LinkDecision, ListRecord, ReviewPair, VictimList
    from dalil.services.lists import STRATA, _age_group

    ctx.require(access.CASE_READ, "read the linkage for an estimate")
    wanted = [
        s.strip()
        for s in (strata.split(",") if isinstance(strata, str) else strata or [])
        if s.strip()
    ]
    if len(wanted) > 1:
        raise InputError(Message(N_("linkage draws take one stratum at most")), field="strata")
    for s in wanted:
        if s not in STRATA:
            raise InputError(
                Message(
                    N_("unknown stratum %(value)s; use %(choices)s"),
                    value=repr(s),
                    choices=", ".join(STRATA),
                ),
                field="strata",
            )
    in_force = retractions.in_force(
        select(VictimList).order_by(VictimList.id), "list", VictimList.id
    )
    names = {v.id: v.name for v in ctx.session.scalars(in_force)}
    if not names:
        raise NotFound(Message(_NO_LISTS), code="no_lists")
    keep = [
        x.strip()
        for x in (lists.split(",") if isinstance(lists, str) else lists or [])
        if x.strip()
    ] or list(names.values())
    for name in keep:
        if name not in names.values():
            raise InputError(
                Message(
                    N_("case lists: no list named %(name)s (lists: %(lists)s)"),
                    name=repr(name),
                    lists=", ".join(names.values()),
                )
            )
    recs = [
        r
        for r in ctx.session.scalars(retractions.list_records_in_force(select(ListRecord)))
        if names[r.list_id] in keep
    ]
    if any(r.person_id is None for r in recs):
        raise Conflict(Message(N_("some list records are not linked yet: run dalil lists link")))
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


# --- running an estimate on a case (the CLI's `dalil estimate --case` and the web's job) ---

#: Settings the web form and the job take, with their defaults (the CLI's defaults, except
#: linkage draws: on by default in the web, where the case's linkage is always at hand).
WEB_DEFAULTS: dict[str, Any] = {
    "method": "loglinear",
    "strata": None,
    "lists": None,
    "linkage_draws": 20,
    "allocate": "proportional",
    "seed": None,
}
MAX_LINKAGE_DRAWS = 500
#: LCMCR's run settings a job may also take (``dalil estimate``'s options of the same
#: names; the library's defaults when absent): positive numbers.
LCMCR_SETTINGS = ("burnin", "samples", "thinning", "target_ess", "max_seconds")


def estimate_settings(params: dict[str, Any]) -> dict[str, Any]:
    """Check and normalise estimate settings (a job's parameters or a form's fields):
    one-line :class:`InputError` naming the setting otherwise."""
    from dalil.estimate.api import METHODS
    from dalil.services.lists import STRATA

    out = {**WEB_DEFAULTS, **{k: v for k, v in params.items() if v not in (None, "")}}
    unknown = sorted(set(out) - set(WEB_DEFAULTS) - set(LCMCR_SETTINGS))
    if unknown:
        raise InputError(Message(N_("estimate: unknown setting %(name)s"), name=repr(unknown[0])))
    method = str(out["method"]).lower()
    if method not in METHODS:
        raise InputError(
            Message(
                N_("method: one of %(choices)s, not %(value)s"),
                choices=", ".join(METHODS),
                value=repr(out["method"]),
            )
        )
    out["method"] = method
    if out["strata"] is not None:
        s = str(out["strata"]).strip()
        if s not in STRATA:
            raise InputError(
                Message(
                    N_("strata: one of %(choices)s, not %(value)s"),
                    choices=", ".join(STRATA),
                    value=repr(s),
                )
            )
        out["strata"] = s
    if out["lists"] is not None:
        keep = out["lists"]
        names = keep.split(",") if isinstance(keep, str) else list(keep)
        out["lists"] = [str(x).strip() for x in names if str(x).strip()] or None
    try:
        draws = int(str(out["linkage_draws"]))
    except ValueError:
        raise InputError(
            Message(N_("linkage draws: a whole number (0: off, or 2 or more)"))
        ) from None
    if draws == 1 or draws < 0 or draws > MAX_LINKAGE_DRAWS:
        raise InputError(
            Message(
                N_("linkage draws: 0 (off) or 2 to %(max)s, not %(value)s"),
                max=str(MAX_LINKAGE_DRAWS),
                value=str(draws),
            )
        )
    if draws and method == "all":
        raise InputError(
            Message(N_("linkage draws work with one method at a time; choose a method"))
        )
    out["linkage_draws"] = draws
    if out["allocate"] not in ("proportional", "impute"):
        raise InputError(
            Message(
                N_("allocate: proportional or impute, not %(value)s"), value=repr(out["allocate"])
            )
        )
    if out["seed"] is not None:
        try:
            out["seed"] = int(str(out["seed"]))
        except ValueError:
            raise InputError(Message(N_("seed: a whole number"))) from None
        if not 0 <= out["seed"] < 2**63:
            raise InputError(Message(N_("seed: a whole number from 0")))
    for k in LCMCR_SETTINGS:
        if k in out:
            v = out[k]
            if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
                raise InputError(
                    Message(N_("%(name)s: a positive number, not %(value)s"), name=k, value=repr(v))
                )
            out[k] = float(v) if k in ("target_ess", "max_seconds") else int(v)
    return out


def estimate_kwargs(settings: dict[str, Any]) -> dict[str, Any]:
    """:func:`compute_estimate`'s keyword arguments for checked settings."""
    kw = {k: settings[k] for k in ("method", "seed", "allocate")}
    kw.update({k: settings[k] for k in LCMCR_SETTINGS if k in settings})
    return kw


def case_estimate_input(
    ctx: Context,
    *,
    strata: str | Sequence[str] | None = None,
    lists: str | Sequence[str] | None = None,
    linkage_draws: int = 0,
) -> CaptureData | LinkageInput:
    """What an estimate of the case is computed from: the capture histories of the
    linked lists, or (``linkage_draws`` >= 2) the linkage itself, so that clusterings can
    be sampled from its uncertain pairs. Read in the caller's transaction (``case.read``);
    the computation (:func:`compute_estimate`) needs no transaction."""
    if linkage_draws == 1 or linkage_draws < 0:
        raise InputError("linkage_draws must be 0 (off) or at least 2", field="linkage_draws")
    if linkage_draws:
        return case_linkage_input(ctx, strata=strata, lists=lists)
    return case_capture_data(ctx, strata=strata, lists=lists)


def compute_estimate(
    source: Any,
    *,
    linkage_draws: int = 0,
    progress: Any = None,
    **kw: Any,
) -> Any:
    """The estimate (an ``EstimateResult``) of what :func:`case_estimate_input` read, or
    of a file or table; ``kw`` are :func:`dalil.estimate.estimate`'s settings. With a
    :class:`LinkageInput` the linkage's uncertainty is carried into the result
    (``linkage_draws`` sampled clusterings, combined)."""
    from dalil.estimate import estimate
    from dalil.estimate.linkage_draws import estimate_with_linkage

    if isinstance(source, LinkageInput):
        return estimate_with_linkage(source, draws=linkage_draws, progress=progress, **kw)
    return estimate(source, progress=progress, **kw)


def submit_estimate(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Queue an estimate of the case as a job (the web's "Run the estimate"): settings
    checked first (one-line error naming the setting), a seed chosen now when none is
    given so that a retried or repeated run gives the same numbers. ``analysis.run``."""
    import secrets

    from dalil.services import jobs

    ctx.require(access.ANALYSIS_RUN, "run an estimate")
    s = estimate_settings(params)
    if s["seed"] is None:
        s["seed"] = secrets.randbelow(2**31)
    return jobs.submit(ctx, "estimate", s)
