"""Victim lists in a case: import, link, review, decide, capture histories.

Every function goes through the service layer (``case.act`` / ``Context``): permissions
are checked first, every write is audited in the same transaction, and list rows — which
hold victims' names — are stored encrypted (see :mod:`dalil.model.lists`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select

from dalil.core import access
from dalil.core.context import oid, protected_marker
from dalil.core.tempdir import private_tempdir, write_private
from dalil.display.messages import N_, Message
from dalil.errors import Conflict, InputError, NotFound
from dalil.linkage.io import list_file_from_worker
from dalil.model.common import utcnow
from dalil.model.lists import (
    LinkageRun,
    LinkDecision,
    ListRecord,
    PairExplanation,
    ReviewPair,
    VictimDecision,
    VictimList,
    VictimMatch,
)
from dalil.services import retractions

if TYPE_CHECKING:
    from dalil.core.access import Actor
    from dalil.core.case import Case
    from dalil.core.context import Context
    from dalil.sources.bounded import Limits

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

    # Only users who may import read an upload: a viewer once had the whole file parsed
    # (and kept with the session) by the server.
    may_import(case, actor)
    with _uploaded(case, filename, data) as path:
        out = _bounded("dalil.linkage.io:preview_for_worker", path, {})
    return {**out, "fields": list(STANDARD_FIELDS)}


def _bounded(
    target: str, path: Path, extra: dict[str, Any], *, limits: Limits | None = None
) -> Any:
    """Read an uploaded list in a bounded worker process (processor time, memory and
    output limits: a hostile XLSX once expanded 68 KB to 200,000 rows in the server)."""
    import json

    from dalil.sources import bounded

    req = json.dumps({"path": str(path), **extra}).encode()
    return bounded.run(target, req, path.name, limits=limits or bounded.DEFAULT_LIMITS)


def _import_limits() -> Limits:
    """The worker's limits for reading a list to import (``dalil lists import`` and the
    web import's last step). Measured: about 1 s of processor time, 160 MB of memory
    and 20 MB of records per 100,000 rows; these leave room for the most rows a list
    may have (:data:`dalil.tabular.MAX_ROWS`, a million) several times over."""
    from dalil.sources import bounded

    return bounded.Limits(
        cpu_seconds=300,
        memory_bytes=6 * 1024**3,
        output_bytes=1024**3,
        wall_seconds=1800.0,
    )


def check_upload(
    case: Case, actor: Actor, filename: str, data: bytes, *, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """Validate an uploaded list with *mapping*: the row-level report; stores nothing."""
    may_import(case, actor)
    with _uploaded(case, filename, data) as path:
        report = dict(
            _bounded(
                "dalil.linkage.io:check_for_worker",
                path,
                {"mapping": mapping, "list_name": list_name},
            )
        )
    report["file"] = path.name  # the upload's name, never the temporary path
    return report


def import_upload(
    case: Case,
    actor: Actor,
    filename: str,
    data: bytes,
    *,
    mapping: dict[str, str],
    list_name: str,
    progress: Callable[[int, int], None] | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """:func:`import_list` of an uploaded file."""
    may_import(case, actor)
    with _uploaded(case, filename, data) as path:
        return import_list(
            case, actor, path, list_name=list_name, mapping=mapping, progress=progress,
            resume=resume,
        )  # fmt: skip


def _list_name(list_name: str) -> str:
    name = " ".join(str(list_name).split())
    if not name or len(name) > 100:
        raise InputError(Message(N_("give a list name of 1-100 characters")), field="list_name")
    return name


#: Kind of the job that imports an uploaded list (:func:`submit_import`).
IMPORT_JOB = "list_import"
#: Kind of the job that checks an uploaded list with a mapping (:func:`submit_check`).
CHECK_JOB = "list_check"


def check_mapping(
    case: Case, actor: Actor, filename: str, columns: Sequence[str], mapping: dict[str, str]
) -> dict[str, str]:
    """The faults of a mapping itself (a column the file does not have, two columns on
    one field, no name column) as the import would meet them, from the file's columns
    (:func:`preview_upload`'s), without reading the file again: an ``InputError`` with
    ``field="mapping"``. Returns the mapping the import would use."""
    from dalil.linkage.io import check_mapping as resolve
    from dalil.services.evidence import sanitise_name

    may_import(case, actor)
    try:
        return resolve(sanitise_name(filename), [str(c) for c in columns], mapping)
    except InputError as e:
        raise InputError(e.words or e.message, field="mapping", code=e.code) from None


def submit_check(
    ctx: Context, filename: str, data: bytes, *, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """Queue the check of an uploaded list with *mapping* as a ``list_check`` job (the
    web import's second step): the permission is checked now; the file is kept
    encrypted with the job until it has run; the job reads and validates the whole file
    in a bounded worker process (:func:`check_upload`) and its result is the validation
    report. Stores nothing of the list. Audited ``job.submit``."""

    ctx.require(access.RECORD_WRITE, "import lists")
    ctx.require(access.EVIDENCE_ADD, "import lists (the original file is evidence)")
    name = _list_name(list_name)
    return _queue_list(ctx, CHECK_JOB, filename, data, mapping, name)


def _queue_list(
    ctx: Context, kind: str, filename: str, data: bytes, mapping: dict[str, str], name: str
) -> dict[str, Any]:
    """Queue a list job (check or import) with the uploaded file kept encrypted with it;
    a file over the job file limit is refused before anything is stored."""
    from dalil.services import jobs

    if len(data) > jobs.FILE_MAX:
        raise InputError(
            Message(
                N_("%(file)s: larger than %(max)s MiB"),
                file=str(filename),
                max=str(jobs.FILE_MAX // 2**20),
            )
        )
    params = {"filename": filename, "mapping": dict(mapping), "list_name": name}
    return dict(jobs.submit(ctx, kind, params, files={"list": (data, "application/octet-stream")}))


def submit_import(
    ctx: Context, filename: str, data: bytes, *, mapping: dict[str, str], list_name: str
) -> dict[str, Any]:
    """Queue the import of an uploaded list as a ``list_import`` job (the web import's
    last step): the permission and the list name are checked now (a name already used
    is refused at once), the file is kept encrypted with the job until it has run; the
    job reads, validates and stores the whole list (all or nothing), reporting the
    records stored so far. Audited ``job.submit``; the import itself ``list.import``."""

    ctx.require(access.RECORD_WRITE, "import lists")
    ctx.require(access.EVIDENCE_ADD, "import lists (the original file is evidence)")
    name = _list_name(list_name)
    if ctx.session.scalar(select(VictimList.id).where(VictimList.name == name)) is not None:
        raise Conflict(Message(N_("a list named %(name)s already exists"), name=repr(name)))
    return _queue_list(ctx, IMPORT_JOB, filename, data, mapping, name)


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
    progress: Callable[[int, int], None] | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """Validate *path*, keep the original file as sensitive evidence, store its records.

    The file is validated completely before anything is stored: a file-level error
    changes nothing in the case. The original file is then added to the evidence vault
    (``sensitive``), and the list and its records are written in one transaction.
    *progress(done, total)* is called as records are stored (every 500 and at the end).
    *resume* (a retried import job): a list of that name already imported from the same
    file by the same user is that import's outcome (``already_imported: True``), not a
    conflict.
    """
    import hashlib

    from dalil.services import evidence

    actor = user if not isinstance(user, str | None) else case.actor(user)
    may_import(case, actor)
    name = _list_name(list_name)
    if resume:
        with case.act(actor, write=False) as ctx:
            done = ctx.session.scalar(select(VictimList).where(VictimList.name == name))
            if done is not None:
                sha = hashlib.sha256(Path(path).read_bytes()).hexdigest()
                if done.evidence_sha256 == sha and done.imported_by == ctx.actor.name:
                    return {**done.to_dict(), "report": dict(done.report or {}),
                            "already_imported": True}  # fmt: skip
    # Read in a bounded worker process (processor time, memory, output), within the
    # limits on rows, columns and cells of dalil.tabular.
    parsed = list_file_from_worker(
        Path(path),
        _bounded(
            "dalil.linkage.io:load_for_worker",
            Path(path),
            {"mapping": mapping or {}, "list_name": name, "sheet": sheet,
             "encoding": encoding, "strict": strict},
            limits=_import_limits(),
        ),
    )  # fmt: skip
    if not parsed.records:
        raise InputError(
            Message(
                N_("%(file)s: no record to import (every row was rejected)"),
                file=Path(path).name,
            )
        )
    with case.act(actor, write=False) as ctx:
        if ctx.session.scalar(select(VictimList.id).where(VictimList.name == name)) is not None:
            raise Conflict(Message(N_("a list named %(name)s already exists"), name=repr(name)))
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
        total = len(parsed.records)
        if progress is not None:
            progress(0, total)
        for n, rec in enumerate(parsed.records, 1):
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
            if progress is not None and (n % 500 == 0 or n == total):
                progress(n, total)
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
    """The imported lists. The original file of a list is sensitive evidence, so its
    file name (often a place, a family or a source) is shown only to users who may read
    sensitive evidence, as for any sensitive item."""
    from dalil.model.evidence import EvidenceItem

    ctx.require(access.CASE_READ, "list victim lists")
    rows = [v.to_dict() for v in ctx.session.scalars(select(VictimList).order_by(VictimList.id))]
    gone = retractions.retracted_ids(ctx, "list")
    for r in rows:  # a retracted list stays listed, marked: linkage and estimates skip it
        r["retracted"] = r["id"] in gone
    if not ctx.can(access.EVIDENCE_READ_SENSITIVE):
        shas = [r["evidence"] for r in rows if r.get("evidence")]
        sensitive = set(
            ctx.session.scalars(
                select(EvidenceItem.sha256).where(
                    EvidenceItem.sha256.in_(shas), EvidenceItem.sensitive.is_(True)
                )
            )
        )
        for r in rows:
            if r.get("evidence") in sensitive or not r.get("evidence"):
                r["original_name"] = None
    return rows


def _list_row(ctx: Context, list_id: int) -> dict[str, Any]:
    for r in list_lists(ctx):
        if r["id"] == list_id:
            return r
    raise NotFound(Message(N_("no victim list with id %(list_id)s"), list_id=str(list_id)))


def victim_list(
    ctx: Context, list_id: int, *, retracted: str = "hide", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    """A victim list (as :func:`list_lists`, with its ``retraction``: at, by, reason, or
    None) and a page of its records in row order: the open fields only (as the review
    queue without reveal; the names stay encrypted). *retracted*: ``hide`` (the records
    in force), ``only`` (the retracted ones, to find one to restore) or ``include``.
    ``total`` counts the records shown by *retracted*; ``retracted_records`` those
    retracted on their own or with the list."""
    ctx.require(access.CASE_READ, "read victim lists")
    vl = _list_row(ctx, int(list_id))
    vl["retraction"] = retractions.status(ctx, "list", vl["id"])
    base = select(ListRecord).where(ListRecord.list_id == vl["id"])
    shown = retractions.narrow(base, "list_record", ListRecord.id, retracted)
    total = ctx.session.scalar(select(func.count()).select_from(shown.subquery())) or 0
    gone = retractions.narrow(base, "list_record", ListRecord.id, "only")
    held = ctx.session.scalar(select(func.count()).select_from(gone.subquery())) or 0
    rows = ctx.session.scalars(
        shown.order_by(ListRecord.row, ListRecord.id)
        .limit(max(1, min(limit, 500)))
        .offset(max(0, offset))
    )
    records = [
        {**_open_fields(r, vl["name"]), "row": r.row, "match_probability": r.match_probability}
        for r in rows
    ]
    return {"list": vl, "records": records, "total": int(total), "retracted_records": int(held)}


def list_record(ctx: Context, record_id: int) -> dict[str, Any]:
    """One list record: its open fields (never the names), its list (id, name,
    retracted), its row in the file, the victim it is linked to (``person``: id and
    pseudonym, or None) and its ``retraction`` (at, by, reason, or None)."""
    from dalil.model.person import Person

    ctx.require(access.CASE_READ, "read victim lists")
    r = ctx.get(ListRecord, int(record_id), "list record")
    vl = ctx.get(VictimList, r.list_id, "victim list")
    out = {**_open_fields(r, vl.name), "row": r.row, "match_probability": r.match_probability}
    out["list"] = {
        "id": vl.id,
        "name": vl.name,
        "retracted": retractions.status(ctx, "list", vl.id) is not None,
    }
    person = ctx.session.get(Person, r.person_id) if r.person_id is not None else None
    out["person"] = {"id": person.id, "pseudonym": person.pseudonym} if person else None
    out["retraction"] = retractions.status(ctx, "list_record", r.id)
    return out


# --------------------------------------------------------------------------------------
# Link
# --------------------------------------------------------------------------------------


def _records(ctx: Context, *, every: bool = False) -> list[tuple[ListRecord, dict[str, Any]]]:
    """The list records a run links: those in force (not retracted, nor their list, nor
    the victim they were linked to); with *every*, all of them (explaining a pair)."""
    q = select(ListRecord).order_by(ListRecord.id)
    if not every:
        q = retractions.list_records_in_force(q)
    rows = list(ctx.session.scalars(q))
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList))}
    out = []
    for r in rows:
        data = ctx.decrypt(r.data_enc, _data_context(r.id))
        data["record_id"] = str(r.id)
        data["list"] = names[r.list_id]
        out.append((r, data))
    return out


def _decisions(
    ctx: Context, among: set[int] | None = None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Accepted and rejected pairs (only pairs of records in *among*, when given)."""
    acc: list[tuple[str, str]] = []
    rej: list[tuple[str, str]] = []
    for d in ctx.session.scalars(select(LinkDecision)):
        if among is not None and not (d.record_a in among and d.record_b in among):
            continue
        (acc if d.verdict == "accept" else rej).append((str(d.record_a), str(d.record_b)))
    return acc, rej


#: Pseudonyms the linkage gives the persons it creates (``V-17``, ``V-17-2``); every
#: other person with the role ``victim`` is a victim recorded by the investigators.
LINKAGE_PSEUDONYM = re.compile(r"V-\d+(-\d+)?")
#: Record ids of recorded victims in a linkage run (``p<person id>``): list record ids
#: are digits only, so the two never collide.
_PERSON_PREFIX = "p"


def _recorded_victims(ctx: Context) -> list[dict[str, Any]]:
    """The victims the investigators recorded, as linkage records (``record_id`` =
    ``p<person id>``): legal name, sex, age and the date of their killing act.

    Names are decrypted in memory for the run only, like the list records (the run
    keeps DuckDB off the disk); nothing is written in plain text.
    """
    from dalil.model.act import Act
    from dalil.model.person import Person
    from dalil.services.persons import _ctx_field

    dates: dict[int, str] = {}
    dated = select(Act.victim_id, Act.date).where(Act.date.is_not(None)).order_by(Act.id)
    for victim, date in ctx.session.execute(retractions.acts_in_force(dated)):
        if date:
            dates.setdefault(victim, date)
    out = []
    recorded = select(Person).where(Person.legal_name_enc.is_not(None)).order_by(Person.id)
    for p in ctx.session.scalars(retractions.in_force(recorded, "person", Person.id)):
        if "victim" not in (p.roles or []) or LINKAGE_PSEUDONYM.fullmatch(p.pseudonym):
            continue
        assert p.legal_name_enc is not None
        rec: dict[str, Any] = {
            "record_id": f"{_PERSON_PREFIX}{p.id}",
            "list": "(recorded victims)",
            "full_name": ctx.decrypt(p.legal_name_enc, _ctx_field(p.id, "legal_name")),
            "sex": {"male": "m", "female": "f"}.get(p.sex or ""),
            "age": p.age,
        }
        if p.id in dates:
            rec["date_of_death"] = dates[p.id]
        out.append(rec)
    return out


def _act_date(ctx: Context, person_id: int) -> str | None:
    from dalil.model.act import Act

    return ctx.session.scalar(
        select(Act.date)
        .where(Act.victim_id == person_id, Act.date.is_not(None))
        .order_by(Act.id)
        .limit(1)
    )


def _victim_decisions(ctx: Context) -> dict[int, dict[int, str]]:
    """record id → {person id → verdict}."""
    out: dict[int, dict[int, str]] = {}
    for d in ctx.session.scalars(select(VictimDecision)):
        out.setdefault(d.record_id, {})[d.person_id] = d.verdict
    return out


def link(
    ctx: Context,
    *,
    threshold: float = 0.9,
    review_low: float = 0.5,
    incident_id: int | None = None,
    backend: str = "duckdb",
    progress: Callable[[str], None] | None = None,
    incremental: bool = False,
) -> dict[str, Any]:
    """Link every imported record; create or update one victim Person per cluster.

    *incremental*: link only the records no run has linked yet (a list imported since)
    to the existing victims, with the model of the latest full run
    (:mod:`dalil.linkage.incremental`): existing victims keep their records and ids
    and are only joined, never split; the review queue keeps its pairs and gains the
    new ones.

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
        raise InputError(
            Message(
                N_("threshold %(threshold)s: must be greater than 0 and at most 1"),
                threshold=str(threshold),
            ),
            field="threshold",
        )
    if incident_id is not None:
        ctx.get(Incident, incident_id, "incident")
    recs = _records(ctx)
    if not recs:
        raise NotFound(
            Message(N_("no list imported yet: import a victim list first")), code="no_lists"
        )
    accepted, rejected = _decisions(ctx, {r.id for r, _ in recs})
    # records withdrawn (or of a withdrawn list) leave their victim; the records of a
    # withdrawn victim keep it (restoring the victim brings them back as they were)
    linked = {r.id for r, _ in recs}
    gone_victims = retractions.retracted_ids(ctx, "person")
    unlinked = 0
    for r in ctx.session.scalars(select(ListRecord).where(ListRecord.person_id.is_not(None))):
        if r.id in linked or r.person_id in gone_victims:
            continue
        r.person_id = None
        r.match_probability = None
        unlinked += 1
    recorded = _recorded_victims(ctx)
    recorded_ids = {int(v["record_id"][len(_PERSON_PREFIX) :]) for v in recorded}
    verdicts = _victim_decisions(ctx)
    # the recorded victims are scored with the list records but never clustered by the
    # model: a match to one of them is a proposal that a reviewer decides
    if incremental:
        cl, pairs, model, unused = _link_incremental(ctx, recs, recorded, threshold, review_low,
                                             accepted, rejected, progress)  # fmt: skip
    else:
        out = link_records([d for _, d in recs] + recorded, threshold=threshold,
                           backend=backend, accepted=accepted, rejected=rejected,
                           progress=progress, protected=True,
                           cluster_ids=[str(r.id) for r, _ in recs])  # fmt: skip
        cl, pairs, model = out.clustering, out.result.pairs, out.result.model_json
        unused = []
    by_id = {str(r.id): (r, d) for r, d in recs}
    clusters: dict[str, list[str]] = {}
    for rid, cid in cl.cluster_of.items():
        clusters.setdefault(cid, []).append(rid)
    # record id -> [(probability, recorded person id)] from the scored pairs
    to_victims: dict[str, list[tuple[float, int]]] = {}
    if len(pairs):
        for a, b, p in zip(pairs.unique_id_l.astype(str), pairs.unique_id_r.astype(str),
                           pairs.match_probability.astype(float), strict=True):  # fmt: skip
            a_rec, b_rec = a.startswith(_PERSON_PREFIX), b.startswith(_PERSON_PREFIX)
            if a_rec != b_rec:
                rid, pid = (b, a) if a_rec else (a, b)
                to_victims.setdefault(rid, []).append((p, int(pid[len(_PERSON_PREFIX) :])))
    proposed_before = set()
    if incremental:
        proposed_before = {
            (m.record_id, m.person_id) for m in ctx.session.scalars(select(VictimMatch))
        }
    else:
        ctx.session.execute(delete(VictimMatch))
    created = updated = joined = held = proposals = conflicts = 0
    claimed: set[int] = set()
    # the pseudonyms a new victim may not take (every one a run gives starts with V-)
    pseudonyms = set(
        ctx.session.scalars(select(Person.pseudonym).where(Person.pseudonym.like("V-%")))
    )
    new_victims: list[tuple[list[ListRecord], dict[str, Any]]] = []
    # larger clusters first: when a cluster splits, the larger part keeps the person
    for members in sorted(clusters.values(), key=lambda m: (-len(m), min(int(x) for x in m))):
        rows = [by_id[m][0] for m in members]
        said = {pid: v for r in rows for pid, v in verdicts.get(r.id, {}).items()}
        chosen = sorted(pid for pid, v in said.items() if v == "accept" and pid in recorded_ids)
        if chosen:
            # a reviewer said this cluster is a victim the case holds: it joins that person
            conflicts += len(chosen) > 1
            for r in rows:
                r.person_id = chosen[0]
                r.match_probability = cl.probability[str(r.id)]
            joined += 1
            continue
        best: dict[int, tuple[float, int]] = {}
        for m in members:
            for p, pid in to_victims.get(m, []):
                if said.get(pid) != "reject" and (pid not in best or p > best[pid][0]):
                    best[pid] = (p, int(m))
        existing = Counter(
            r.person_id for r in rows if r.person_id is not None and r.person_id not in recorded_ids
        )
        person_id = next((pid for pid, _ in existing.most_common() if pid not in claimed), None)
        hold = person_id is None and any(p >= threshold for p, _ in best.values())
        for pid, (p, rec_id) in best.items():
            if p >= review_low and (rec_id, pid) not in proposed_before:
                ctx.session.add(VictimMatch(record_id=rec_id, person_id=pid, probability=p,
                                            held=hold and p >= threshold))  # fmt: skip
                proposals += 1
        if hold:
            # it matches a recorded victim: no new person until a reviewer decides
            for r in rows:
                r.person_id = None
                r.match_probability = cl.probability[str(r.id)]
            held += 1
            continue
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
            while pseudonym in pseudonyms:
                k += 1  # the pseudonym of a person whose cluster split
                pseudonym = f"V-{min(int(m) for m in members)}-{k}"
            pseudonyms.add(pseudonym)
            # made below, all at once: a few statements for thousands of victims
            new_victims.append((rows, {
                "pseudonym": pseudonym,
                "sex": {"m": "male", "f": "female"}.get(sexes.most_common(1)[0][0]) if sexes else None,
                "age": ages.most_common(1)[0][0] if ages else None,
                "roles": ["victim"],
                "legal_name": name or None,
            }))  # fmt: skip
            created += 1
            continue
        updated += 1
        claimed.add(person_id)
        for r in rows:
            r.person_id = person_id
            r.match_probability = cl.probability[str(r.id)]
    made = persons.add_persons(ctx, [fields for _, fields in new_victims])
    for (rows, _), victim in zip(new_victims, made, strict=True):
        for r in rows:
            r.person_id = victim.id
            r.match_probability = cl.probability[str(r.id)]
        if incident_id is not None:
            dod = Counter(r.date_of_death for r in rows if r.date_of_death)
            records.add(ctx, "act", incident_id=incident_id, victim_id=victim.id,
                        act_type="killing", date=dod.most_common(1)[0][0] if dod else None)  # fmt: skip
    ctx.session.flush()
    orphans = ctx.session.scalars(
        select(Person.id).where(
            Person.pseudonym.like("V-%"),
            ~Person.id.in_(select(ListRecord.person_id).where(ListRecord.person_id.is_not(None))),
        )
    ).all()
    if not incremental:
        ctx.session.execute(delete(ReviewPair))
    decided = {frozenset(p) for p in accepted + rejected}
    queue = 0
    if len(pairs):
        band = pairs[
            (pairs.match_probability >= review_low) & (pairs.match_probability < threshold)
        ]
        for a, b, p in zip(band.unique_id_l, band.unique_id_r, band.match_probability, strict=True):
            if frozenset((str(a), str(b))) in decided or not (str(a) + str(b)).isdigit():
                continue
            lo, hi = sorted((int(a), int(b)))
            ctx.session.add(ReviewPair(record_a=lo, record_b=hi, probability=float(p)))
            queue += 1
    ctx.session.execute(delete(PairExplanation))
    explained = 0
    if model:
        run = LinkageRun(kind="incremental" if incremental else "full", run_at=utcnow(),
                         records=len(recs), threshold=threshold, model=model)  # fmt: skip
        ctx.session.add(run)
        ctx.session.flush()
        explained = _keep_explanations(ctx, run, [d for _, d in recs] + recorded,
                                       list(clusters.values()), progress)  # fmt: skip
    summary = {
        "incremental": incremental,
        "fields_not_in_model": unused,
        "records": len(recs),
        "records_unlinked_retracted": unlinked,
        "victims": len(clusters),
        "persons_created": created,
        "persons_updated": updated,
        "persons_without_records": list(orphans),
        "recorded_victims_compared": len(recorded),
        "joined_recorded_victims": joined,
        "held_for_review": held,
        "victim_matches_proposed": proposals,
        "victim_decision_conflicts": conflicts,
        "review_queue": queue + proposals,
        "decisions_applied": {"accept": len(accepted), "reject": len(rejected)},
        "joins_refused_by_rejections": cl.blocked_joins,
        "incompatible_joins": cl.incompatible_joins,
        "same_list_joins": cl.same_list_joins,
        "threshold": threshold,
        "pairs_explained": explained,
    }
    ctx.audit("linkage.run", [oid("list", v) for v in sorted({r.list_id for r, _ in recs})],
              change={k: v for k, v in summary.items() if k != "persons_without_records"},
              detail={"model": "splink-5", "backend": "duckdb" if incremental else backend,
                      "pairs": len(pairs)})  # fmt: skip
    return summary


#: A cluster larger than this keeps no explanation of its pairs (n·(n-1)/2 of them): its
#: view scores them again.
EXPLAIN_CLUSTER_MAX = 100


def _keep_explanations(
    ctx: Context,
    run: LinkageRun,
    records: list[dict[str, Any]],
    clusters: list[list[str]],
    progress: Callable[[str], None] | None,
) -> int:
    """Score, once, field by field, every pair the review views show — each review
    queue pair, victim match and decision, and every pair within a cluster of up to
    :data:`EXPLAIN_CLUSTER_MAX` records — and keep them with *run*: viewing a pair or
    a cluster is then a read. The same scoring as a view made without them
    (:func:`_explain_records`: every list record and recorded victim, the run's model)."""
    from dalil.linkage.incremental import explain_groups

    groups: list[list[str]] = [m for m in clusters if 1 < len(m) <= EXPLAIN_CLUSTER_MAX]
    for rp in ctx.session.scalars(select(ReviewPair)):
        groups.append([str(rp.record_a), str(rp.record_b)])
    for d in ctx.session.scalars(select(LinkDecision)):
        groups.append([str(d.record_a), str(d.record_b)])
    for vm in ctx.session.scalars(select(VictimMatch)):
        groups.append([str(vm.record_id), f"{_PERSON_PREFIX}{vm.person_id}"])
    for vd in ctx.session.scalars(select(VictimDecision)):
        groups.append([str(vd.record_id), f"{_PERSON_PREFIX}{vd.person_id}"])
    if not groups:
        return 0
    if progress is not None:
        progress(
            Message(
                N_("keeping the explanation of the pairs of %(n)s clusters and pairs"),
                n=len(groups),
            )
        )
    found = explain_groups(records, groups, dict(run.model), protected=True)
    for item in found:
        ctx.session.add(PairExplanation(run_id=run.id, pair=f"{item['a']}-{item['b']}",
                                        probability=float(item["probability"]),
                                        match_weight=float(item["match_weight"]),
                                        fields=item["fields"]))  # fmt: skip
    ctx.session.flush()
    return len(found)


def _explain_records(ctx: Context, ids: Sequence[int | str] = ()) -> list[dict[str, Any]]:
    """The records a run scores — the list records in force and every recorded victim
    (term frequencies are counted on them) — and those of *ids* that are not in force
    (a retracted record's pair is still explained)."""
    recs = [d for _, d in _records(ctx)] + _recorded_victims(ctx)
    have = {str(d["record_id"]) for d in recs}
    missing = {str(i) for i in ids} - have
    if missing:
        recs += [d for _, d in _records(ctx, every=True) if d["record_id"] in missing]
    return recs


def stored_explanations(ctx: Context, pairs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The explanations the latest run kept for *pairs* (``12-40``, ``12-p5``), by pair:
    ``probability``, ``match_weight``, ``fields``. Pairs it kept none for (a run made
    before runs kept them, a pair outside the queue, decisions and clusters) are absent."""
    latest = ctx.session.scalar(select(LinkageRun.id).order_by(LinkageRun.id.desc()).limit(1))
    if latest is None or not pairs:
        return {}
    rows = ctx.session.scalars(
        select(PairExplanation).where(
            PairExplanation.run_id == latest, PairExplanation.pair.in_(list(pairs))
        )
    )
    return {r.pair: {"probability": r.probability, "match_weight": r.match_weight,
                     "fields": [dict(f) for f in r.fields]} for r in rows}  # fmt: skip


def _link_incremental(
    ctx: Context,
    recs: list[tuple[ListRecord, dict[str, Any]]],
    recorded: list[dict[str, Any]],
    threshold: float,
    review_low: float,
    accepted: list[tuple[str, str]],
    rejected: list[tuple[str, str]],
    progress: Callable[[str], None] | None,
) -> tuple[Any, Any, dict[str, Any], list[str]]:
    """Clustering, scored pairs, model and the fields the model does not compare, of an
    incremental run (see :func:`link`)."""
    from dalil.linkage.incremental import cluster_incremental, score_new_records

    last = ctx.session.scalar(
        select(LinkageRun).where(LinkageRun.kind == "full").order_by(LinkageRun.id.desc())
    )
    if last is None:
        raise Conflict(
            Message(N_("no earlier full linkage run to add to: run dalil lists link first"))
        )
    old = [(r, d) for r, d in recs if r.person_id is not None]
    new = [(r, d) for r, d in recs if r.person_id is None]
    say = progress or (lambda _m: None)
    say(
        Message(
            N_("incremental: %(new)s records not linked yet, %(old)s linked"),
            new=len(new),
            old=len(old),
        )
    )
    # recorded victims are scored on the new side: against new and existing records
    scored = score_new_records([d for _, d in old], [d for _, d in new] + recorded,
                               last.model, review_low=min(review_low, threshold),
                               protected=True, progress=say)  # fmt: skip
    first: dict[int, str] = {}
    for r, _ in old:
        assert r.person_id is not None
        first[r.person_id] = min(first.get(r.person_id, str(r.id)), str(r.id), key=int)
    existing = {str(r.id): first[r.person_id] for r, _ in old if r.person_id is not None}
    probability = {str(r.id): float(r.match_probability or 1.0) for r, _ in old}
    cl = cluster_incremental(existing, probability, [str(r.id) for r, _ in new], scored.pairs,
                             threshold, accepted=accepted, rejected=rejected,
                             attributes=scored.attributes, lists=scored.lists)  # fmt: skip
    if scored.unused_fields:
        say(
            Message(
                N_(
                    "the new records carry fields the earlier model does not compare "
                    "(%(fields)s): run a full linkage to use them"
                ),
                fields=", ".join(scored.unused_fields),
            )
        )
    return cl, scored.pairs, last.model, list(scored.unused_fields)


# --------------------------------------------------------------------------------------
# Review and decisions
# --------------------------------------------------------------------------------------

_OPEN = ("sex", "age", "birth_year", "date_of_death", "place_of_death", "governorate")


def _open_fields(r: ListRecord, list_name: str, ctx: Context | None = None) -> dict[str, Any]:
    """A record's open fields; with *ctx*, also ``derived``: which of them were read
    from the record's notes (field names only, from the encrypted row)."""
    out = {"id": r.id, "list": list_name, "record": r.record_key,
           **{k: getattr(r, k) for k in _OPEN}, "person_id": r.person_id}  # fmt: skip
    if ctx is not None:
        data = ctx.decrypt(r.data_enc, _data_context(r.id))
        out["derived"] = [f for f in data.get("derived_fields") or [] if f in _OPEN]
    return out


#: Orders of the review queue (``review(order=…)``): most uncertain first, or largest
#: expected effect of the decision on the estimate first (:mod:`dalil.estimate.review_effect`).
REVIEW_ORDERS = ("uncertainty", "effect")


def _queue_effects(ctx: Context, items: Sequence[Any]) -> list[Any]:
    """The expected effect on the estimate of deciding each queue item (a
    :class:`VictimMatch` or :class:`ReviewPair`): record ids, lists and current persons
    only, nothing decrypted. A match with a recorded victim joins the record's cluster
    to the records already on that victim (none: no effect on the estimate)."""
    from dalil.estimate.review_effect import decision_effects

    rows = ctx.session.execute(select(ListRecord.id, ListRecord.list_id, ListRecord.person_id))
    list_of: dict[str, str] = {}
    person_of: dict[str, str] = {}
    on_person: dict[int, str] = {}
    for rid, list_id, pid in rows:
        list_of[str(rid)] = str(list_id)
        if pid is not None:  # a held record (no person yet) counts as a person of its own
            person_of[str(rid)] = str(pid)
            on_person.setdefault(pid, str(rid))
    pairs = []
    for it in items:
        if isinstance(it, VictimMatch):
            pairs.append((str(it.record_id), on_person.get(it.person_id, ""), it.probability))
        else:
            pairs.append((str(it.record_a), str(it.record_b), it.probability))
    return decision_effects(list_of, person_of, pairs)


def _effect_json(e: Any) -> dict[str, Any]:
    import math

    finite = not math.isinf(e.change)
    return {"if": e.outcome, "estimate_change": round(e.change, 2) if finite else None,
            "expected_change": round(e.expected, 2) if finite else None,
            "unbounded": not finite}  # fmt: skip


def review(
    ctx: Context, *, reason: str | None = None, limit: int = 50, order: str = "uncertainty"
) -> list[dict[str, Any]]:
    """The review queue: proposed matches with victims the case already holds (those
    that hold a cluster back from becoming a person first), then uncertain record
    pairs; with *order* ``uncertainty`` each part most uncertain first (probability
    nearest 0.5), with ``effect`` largest expected change of the estimate first (see
    :mod:`dalil.estimate.review_effect`; the held matches still come first). Each item
    carries its ``effect``: the outcome a decision would bring (``link`` or ``split``),
    the change of the estimate then and the expected change (``unbounded``: the
    decision makes or ends the only overlap between the lists).

    A match with a recorded victim has the pair ``RECORD-p<person id>`` and the
    victim's open fields as ``b`` (``list`` is the victim's pseudonym). Open fields
    only; with a *reason* (needs ``linkage.reveal``; one audit entry per pair shown,
    citing the reason) the names of both sides are shown as well. Pairs in blind double
    review are left out (they are decided in :mod:`dalil.services.blind_review`).
    """
    from dalil.estimate.review_effect import order_by_effect
    from dalil.model.person import Person
    from dalil.services.blind_review import pairs_in_blind_review
    from dalil.services.persons import _ctx_field

    ctx.require(access.CASE_READ, "review linkage pairs")
    if reason is not None:
        ctx.require(access.LINKAGE_REVEAL, "see names in the review queue")
        if len(reason.strip()) < 5:
            raise InputError(
                Message(N_("state why the names are needed (reason, 5+ characters)")),
                field="reason",
            )
    if order not in REVIEW_ORDERS:
        raise InputError(
            Message(
                N_("order %(order)s: use %(choices)s"),
                order=repr(order),
                choices=str(" or ".join(REVIEW_ORDERS)),
            ),
            field="order",
        )
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList))}
    # a pair with a withdrawn record (or list, or victim) waits for no decision
    live = retractions.list_records_in_force(select(ListRecord.id))
    matches = select(VictimMatch).where(
        VictimMatch.record_id.in_(live),
        VictimMatch.person_id.not_in(retractions.retracted_query("person")),
    )
    pairs = select(ReviewPair).where(ReviewPair.record_a.in_(live), ReviewPair.record_b.in_(live))
    queue: list[Any] = [*ctx.session.scalars(matches), *ctx.session.scalars(pairs)]
    effs = _queue_effects(ctx, queue)
    probs = [q.probability for q in queue]
    ranked = (order_by_effect(effs, probs) if order == "effect"
              else sorted(range(len(queue)), key=lambda i: (abs(probs[i] - 0.5), i)))  # fmt: skip
    # held matches first (they keep a cluster from becoming a person), in the same order
    ranked.sort(key=lambda i: 0 if getattr(queue[i], "held", False) else 1)
    effects = {id(queue[i]): effs[i] for i in ranked}
    items = [(i, queue[i]) for i in ranked]
    # pairs in blind double review are decided there (dalil lists blind), not here
    blind = pairs_in_blind_review(ctx)
    items = [kv for kv in items if _pair_key(kv[1]) not in blind]
    out = []
    revealed: list[str] = []

    def record_names(r: ListRecord) -> dict[str, str]:
        data = ctx.decrypt(r.data_enc, _data_context(r.id))
        revealed.append(oid("list_record", r.id))
        return {k: data[k] for k in PROTECTED_KEYS[:6] if data.get(k)}

    shown: list[list[str]] = []  # the object ids revealed, pair by pair
    for _, p in items[:limit]:
        start = len(revealed)
        if isinstance(p, VictimMatch):
            a = ctx.session.get(ListRecord, p.record_id)
            person = ctx.session.get(Person, p.person_id)
            assert a is not None and person is not None
            b: dict[str, Any] = {"id": f"{_PERSON_PREFIX}{person.id}", "list": person.pseudonym,
                                 "recorded_victim": True, "person_id": person.id,
                                 "sex": {"male": "m", "female": "f"}.get(person.sex or ""),
                                 "age": person.age, "birth_year": None,
                                 "date_of_death": _act_date(ctx, person.id)}  # fmt: skip
            item: dict[str, Any] = {"pair": f"{a.id}-{_PERSON_PREFIX}{person.id}",
                                    "probability": round(p.probability, 4), "held": p.held,
                                    "a": _open_fields(a, names[a.list_id], ctx), "b": b}  # fmt: skip
            if reason is not None:
                item["a"]["names"] = record_names(a)
                if person.legal_name_enc is not None:
                    legal = ctx.decrypt(person.legal_name_enc, _ctx_field(person.id, "legal_name"))
                    b["names"] = {"full_name": legal}
                    revealed.append(oid("person", person.id))
        else:
            ra = ctx.session.get(ListRecord, p.record_a)
            rb = ctx.session.get(ListRecord, p.record_b)
            assert ra is not None and rb is not None
            item = {"pair": f"{ra.id}-{rb.id}", "probability": round(p.probability, 4),
                    "a": _open_fields(ra, names[ra.list_id], ctx),
                    "b": _open_fields(rb, names[rb.list_id], ctx)}  # fmt: skip
            if reason is not None:
                item["a"]["names"] = record_names(ra)
                item["b"]["names"] = record_names(rb)
        item["effect"] = _effect_json(effects[id(p)])
        out.append(item)
        if len(revealed) > start:
            shown.append(revealed[start:])
    if reason is not None:
        for pair_ids in shown:  # one entry per pair shown, citing the reason
            ctx.audit("linkage.reveal", pair_ids, change={"fields": list(PROTECTED_KEYS[:6])},
                      detail={"reason": reason.strip()})  # fmt: skip
    return out


def _pair_key(p: Any) -> str:
    """The pair name of a queue row (``12-57`` or ``12-p5``)."""
    if isinstance(p, VictimMatch):
        return f"{p.record_id}-{_PERSON_PREFIX}{p.person_id}"
    return f"{p.record_a}-{p.record_b}"


def pair_key(text: str) -> str:
    """The canonical name of a pair given as text (``57-12`` → ``12-57``; ``12-P5`` →
    ``12-p5``); InputError for anything else."""
    vp = _victim_pair(text)
    a, b = vp if vp is not None else parse_pair(text)
    if max(a, b) >= 2**62:
        raise InputError(Message(N_("pair %(text)s: no such record id"), text=repr(text)))
    return f"{a}-{_PERSON_PREFIX}{b}" if vp is not None else f"{a}-{b}"


def parse_pair(text: str) -> tuple[int, int]:
    parts = text.replace(",", "-").replace(":", "-").split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise InputError(
            Message(
                N_("pair %(text)s: expected two record ids like 12-57 (see lists review)"),
                text=repr(text),
            )
        )
    a, b = (int(p) for p in parts)
    if a == b:
        raise InputError(
            Message(N_("pair %(text)s: a record cannot be paired with itself"), text=repr(text))
        )
    lo, hi = sorted((a, b))
    return lo, hi


def _victim_pair(text: str) -> tuple[int, int] | None:
    """``17-p5`` (list record 17, recorded victim with person id 5) → (17, 5)."""
    m = re.fullmatch(r"\s*(\d+)\s*[-,:]\s*[pP](\d+)\s*", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def decide(ctx: Context, pair: str, verdict: str, *, note: str | None = None) -> dict[str, Any]:
    """Store (or change) a reviewer's decision on a pair; applied on every later link.

    *pair* is two list record ids (``12-57``) or a list record and a victim the case
    holds (``12-p5``, person id 5): accepting the latter puts the record's cluster on
    that person on every later run; rejecting it keeps the cluster off that person.
    """
    from dalil.services.blind_review import pairs_in_blind_review

    ctx.require(access.LINKAGE_DECIDE, "decide linkage pairs")
    if verdict not in ("accept", "reject"):
        raise InputError(
            Message(N_("verdict %(verdict)s: use accept or reject"), verdict=repr(verdict)),
            field="verdict",
        )
    key = pair_key(pair)
    if key in pairs_in_blind_review(ctx):
        raise Conflict(
            Message(
                N_(
                    "pair %(key)s is in blind double review: decide it there (dalil lists "
                    "blind vote)"
                ),
                key=str(key),
            )
        )
    return apply_decision(ctx, key, verdict, note=note)


def apply_decision(
    ctx: Context,
    pair: str,
    verdict: str,
    *,
    note: str | None = None,
    by: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Store *verdict* on *pair* (audited ``linkage.decide``) once the caller has checked
    the permission: :func:`decide`, or a blind double review that closed (*by*: its
    reviewers; *detail*: the blind item)."""
    vp = _victim_pair(pair)
    if vp is not None:
        return _decide_victim(ctx, *vp, verdict, note, by=by, extra=detail)
    a, b = parse_pair(pair)
    for rid in (a, b):
        if ctx.session.get(ListRecord, rid) is None:
            raise NotFound(Message(N_("no list record with id %(id)s"), id=str(rid)))
    d = ctx.session.scalar(
        select(LinkDecision).where(LinkDecision.record_a == a, LinkDecision.record_b == b)
    )
    previous = d.verdict if d else None
    who = by or ctx.actor.name
    if d is None:
        d = LinkDecision(record_a=a, record_b=b, verdict=verdict, note=note,
                         decided_by=who, decided_at=utcnow())  # fmt: skip
        ctx.session.add(d)
    else:
        d.verdict, d.note, d.decided_by, d.decided_at = verdict, note, who, utcnow()
    ctx.session.execute(
        delete(ReviewPair).where(ReviewPair.record_a == a, ReviewPair.record_b == b)
    )
    ctx.session.flush()
    ctx.audit("linkage.decide", [oid("list_record", a), oid("list_record", b)],
              change={"verdict": verdict, "previous": previous},
              detail={"verdict": verdict, "previous": previous, **(detail or {})})  # fmt: skip
    return {"pair": f"{a}-{b}", "verdict": verdict, "previous": previous,
            "decided_by": who}  # fmt: skip


def _decide_victim(
    ctx: Context,
    record_id: int,
    person_id: int,
    verdict: str,
    note: str | None,
    *,
    by: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    from dalil.model.person import Person

    if ctx.session.get(ListRecord, record_id) is None:
        raise NotFound(Message(N_("no list record with id %(id)s"), id=str(record_id)))
    person = ctx.session.get(Person, person_id)
    if (
        person is None
        or "victim" not in (person.roles or [])
        or LINKAGE_PSEUDONYM.fullmatch(person.pseudonym)
    ):
        raise NotFound(Message(N_("no recorded victim with person id %(id)s"), id=str(person_id)))
    d = ctx.session.scalar(
        select(VictimDecision).where(
            VictimDecision.record_id == record_id, VictimDecision.person_id == person_id
        )
    )
    previous = d.verdict if d else None
    who = by or ctx.actor.name
    if d is None:
        d = VictimDecision(record_id=record_id, person_id=person_id, verdict=verdict, note=note,
                           decided_by=who, decided_at=utcnow())  # fmt: skip
        ctx.session.add(d)
    else:
        d.verdict, d.note, d.decided_by, d.decided_at = verdict, note, who, utcnow()
    ctx.session.execute(
        delete(VictimMatch).where(
            VictimMatch.record_id == record_id, VictimMatch.person_id == person_id
        )
    )
    ctx.session.flush()
    ctx.audit("linkage.decide", [oid("list_record", record_id), oid("person", person_id)],
              change={"verdict": verdict, "previous": previous},
              detail={"verdict": verdict, "previous": previous, **(extra or {})})  # fmt: skip
    pair = f"{record_id}-{_PERSON_PREFIX}{person_id}"
    return {"pair": pair, "verdict": verdict, "previous": previous,
            "decided_by": who}  # fmt: skip


# --------------------------------------------------------------------------------------
# Cluster view: why records were linked, and splitting a wrongly chained cluster
# --------------------------------------------------------------------------------------


def _latest_model(ctx: Context) -> dict[str, Any]:
    run = ctx.session.scalar(select(LinkageRun).order_by(LinkageRun.id.desc()))
    if run is None:
        raise Conflict(Message(N_("no linkage run yet: run dalil lists link first")))
    return dict(run.model)


def _explain(ctx: Context, ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every pair among the list records *ids*, field by field, strongest first: what
    the latest run kept, else (a run made before runs kept it, a cluster too large)
    scored again with its model."""
    from dalil.linkage.incremental import explain_pairs

    model = _latest_model(ctx)
    order = sorted(int(i) for i in ids)
    keys = [f"{a}-{b}" for i, a in enumerate(order) for b in order[i + 1 :]]
    kept = stored_explanations(ctx, keys)
    if len(kept) == len(keys):
        out = [{"pair": k, **kept[k]} for k in keys]
    else:
        out = explain_pairs(
            _explain_records(ctx, ids), [str(i) for i in ids], model, protected=True
        )
        for item in out:
            item["pair"] = f"{item.pop('a')}-{item.pop('b')}"
    # ties (pairs the model is equally sure of) in pair order, however they were read
    return sorted(out, key=lambda x: (-float(x["probability"]), *map(int, x["pair"].split("-"))))


def explain(ctx: Context, pair: str) -> dict[str, Any]:
    """Why two list records were (or were not) linked: the latest run's model scores
    the pair field by field — the level each comparison reached (``same key``,
    ``birth years ±3``, ``missing`` …) and its weight in bits (positive: evidence of
    the same person). No name or other protected value is shown."""
    ctx.require(access.CASE_READ, "explain linkage pairs")
    a, b = parse_pair(pair)
    for rid in (a, b):
        if ctx.session.get(ListRecord, rid) is None:
            raise NotFound(Message(N_("no list record with id %(id)s"), id=str(rid)))
    return _explain(ctx, [a, b])[0]


def cluster_view(ctx: Context, person_id: int, *, reason: str | None = None) -> dict[str, Any]:
    """A victim's cluster: every list record supporting the person (open fields; the
    names too with a *reason*: needs ``linkage.reveal``, as the names of a pair under
    review; audited ``linkage.reveal`` citing the reason) and every pair among
    them scored field by field (:func:`explain`), strongest first, with the reviewer's
    ``decision`` on it if any (verdict, by whom; not the note, which may name people)."""
    from dalil.model.person import Person

    ctx.require(access.CASE_READ, "view linkage clusters")
    if reason is not None:
        ctx.require(access.LINKAGE_REVEAL, "see names in a cluster")
        if len(reason.strip()) < 5:
            raise InputError(
                Message(N_("state why the names are needed (reason, 5+ characters)")),
                field="reason",
            )
    person = ctx.get(Person, person_id, "person")
    rows = list(
        ctx.session.scalars(
            select(ListRecord).where(ListRecord.person_id == person.id).order_by(ListRecord.id)
        )
    )
    if not rows:
        raise NotFound(
            Message(
                N_("person %(person)s has no list records (run dalil lists link)"),
                person=str(person_id),
            )
        )
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList))}
    records = [_open_fields(r, names[r.list_id], ctx) for r in rows]
    if reason is not None:
        for item, r in zip(records, rows, strict=True):
            data = ctx.decrypt(r.data_enc, _data_context(r.id))
            item["names"] = {k: data[k] for k in PROTECTED_KEYS[:6] if data.get(k)}
        ctx.audit("linkage.reveal", [oid("list_record", r.id) for r in rows],
                  change={"fields": list(PROTECTED_KEYS[:6])},
                  detail={"reason": reason.strip(), "person": person.id})  # fmt: skip
    links = _explain(ctx, [r.id for r in rows]) if len(rows) > 1 else []
    ids = [r.id for r in rows]
    decided = {
        f"{d.record_a}-{d.record_b}": {"verdict": d.verdict, "decided_by": d.decided_by}
        for d in ctx.session.scalars(
            select(LinkDecision).where(LinkDecision.record_a.in_(ids),
                                       LinkDecision.record_b.in_(ids))
        )
    }  # fmt: skip
    for link in links:
        link["decision"] = decided.get(link["pair"])
    return {"person": person.to_dict(), "records": records, "links": links}


