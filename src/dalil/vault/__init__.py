"""Evidence vault: case keys (:mod:`dalil.vault.keys`) and encrypted blobs
(:mod:`dalil.vault.blobs`). Formats and algorithms: ``docs/crypto.md``."""

from __future__ import annotations

from dalil.vault.blobs import BlobCorrupt, BlobError, BlobMissing, BlobStore, PutResult
from dalil.vault.keys import (
    FieldDecryptError,
    UnlockedKeys,
    change_passphrase,
    create_keyring,
    load_audit_public_key,
    unlock,
)

__all__ = [
    "BlobCorrupt",
    "BlobError",
    "BlobMissing",
    "BlobStore",
    "FieldDecryptError",
    "PutResult",
    "UnlockedKeys",
    "change_passphrase",
    "create_keyring",
    "load_audit_public_key",
    "unlock",
]
