"""Victim lists in a case: import, link, review, decide, capture histories.

Every function goes through the service layer (``case.act`` / ``Context``): permissions
are checked first, every write is audited in the same transaction, and list rows — which
hold victims' names — are stored encrypted (see :mod:`dalil.model.lists`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from dalil.core import access
from dalil.core.context import oid, protected_marker
from dalil.core.tempdir import private_tempdir, write_private
from dalil.errors import Conflict, InputError, NotFound
from dalil.linkage.io import load_list
from dalil.model.common import utcnow
from dalil.model.lists import LinkDecision, ListRecord, ReviewPair, VictimList

if TYPE_CHECKING:
    from dalil.core.access import Actor
    from dalil.core.case import Case
    from dalil.core.context import Context

PROTECTED_KEYS = (
    "full_name", "first_name", "father_name", "grandfather_name", "family_name",
    "mother_name", "address", "national_id", "postcode", "locality",
)  # fmt: skip
STRATA = ("sex", "governorate", "place_of_death", "date_of_death", "age_group")


def _data_context(record_id: int) -> str:
    return f"list_record:{record_id}:data"


# --------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------


def may_import(case: Case, actor: Actor) -> None:
    """Raise PermissionDenied (logged ``access.denied``) unless *actor* may import lists:
    records are written and the original file is kept as evidence."""
    case.require(actor, access.RECORD_WRITE, "import lists")
    case.require(actor, access.EVIDENCE_ADD, "import lists (the original file is evidence)")


@contextmanager
def _uploaded(case: Case, filename: str, data: bytes) -> Iterator[Path]:
    """An uploaded list file on disk for the reader, in the case's private temporary
    area, under its sanitised original name (the suffix picks the format)."""
    from dalil.services.evidence import sanitise_name

    with private_tempdir(case.root, "dalil-list-") as folder:
        yield write_private(folder, sanitise_name(filename), data)


def preview_upload(case: Case, actor: Actor, filename: str, data: bytes) -> dict[str, Any]:
    """An uploaded list's columns, row count, the mapping guessed from its headings and
    the standard fields to map to. Reads nothing of the case, stores nothing."""
    from dalil.linkage.fields import STANDARD_FIELDS
    from dalil.linkage.io import preview

    case.require(actor, access.CASE_READ, "read list files")
    with _uploaded(case, filename, data) as path:
        out = preview(path)
    return {**out, "fields": list(STANDARD_FIELDS)}


def check_upload(
    case: Case, actor: Actor, filename: str, data: bytes, *, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """Validate an uploaded list with *mapping*: the row-level report; stores nothing."""
    case.require(actor, access.CASE_READ, "read list files")
    with _uploaded(case, filename, data) as path:
        report = load_list(path, mapping=mapping, list_name=list_name).report()
    report["file"] = path.name  # the upload's name, never the temporary path
    return report


def import_upload(
    case: Case, actor: Actor, filename: str, data: bytes, *, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """:func:`import_list` of an uploaded file."""
    may_import(case, actor)
    with _uploaded(case, filename, data) as path:
        return import_list(case, actor, path, list_name=list_name, mapping=mapping)


def import_list(
    case: Case,
    user: str | Actor | None,
    path: str | Path,
    *,
    list_name: str,
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
) -> dict[str, Any]:
    """Validate *path*, keep the original file as sensitive evidence, store its records.

    The file is validated completely before anything is stored: a file-level error
    changes nothing in the case. The original file is then added to the evidence vault
    (``sensitive``), and the list and its records are written in one transaction.
    """
    from dalil.services import evidence

    actor = user if not isinstance(user, str | None) else case.actor(user)
    may_import(case, actor)
    name = " ".join(str(list_name).split())
    if not name or len(name) > 100:
        raise InputError("--list: give a list name of 1-100 characters")
    parsed = load_list(path, mapping=mapping, list_name=name, sheet=sheet, encoding=encoding,
                       strict=strict)  # fmt: skip
    if not parsed.records:
        raise InputError(f"{Path(path).name}: no record to import (every row was rejected)")
    with case.act(actor, write=False) as ctx:
        if ctx.session.scalar(select(VictimList.id).where(VictimList.name == name)) is not None:
            raise Conflict(f"a list named {name!r} already exists")
    added = evidence.add_files(case, actor, [path], sensitive=True,
                               notes=f"victim list {name} (original file)")  # fmt: skip
    sha = added[0].item.sha256
    report = parsed.report()
    with case.act(actor) as ctx:
        vl = VictimList(
            name=name,
            evidence_sha256=sha,
            original_name=Path(path).name,
            rows_read=parsed.rows_read,
            records=len(parsed.records),
            report={k: v for k, v in report.items() if k != "file"},
            imported_by=ctx.actor.name,
            imported_at=utcnow(),
        )
        ctx.session.add(vl)
        ctx.session.flush()
        for rec in parsed.records:
            lr = ListRecord(
                list_id=vl.id,
                record_key=str(rec["record_id"]),
                row=int(rec.get("_row") or 0),
                data_enc="",
                sex=rec.get("sex"),
                age=rec.get("age"),
                birth_year=rec.get("birth_year")
                or (int(rec["birth_date"][:4]) if rec.get("birth_date") else None),
                date_of_death=rec.get("date_of_death"),
                place_of_death=rec.get("place_of_death"),
                governorate=rec.get("governorate"),
            )
            ctx.session.add(lr)
            ctx.session.flush()
            clean = {k: v for k, v in rec.items() if not k.startswith("_")}
            lr.data_enc = ctx.encrypt(clean, _data_context(lr.id))
        ctx.session.flush()
        ctx.audit(
            "list.import",
            [oid("list", vl.id), oid("evidence", sha)],
            change={
                "name": name,
                "records": len(parsed.records),
                "sha256": sha,
                "rows": protected_marker("rows"),
            },
            detail={
                "records": len(parsed.records),
                "rows": parsed.rows_read,
                "repaired": report["repaired"],
                "rejected": report["rejected"],
            },
        )
        out = vl.to_dict()
    out["report"] = report
    return out


def list_lists(ctx: Context) -> list[dict[str, Any]]:
    ctx.require(access.CASE_READ, "list victim lists")
    return [v.to_dict() for v in ctx.session.scalars(select(VictimList).order_by(VictimList.id))]


# --------------------------------------------------------------------------------------
# Link
# --------------------------------------------------------------------------------------


def _records(ctx: Context) -> list[tuple[ListRecord, dict[str, Any]]]:
    rows = list(ctx.session.scalars(select(ListRecord).order_by(ListRecord.id)))
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList))}
    out = []
    for r in rows:
        data = ctx.decrypt(r.data_enc, _data_context(r.id))
        data["record_id"] = str(r.id)
        data["list"] = names[r.list_id]
        out.append((r, data))
    return out


def _decisions(ctx: Context) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    acc: list[tuple[str, str]] = []
    rej: list[tuple[str, str]] = []
    for d in ctx.session.scalars(select(LinkDecision)):
        (acc if d.verdict == "accept" else rej).append((str(d.record_a), str(d.record_b)))
    return acc, rej


def link(
    ctx: Context,
    *,
    threshold: float = 0.9,
    review_low: float = 0.5,
    incident_id: int | None = None,
    backend: str = "duckdb",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Link every imported record; create or update one victim Person per cluster.

    Reviewed decisions are respected (accepted pairs linked, rejected pairs never in one
    cluster) and accepted pairs train the model's m probabilities. Each victim Person
    (role ``victim``, pseudonym ``V-<smallest record id>``) keeps the list records that
    support it (``linkage_records.person_id``); with *incident_id*, a ``killing`` Act
    links each new victim to that incident. Pairs between *review_low* and *threshold*
    form the review queue.
    """
    from dalil.linkage.link import link_records
    from dalil.model.incident import Incident
    from dalil.model.person import Person
    from dalil.services import persons, records

    ctx.require(access.ANALYSIS_RUN, "link victim lists")
    ctx.require(access.RECORD_WRITE, "create victim records from linked lists")
    if not 0.0 < threshold <= 1.0:
        raise InputError(f"--threshold {threshold}: must be greater than 0 and at most 1")
    if incident_id is not None:
        ctx.get(Incident, incident_id, "incident")
    recs = _records(ctx)
    if not recs:
        raise NotFound("no list imported yet: run dalil lists import FILE --list NAME")
    accepted, rejected = _decisions(ctx)
    out = link_records([d for _, d in recs], threshold=threshold, backend=backend,
                       accepted=accepted, rejected=rejected, progress=progress, protected=True)  # fmt: skip
    cl = out.clustering
    by_id = {str(r.id): (r, d) for r, d in recs}
    clusters: dict[str, list[str]] = {}
    for rid, cid in cl.cluster_of.items():
        clusters.setdefault(cid, []).append(rid)
    created = updated = 0
    claimed: set[int] = set()
    # larger clusters first: when a cluster splits, the larger part keeps the person
    for members in sorted(clusters.values(), key=lambda m: (-len(m), min(int(x) for x in m))):
        rows = [by_id[m][0] for m in members]
        existing = Counter(r.person_id for r in rows if r.person_id is not None)
        person_id = next((pid for pid, _ in existing.most_common() if pid not in claimed), None)
        if person_id is None:
            first = by_id[min(members, key=int)][1]
            name = (
                first.get("full_name")
                or " ".join(
                    first.get(k) or ""
                    for k in (
                        "first_name",
                        "father_name",
                        "grandfather_name",
                        "family_name",
                    )
                ).strip()
            )
            sexes = Counter(r.sex for r in rows if r.sex)
            ages = Counter(r.age for r in rows if r.age is not None)
            pseudonym = f"V-{min(int(m) for m in members)}"
            k = 1
            while ctx.session.scalar(select(Person.id).where(Person.pseudonym == pseudonym)):
                k += 1  # the pseudonym of a person whose cluster split
                pseudonym = f"V-{min(int(m) for m in members)}-{k}"
            p = persons.add_person(
                ctx,
                pseudonym=pseudonym,
                sex={"m": "male", "f": "female"}.get(sexes.most_common(1)[0][0]) if sexes else None,
                age=ages.most_common(1)[0][0] if ages else None,
                roles=["victim"],
                legal_name=name or None,
            )
            person_id = p.id
            created += 1
            if incident_id is not None:
                dod = Counter(r.date_of_death for r in rows if r.date_of_death)
                records.add(ctx, "act", incident_id=incident_id, victim_id=p.id,
                            act_type="killing", date=dod.most_common(1)[0][0] if dod else None)  # fmt: skip
        else:
            updated += 1
        claimed.add(person_id)
        for r in rows:
            r.person_id = person_id
            r.match_probability = cl.probability[str(r.id)]
    ctx.session.flush()
    orphans = ctx.session.scalars(
        select(Person.id).where(
            Person.pseudonym.like("V-%"),
            ~Person.id.in_(select(ListRecord.person_id).where(ListRecord.person_id.is_not(None))),
        )
    ).all()
    ctx.session.execute(delete(ReviewPair))
    decided = {frozenset(p) for p in accepted + rejected}
    pairs = out.result.pairs
    queue = 0
    if len(pairs):
        band = pairs[
            (pairs.match_probability >= review_low) & (pairs.match_probability < threshold)
        ]
        for a, b, p in zip(band.unique_id_l, band.unique_id_r, band.match_probability, strict=True):
            if frozenset((str(a), str(b))) in decided:
                continue
            lo, hi = sorted((int(a), int(b)))
            ctx.session.add(ReviewPair(record_a=lo, record_b=hi, probability=float(p)))
            queue += 1
    summary = {
        "records": out.records,
        "victims": len(clusters),
        "persons_created": created,
        "persons_updated": updated,
        "persons_without_records": list(orphans),
        "review_queue": queue,
        "decisions_applied": {"accept": len(accepted), "reject": len(rejected)},
        "joins_refused_by_rejections": cl.blocked_joins,
        "threshold": threshold,
    }
    ctx.audit("linkage.run", [oid("list", v) for v in sorted({r.list_id for r, _ in recs})],
              change={k: v for k, v in summary.items() if k != "persons_without_records"},
              detail={"model": "splink-5", "backend": backend, "pairs": len(pairs)})  # fmt: skip
    return summary


