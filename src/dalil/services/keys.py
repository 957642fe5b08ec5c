"""Key management operations on a case (passphrase change)."""

from __future__ import annotations

from pathlib import Path
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


def split_key(
    case: Case, user: str | None, passphrase: str, *, shares: int, threshold: int
) -> dict[str, object]:
    """Cut the case data key into *shares* recovery shares, any *threshold* of which set a
    new passphrase (:func:`recover_key`). Needs ``keys.manage``; audited ``keys.split``
    (counts and the split's identifier, never a share) before the shares are returned."""
    from shamir_mnemonic.share import Share

    from dalil.vault import keys as vault_keys
    from dalil.vault import recovery

    actor = case.actor(user)
    case.require(actor, access.KEYS_MANAGE, "split the case key into recovery shares")
    data_key = vault_keys.unwrap_data_key(case.keys_dir, passphrase)
    words = recovery.split_secret(data_key, shares, threshold)
    del data_key
    ident = Share.from_mnemonic(words[0]).identifier
    with case.act(actor) as ctx:
        ctx.audit(
            "keys.split",
            [oid("case", "self")],
            detail={
                "shares": shares,
                "threshold": threshold,
                "key_id": case.keys.key_id,
                "split_id": ident,
            },
        )
    return {
        "shares": words,
        "threshold": threshold,
        "key_id": case.keys.key_id,
        "split_id": ident,
    }


def recover_key(
    root: Path, user: str | None, shares: list[tuple[str, str]], new_passphrase: str
) -> dict[str, object]:
    """Set *new_passphrase* on the case at *root* from K recovery *shares* (``(where,
    words)`` pairs; the old passphrase is not needed). The recovered key must be this
    case's. Needs ``keys.manage`` for the acting user; audited ``keys.recover``."""
    from dalil.core.case import Case
    from dalil.vault import keys as vault_keys
    from dalil.vault import recovery

    data_key = recovery.combine_shares(shares)
    case = Case.open(root, None)
    try:
        case._keys = vault_keys.keys_from_data_key(case.keys_dir, data_key)
        actor = case.actor(user)
        case.require(actor, access.KEYS_MANAGE, "recover the case key")
        with case.act(actor) as ctx:
            # Re-wrap inside the transaction, as a passphrase change does.
            vault_keys.rewrap_with_data_key(case.keys_dir, data_key, new_passphrase)
            ctx.audit(
                "keys.recover",
                [oid("case", "self")],
                detail={"shares_given": len(shares), "key_id": case.keys.key_id},
            )
        return {"key_id": case.keys.key_id, "shares_given": len(shares)}
    finally:
        case.close()


def normalise_share(text: str) -> str:
    """A recovery share from a file or a prompt: ``#`` comment lines dropped, words
    lower-cased and joined by single spaces."""
    from dalil.vault.recovery import normalise_share as _normalise

    return _normalise(text)