def split(
    ctx: Context, person_id: int, record_ids: Sequence[int], *, note: str | None = None
) -> dict[str, Any]:
    """Split *record_ids* off a victim's cluster, as decisions later runs keep: each of
    them is rejected against each record that stays (so no chain joins the two parts
    again), and the split-off records are accepted together (they stay one person).
    Applied at the next ``lists link``."""
    ctx.require(access.LINKAGE_DECIDE, "split linkage clusters")
    members = set(
        ctx.session.scalars(select(ListRecord.id).where(ListRecord.person_id == person_id))
    )
    if not members:
        raise NotFound(
            Message(
                N_("person %(person)s has no list records (run dalil lists link)"),
                person=str(person_id),
            )
        )
    part = sorted(set(record_ids))
    if not part:
        raise InputError(
            Message(N_("name the record ids to split off (see lists cluster)")), code="split_none"
        )
    strangers = [r for r in part if r not in members]
    if strangers:
        raise InputError(
            Message(
                N_("record %(record)s is not in person %(person)s's cluster"),
                record=str(strangers[0]),
                person=str(person_id),
            )
        )
    rest = sorted(members - set(part))
    if not rest:
        raise InputError(
            Message(N_("a split must leave at least one record with the person")),
            code="split_all",
        )
    for a in part:
        for b in rest:
            decide(ctx, f"{a}-{b}", "reject", note=note)
    for a, b in pairwise(part):
        decide(ctx, f"{a}-{b}", "accept", note=note)
    ctx.audit("linkage.split", [oid("person", person_id), *(oid("list_record", r) for r in part)],
              change={"split_off": part, "kept": rest},
              detail={"split_off": len(part), "kept": len(rest)})  # fmt: skip
    return {"person": person_id, "split_off": part, "kept": rest,
            "rejected_pairs": len(part) * len(rest), "accepted_pairs": max(0, len(part) - 1)}  # fmt: skip


