"""Exports: BagIt bags of evidence with metadata, custody and audit; records as JSON/CSV.

Bag layout (``OUT/``, BagIt 0.97 via the ``bagit`` package, sha256 + sha512 manifests)::

    bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    data/evidence/<sha256>/<display name>     decrypted evidentiary files
    data/metadata/records.json                the records (open fields; protected only if asked)
    data/metadata/evidence.json               metadata of every included item
    data/metadata/custody.json                audit entries naming an included item
    data/metadata/audit.json                  audit entries naming any included record or
                                              item, and case-level entries (``case:self``:
                                              key changes), up to the export's own entry
    data/metadata/audit_verify.json           result of verifying the whole log at export
    data/metadata/audit_public.pem            the key that verifies the checkpoints
    custody-manifest.json, custody-manifest.sig   signed custody manifest (tag files)
    verify.py                                 standalone verifier: ``python verify.py BAG``

Sensitive evidence and protected person fields stay out unless the caller asks
(``include_protected=True`` with a reason) and holds ``export.protected``; that choice
is logged. The export is logged (``export.bag``) before any file is written.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dalil.core import access
from dalil.core.access import Actor
from dalil.core.context import Context, oid
from dalil.core.tempdir import TEMP_DIR, private_tempdir, publish
from dalil.display import csvout
from dalil.display.jsonout import dumps
from dalil.display.messages import N_, Message
from dalil.errors import InputError
from dalil.model.evidence import EvidenceItem
from dalil.model.person import Person
from dalil.model.provenance import ProvenanceLink
from dalil.services import evidence as ev
from dalil.services import persons, records, retractions

if TYPE_CHECKING:
    from dalil.core.case import Case

RECORD_KINDS = ("source", "incident", "act", "unit", "membership", "site", "provenance")


def _check_out(case: Case, out: Path) -> None:
    out_abs = out.resolve()
    case_abs = case.root.resolve()
    private = (case_abs / TEMP_DIR).resolve()
    if private in out_abs.parents:
        pass  # a job's output, built in the case's private temp area (0700, swept)
    elif out_abs == case_abs or case_abs in out_abs.parents:
        raise InputError(
            Message(N_("refusing to export into the case folder (it must hold no plaintext)"))
        )
    if out.exists() or out.is_symlink():
        raise InputError(Message(N_("%(out)s already exists; choose a new path"), out=str(out)))
    if not out_abs.parent.is_dir():
        raise InputError(Message(N_("folder %(parent)s does not exist"), parent=str(out.parent)))


def _check_protected(ctx: Context, include_protected: bool, reason: str | None) -> str | None:
    if not include_protected:
        if reason:
            raise InputError(
                Message(N_("a reason only goes with include_protected")), field="reason"
            )
        return None
    ctx.require(access.EXPORT_PROTECTED, "export protected fields or sensitive evidence")
    r = (reason or "").strip()
    if len(r) < 3:
        raise InputError(
            Message(N_("include_protected needs a reason (logged)")),
            field="reason",
            code="reason_required",
        )
    return r


def collect_records(
    ctx: Context,
    *,
    include_protected: bool = False,
    reason: str | None = None,
    only: dict[str, set[int]] | None = None,
    retracted: str = "hide",
) -> dict[str, list[dict[str, Any]]]:
    """Every record (or only the ids in *only*, per kind) as JSON-ready dicts. Retracted
    records are left out (court and public exports); with ``retracted="include"``
    (internal exports) they are kept, each with its ``retraction`` (at, by, reason)."""
    out: dict[str, list[dict[str, Any]]] = {}
    plist = persons.list_persons(ctx, retracted=retracted)
    if only is not None:
        plist = [p for p in plist if p.id in only.get("person", set())]
    if include_protected and plist:
        out["person"] = persons.reveal(ctx, plist, reason=reason or "")
    else:
        out["person"] = [p.to_dict() for p in plist]
    for kind in RECORD_KINDS:
        rows = records.list_(ctx, kind, retracted=retracted)
        if only is not None:
            rows = [r for r in rows if r.id in only.get(kind, set())]
        out[kind] = [r.to_dict() for r in rows]
    if retracted == "include":
        held = retractions.all_retractions(ctx)
        for kind, dicts in out.items():
            for d in dicts:
                d["retraction"] = held.get((kind, d["id"]))
    return out


def _select(ctx: Context, select_: list[str]) -> tuple[list[EvidenceItem], dict[str, set[int]]]:
    """Resolve ``--select kind:id`` terms to evidence items and related record ids."""
    items: dict[int, EvidenceItem] = {}
    ids: dict[str, set[int]] = {k: set() for k in ("person", *RECORD_KINDS)}
    all_items = list(
        ctx.session.scalars(
            retractions.narrow(
                select(EvidenceItem).order_by(EvidenceItem.id), "evidence", EvidenceItem.id
            )
        )
    )
    if not select_:
        for it in all_items:
            items[it.id] = it
        return list(items.values()), {}  # {} → no filter: all records
    links = list(
        ctx.session.scalars(
            retractions.narrow(select(ProvenanceLink), "provenance", ProvenanceLink.id)
        )
    )
    for term in select_:
        kind, _, ref = term.partition(":")
        kind = kind.strip().lower()
        if not ref:
            raise InputError(
                Message(
                    N_(
                        "invalid select %(term)s: use KIND:ID (evidence:SHA, source:3, "
                        "incident:2 …)"
                    ),
                    term=repr(term),
                ),
                field="select",
            )
        if kind == "evidence":
            it = ev.resolve_item(ctx, ref)
            items[it.id] = it
            continue
        if kind not in ("source", "incident", "act", "person", "site"):
            raise InputError(
                Message(
                    N_(
                        "invalid select kind %(kind)s; allowed: evidence, source, incident, act, "
                        "person, site"
                    ),
                    kind=repr(kind),
                ),
                field="select",
            )
        try:
            rid = int(ref)
        except ValueError:
            raise InputError(
                Message(N_("invalid select %(term)s: the id must be a number"), term=repr(term)),
                field="select",
            ) from None
        if kind == "person":
            ctx.get(Person, rid, "person")
        else:
            records.get(ctx, kind, rid)
        ids[kind].add(rid)
        subjects = {(kind, rid)}
        if kind == "incident":
            for a in records.list_(ctx, "act", incident_id=rid):
                subjects.add(("act", a.id))
                ids["act"].add(a.id)
                ids["person"].add(a.victim_id)
        if kind == "source":
            for it in all_items:
                if it.source_id == rid:
                    items[it.id] = it
        for link in links:
            if (link.subject_kind, link.subject_id) in subjects:
                ids["provenance"].add(link.id)
                if link.evidence_id is not None:
                    items[link.evidence_id] = ctx.session.get(EvidenceItem, link.evidence_id)  # type: ignore[assignment]
                if link.source_id is not None:
                    ids["source"].add(link.source_id)
                    for it in all_items:
                        if it.source_id == link.source_id:
                            items[it.id] = it
    for it in items.values():
        if it.source_id is not None:
            ids["source"].add(it.source_id)
    return list(items.values()), ids


def export_bag(
    case: Case,
    user: str | Actor | None,
    out: str | os.PathLike[str],
    *,
    select_: list[str] | None = None,
    include_protected: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Write a BagIt bag to *out* (must not exist) and validate it. Returns a summary."""
    import bagit

    out = Path(out)
    _check_out(case, out)
    with case.act(user) as ctx:
        ctx.require(access.EXPORT_BAG, "export evidence bags")
        ctx.require(access.EVIDENCE_READ, "read evidence content")
        why = _check_protected(ctx, include_protected, reason)
        chosen, only = _select(ctx, list(select_ or []))
        # Retracted items stay out of a court export even when named in --select.
        gone = retractions.retracted_ids(ctx, "evidence")
        chosen = [i for i in chosen if i.id not in gone]
        evidentiary = [i for i in chosen if i.copy_kind == "evidentiary"]
        withheld = [i for i in evidentiary if i.sensitive and not include_protected]
        if include_protected:
            ctx.require(access.EVIDENCE_READ_SENSITIVE, "export sensitive evidence")
        items = [i for i in evidentiary if i not in withheld]
        item_meta = [ev.item_dict(ctx, i) for i in items]
        recs = collect_records(
            ctx, include_protected=include_protected, reason=why, only=only or None
        )
        record_oids = {oid(k, r["id"]) for k, rows in recs.items() for r in rows}
        item_oids = {oid("evidence", i.sha256) for i in items}
        export_entry = ctx.audit(
            "export.bag",
            sorted(item_oids),
            detail={
                "items": len(items),
                "withheld_sensitive": len(withheld),
                "include_protected": include_protected,
                "reason": why,
                "select": list(select_ or []),
            },
        )
        ctx.session.flush()
        upto = int(export_entry.seq)
        # Sign the head now and keep the checkpoint: another writer's checkpoint may
        # supersede it before the custody manifest is written.
        from dalil.core import audit as core_audit

        export_cp = core_audit.checkpoint(ctx.session, case.keys.audit_signing_key).to_dict()
    # Built in the case folder's private temp area (a kill -9 leaves nothing outside the
    # case folder, and the next open sweeps it), moved to OUT only when complete, 0700/0600.
    work_cm = private_tempdir(case.root, "export-")
    tmp = work_cm.__enter__() / "bag"
    try:
        tmp.mkdir()
        data_ev = tmp / "evidence"
        data_ev.mkdir()
        for i in items:
            d = data_ev / i.sha256
            d.mkdir()
            case.blobs.export_to(i.sha256, d / ev.sanitise_name(i.original_name or "content"))
        meta = tmp / "metadata"
        meta.mkdir()
        (meta / "records.json").write_text(dumps(recs), encoding="utf-8")
        (meta / "evidence.json").write_text(dumps(item_meta), encoding="utf-8")
        n_custody, n_related = write_audit_files(
            case,
            upto,
            item_oids,
            item_oids | record_oids | {oid("case", "self")},
            meta / "custody.json",
            meta / "audit.json",
        )
        from dalil.services import audit as audit_log
        from dalil.vault.keys import AUDIT_PUBLIC_FILE

        res = audit_log.verify_case(case)
        (meta / "audit_verify.json").write_text(dumps(res.to_dict()), encoding="utf-8")
        shutil.copyfile(case.keys_dir / AUDIT_PUBLIC_FILE, meta / "audit_public.pem")
        bag = bagit.make_bag(
            str(tmp),
            {
                "Source-Organization": "dalil case export",
                "External-Description": "Evidence, records, custody and audit entries "
                "exported from a dalil case.",
                "Bagging-Date": datetime.now(UTC).date().isoformat(),
                "External-Identifier": case.config.audit_key_fingerprint,
                "Dalil-Protected-Included": "yes" if include_protected else "no",
                "Dalil-Sensitive-Withheld": str(len(withheld)),
            },
            checksums=["sha256", "sha512"],
        )
        # The bag's own sha256 manifest must agree with the vault's content ids.
        for i in items:
            rel = f"data/evidence/{i.sha256}/{ev.sanitise_name(i.original_name or 'content')}"
            if bag.entries[rel]["sha256"] != i.sha256:
                raise InputError(
                    Message(
                        N_("exported file for %(sha256)s does not match its hash"),
                        sha256=str(i.sha256),
                    )
                )
        from dalil.services import custody

        custody_summary = custody.write_manifest(
            case,
            tmp,
            upto,
            [
                {
                    "sha256": i.sha256,
                    "size": i.size,
                    "path": f"data/evidence/{i.sha256}/{ev.sanitise_name(i.original_name or 'content')}",
                    "name": ev.sanitise_name(i.original_name or "content"),
                }
                for i in items
            ],
            tmp / "data" / "metadata" / "audit.json",
            export_cp,
        )
        bag.save()  # the tag manifests now cover the custody manifest and verify.py
        bag.validate()
        publish(tmp, out)
    except BaseException as e:
        # The export entry was logged first (the bag's audit file ends with it); a bag
        # that was then not written is said so in the log, so the log stays true.
        if isinstance(e, Exception):
            with case.act(user) as ctx:
                ctx.audit(
                    "export.bag_failed",
                    [oid("audit", str(upto))],
                    detail={"export_entry": upto, "error": type(e).__name__},
                )
        raise
    finally:
        work_cm.__exit__(None, None, None)
    return {
        "out": str(out),
        "items": len(items),
        "withheld_sensitive": len(withheld),
        "records": {k: len(v) for k, v in recs.items()},
        "audit_entries": n_related,
        "custody_entries": n_custody,
        "include_protected": include_protected,
        "valid": True,
        "custody_manifest": custody_summary,
    }


