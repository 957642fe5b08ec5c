"""Reading and verifying a case's audit log (writing is ``ctx.audit``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dalil import access
from dalil.errors import InputError
from dalil.services.context import Context

if TYPE_CHECKING:
    from dalil.audit import VerifyResult
    from dalil.case import Case


def public_key(case: Case, path: Path | None = None) -> Any:
    """The audit public key: *path*, else ``keys/audit_public.pem``; it must match the
    fingerprint recorded in case.toml unless an explicit key is given."""
    from dalil.vault.keys import AUDIT_PUBLIC_FILE, key_fingerprint, load_audit_public_key

    key = load_audit_public_key(path or case.keys_dir / AUDIT_PUBLIC_FILE)
    expected = case.config.audit_key_fingerprint
    if path is None and expected and key_fingerprint(key) != expected:
        raise InputError(
            "keys/audit_public.pem does not match the fingerprint in case.toml; "
            "verify with --public-key from a trusted copy"
        )
    return key


def verify_case(case: Case, key_path: Path | None = None) -> VerifyResult:
    from dalil import audit

    key = public_key(case, key_path)
    with case.engine.connect() as conn:
        return audit.verify(conn, key)


def show(
    ctx: Context,
    *,
    object_id: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    from dalil import audit

    ctx.require(access.AUDIT_READ, "read the audit log")
    rows = audit.query(ctx.session, object_id=object_id, actor=actor, action=action, limit=limit)
    return [e.to_dict() for e in rows]