def merge_candidates(
    ctx: Context, person_id: int, *, query: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Victims a reviewer may merge with *person_id*'s cluster, no name shown: with a
    *query*, those whose pseudonym, person id, list record id or row key matches it;
    without one, the victims a record of the cluster has a pair with in the review
    queue (strongest first). Each with its records' count and lists, and ``why`` it is
    offered (``pseudonym``, ``person``, ``record``, ``row``, ``pair``) with the
    ``detail`` (the query, or the queue pair and its probability)."""
    from dalil.model.person import Person

    ctx.require(access.CASE_READ, "find linkage clusters")
    ctx.get(Person, person_id, "person")
    mine = set(ctx.session.scalars(select(ListRecord.id).where(ListRecord.person_id == person_id)))
    found: dict[int, tuple[str, str]] = {}  # person id -> why it is offered, and the detail
    q = " ".join((query or "").split())[:100]
    if q:
        if q.isdigit():
            rec = ctx.session.get(ListRecord, int(q))
            if rec is not None and rec.person_id is not None:
                found.setdefault(rec.person_id, ("record", q))
            if ctx.session.get(Person, int(q)) is not None:
                found.setdefault(int(q), ("person", q))
        for pid, key in ctx.session.execute(
            select(ListRecord.person_id, ListRecord.record_key).where(
                ListRecord.record_key == q, ListRecord.person_id.is_not(None)
            )
        ):
            if pid is not None:
                found.setdefault(pid, ("row", key))
        pattern = q.replace("\\", "").replace("%", "").replace("_", "")
        for pid in ctx.session.scalars(
            select(Person.id).where(Person.pseudonym.ilike(f"%{pattern}%")).limit(limit)
        ):
            found.setdefault(pid, ("pseudonym", q))
    else:
        near = [
            (p.probability, p.record_b if p.record_a in mine else p.record_a, p)
            for p in ctx.session.scalars(
                select(ReviewPair).where(
                    ReviewPair.record_a.in_(mine) | ReviewPair.record_b.in_(mine)
                )
            )
        ]
        for prob, other, p in sorted(near, key=lambda t: -t[0]):
            pid = ctx.session.scalar(select(ListRecord.person_id).where(ListRecord.id == other))
            if pid is not None:
                found.setdefault(pid, ("pair", f"{p.record_a}-{p.record_b} ({prob:.2f})"))
    found.pop(person_id, None)
    names = {v.id: v.name for v in ctx.session.scalars(select(VictimList))}
    out = []
    for pid, (why, detail) in found.items():
        recs = ctx.session.scalars(select(ListRecord).where(ListRecord.person_id == pid)).all()
        person = ctx.session.get(Person, pid)
        if not recs or person is None:
            continue  # only victims with list records can be merged
        out.append({"person_id": pid, "pseudonym": person.pseudonym, "why": why,
                    "detail": detail, "records": len(recs),
                    "lists": sorted({names[r.list_id] for r in recs})})  # fmt: skip
        if len(out) >= limit:
            break
    return out


def merge(
    ctx: Context, person_id: int, other_id: int, *, note: str | None = None
) -> dict[str, Any]:
    """Merge two victims' clusters (the same person recorded twice), as decisions later
    runs keep: the records of both are accepted together in a chain (record id order),
    so every later run — full or incremental — links them as one person, whatever the
    model says. Refused, with nothing stored, when a reviewer decided that a record of
    one and a record of the other are different people (change that decision first).
    Applied at the next ``lists link``; the larger cluster keeps its person."""
    ctx.require(access.LINKAGE_DECIDE, "merge linkage clusters")
    if person_id == other_id:
        raise InputError(
            Message(N_("a victim cannot be merged with itself: name two different victims"))
        )
    sides = []
    for pid in (person_id, other_id):
        ids = set(ctx.session.scalars(select(ListRecord.id).where(ListRecord.person_id == pid)))
        if not ids:
            raise NotFound(
                Message(
                    N_("person %(person)s has no list records (run dalil lists link)"),
                    person=str(pid),
                )
            )
        sides.append(ids)
    both = sides[0] | sides[1]
    # a rejected pair across the two (or inside one: a split not applied by a run yet)
    for d in ctx.session.scalars(select(LinkDecision).where(LinkDecision.verdict == "reject")):
        if d.record_a in both and d.record_b in both:
            raise InputError(
                Message(
                    N_(
                        "records %(record_a)s and %(record_b)s were decided different people (by "
                        "%(decided_by)s): decide that pair again before merging"
                    ),
                    record_a=str(d.record_a),
                    record_b=str(d.record_b),
                    decided_by=str(d.decided_by),
                ),
                code="decided_apart",
            )
    records = sorted(both)
    accepted = {(d.record_a, d.record_b) for d in ctx.session.scalars(
        select(LinkDecision).where(LinkDecision.verdict == "accept"))}  # fmt: skip
    chain = [(a, b) for a, b in pairwise(records) if (a, b) not in accepted]
    # the chain joins the two sides (their records interleave by id); pairs inside one
    # side are accepted too, so that a model change never undoes the merge
    for a, b in chain:
        decide(ctx, f"{a}-{b}", "accept", note=note)
    ctx.audit("linkage.merge", [oid("person", person_id), oid("person", other_id)],
              change={"records": records}, detail={"records": len(records)})  # fmt: skip
    return {"person": person_id, "merged": other_id, "records": records,
            "accepted_pairs": len(chain)}  # fmt: skip


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


#: What the capture histories read of each list record.
_HISTORY_COLUMNS = (
    ListRecord.person_id, ListRecord.list_id, ListRecord.sex, ListRecord.age,
    ListRecord.birth_year, ListRecord.date_of_death, ListRecord.place_of_death,
    ListRecord.governorate,
)  # fmt: skip


def case_histories(
    ctx: Context, strata: Sequence[str] = ()
) -> tuple[list[str], list[dict[str, Any]]]:
    """Capture histories of the linked victims: one row per (stratum, pattern) with count.

    Returns ``(lists, rows)``; each row has one 0/1 column per list (named by the list
    name), the stratum columns asked for and ``count`` — the input format of
    ``dalil estimate``. A victim is the set of list records sharing a ``person_id``
    (run ``lists link`` first); retracted lists, list records and victims are left out; a stratum value is the most common value among its
    records (``unknown`` when none). Strata: sex, governorate, place_of_death,
    date_of_death, age_group (0-17, 18-59, 60+).
    """
    ctx.require(access.CASE_READ, "read capture histories")
    for s in strata:
        if s not in STRATA:
            raise InputError(
                Message(
                    N_("unknown stratum %(value)s; use %(choices)s"),
                    value=repr(s),
                    choices=str(", ".join(STRATA)),
                ),
                field="strata",
            )
    in_force = retractions.in_force(
        select(VictimList).order_by(VictimList.id), "list", VictimList.id
    )
    lists = {v.id: v.name for v in ctx.session.scalars(in_force)}
    if not lists:
        raise NotFound(
            Message(N_("no list imported yet: import a victim list first")), code="no_lists"
        )
    # The columns counted only: a record's encrypted row (its names) is never loaded.
    recs = list(ctx.session.execute(retractions.list_records_in_force(select(*_HISTORY_COLUMNS))))
    if any(r.person_id is None for r in recs):
        raise Conflict(
            Message(
                N_(
                    "some list records are not linked to a victim yet: run dalil lists link, "
                    "and decide their matches with recorded victims (dalil lists review)"
                )
            )
        )
    victims: dict[int, list[Any]] = {}
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


# --------------------------------------------------------------------------------------
# Stored capture histories (read by the estimates page; computed by a job)
# --------------------------------------------------------------------------------------

#: Kind of the job that computes and stores the capture histories (:func:`store_histories`).
HISTORIES_JOB = "histories"

#: Audit actions that change no stored record (reads, reveals, logins, refusals, the job
#: queue's own entries): stored histories still hold after them. Every other entry may
#: change what the histories count (an import, a linkage run, a decision, a split or
#: merge, a retraction or a restore, an edit) and makes them out of date: unknown
#: actions count as changes, so a new kind of write can never leave them stale.
_READ_ACTIONS = (
    "access.denied", "audit.read", "case.read", "evidence.get", "evidence.read",
    "evidence.read_sensitive", "evidence.reveal_location", "evidence.view",
    "export.bag", "export.bag_failed", "export.records", "incident.export", "job.cancel",
    "job.file_get", "job.submit", "linkage.reveal", "person.reveal", "report.build",
    "sources.compare", "sources.graph",
    "person.search_duplicates", "person.search_protected", "protected.reveal",
    "search.read", "user.login", "user.login_failed", "user.login_totp",
    "user.login_totp_failed",
)  # fmt: skip


def _strata_key(strata: Sequence[str]) -> str:
    for s in strata:
        if s not in STRATA:
            raise InputError(
                Message(
                    N_("unknown stratum %(value)s; use %(choices)s"),
                    value=repr(s),
                    choices=str(", ".join(STRATA)),
                ),
                field="strata",
            )
    return ",".join(strata)


def _data_version(ctx: Context) -> int:
    """The data version: the sequence number of the last audit entry (every change of a
    case is audited in its own transaction)."""
    from sqlalchemy import func

    from dalil.core.audit import AuditEntry

    return int(ctx.session.scalar(select(func.max(AuditEntry.seq))) or 0)


def _changed_after(ctx: Context, seq: int) -> bool:
    """Whether an audit entry that may change data follows *seq* (a look at the entries
    after it only: the log's primary key)."""
    from dalil.core.audit import AuditEntry

    q = (
        select(AuditEntry.seq)
        .where(AuditEntry.seq > seq, AuditEntry.action.not_in(_READ_ACTIONS))
        .limit(1)
    )
    return ctx.session.scalar(q) is not None


def history_problem(code: str) -> NotFound | Conflict:
    """The refusal :func:`case_histories` raised when stored histories were computed,
    from its stored code (``no_lists``, ``not_linked``)."""
    if code == "no_lists":
        return NotFound(
            Message(N_("no list imported yet: import a victim list first")), code="no_lists"
        )
    return Conflict(
        "some list records are not linked to a victim yet: run dalil lists link, and "
        "decide their matches with recorded victims (dalil lists review)"
    )


def store_histories(ctx: Context, strata: Sequence[str] = ()) -> dict[str, Any]:
    """Compute the capture histories (:func:`case_histories`) and store them with the
    data version they were computed at (the ``histories`` job; a linkage run and an
    estimate store theirs too). Derived data, not a change of the case: not audited.
    Returns ``{"lists": n, "rows": n, "problem": code or None}``."""
    from sqlalchemy.exc import IntegrityError

    from dalil.model.lists import StoredHistories

    key = _strata_key(strata)
    version = _data_version(ctx)  # read first: a change after it makes them out of date
    names: list[str] = []
    rows: list[dict[str, Any]] = []
    problem = None
    try:
        names, rows = case_histories(ctx, strata)
    except NotFound as e:
        if e.code != "no_lists":
            raise
        problem = "no_lists"
    except Conflict:  # some list records are not linked to a victim yet
        problem = "not_linked"
    held = ctx.session.scalar(select(StoredHistories).where(StoredHistories.strata == key))
    if held is None or held.audit_seq <= version:
        try:
            with ctx.session.begin_nested():
                if held is not None:
                    ctx.session.delete(held)
                    ctx.session.flush()
                ctx.session.add(
                    StoredHistories(strata=key, audit_seq=version, lists=names, rows=rows,
                                    problem=problem, computed_at=utcnow())
                )  # fmt: skip
        except IntegrityError:  # stored at the same moment by another job: theirs holds
            pass
    return {"lists": len(names), "rows": len(rows), "problem": problem}


def stored_histories(ctx: Context, strata: Sequence[str] = ()) -> dict[str, Any]:
    """The capture histories as last stored, without counting any list record:
    ``{"state": "fresh"|"stale"|"missing", "lists", "rows", "problem", "computed_at"}``.
    ``stale``: a change was audited after they were computed (they no longer hold);
    ``problem``: the code of why there are none (``no_lists``, ``not_linked``)."""
    from dalil.model.lists import StoredHistories

    ctx.require(access.CASE_READ, "read capture histories")
    key = _strata_key(strata)
    held = ctx.session.scalar(select(StoredHistories).where(StoredHistories.strata == key))
    if held is None:
        return {"state": "missing", "lists": [], "rows": [], "problem": None,
                "computed_at": None}  # fmt: skip
    return {
        "state": "stale" if _changed_after(ctx, held.audit_seq) else "fresh",
        "lists": list(held.lists),
        "rows": [dict(r) for r in held.rows],
        "problem": held.problem,
        "computed_at": held.computed_at,
    }


def read_histories(
    ctx: Context, strata: Sequence[str] = ()
) -> tuple[list[str], list[dict[str, Any]]]:
    """:func:`case_histories`, from the stored histories when they hold (the same
    answer, and the same refusals), else counted now."""
    held = stored_histories(ctx, strata)
    if held["state"] != "fresh":
        return case_histories(ctx, strata)
    if held["problem"]:
        raise history_problem(str(held["problem"]))
    return held["lists"], held["rows"]


def request_histories(ctx: Context) -> dict[str, Any] | None:
    """Queue a ``histories`` job (the histories without a stratum, as the estimates page
    shows them) unless one is queued or running already; returns that job (as
    :func:`dalil.services.jobs.submit` does), or None when the stored histories hold
    after all (a job stored them since the caller looked). Any reader may queue it."""
    from dalil.model.job import Job
    from dalil.services import jobs

    if stored_histories(ctx)["state"] == "fresh":
        return None
    waiting = ctx.session.scalar(
        select(Job.id)
        .where(Job.kind == HISTORIES_JOB, Job.state.in_(("queued", "running")))
        .order_by(Job.id)
        .limit(1)
    )
    if waiting is not None:
        return jobs.get(ctx, waiting, log_lines=0)
    return jobs.submit(ctx, HISTORIES_JOB, {})