#: Rows fetched per round trip when streaming the audit log into a bag.
AUDIT_STREAM_BATCH = 500


def write_audit_files(
    case: Case,
    upto_seq: int,
    custody_oids: set[str],
    related_oids: set[str],
    custody_path: Path,
    related_path: Path,
) -> tuple[int, int]:
    """Stream the audit log (entries 1..*upto_seq*) once, writing to *custody_path* the
    entries naming any of *custody_oids* and to *related_path* those naming any of
    *related_oids*, each as a JSON array (one entry per line). The log is read in batches
    of :data:`AUDIT_STREAM_BATCH` rows (a server-side cursor on PostgreSQL) and never held
    in memory as a whole. Returns the two counts."""
    from dalil.core.audit import AuditEntry

    counts = [0, 0]
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.seq <= upto_seq)
        .order_by(AuditEntry.seq)
        .execution_options(yield_per=AUDIT_STREAM_BATCH)
    )
    with (
        case.system_session(write=False) as s,
        open(custody_path, "w", encoding="utf-8") as fc,
        open(related_path, "w", encoding="utf-8") as fr,
    ):
        fc.write("[")
        fr.write("[")
        for part in s.execute(stmt).scalars().partitions():
            for e in part:
                names = set(json.loads(e.object_ids))
                in_custody = bool(names & custody_oids)
                if not (in_custody or names & related_oids):
                    continue
                line = dumps(e.to_dict(), indent=None)
                for i, (f, wanted) in enumerate(((fc, in_custody), (fr, True))):
                    if wanted:
                        f.write(("\n" if counts[i] == 0 else ",\n") + line)
                        counts[i] += 1
        fc.write("\n]\n" if counts[0] else "]\n")
        fr.write("\n]\n" if counts[1] else "]\n")
    return counts[0], counts[1]


