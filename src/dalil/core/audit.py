"""Hash-chained, signed, append-only audit log kept in the case database.

Every entry hashes its own contents together with the hash of the entry before it,
so changing, removing, inserting or reordering any entry breaks the chain.
Checkpoints sign (sequence, head hash) with the case's Ed25519 key, so rewriting the
chain after a checkpoint, or cutting its tail, is detected by anyone holding the
public key (``keys/audit_public.pem``). Encoding, hashing and signing are specified
in ``docs/crypto.md`` so that an independent verifier can be written.

Callers never pass protected plaintext: ``change`` is hashed into ``digest`` (pass
ciphertext tokens or field names for protected fields), and ``detail`` is stored as is
and must hold only non-protected metadata (e.g. a reveal reason, a file's sha256).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import (
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from dalil.errors import InputError
from dalil.store.base import Base

__all__ = [
    "CHECKPOINT_BLOCK",
    "ENTRY_PREFIX",
    "GENESIS_HASH",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditTimestamp",
    "VerifyResult",
    "append",
    "canonical_json",
    "checkpoint",
    "checkpoint_message",
    "entry_hash",
    "query",
    "save_witness",
    "verify",
    "witness_gap",
]

#: ``prev_hash`` of entry 1.
GENESIS_HASH: Final = "0" * 64
#: First field of the canonical encoding of an entry (domain separation, version).
ENTRY_PREFIX: Final = "dalil-audit-v1"
CHECKPOINT_PREFIX: Final = "dalil-audit-checkpoint-v1"
SEP: Final = "\x1f"  # ASCII unit separator; never allowed inside a field
#: PostgreSQL advisory lock key that serialises appends (same as dalil.store.engine).
ADVISORY_LOCK_KEY: Final = 0x64616C696C  # "dalil"

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")  # INTEGER PRIMARY KEY = rowid on SQLite


class AuditEntry(Base):
    """One entry of the hash-chained audit log (table ``audit_log``)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(_BIGINT, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40), nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    object_ids: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    entry_hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (
        Index("ix_audit_log_actor", "actor"),
        Index("ix_audit_log_action", "action"),
    )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (object_ids and detail decoded)."""
        return {
            "seq": self.seq,
            "ts": self.ts,
            "actor": self.actor,
            "action": self.action,
            "object_ids": json.loads(self.object_ids),
            "digest": self.digest,
            "detail": json.loads(self.detail),
            "prev_hash": self.prev_hash,
            "entry_hash": self.entry_hash,
        }

    def __repr__(self) -> str:
        return f"AuditEntry(seq={self.seq}, action={self.action!r}, actor={self.actor!r})"


class AuditObject(Base):
    """Which entries name which object (table ``audit_objects``): an index of
    :attr:`AuditEntry.object_ids`, written with each entry, so that a record's history
    is found without reading the whole log. Not part of the hash chain: it is derived
    from the entries (migration 0022 built it for the entries before it)."""

    __tablename__ = "audit_objects"

    object_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    # No foreign key: the index is derived data and must not stand in the way of
    # anything done to the log itself (``dalil audit verify`` judges the log alone).
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class AuditCheckpoint(Base):
    """A signed statement "the log had *seq* entries ending in *head_hash*"."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(_BIGINT, nullable=False, index=True)
    head_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    ts: Mapped[str] = mapped_column(String(40), nullable=False)
    key_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[str] = mapped_column(String(100), nullable=False)  # base64, 64 bytes
    #: Optional RFC 3161 TimeStampToken (DER) over the signed message; see docs/crypto.md.
    tsa_token: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "head_hash": self.head_hash,
            "ts": self.ts,
            "key_fingerprint": self.key_fingerprint,
            "signature": self.signature,
            "tsa_token": None
            if self.tsa_token is None
            else base64.b64encode(self.tsa_token).decode(),
        }

    def __repr__(self) -> str:
        return f"AuditCheckpoint(seq={self.seq}, head_hash={self.head_hash[:12]}…)"


