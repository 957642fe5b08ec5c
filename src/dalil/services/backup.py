"""Backup and restore of a whole case: ``dalil backup OUT`` and ``dalil restore``.

A backup is one archive (:mod:`dalil.vault.archive`): every table's rows as JSON lines
(portable between SQLite and PostgreSQL), every evidence blob as stored (already
encrypted), the key files (the data key only wrapped), ``case.toml``, the audit log (it
is a table) and its newest signed head, and a manifest of hashes and record counts. The
whole archive is encrypted and authenticated under a key derived from the case data key,
so the case passphrase opens it and nothing else does.

It is taken from one consistent snapshot while the case is in use: the rows are read in
one read transaction (SQLite WAL snapshot; PostgreSQL ``REPEATABLE READ``), the blobs named
by that snapshot's evidence items are immutable, so a write during the backup is simply
not in it.

A restore first reads and checks the whole archive (a flipped byte anywhere is found
before anything is written), then creates the case in a new folder (and, with
``--database``, an empty PostgreSQL database), migrating the schema to the archive's
revision, loading the rows, and migrating on to the current one.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from dalil.core import access
from dalil.core.context import oid
from dalil.errors import CheckFailed, Conflict, InputError
from dalil.vault import archive

if TYPE_CHECKING:
    from dalil.core.case import Case

#: ``progress(phase, done, total)``: phase is "records", "evidence", "verify" or "restore";
#: done/total are rows or bytes.
ProgressFn = Callable[[str, int, int], None]

_KEY_FILES = ("keyring.json", "audit_signing.json", "audit_public.pem")
_ROWS_PER_PIECE = 500


def _tables() -> list[sa.Table]:
    from dalil.store.base import Base
    from dalil.store.migrate import import_all_models

    import_all_models()
    return list(Base.metadata.sorted_tables)


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(col: sa.Column[Any]) -> Callable[[Any], Any]:
    t = col.type
    if isinstance(t, sa.DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(t, sa.Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(t, sa.LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    return lambda v: v


def _pk_order(table: sa.Table) -> list[Any]:
    return list(table.primary_key.columns) or list(table.columns)[:1]


# --------------------------------------------------------------------------- backup


def backup(
    case: Case,
    user: str | None,
    out: Path,
    *,
    progress: ProgressFn | None = None,
    chunk_size: int = archive.DEFAULT_CHUNK,
) -> dict[str, Any]:
    """Write a backup archive of *case* to *out* (not inside the case folder; not over
    an existing file). Needs ``keys.manage``; logged ``case.backup`` with the archive's
    SHA-256, size and audit head once it is complete. Returns the manifest summary."""
    import hashlib

    actor = case.actor(user)
    case.require(actor, access.KEYS_MANAGE, "back up the case")
    out = Path(out)
    if out.exists():
        raise Conflict(f"{out} exists; choose a new file name")
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")
    root = case.root.resolve()
    if root == out.parent.resolve() or root in out.parent.resolve().parents:
        raise InputError("write the backup outside the case folder")
    keyring = json.loads((case.keys_dir / "keyring.json").read_text(encoding="utf-8"))
    key_files = {n: (case.keys_dir / n).read_bytes() for n in _KEY_FILES}
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(6)}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            writer = archive.ArchiveWriter(
                f,
                case.keys.backup_key,
                {
                    "created": datetime.now(UTC).isoformat(timespec="seconds"),
                    "key_id": case.keys.key_id,
                    "audit_key_fingerprint": case.keys.audit_key_fingerprint,
                    "keyring": keyring,
                },
                chunk_size=chunk_size,
            )
            manifest = _write_snapshot(case, writer, key_files, progress)
            for name, data in key_files.items():
                writer.add(f"keys/{name}", "key", data)
            writer.add("case.toml", "config", (case.root / "case.toml").read_bytes())
            doc = writer.finish(manifest)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    h = hashlib.sha256()
    with open(out, "rb") as f:
        while piece := f.read(1 << 20):
            h.update(piece)
    summary = {
        "archive": str(out),
        "sha256": h.hexdigest(),
        "size": out.stat().st_size,
        "records": sum(doc["counts"].values()),
        "counts": doc["counts"],
        "blobs": doc["blobs"],
        "blob_bytes": doc["blob_bytes"],
        "audit_head": doc["audit_head"],
    }
    head = doc["audit_head"] or {}
    with case.act(actor) as ctx:
        ctx.audit(
            "case.backup",
            [oid("case", "self")],
            detail={
                "file": out.name,
                "sha256": summary["sha256"],
                "size": summary["size"],
                "records": summary["records"],
                "blobs": summary["blobs"],
                "head_seq": head.get("seq", 0),
            },
        )
    return summary


def _write_snapshot(
    case: Case,
    writer: archive.ArchiveWriter,
    key_files: dict[str, bytes],
    progress: ProgressFn | None,
) -> dict[str, Any]:
    from dalil.core.audit import AuditCheckpoint
    from dalil.model.evidence import EvidenceItem
    from dalil.store.engine import is_sqlite
    from dalil.store.migrate import current_heads

    heads = sorted(current_heads(case.engine))
    tables = _tables()
    counts: dict[str, int] = {}
    shas: list[str] = []
    head_doc: dict[str, Any] | None = None
    with case.engine.connect() as conn:
        if is_sqlite(case.engine):
            conn = conn.execution_options(dalil_begin="DEFERRED")
        else:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # One read transaction: every table below comes from the same snapshot.
            totals = {
                t.name: int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0)
                for t in tables
            }
            total_rows = sum(totals.values())
            done = 0
            for t in tables:
                cols = [c.name for c in t.columns]

                def pieces(t: sa.Table = t, cols: list[str] = cols) -> Iterator[bytes]:
                    nonlocal done
                    res = conn.execution_options(yield_per=_ROWS_PER_PIECE).execute(
                        sa.select(t).order_by(*_pk_order(t))
                    )
                    for part in res.partitions(_ROWS_PER_PIECE):
                        lines = [
                            json.dumps(
                                {c: _encode(v) for c, v in zip(cols, row, strict=True)},
                                ensure_ascii=False,
                                sort_keys=True,
                            )
                            for row in part
                        ]
                        counts[t.name] = counts.get(t.name, 0) + len(lines)
                        done += len(lines)
                        if progress is not None:
                            progress("records", done, total_rows)
                        yield ("\n".join(lines) + "\n").encode("utf-8")

                counts[t.name] = 0
                writer.add(f"table/{t.name}", "table", pieces())
            shas = list(conn.scalars(sa.select(EvidenceItem.sha256).order_by(EvidenceItem.id)))
            # job output files (reports, bags) are vault blobs too
            from dalil.services.jobs import output_blobs

            shas += output_blobs(conn)
            cp = conn.execute(
                sa.select(AuditCheckpoint)
                .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
                .limit(1)
            ).first()
            if cp is not None:
                m = cp._mapping
                head_doc = {
                    "format": "dalil-audit-witness",
                    "version": 1,
                    "seq": m["seq"],
                    "head_hash": m["head_hash"],
                    "ts": m["ts"],
                    "key_fingerprint": m["key_fingerprint"],
                    "signature": m["signature"],
                }
    if counts != totals:  # pragma: no cover - a snapshot that moved would be a bug
        raise CheckFailed("the database changed under the backup's read transaction")
    # Blobs: immutable once stored, so reading them after the snapshot is consistent.
    paths = []
    for sha in dict.fromkeys(shas):
        p = case.blobs.path_for(sha)
        if not p.is_file():
            raise CheckFailed(
                f"evidence {sha} is missing from the vault; run dalil fixity (nothing was backed up)"
            )
        paths.append(p)
    total_bytes = sum(p.stat().st_size for p in paths)
    sent = 0

    def count(n: int) -> None:
        nonlocal sent
        sent += n
        if progress is not None:
            progress("evidence", sent, total_bytes)

    for p in paths:
        rel = p.relative_to(case.evidence_dir).as_posix()

        def blob_pieces(p: Path = p) -> Iterator[bytes]:
            with open(p, "rb") as f:
                while piece := f.read(1 << 20):
                    yield piece

        writer.add(f"blob/{rel}", "blob", blob_pieces(), progress=count)
    if head_doc is not None:
        writer.add("audit_head.json", "head", json.dumps(head_doc, indent=2).encode())
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "alembic_heads": heads,
        "counts": counts,
        "blobs": len(paths),
        "blob_bytes": total_bytes,
        "audit_head": head_doc,
        "source_dialect": case.engine.dialect.name,
    }


# --------------------------------------------------------------------------- restore


def open_archive(path: Path, passphrase: str) -> tuple[dict[str, Any], bytes]:
    """The archive's clear header and its backup key (the passphrase of the case at the
    time of the backup). WrongPassphrase if it does not fit."""
    from dalil.vault import keys as vault_keys

    head, _ = archive.read_header(path)
    if not isinstance(head.get("keyring"), dict):
        raise archive.ArchiveCorrupt(f"{path}: damaged archive header")
    key, key_id = vault_keys.backup_key_from_keyring(
        head["keyring"], passphrase, f"{path} (its key file)"
    )
    if key_id != head.get("key_id"):
        raise archive.ArchiveCorrupt(f"{path}: damaged archive header")
    return head, key


def verify_archive(
    path: Path, passphrase: str, *, progress: ProgressFn | None = None
) -> dict[str, Any]:
    """Read and check the whole archive; its manifest. ArchiveCorrupt on any damage."""
    head, key = open_archive(path, passphrase)
    total = path.stat().st_size
    seen = 0

    def count(n: int) -> None:
        nonlocal seen
        seen += n
        if progress is not None:
            progress("verify", seen, total)

    manifest = archive.verify(path, key, progress=count)
    keep = ("created", "key_id", "audit_key_fingerprint")
    return {**manifest, "header": {k: head[k] for k in keep if k in head}}


def _witness_seq(path: Path) -> tuple[int, str] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return int(doc["seq"]), str(doc["head_hash"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        raise InputError(f"the witness file {path} is damaged") from None


def restore(
    path: Path,
    dest: Path,
    passphrase: str,
    *,
    database: str | None = None,
    accept_rollback: str | None = None,
    user: str | None = None,
    progress: ProgressFn | None = None,
) -> dict[str, Any]:
    """Restore the archive at *path* into *dest*: a new (or empty) folder, or an existing
    case folder of the same case (its old database kept aside as ``case.db.before-restore-…``).

    Over an existing case, an archive whose audit head is older than the case's witness
    file is a **rollback**: refused unless *accept_rollback* gives the reason, which is
    then logged (``case.rollback_accepted``) and the old witness kept beside the new one.
    """
    from dalil.core.case import CASE_FILE, DB_FILE, EVIDENCE_DIR, KEYS_DIR, WITNESS_FILE, CaseConfig
    from dalil.store.engine import analyze_stale, is_sqlite, make_engine, normalise_url

    manifest = verify_archive(path, passphrase, progress=progress)  # before writing anything
    _, key = open_archive(path, passphrase)
    head = manifest.get("audit_head")
    dest = Path(dest)
    over_case = (dest / CASE_FILE).exists()
    rollback: dict[str, Any] | None = None
    old_witness: tuple[int, str] | None = None
    if over_case:
        old_cfg = CaseConfig.load(dest / CASE_FILE)
        theirs = manifest["header"].get("audit_key_fingerprint")
        if old_cfg.audit_key_fingerprint and old_cfg.audit_key_fingerprint != theirs:
            raise Conflict(f"{dest} holds another case; restore into a new folder")
        old_witness = _witness_seq(dest / KEYS_DIR / WITNESS_FILE)
        new_seq = int(head["seq"]) if head else 0
        if old_witness is not None and (
            old_witness[0] > new_seq
            or (old_witness[0] == new_seq and head and old_witness[1] != head["head_hash"])
        ):
            rollback = {"witness_seq": old_witness[0], "archive_seq": new_seq}
            if not accept_rollback:
                raise Conflict(
                    f"this archive's audit log ends at entry #{new_seq} but the case's witness "
                    f"file records entry #{old_witness[0]}: restoring it would roll the case "
                    f"back and lose {old_witness[0] - new_seq} logged actions. If that is what "
                    "you mean, run again accepting the rollback with a reason: the old "
                    "witness is kept as a record and the rollback is logged with your reason",
                    field="accept_rollback",
                    code="rollback",
                )
        if database is None and "://" in old_cfg.database:
            raise InputError(
                "the case uses PostgreSQL: give the URL of an EMPTY database to restore into",
                field="database",
            )
    elif dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise Conflict(f"{dest} is not empty and holds no case; restore into a new folder")
    created_root = not dest.exists()
    url_setting = DB_FILE
    if database is not None:
        url = normalise_url(database)
        if not url.startswith("postgresql"):
            raise InputError(
                "database must be a postgresql:// URL (SQLite is the default)", field="database"
            )
        url_setting = url
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    moved: list[tuple[Path, Path]] = []
    dest.mkdir(parents=True, exist_ok=True)
    (dest / EVIDENCE_DIR).mkdir(exist_ok=True)
    (dest / KEYS_DIR).mkdir(mode=0o700, exist_ok=True)
    if over_case and url_setting == DB_FILE:
        for suffix in ("", "-wal", "-shm"):
            p = dest / (DB_FILE + suffix)
            if p.exists():
                aside = dest / f"{DB_FILE}{suffix}.before-restore-{stamp}"
                p.rename(aside)
                moved.append((aside, p))
    db_url = url_setting if "://" in url_setting else f"sqlite:///{(dest / DB_FILE).resolve()}"
    engine: sa.Engine | None = None
    written_blobs: list[Path] = []
    try:
        new_engine = make_engine(db_url)
        if not is_sqlite(new_engine) and sa.inspect(new_engine).get_table_names():
            new_engine.dispose()
            raise Conflict(
                "the database already holds tables; restore into an empty database (or schema)"
            )
        engine = new_engine
        files = _load(engine, path, key, manifest, dest, written_blobs, progress)
        analyze_stale(engine, every_table=True)  # PostgreSQL plans with statistics
        for name in _KEY_FILES:
            target = dest / KEYS_DIR / name
            data = files[f"keys/{name}"]
            _write_file(target, data, 0o644 if name.endswith(".pem") else 0o600)
        wpath = dest / KEYS_DIR / WITNESS_FILE
        if rollback is not None and wpath.exists():
            wpath.rename(dest / KEYS_DIR / f"audit_head.before-restore-{stamp}.json")
        elif wpath.exists():
            wpath.unlink()
        if "audit_head.json" in files:
            _write_file(wpath, files["audit_head.json"], 0o644)
        cfg_text = files["case.toml"].decode("utf-8")
        import tomllib

        cfg_doc = tomllib.loads(cfg_text)
        cfg = CaseConfig(
            format_version=int(cfg_doc["format_version"]),
            database=url_setting,
            created=str(cfg_doc["created"]),
            admin=str(cfg_doc["admin"]),
            audit_key_fingerprint=str(cfg_doc.get("audit_key_fingerprint", "")),
            title=str(cfg_doc.get("title", "")),
            summary=str(cfg_doc.get("summary", "")),
        )
        cfg.save(dest / CASE_FILE)
    except BaseException:
        if engine is not None:
            if not is_sqlite(engine):
                _drop_all(engine)
            engine.dispose()
        for p in written_blobs:
            p.unlink(missing_ok=True)
        if not over_case:
            if is_sqlite(db_url):
                for suffix in ("", "-wal", "-shm"):
                    (dest / (DB_FILE + suffix)).unlink(missing_ok=True)
            shutil.rmtree(dest / KEYS_DIR, ignore_errors=True)
            shutil.rmtree(dest / EVIDENCE_DIR, ignore_errors=True)
            (dest / CASE_FILE).unlink(missing_ok=True)
            if created_root:
                shutil.rmtree(dest, ignore_errors=True)
        else:
            if is_sqlite(db_url):
                for suffix in ("", "-wal", "-shm"):
                    (dest / (DB_FILE + suffix)).unlink(missing_ok=True)
            for aside, orig in moved:
                aside.rename(orig)
        raise
    assert engine is not None
    engine.dispose()
    out: dict[str, Any] = {
        "case": str(dest),
        "database": "case.db" if url_setting == DB_FILE else "postgresql",
        "records": sum(manifest["counts"].values()),
        "blobs": manifest["blobs"],
        "audit_head": head,
        "rollback": rollback,
    }
    if rollback is not None:
        from dalil.core.case import Case

        case = Case.open(dest, passphrase)
        try:
            actor = case.actor(user)
            case.require(actor, access.KEYS_MANAGE, "accept a rollback")
            with case.act(actor) as ctx:
                ctx.audit(
                    "case.rollback_accepted",
                    [oid("case", "self")],
                    detail={
                        "reason": str(accept_rollback)[:500],
                        "witness_seq": rollback["witness_seq"],
                        "archive_seq": rollback["archive_seq"],
                    },
                )
        finally:
            case.close()
    return out


def _drop_all(engine: sa.Engine) -> None:
    """Undo a failed restore into a PostgreSQL database (it was empty before)."""
    try:
        with engine.begin() as conn:
            for t in reversed(_tables()):
                conn.execute(sa.text(f'DROP TABLE IF EXISTS "{t.name}" CASCADE'))
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    except sa.exc.SQLAlchemyError:
        pass


def _write_file(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _load(
    engine: sa.Engine,
    path: Path,
    key: bytes,
    manifest: dict[str, Any],
    dest: Path,
    written_blobs: list[Path],
    progress: ProgressFn | None,
) -> dict[str, bytes]:
    """Create the schema at the archive's revision, stream rows and blobs in, migrate on.
    Returns the small members (key files, case.toml, audit head) met on the way."""
    from alembic.script import ScriptDirectory

    from dalil.store.migrate import alembic_config, upgrade

    scripts = ScriptDirectory.from_config(alembic_config())
    for rev in manifest["alembic_heads"]:
        try:
            scripts.get_revision(rev)
        except Exception:
            raise InputError(
                f"the archive was made by a newer dalil (schema revision {rev}); upgrade dalil"
            ) from None
    for rev in manifest["alembic_heads"]:
        upgrade(engine, rev)
    tables = {t.name: t for t in _tables()}
    evidence = dest / "evidence"
    total_rows = sum(manifest["counts"].values())
    done = 0
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        cur: archive.Member | None = None
        table: sa.Table | None = None
        decoders: dict[str, Callable[[Any], Any]] = {}
        pending = b""
        batch: list[dict[str, Any]] = []
        blob_f: Any = None
        blob_tmp: Path | None = None
        blob_final: Path | None = None
        small: dict[str, bytes] = {}
        buf = bytearray()

        def flush() -> None:
            nonlocal batch, done
            if batch and table is not None:
                conn.execute(table.insert(), batch)
                done += len(batch)
                if progress is not None:
                    progress("restore", done, total_rows)
            batch = []

        for event, value in archive.iter_frames(path, key):
            if event == "member":
                cur = value
                buf = bytearray()
                if cur.type == "table":
                    table = tables.get(cur.name.removeprefix("table/"))
                    if table is None:
                        raise InputError(f"the archive holds an unknown table {cur.name}")
                    decoders = {c.name: _decoder(c) for c in table.columns}
                    pending = b""
                elif cur.type == "blob":
                    rel = cur.name.removeprefix("blob/")
                    parts = Path(rel).parts
                    if len(parts) != 2 or any(p in ("", ".", "..") or "/" in p for p in parts):
                        raise InputError(f"the archive holds a bad blob name {cur.name}")
                    blob_final = evidence / parts[0] / parts[1]
                    blob_final.parent.mkdir(exist_ok=True)
                    if blob_final.exists():
                        blob_f = None
                    else:
                        blob_tmp = blob_final.with_name(f".{parts[1]}.{secrets.token_hex(4)}.part")
                        blob_f = open(blob_tmp, "xb")  # noqa: SIM115
            elif event == "data" and cur is not None:
                if cur.type == "table":
                    pending += value
                    *lines, pending = pending.split(b"\n")
                    for line in lines:
                        if line:
                            row = json.loads(line)
                            batch.append(
                                {c: decoders[c](v) for c, v in row.items() if c in decoders}
                            )
                    if len(batch) >= 1000:
                        flush()
                elif cur.type == "blob" and blob_f is not None:
                    blob_f.write(value)
                elif cur.type in ("key", "config", "head"):
                    buf += value
            elif event == "end" and cur is not None:
                if cur.type == "table":
                    flush()
                elif cur.type == "blob" and blob_f is not None:
                    assert blob_tmp is not None and blob_final is not None
                    blob_f.flush()
                    os.fsync(blob_f.fileno())
                    blob_f.close()
                    blob_f = None
                    os.replace(blob_tmp, blob_final)
                    written_blobs.append(blob_final)
                elif cur.type in ("key", "config", "head"):
                    small[cur.name] = bytes(buf)
                cur = None
        if engine.dialect.name == "postgresql":
            _reset_sequences(conn, list(tables.values()))
    upgrade(engine)
    return small


def _reset_sequences(conn: sa.Connection, tables: list[sa.Table]) -> None:
    """After rows were inserted with their ids, move each id sequence past the largest."""
    for t in tables:
        pk = list(t.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        seq = conn.scalar(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": t.name, "c": pk[0].name}
        )
        if not seq:
            continue
        top = conn.scalar(sa.select(sa.func.max(pk[0])))
        conn.execute(sa.text("SELECT setval(:s, :v, false)"), {"s": seq, "v": int(top or 0) + 1})


# --------------------------------------------------------------------------- check


def check(
    dest: Path, passphrase: str, manifest: dict[str, Any], user: str | None = None
) -> dict[str, Any]:
    """Prove continuity of a restored case against its archive's manifest: the audit log
    verifies and holds the archive's signed head; record counts equal the archive's; every
    blob passes fixity (a logged ``evidence.fixity`` run, made last)."""
    from dalil.core import audit
    from dalil.core.case import Case
    from dalil.services import evidence

    case = Case.open(dest, passphrase)
    try:
        problems: list[str] = []
        head = manifest.get("audit_head")
        wfile: Path | None = None
        if head:
            wfile = dest / "keys" / f".archive-head-{secrets.token_hex(4)}.json"
            _write_file(wfile, json.dumps(head).encode(), 0o600)
        try:
            with case.engine.connect() as conn:
                res = audit.verify(conn, case.keys.audit_public_key, witness=wfile)
        finally:
            if wfile is not None:
                wfile.unlink(missing_ok=True)
        if not res.ok:
            problems.append(f"audit log: {res.reason}")
        counts: dict[str, int] = {}
        with case.engine.connect() as conn:
            for t in _tables():
                counts[t.name] = int(conn.scalar(sa.select(sa.func.count()).select_from(t)) or 0)
        grew = {"audit_log", "audit_checkpoint", "audit_objects"}
        for name, n in manifest["counts"].items():
            have = counts.get(name, 0)
            if (have != n and name not in grew) or (name in grew and have < n):
                problems.append(f"table {name}: {have} rows, the archive has {n}")
        head_ok = True
        if head:
            with case.engine.connect() as conn:
                stored = conn.scalar(
                    sa.text("SELECT entry_hash FROM audit_log WHERE seq = :s"), {"s": head["seq"]}
                )
            head_ok = stored == head["head_hash"]
            if not head_ok:
                problems.append(
                    f"audit entry #{head['seq']} differs from the archive's signed head"
                )
        fix = evidence.fixity(case, user)
        if not fix.passed:
            problems.append(
                f"fixity: {len(fix.missing)} missing, {len(fix.corrupt)} corrupt evidence items"
            )
        return {
            "ok": not problems,
            "problems": problems,
            "audit": {"ok": res.ok, "entries": res.entries, "head_seq": res.head_seq},
            "signed_head": {"seq": head["seq"] if head else 0, "equal": head_ok},
            "records": sum(v for k, v in counts.items() if k in manifest["counts"]),
            "counts_equal": not any(p.startswith("table ") for p in problems),
            "fixity": fix.to_dict(),
        }
    finally:
        case.close()