def export_records(
    case: Case,
    user: str | Actor | None,
    out: str | os.PathLike[str],
    fmt: str,
    *,
    include_protected: bool = False,
    reason: str | None = None,
) -> dict[str, Any]:
    """Records as one JSON file, or a folder of CSV files (one per kind)."""
    out = Path(out)
    _check_out(case, out)
    if fmt not in ("json", "csv"):
        raise InputError(
            Message(N_("unknown export format %(fmt)s; allowed: json, csv"), fmt=repr(fmt))
        )
    with case.act(user) as ctx:
        ctx.require(access.EXPORT_RECORDS, "export records")
        why = _check_protected(ctx, include_protected, reason)
        recs = collect_records(
            ctx, include_protected=include_protected, reason=why, retracted="include"
        )
        ctx.audit(
            "export.records",
            [],
            detail={
                "format": fmt,
                "counts": {k: len(v) for k, v in recs.items()},
                "include_protected": include_protected,
                "reason": why,
            },
        )
    work_cm = private_tempdir(case.root, "export-")
    tmp = work_cm.__enter__() / ("records.json" if fmt == "json" else "records")
    try:
        if fmt == "json":
            tmp.write_text(dumps(recs), encoding="utf-8")
        else:
            tmp.mkdir()
            for kind, rows in recs.items():
                cols: list[str] = []
                for r in rows:
                    cols += [c for c in r if c not in cols]
                with open(tmp / f"{kind}.csv", "w", newline="", encoding="utf-8") as f:
                    w = csvout.DictWriter(f, fieldnames=cols or ["id"])
                    w.writeheader()
                    for r in rows:
                        w.writerow(
                            {
                                k: (
                                    json.dumps(v, ensure_ascii=False, default=str)
                                    if isinstance(v, list | dict)
                                    else v
                                )
                                for k, v in r.items()
                            }
                        )
        publish(tmp, out)
    finally:
        work_cm.__exit__(None, None, None)
    return {
        "out": str(out),
        "format": fmt,
        "records": {k: len(v) for k, v in recs.items()},
        "include_protected": include_protected,
    }
