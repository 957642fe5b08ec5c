"""Key management operations on a case (passphrase change)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dalil.core import access
from dalil.core.context import oid

if TYPE_CHECKING:
    from dalil.core.case import Case


def change_passphrase(case: Case, user: str | None, old: str, new: str) -> None:
    """Re-wrap the data key under *new*. Checks *old* first and the user's permission."""
    from dalil.vault import keys as vault_keys

    keys = vault_keys.unlock(case.keys_dir, old)  # WrongPassphrase if it does not fit
    case._keys = keys
    actor = case.actor(user)
    case.require(actor, access.KEYS_MANAGE, "change the case passphrase")
    with case.act(actor) as ctx:
        # Re-wrap inside the transaction: if it fails, no log entry claims it happened;
        # if the commit fails afterwards, the new passphrase is in force and the admin
        # sees the error.
        vault_keys.change_passphrase(case.keys_dir, old, new)
        ctx.audit("keys.passphrase_change", [oid("case", "self")], detail={"key_id": keys.key_id})