class AuditTimestamp(Base):
    """An RFC 3161 timestamp requested for a signed head (table ``audit_timestamp``).

    The checkpoint's fields are copied so the signed message survives the checkpoint being
    superseded; ``response`` (the DER TimeStampResp) is NULL while the request is queued
    (no TSA reachable yet). ``tsa_ca_pem`` is the TSA certificate chain the token is
    verified against, kept with it. See docs/crypto.md §7.
    """

    __tablename__ = "audit_timestamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(_BIGINT, nullable=False, index=True)
    head_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    ts: Mapped[str] = mapped_column(String(40), nullable=False)
    key_fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    signature: Mapped[str] = mapped_column(String(100), nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    tsa_url: Mapped[str] = mapped_column(String(2000), nullable=False)
    tsa_ca_pem: Mapped[str] = mapped_column(Text, nullable=False)
    requested: Mapped[str] = mapped_column(String(40), nullable=False)
    response: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    gen_time: Mapped[str | None] = mapped_column(String(40), nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)

    def message(self) -> bytes:
        """The checkpoint message the token dates (its imprint is SHA-256 of it)."""
        return checkpoint_message(self.seq, self.head_hash, self.ts, self.key_fingerprint)


# --------------------------------------------------------------------------- encoding


def canonical_json(obj: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 text (non-ASCII kept), no NaN."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(
    seq: int,
    ts: str,
    actor: str,
    action: str,
    object_ids: str,
    digest: str,
    detail: str,
    prev_hash: str,
) -> str:
    """Hex SHA-256 of the canonical encoding of an entry (``object_ids``/``detail`` as stored).

    Encoding: UTF-8 of ``"dalil-audit-v1" US seq US ts US actor US action US object_ids
    US digest US detail US prev_hash`` where US is U+001F and seq is in decimal.
    No field may contain U+001F.
    """
    fields = (ts, actor, action, object_ids, digest, detail, prev_hash)
    if any(SEP in f for f in fields):
        raise ValueError("audit fields may not contain U+001F")
    enc = SEP.join((ENTRY_PREFIX, str(seq), *fields)).encode("utf-8")
    return hashlib.sha256(enc).hexdigest()


def checkpoint_message(seq: int, head_hash: str, ts: str, key_fingerprint: str) -> bytes:
    """The bytes an audit checkpoint signature covers."""
    return SEP.join((CHECKPOINT_PREFIX, str(seq), head_hash, ts, key_fingerprint)).encode("utf-8")


def _fingerprint(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_label(value: str, what: str, max_len: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"audit {what} must be non-empty text")
    if len(value) > max_len:
        raise InputError(f"audit {what} is longer than {max_len} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise InputError(f"audit {what} contains control characters")
    return value


# --------------------------------------------------------------------------- writing


def _lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})


def _head(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if row is None:
        return 0, GENESIS_HASH
    return int(row[0]), str(row[1])


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    object_ids: Sequence[str] = (),
    change: Mapping[str, Any] | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry inside the caller's transaction (flushed, not committed).

    The record and its audit entry commit together or not at all. ``change`` is hashed
    (canonical JSON, SHA-256) into ``digest`` and not stored: pass ciphertext tokens or
    field names for protected fields, never plaintext. ``detail`` is stored verbatim
    as canonical JSON: only non-protected metadata (a reveal reason, a sha256, a count).

    Concurrency: appends must be serialised. On PostgreSQL this function takes a
    transaction-level advisory lock before reading the head. On SQLite the caller's
    write transaction must have been opened with ``BEGIN IMMEDIATE`` (as
    :func:`dalil.store.engine.make_engine` does), so that no other writer can read the
    same head; without it, a concurrent append fails on the primary key instead of
    forking the chain.
    """
    return append_many(session, actor=actor, entries=[(action, object_ids, change, detail)])[0]


#: One entry for :func:`append_many`: action, object ids, change, detail.
EntrySpec = tuple[str, Sequence[str], Mapping[str, Any] | None, Mapping[str, Any] | None]


def append_many(session: Session, *, actor: str, entries: Sequence[EntrySpec]) -> list[AuditEntry]:
    """Append *entries*, in order, as :func:`append` appends one (same checks, same
    chain, same transaction), with one lock, one read of the head and one insert each
    for the entries and their object ids: a service that makes thousands of records in
    one action (a linkage run's victims) pays a few round trips to the database, not a
    few per entry. Every entry is checked before any is added."""
    _check_label(actor, "actor", 200)
    prepared = []
    for action, object_ids, change, detail in entries:
        _check_label(action, "action", 100)
        if isinstance(object_ids, str):
            raise InputError("audit object_ids must be a list of ids, not one string")
        ids = [_check_label(str(o), "object id", 200) for o in object_ids]
        try:
            digest = hashlib.sha256(canonical_json(change).encode("utf-8")).hexdigest()
            detail_text = canonical_json(dict(detail) if detail is not None else {})
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"audit change/detail must be plain JSON data ({type(exc).__name__})"
            ) from None
        if SEP in detail_text:  # json escapes control characters; defensive only
            raise InputError("audit detail contains a forbidden character")
        prepared.append((action, ids, digest, detail_text))
    if not prepared:
        return []
    _lock(session)
    seq, prev = _head(session)
    made: list[AuditEntry] = []
    objects: list[dict[str, Any]] = []
    for action, ids, digest, detail_text in prepared:
        seq += 1
        ts = _now()
        ids_text = canonical_json(ids)
        entry = AuditEntry(
            seq=seq,
            ts=ts,
            actor=actor,
            action=action,
            object_ids=ids_text,
            digest=digest,
            detail=detail_text,
            prev_hash=prev,
            entry_hash=entry_hash(seq, ts, actor, action, ids_text, digest, detail_text, prev),
        )
        prev = entry.entry_hash
        made.append(entry)
        objects += [{"object_id": o, "seq": seq} for o in dict.fromkeys(ids)]
    session.add_all(made)
    session.flush()
    if objects:
        session.execute(insert(AuditObject), objects)
    return made


#: Checkpoints kept besides the newest: the last one of every block of this many entries.
CHECKPOINT_BLOCK: Final = 1000


def checkpoint(
    session: Session, signing_key: Ed25519PrivateKey, *, keep_every: int = CHECKPOINT_BLOCK
) -> AuditCheckpoint:
    """Sign the current head of the log (inside the caller's transaction).

    If the newest checkpoint already covers the head with the same key, it is returned
    instead of adding another. Otherwise a new checkpoint is added and the previous one
    is *superseded* (deleted) when it adds nothing: same key, no RFC 3161 token, same
    UTC day and same block of *keep_every* entries. A valid signed head authenticates
    every entry before it through the chain, so superseding loses no protection; what is
    kept is the newest checkpoint, the last of each block and of each day (to localise a
    rewrite and to date the log), and every timestamped one. This keeps ``verify`` fast
    when the case layer checkpoints after every command (one signature check per
    checkpoint is far dearer than one hash per entry).
    """
    if keep_every < 1:
        raise ValueError("keep_every must be at least 1")
    _lock(session)
    seq, head = _head(session)
    fingerprint = _fingerprint(signing_key.public_key())
    last = session.execute(
        select(AuditCheckpoint)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if (
        last is not None
        and last.seq == seq
        and last.head_hash == head
        and last.key_fingerprint == fingerprint
    ):
        return last
    ts = _now()
    signature = signing_key.sign(checkpoint_message(seq, head, ts, fingerprint))
    cp = AuditCheckpoint(
        seq=seq,
        head_hash=head,
        ts=ts,
        key_fingerprint=fingerprint,
        signature=base64.b64encode(signature).decode("ascii"),
    )
    if (
        last is not None
        and last.tsa_token is None
        and last.key_fingerprint == fingerprint
        and 0 < last.seq < seq
        and (last.seq - 1) // keep_every == (seq - 1) // keep_every
        and last.ts[:10] == ts[:10]
    ):
        session.delete(last)
    session.add(cp)
    session.flush()
    return cp


# --------------------------------------------------------------------------- reading


def query(
    session: Session,
    *,
    object_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditEntry]:
    """Entries in sequence order, filtered by exact object id, actor and/or action.

    ``action`` ending in ``.*`` matches a prefix (``person.*``). With *limit*, the
    newest *limit* matching entries (still in ascending order).
    """
    stmt = select(AuditEntry)
    if actor is not None:
        stmt = stmt.where(AuditEntry.actor == actor)
    if action is not None:
        if action.endswith(".*"):
            stmt = stmt.where(AuditEntry.action.startswith(action[:-1], autoescape=True))
        else:
            stmt = stmt.where(AuditEntry.action == action)
    if object_id is not None:
        # through the index of object ids (audit_objects), not a scan of every entry
        stmt = stmt.where(
            AuditEntry.seq.in_(select(AuditObject.seq).where(AuditObject.object_id == object_id))
        )
    stmt = stmt.order_by(AuditEntry.seq.desc())
    if limit is not None:
        stmt = stmt.limit(max(limit, 0))
    out: list[AuditEntry] = list(session.execute(stmt).scalars())
    out.reverse()
    return out


# --------------------------------------------------------------------------- witness

WITNESS_FORMAT: Final = "dalil-audit-witness"


def save_witness(path: Path, cp: AuditCheckpoint) -> bool:
    """Record a signed checkpoint outside the database (e.g. ``keys/audit_head.json``).

    Call it *after* the transaction that wrote the checkpoint committed. The file only
    moves forward: a checkpoint older than the recorded one is ignored (returns False).
    Written atomically (temp file, fsync, rename). It holds no secret.
    """
    path = Path(path)
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
        if int(current.get("seq", -1)) > cp.seq:
            return False
    except (OSError, ValueError, TypeError, AttributeError):
        pass
    doc = {
        "format": WITNESS_FORMAT,
        "version": 1,
        "seq": cp.seq,
        "head_hash": cp.head_hash,
        "ts": cp.ts,
        "key_fingerprint": cp.key_fingerprint,
        "signature": cp.signature,
    }
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(doc, indent=2) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True


def witness_gap(session: Session, path: Path) -> str | None:
    """Why the log in *session* does not extend the head recorded in the witness file
    *path*, or None when it does (or there is no readable witness file).

    Called before a write commits: a log that was cut or rolled back must not be extended,
    or the witness would move forward onto the new head and the loss would be laundered.
    Only the recorded entry's hash is compared (the signature is checked by ``verify``).
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        seq = int(doc["seq"])
        head = str(doc["head_hash"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        return f"the audit witness file {path} is damaged"
    if seq == 0:
        return None
    stored = session.execute(
        select(AuditEntry.entry_hash).where(AuditEntry.seq == seq)
    ).scalar_one_or_none()
    if stored is None:
        return (
            f"the audit log has no entry {seq}, which the witness file {path} records "
            "(entries removed, or the database restored from an older copy)"
        )
    if stored != head:
        return f"audit entry {seq} differs from the head recorded in the witness file {path}"
    return None


def _check_witness(
    path: Path,
    public_key: Ed25519PublicKey,
    fingerprint: str,
    problems: list[tuple[int, int, str]],
) -> tuple[int, str] | None:
    """Validate a witness file; return (seq, head_hash), or None if absent or bad."""
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        seq = int(doc["seq"])
        head, ts, kfp, sig = (
            str(doc[k]) for k in ("head_hash", "ts", "key_fingerprint", "signature")
        )
        if doc.get("format") != WITNESS_FORMAT:
            raise ValueError("format")
    except (OSError, ValueError, TypeError, KeyError):
        raise InputError(f"damaged audit witness file {path}") from None
    if kfp != fingerprint:
        problems.append((seq, 0, f"witness file {path}: signed by another key, not this case's"))
        return None
    try:
        public_key.verify(
            base64.b64decode(sig, validate=True), checkpoint_message(seq, head, ts, kfp)
        )
    except (InvalidSignature, binascii.Error, ValueError):
        problems.append((seq, 0, f"witness file {path}: signature is invalid (forged or altered)"))
        return None
    return seq, head


# --------------------------------------------------------------------------- verification


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`.

    ``entries`` is the number of rows in the log, ``checkpoints`` in the checkpoint table.
    ``first_bad_seq`` is the lowest entry sequence implicated (None when ok);
    ``reason`` a sentence naming it. ``head_seq``/``head_hash`` are the last entry that
    verified (the head of the log when ok). ``sealed_seq`` is the sequence covered by
    the newest valid checkpoint: entries after it are chained but not yet signed.
    """

    ok: bool
    entries: int
    checkpoints: int
    first_bad_seq: int | None = None
    reason: str | None = None
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    sealed_seq: int = 0
    #: RFC 3161 tokens checked (``timestamps``) and requests still queued (no TSA yet);
    #: filled by ``services.audit.verify_case``.
    timestamps: int = 0
    timestamps_queued: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_SCAN_WINDOW: Final = 1000


def _diagnose_mismatch(row: tuple[Any, ...]) -> str:
    """Name what happened to an entry whose hash does not match its contents."""
    seq = int(row[0])
    stored = row[8]
    fields = [str(v) if v is not None else "" for v in row[1:8]]
    if any(SEP in f for f in fields):
        return f"entry {seq}: a field holds a forbidden separator character (modified)"
    for other in range(max(1, seq - _SCAN_WINDOW), seq + _SCAN_WINDOW + 1):
        if other != seq and entry_hash(other, *fields) == stored:
            return (
                f"entry {seq}: holds the contents of entry {other} "
                "(entries reordered, or deleted or inserted and renumbered)"
            )
    return f"entry {seq}: hash does not match its contents (modified)"


def _raw_connection(conn: Connection | Session) -> Any:
    connection = conn.connection() if isinstance(conn, Session) else conn
    return connection.connection.driver_connection


def verify(
    conn: Connection | Session,
    public_key: Ed25519PublicKey,
    *,
    witness: Path | None = None,
) -> VerifyResult:
    """Check the whole chain and every checkpoint against *public_key*.

    Detects entries modified, deleted, inserted or reordered; checkpoints forged or
    signed by another key; and the tail of the log cut off after a checkpoint.
    Entries appended after the newest checkpoint (``sealed_seq``) are protected by the
    chain only: anyone with write access to the database can append or cut unsealed
    entries. Streams rows through a raw DBAPI cursor; never loads the log into memory.

    *witness*, if given and present, is a head recorded outside the database by
    :func:`save_witness`; it is checked like a checkpoint, so cutting the tail of the
    log together with its checkpoints is detected too.
    """
    connection = conn.connection() if isinstance(conn, Session) else conn
    fingerprint = _fingerprint(public_key)

    # Checkpoints are few; load them all (signature checks first, they are cheap to report).
    cps = connection.execute(
        text(
            "SELECT id, seq, head_hash, ts, key_fingerprint, signature "
            "FROM audit_checkpoint ORDER BY seq, id"
        )
    ).all()
    problems: list[tuple[int, int, str]] = []  # (seq, priority, reason)
    want: dict[int, list[str]] = {}
    for cid, cseq, chead, cts, cfp, csig in cps:
        cseq = int(cseq)
        where = f"checkpoint {cid} (entry {cseq})"
        if cfp != fingerprint:
            problems.append(
                (
                    cseq,
                    0,
                    f"{where}: signed by another key (fingerprint {str(cfp)[:16]}…), not this case's",
                )
            )
            continue
        try:
            sig = base64.b64decode(str(csig), validate=True)
            public_key.verify(sig, checkpoint_message(cseq, str(chead), str(cts), str(cfp)))
        except (InvalidSignature, binascii.Error, ValueError):
            problems.append(
                (cseq, 0, f"{where}: signature is invalid (forged or altered checkpoint)")
            )
            continue
        want.setdefault(cseq, []).append(str(chead))

    witness_seq: int | None = None
    if witness is not None:
        w = _check_witness(Path(witness), public_key, fingerprint, problems)
        if w is not None:
            witness_seq, witness_head = w
            want.setdefault(witness_seq, []).append(witness_head)
    db_signed = {int(c[1]) for c in cps}
    signed_seqs = sorted(want)
    raw = _raw_connection(connection)
    if connection.dialect.name == "postgresql":
        # A server-side cursor: psycopg's default cursor would load the whole log.
        cur = raw.cursor(name="dalil_audit_verify")
    else:
        cur = raw.cursor()
    try:
        cur.execute(
            "SELECT seq, ts, actor, action, object_ids, digest, detail, prev_hash, entry_hash "
            "FROM audit_log ORDER BY seq"
        )
        count, prev, expected, bad = _scan(cur, want, problems)
        if bad is not None:  # count the rest, so ``entries`` is the size of the log
            while rest := cur.fetchmany(4096):
                count += len(rest)
    finally:
        cur.close()
    head_seq = expected - 1

    # Checkpoints of the empty log, and checkpoints beyond the end of the log.
    for h in want.get(0, []):
        if h != GENESIS_HASH:
            problems.append((1, 1, "checkpoint at entry 0: head hash is not the empty log's"))
    if bad is None:
        for cseq in signed_seqs:
            if cseq > head_seq and cseq == witness_seq and cseq not in db_signed:
                problems.append(
                    (
                        head_seq + 1,
                        1,
                        f"log truncated: the witness file records entry {cseq} but the log "
                        f"ends at entry {head_seq} (entries and checkpoints removed, or the "
                        "database restored from an older copy)",
                    )
                )
                break
            if cseq > head_seq:
                problems.append(
                    (
                        head_seq + 1,
                        1,
                        f"log truncated: a checkpoint covers entry {cseq} but the log ends at "
                        f"entry {head_seq} ("
                        + (
                            f"entry {cseq} removed)"
                            if cseq == head_seq + 1
                            else f"entries {head_seq + 1}-{cseq} removed)"
                        ),
                    )
                )
                break
    if problems:
        problems.sort(key=lambda p: (p[0], p[1]))
        first_seq, _prio, reason = problems[0]
        return VerifyResult(
            ok=False,
            entries=count,
            checkpoints=len(cps),
            first_bad_seq=first_seq,
            reason=reason,
            head_seq=head_seq,
            head_hash=prev,
            sealed_seq=max([s for s in signed_seqs if s < first_seq], default=0),
        )
    return VerifyResult(
        ok=True,
        entries=count,
        checkpoints=len(cps),
        head_seq=head_seq,
        head_hash=prev,
        sealed_seq=max(signed_seqs, default=0),
    )


def _scan(
    cur: Any, want: dict[int, list[str]], problems: list[tuple[int, int, str]]
) -> tuple[int, str, int, int | None]:
    """Walk the entries; return (rows fetched, last good hash, next expected seq, first bad seq)."""
    sha256 = hashlib.sha256
    prefix = ENTRY_PREFIX + SEP
    sep = SEP
    prev = GENESIS_HASH
    expected = 1
    count = 0
    last_cp_ok = 0
    need = want
    while True:
        rows = cur.fetchmany(4096)
        if not rows:
            break
        count += len(rows)
        for row in rows:
            seq, ts, actor, action, oids, digest, detail, prev_hash, stored = row
            if seq != expected:
                if isinstance(seq, int) and seq > expected:
                    missing = (
                        f"entry {expected} is missing"
                        if seq == expected + 1
                        else f"entries {expected}-{seq - 1} are missing"
                    )
                    problems.append(
                        (
                            expected,
                            2,
                            f"{missing} (deleted): the log jumps from entry {expected - 1} to {seq}",
                        )
                    )
                else:
                    problems.append(
                        (
                            expected,
                            2,
                            f"entry {expected}: unexpected sequence number {seq!r} (inserted)",
                        )
                    )
                return count, prev, expected, expected
            s = f"{prefix}{seq}{sep}{ts}{sep}{actor}{sep}{action}{sep}{oids}{sep}{digest}{sep}{detail}{sep}{prev_hash}"
            if sha256(s.encode()).hexdigest() != stored or s.count(sep) != 8:
                problems.append((seq, 2, _diagnose_mismatch(row)))
                return count, prev, expected, seq
            if prev_hash != prev:
                problems.append(
                    (
                        seq,
                        2,
                        f"entry {seq}: previous-hash link broken (an entry before it was deleted, "
                        "inserted or replaced)",
                    )
                )
                return count, prev, expected, seq
            if seq in need:
                for h in need[seq]:
                    if h != stored:
                        problems.append(
                            (
                                last_cp_ok + 1,
                                1,
                                f"checkpoint at entry {seq}: head hash does not match the log; "
                                f"entries {last_cp_ok + 1}-{seq} were rewritten after signing",
                            )
                        )
                        return count, prev, expected, last_cp_ok + 1
                last_cp_ok = seq
            prev = stored
            expected += 1
    return count, prev, expected, None