# --------------------------------------------------------------------------------------
# Review and decisions
# --------------------------------------------------------------------------------------

_OPEN = ("sex", "age", "birth_year", "date_of_death", "place_of_death", "governorate")


def _open_fields(r: ListRecord, list_name: str) -> dict[str, Any]:
    return {"id": r.id, "list": list_name, "record": r.record_key,
            **{k: getattr(r, k) for k in _OPEN}, "person_id": r.person_id}  # fmt: skip


def review(ctx: Context, *, reason: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The review queue, most uncertain first (probability nearest 0.5 on the log scale).

    Open fields only; with a *reason* (needs ``protected.reveal``; audited) the names of
    both records are shown as well.
    """
    ctx.require(access.CASE_READ, "review linkage pairs")
    if reason is not None:
        ctx.require(access.PROTECTED_REVEAL, "see names in the review queue")
        if len(reason.strip()) < 5:
            raise InputError("--reason: state why the names are needed (5+ characters)")
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList))}
    pairs = sorted(ctx.session.scalars(select(ReviewPair)), key=lambda p: abs(p.probability - 0.5))
    out = []
    revealed: list[str] = []
    for p in pairs[:limit]:
        a = ctx.session.get(ListRecord, p.record_a)
        b = ctx.session.get(ListRecord, p.record_b)
        assert a is not None and b is not None
        item: dict[str, Any] = {"pair": f"{a.id}-{b.id}", "probability": round(p.probability, 4),
                "a": _open_fields(a, names[a.list_id]), "b": _open_fields(b, names[b.list_id])}  # fmt: skip
        if reason is not None:
            for side, r in (("a", a), ("b", b)):
                data = ctx.decrypt(r.data_enc, _data_context(r.id))
                item[side]["names"] = {k: data[k] for k in PROTECTED_KEYS[:6] if data.get(k)}
                revealed.append(oid("list_record", r.id))
        out.append(item)
    if revealed:
        ctx.audit("linkage.reveal", revealed, change={"fields": list(PROTECTED_KEYS[:6])},
                  detail={"reason": reason.strip() if reason else "", "pairs": len(out)})  # fmt: skip
    return out


def parse_pair(text: str) -> tuple[int, int]:
    parts = text.replace(",", "-").replace(":", "-").split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise InputError(f"pair {text!r}: expected two record ids like 12-57 (see lists review)")
    a, b = (int(p) for p in parts)
    if a == b:
        raise InputError(f"pair {text!r}: a record cannot be paired with itself")
    lo, hi = sorted((a, b))
    return lo, hi


def decide(ctx: Context, pair: str, verdict: str, *, note: str | None = None) -> dict[str, Any]:
    """Store (or change) a reviewer's decision on a pair; applied on every later link."""
    ctx.require(access.ANALYSIS_RUN, "decide linkage pairs")
    if verdict not in ("accept", "reject"):
        raise InputError(f"verdict {verdict!r}: use accept or reject")
    a, b = parse_pair(pair)
    for rid in (a, b):
        if ctx.session.get(ListRecord, rid) is None:
            raise NotFound(f"no list record with id {rid}")
    d = ctx.session.scalar(
        select(LinkDecision).where(LinkDecision.record_a == a, LinkDecision.record_b == b)
    )
    previous = d.verdict if d else None
    if d is None:
        d = LinkDecision(record_a=a, record_b=b, verdict=verdict, note=note,
                         decided_by=ctx.actor.name, decided_at=utcnow())  # fmt: skip
        ctx.session.add(d)
    else:
        d.verdict, d.note, d.decided_by, d.decided_at = verdict, note, ctx.actor.name, utcnow()
    ctx.session.execute(
        delete(ReviewPair).where(ReviewPair.record_a == a, ReviewPair.record_b == b)
    )
    ctx.session.flush()
    ctx.audit("linkage.decide", [oid("list_record", a), oid("list_record", b)],
              change={"verdict": verdict, "previous": previous},
              detail={"verdict": verdict, "previous": previous})  # fmt: skip
    return {"pair": f"{a}-{b}", "verdict": verdict, "previous": previous,
            "decided_by": ctx.actor.name}  # fmt: skip


# --------------------------------------------------------------------------------------
# Capture histories
# --------------------------------------------------------------------------------------


def _age_group(age: int | None, birth_year: int | None, dod: str | None) -> str:
    if age is None and birth_year is not None and dod:
        age = int(dod[:4]) - birth_year
    if age is None:
        return "unknown"
    if age < 18:
        return "0-17"
    if age < 60:
        return "18-59"
    return "60+"


def case_histories(
    ctx: Context, strata: Sequence[str] = ()
) -> tuple[list[str], list[dict[str, Any]]]:
    """Capture histories of the linked victims: one row per (stratum, pattern) with count.

    Returns ``(lists, rows)``; each row has one 0/1 column per list (named by the list
    name), the stratum columns asked for and ``count`` — the input format of
    ``dalil estimate``. A victim is the set of list records sharing a ``person_id``
    (run ``lists link`` first); a stratum value is the most common value among its
    records (``unknown`` when none). Strata: sex, governorate, place_of_death,
    date_of_death, age_group (0-17, 18-59, 60+).
    """
    ctx.require(access.CASE_READ, "read capture histories")
    for s in strata:
        if s not in STRATA:
            raise InputError(f"--strata: unknown stratum {s!r}; use {', '.join(STRATA)}")
    lists = {v.id: v.name for v in ctx.session.scalars(select(VictimList).order_by(VictimList.id))}
    if not lists:
        raise NotFound("no list imported yet: run dalil lists import FILE --list NAME")
    recs = list(ctx.session.scalars(select(ListRecord)))
    if any(r.person_id is None for r in recs):
        raise Conflict("some list records are not linked yet: run dalil lists link")
    victims: dict[int, list[ListRecord]] = {}
    for r in recs:
        assert r.person_id is not None
        victims.setdefault(r.person_id, []).append(r)
    names = list(lists.values())
    counts: Counter[tuple[Any, ...]] = Counter()
    for rows in victims.values():
        seen = {lists[r.list_id] for r in rows}
        pattern = tuple(int(n in seen) for n in names)
        values = []
        for s in strata:
            if s == "age_group":
                groups = Counter(_age_group(r.age, r.birth_year, r.date_of_death) for r in rows)
                groups.pop("unknown", None)
                values.append(groups.most_common(1)[0][0] if groups else "unknown")
            else:
                c = Counter(getattr(r, s) for r in rows if getattr(r, s))
                values.append(c.most_common(1)[0][0] if c else "unknown")
        counts[(*values, *pattern)] += 1
    out = []
    for key, n in sorted(counts.items(), key=lambda kv: tuple(map(str, kv[0]))):
        row: dict[str, Any] = dict(zip(strata, key[: len(strata)], strict=True))
        row.update(zip(names, key[len(strata) :], strict=True))
        row["count"] = n
        out.append(row)
    return names, out


def histories_json(ctx: Context, strata: Sequence[str] = ()) -> str:
    names, rows = case_histories(ctx, strata)
    return json.dumps({"lists": names, "rows": rows}, ensure_ascii=False)
