"""Vetting: screen a personnel roster against the case's suspects.

The rules live in :mod:`dalil.findings.vetting`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.core.tempdir import private_tempdir, write_private
from dalil.display.messages import N_, Message
from dalil.errors import InputError
from dalil.findings import vetting as V
from dalil.model.act import Act
from dalil.model.fields import first_day, last_day
from dalil.model.organization import Membership
from dalil.model.person import Person
from dalil.services import retractions
from dalil.services.provenance import evidence_links
from dalil.services.units import unit_records

#: Largest personnel file accepted as an upload (bytes).
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


def vet_upload(
    ctx: Context,
    data: bytes,
    *,
    name: str,
    columns: dict[str, str] | None = None,
    threshold: float = 0.5,
) -> dict[str, Any]:
    """:func:`vet` of an uploaded roster (CSV or XLSX by *name*'s suffix). The reader takes
    a path, so the bytes are written to the case's private temporary area (0600) and
    removed before this returns, whatever happens; errors name the upload, not the path."""
    with _roster_upload(ctx, data, name) as path:
        out = vet(ctx, path, columns=columns, threshold=threshold)
    out["file"] = name
    return out


def check_upload(
    ctx: Context, data: bytes, *, name: str, columns: dict[str, str] | None = None
) -> int:
    """Read and validate an uploaded roster without screening it (nothing revealed, nothing
    logged): the number of records, or InputError (empty, too large, bad columns). The web
    form calls it before queueing a vetting job, so a bad file is refused beside the form."""
    ctx.require(access.PROTECTED_REVEAL, "compare names with suspects' protected names")
    with _roster_upload(ctx, data, name) as path:
        return len(V.read_personnel(path, columns, name=name))


@contextmanager
def _roster_upload(ctx: Context, data: bytes, name: str) -> Iterator[Path]:
    """An uploaded roster (CSV or XLSX by *name*'s suffix) as a 0600 file in the case's
    private temporary area, removed on leaving whatever happens; size checked first, and
    errors raised inside name the upload, not the path."""
    if not data:
        raise InputError(Message(N_("the personnel file is empty")), field="file")
    if len(data) > UPLOAD_MAX_BYTES:
        raise InputError(
            Message(
                N_("the personnel file is larger than %(max)s MB"),
                max=str(UPLOAD_MAX_BYTES // (1024 * 1024)),
            ),
            field="file",
        )
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    with private_tempdir(ctx.case.root, "dalil-vet-") as folder:
        path = write_private(folder, "personnel" + suffix, data)
        try:
            yield path
        except InputError as e:
            if e.words is not None:  # named by the upload's name already (read_personnel)
                raise InputError(e.words, field=e.field or "file", code=e.code) from None
            raise InputError(
                e.message.replace(str(path), name), field=e.field or "file", code=e.code
            ) from None


def vet(
    ctx: Context, path: Path, *, columns: dict[str, str] | None = None, threshold: float = 0.5
) -> dict[str, Any]:
    """Screen a personnel file against the case's suspects. Audited; stores nothing else.

    The file is read and validated completely first (bad columns → InputError, nothing
    logged as a screening). Suspects' names are protected: they are revealed for the
    comparison (needs ``protected.reveal``; the reveal is logged with its reason) and
    never printed — candidates name the suspect by pseudonym and person id.
    """
    import hashlib

    from dalil.services import persons as P

    ctx.require(access.CASE_READ, "screen personnel")
    ctx.require(access.PROTECTED_REVEAL, "compare names with suspects' protected names")
    records = V.read_personnel(Path(path), columns)
    sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    people = [
        p
        for p in ctx.session.scalars(
            retractions.in_force(select(Person).order_by(Person.id), "person", Person.id)
        )
        if {"suspect", "perpetrator"} & set(p.roles or [])
    ]
    revealed = (
        P.reveal(
            ctx,
            people,
            reason=f"vetting screening of personnel file {sha[:12]}",
            fields=("legal_name", "aliases"),
        )
        if people
        else []
    )
    units = unit_records(ctx)
    mems = list(ctx.session.scalars(retractions.memberships_in_force(select(Membership))))
    mem_ev = evidence_links(ctx, "membership", [m.id for m in mems])
    per_ev = evidence_links(ctx, "person", [p.id for p in people])
    acts_by_unit: dict[str, list[str]] = {}
    from dalil.findings.units import descendants

    attributed = select(Act).where(Act.perpetrator_unit_id.is_not(None))
    for a in ctx.session.scalars(retractions.acts_in_force(attributed)):
        acts_by_unit.setdefault(str(a.perpetrator_unit_id), []).append(str(a.id))
    suspects = []
    for p, d in zip(people, revealed, strict=True):
        names = [n for n in [d.get("legal_name"), *(d.get("aliases") or [])] if n]
        pm = [m for m in mems if m.person_id == p.id]
        unit_names = tuple(
            sorted(
                {units[str(m.organization_id)].name for m in pm if str(m.organization_id) in units}
            )
        )
        acts: list[str] = []
        for m in pm:
            for parent_unit, act_ids in acts_by_unit.items():
                if str(m.organization_id) in descendants(units, parent_unit):
                    acts += act_ids
        ev = list(
            dict.fromkeys([*per_ev.get(p.id, []), *[e for m in pm for e in mem_ev.get(m.id, [])]])
        )
        starts = [d for d in (first_day(m.date_start) for m in pm if m.date_start) if d]
        ends = [last_day(m.date_end) for m in pm]
        suspects.append(
            V.Suspect(
                id=str(p.id),
                names=tuple(names),
                units=unit_names,
                start=min(starts) if starts else None,
                end=None if (not ends or None in ends) else max(e for e in ends if e),
                acts=tuple(sorted(set(acts), key=int)),
                evidence=tuple(ev),
                label=p.pseudonym,
            )
        )
    candidates, engine = V.screen(records, suspects, threshold=threshold)
    ctx.audit(
        "vetting.screen",
        [oid("person", s.id) for s in suspects],
        change={"file_sha256": sha, "records": len(records), "candidates": len(candidates)},
        detail={
            "file_sha256": sha,
            "records": len(records),
            "suspects": len(suspects),
            "candidates": len(candidates),
            "engine": engine,
        },
    )
    return {
        "file": str(path),
        "file_sha256": sha,
        "records": len(records),
        "suspects": len(suspects),
        "engine": engine,
        "threshold": threshold,
        "note": "Candidates for human review, not findings: a similar name is not the same person.",
        "candidates": [c.to_dict() for c in candidates],
    }
