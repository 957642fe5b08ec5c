"""Reading and verifying a case's audit log (writing is ``ctx.audit``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dalil.core import access
from dalil.core.context import Context
from dalil.errors import InputError

if TYPE_CHECKING:
    from dalil.core.audit import VerifyResult
    from dalil.core.case import Case


def log_refusals(case: Case, actor: access.Actor, permissions: list[str]) -> None:
    """Log refusals a service met inside a read shared by a whole page (the web's
    ``Ctx.reading``), once each, after that read ended: the log entry is a write, which
    cannot go into the read's transaction."""
    for permission in permissions:
        case.log_denial(actor, permission)


def public_key(case: Case, path: Path | None = None) -> Any:
    """The audit public key: *path*, else ``keys/audit_public.pem``; it must match the
    fingerprint recorded in case.toml unless an explicit key is given."""
    from dalil.vault.keys import AUDIT_PUBLIC_FILE, key_fingerprint, load_audit_public_key

    key = load_audit_public_key(path or case.keys_dir / AUDIT_PUBLIC_FILE)
    expected = case.config.audit_key_fingerprint
    if path is None and expected and key_fingerprint(key) != expected:
        raise InputError(
            "keys/audit_public.pem does not match the fingerprint in case.toml; "
            "verify with the public key from a trusted copy",
            field="public_key",
        )
    return key


def verify_case(
    case: Case, key_path: Path | None = None, witness: Path | None = None
) -> VerifyResult:
    """Verify the log; check it against *witness*, else the case's ``keys/audit_head.json``
    when that file exists (a signed head kept outside the database); then check every
    RFC 3161 token against the TSA chain kept with it and the log's head at its entry."""
    from dalil.core import audit
    from dalil.services import timestamps

    key = public_key(case, key_path)
    with case.engine.connect() as conn:
        res = audit.verify(conn, key, witness=witness or case.witness_path)
    stamps = timestamps.check(case, key)
    res.timestamps, res.timestamps_queued = stamps.stamped, stamps.queued
    if stamps.problems and res.ok:
        res.ok = False
        res.first_bad_seq, res.reason = stamps.problems[0]
    return res


def head(case: Case, key_path: Path | None = None) -> dict[str, Any]:
    """The newest signed checkpoint in the database, in the witness-file format.

    Its signature is checked first (InputError if it does not verify). Recorded somewhere
    else (a notebook, an email), it can later be given to ``dalil audit verify --witness``
    to detect a log rolled back or cut together with its checkpoints and witness file.
    """
    import base64
    import binascii

    from cryptography.exceptions import InvalidSignature
    from sqlalchemy import select

    from dalil.core import audit

    key = public_key(case, key_path)
    with case.engine.connect() as conn:
        row = conn.execute(
            select(audit.AuditCheckpoint)
            .order_by(audit.AuditCheckpoint.seq.desc(), audit.AuditCheckpoint.id.desc())
            .limit(1)
        ).first()
    if row is None:
        raise InputError("the audit log has no signed checkpoint yet")
    try:
        key.verify(
            base64.b64decode(row.signature, validate=True),
            audit.checkpoint_message(row.seq, row.head_hash, row.ts, row.key_fingerprint),
        )
    except (InvalidSignature, binascii.Error, ValueError):
        raise InputError(
            f"the newest checkpoint (entry {row.seq}) does not verify; run dalil audit verify"
        ) from None
    return {
        "format": audit.WITNESS_FORMAT,
        "version": 1,
        "seq": int(row.seq),
        "head_hash": row.head_hash,
        "ts": row.ts,
        "key_fingerprint": row.key_fingerprint,
        "signature": row.signature,
    }


def show(
    ctx: Context,
    *,
    object_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    from dalil.core import audit

    ctx.require(access.AUDIT_READ, "read the audit log")
    rows = audit.query(ctx.session, object_id=object_id, actor=actor, action=action, limit=limit)
    return [e.to_dict() for e in rows]
