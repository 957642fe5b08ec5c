"""The signed custody manifest and standalone verifier that travel in a BagIt export.

``custody-manifest.json`` (a tag file at the bag's root) lists every file under ``data/``
with its SHA-256 and size, the custody and audit entries exported, the hashes of the whole
audit chain up to the export's own entry, the signed checkpoints and RFC 3161 timestamp
tokens over it, and the case's audit public key. ``custody-manifest.sig`` is the case
key's Ed25519 signature over it. ``verify.py`` (standard library + ``cryptography``)
checks all of it without dalil; see docs/crypto.md, "Custody manifest".
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from dalil.core.audit import AuditCheckpoint, AuditEntry, canonical_json
from dalil.display.jsonout import dumps

if TYPE_CHECKING:
    from dalil.core.case import Case

MANIFEST_FILE = "custody-manifest.json"
SIGNATURE_FILE = "custody-manifest.sig"
VERIFIER_FILE = "verify.py"
MANIFEST_FORMAT = "dalil-custody-manifest"
#: Domain separation for the manifest signature (the signed bytes are prefix + file bytes).
MANIFEST_PREFIX = b"dalil-custody-manifest-v1\x1f"


def verifier_source() -> bytes:
    """The bytes of the standalone verifier copied into every bag."""
    return resources.files("dalil.vault").joinpath("bag_verify.py").read_bytes()


def _file_hash(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(
    case: Case,
    bag_root: Path,
    upto: int,
    items: list[dict[str, Any]],
    audit_json: Path,
    export_checkpoint: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write the manifest, its signature and ``verify.py`` at *bag_root* (a bag already
    made: ``data/`` in place). *items* are ``{"sha256", "size", "path", "name"}`` with
    ``path`` relative to the bag; every other file under ``data/`` is listed as metadata.
    *export_checkpoint* is the checkpoint signed over the export's own entry, kept even if
    a later writer superseded it in the database.
    """
    from dalil.services import timestamps

    keys = case.keys
    pem = keys.audit_public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")
    entries = json.loads(audit_json.read_text(encoding="utf-8"))
    by_item: dict[str, list[int]] = {it["sha256"]: [] for it in items}
    for e in entries:
        for o in e["object_ids"]:
            kind, _, ref = str(o).partition(":")
            if kind == "evidence" and ref in by_item:
                by_item[ref].append(int(e["seq"]))
    item_paths = {it["path"] for it in items}
    files: dict[str, dict[str, Any]] = {}
    for p in sorted((bag_root / "data").rglob("*")):
        rel = p.relative_to(bag_root).as_posix()
        if p.is_file() and rel not in item_paths:
            files[rel] = {"sha256": _file_hash(p), "size": p.stat().st_size}
    with case.system_session(write=False) as s:
        chain = list(
            s.scalars(
                select(AuditEntry.entry_hash).where(AuditEntry.seq <= upto).order_by(AuditEntry.seq)
            )
        )
        cps = [
            cp.to_dict()
            for cp in s.scalars(
                select(AuditCheckpoint)
                .where(AuditCheckpoint.seq <= upto)
                .order_by(AuditCheckpoint.seq, AuditCheckpoint.id)
            )
        ]
    if export_checkpoint is not None and not any(
        c["seq"] == export_checkpoint["seq"] and c["signature"] == export_checkpoint["signature"]
        for c in cps
    ):
        cps.append(export_checkpoint)
        cps.sort(key=lambda c: (int(c["seq"]), int(c["id"] or 0)))
    manifest = {
        "format": MANIFEST_FORMAT,
        "version": 1,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "key_fingerprint": keys.audit_key_fingerprint,
        "public_key_pem": pem,
        "export_seq": upto,
        "items": [{**it, "custody": by_item[it["sha256"]]} for it in items],
        "files": files,
        "entries": entries,
        "chain": chain,
        "checkpoints": cps,
        "timestamps": timestamps.tokens(case, upto),
    }
    raw = (dumps(manifest) + "\n").encode("utf-8")
    # The manifest is read back by verify.py with plain json; make sure it is plain JSON.
    canonical_json(json.loads(raw))
    (bag_root / MANIFEST_FILE).write_bytes(raw)
    sig = keys.audit_signing_key.sign(MANIFEST_PREFIX + raw)
    (bag_root / SIGNATURE_FILE).write_text(base64.b64encode(sig).decode("ascii") + "\n")
    (bag_root / VERIFIER_FILE).write_bytes(verifier_source())
    return {
        "items": len(items),
        "entries": len(entries),
        "chain": len(chain),
        "checkpoints": len(cps),
        "timestamps": len(manifest["timestamps"]),
    }
