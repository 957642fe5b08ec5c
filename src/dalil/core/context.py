"""The acting-user context every service function takes.

A :class:`Context` is one database transaction performed by one user. It offers:

- ``ctx.require(permission)``: raise PermissionDenied unless the user's role grants it;
- ``ctx.audit(action, object_ids=…, change=…, detail=…)``: append to the hash-chained
  audit log in the same transaction (never put protected plaintext in ``change`` or
  ``detail``: use :func:`protected_marker`);
- ``ctx.encrypt(value, context)`` / ``ctx.decrypt(ciphertext, context)`` /
  ``ctx.blind_index(value, context)`` for protected fields;
- ``ctx.session`` (SQLAlchemy), ``ctx.case`` and ``ctx.actor``.

When the ``with case.act(...)`` block ends without error, a signed audit checkpoint
is written if the transaction appended entries, then the transaction commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from dalil.core.access import Actor, require
from dalil.display.messages import N_, Message
from dalil.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from dalil.core.audit import EntrySpec
    from dalil.core.case import Case

_Row = TypeVar("_Row")


def oid(kind: str, ident: object) -> str:
    """Object id as used in audit entries: ``person:42``, ``evidence:<sha256>``."""
    return f"{kind}:{ident}"


def protected_marker(value: object) -> str:
    """What an audit ``change`` records for a protected field: only that it was set."""
    return "<protected:set>" if value not in (None, "", []) else "<protected:cleared>"


@dataclass
class Context:
    case: Case
    actor: Actor
    session: Session
    writable: bool = True
    audited: int = 0
    denied: str | None = None
    checkpoint: Any = None  # the AuditCheckpoint written by _finish (saved as the witness)
    #: Results of reads already made in this read-only transaction (see :meth:`recall`).
    read_cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    # --- permissions -----------------------------------------------------------------

    def require(self, permission: str, what: str | None = None) -> None:
        """Raise PermissionDenied unless granted. A refusal is logged (``access.denied``,
        in its own transaction after this one rolls back)."""
        try:
            require(self.actor, permission, what)
        except PermissionDenied:
            self.denied = permission
            raise

    def can(self, permission: str) -> bool:
        return self.actor.can(permission)

    # --- audit -----------------------------------------------------------------------

    def audit(
        self,
        action: str,
        object_ids: list[str] | tuple[str, ...] = (),
        change: dict[str, Any] | None = None,
        detail: dict[str, Any] | None = None,
    ) -> Any:
        """Append an audit entry (same transaction). Returns the entry."""
        from dalil.core import audit

        if not self.writable:
            raise RuntimeError("audit entry in a read-only context: use case.act(write=True)")
        entry = audit.append(
            self.session,
            actor=self.actor.name,
            action=action,
            object_ids=list(object_ids),
            change=change,
            detail=detail,
        )
        self.audited += 1
        return entry

    def audit_many(self, entries: Sequence[EntrySpec]) -> list[Any]:
        """Append several entries (action, object ids, change, detail) in one go, in
        order, as :meth:`audit` appends one (:func:`dalil.core.audit.append_many`)."""
        from dalil.core import audit

        if not self.writable:
            raise RuntimeError("audit entry in a read-only context: use case.act(write=True)")
        made = audit.append_many(self.session, actor=self.actor.name, entries=entries)
        self.audited += len(made)
        return made

    def _finish(self) -> None:
        if self.audited:
            from dalil.core import audit

            self.session.flush()
            gap = audit.witness_gap(self.session, self.case.witness_path)
            if gap is not None:
                from dalil.errors import Conflict

                raise Conflict(
                    f"{gap}; nothing was saved. Run dalil audit verify. If you restored a "
                    "backup on purpose, keep the witness file as a record and move it aside "
                    "before continuing."
                )
            self.checkpoint = audit.checkpoint(self.session, self.case.keys.audit_signing_key)

    # --- protected fields ------------------------------------------------------------

    @property
    def keys(self) -> Any:
        return self.case.keys

    def encrypt(self, value: Any, context: str) -> str:
        """Encrypt a JSON-serialisable *value* under the case data key, bound to *context*.

        Returns an ASCII token for a Text column (``UnlockedKeys.encrypt_field``)."""
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return str(self.keys.encrypt_field(text, context))

    def decrypt(self, token: str, context: str) -> Any:
        return json.loads(self.keys.decrypt_field(token, context))

    def blind_index(self, value: str, context: str) -> str:
        """Keyed equality index (hex) of *value* (normalised: NFKC, case-folded)."""
        return str(self.keys.blind_index(value, context))

    # --- lookups ---------------------------------------------------------------------

    def recall(self, key: Any, read: Callable[[], list[_Row]]) -> list[_Row]:
        """The rows ``read()`` returns, read once per read-only transaction: a page
        whose helpers ask for the same rows (a person's acts) makes one round trip. A
        transaction that may write reads afresh each time. Permission checks stay with
        the caller, before it asks."""
        if self.writable:
            return read()
        if key not in self.read_cache:
            self.read_cache[key] = read()
        return list(self.read_cache[key])

    def get(self, model: type[_Row], ident: int, kind: str | None = None) -> _Row:
        """The row of *model* with primary key *ident*, or NotFound "no person with id 42"."""
        obj = self.session.get(model, ident)
        if obj is None:
            table = str(getattr(model, "__tablename__", model.__name__.lower()))
            name = kind or getattr(model, "__kind__", None) or table.rstrip("s")
            raise NotFound(
                Message(N_("no %(kind)s with id %(id)s"), kind=Message(name), id=str(ident))
            )
        return obj
