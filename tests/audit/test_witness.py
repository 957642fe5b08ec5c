"""A head recorded outside the database catches a tail cut together with its checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dalil.core import audit
from dalil.errors import InputError

from .conftest import Db


def _commands(db: Db, key: Ed25519PrivateKey, witness: Path, n: int) -> None:
    """n commands, each: one entry, a checkpoint, commit, then the witness."""
    for i in range(n):
        with db.session() as s:
            audit.append(s, actor="admin", action="person.add", object_ids=[f"person:{i}"])
            cp = audit.checkpoint(s, key)
            s.commit()
        audit.save_witness(witness, cp)


def _check(db: Db, key: Ed25519PrivateKey, witness: Path) -> audit.VerifyResult:
    with db.engine.connect() as conn:
        return audit.verify(conn, key.public_key(), witness=witness)


def test_untouched_log_agrees_with_its_witness(
    db: Db, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    witness = tmp_path / "audit_head.json"
    _commands(db, signing_key, witness, 5)
    assert json.loads(witness.read_text())["seq"] == 5
    result = _check(db, signing_key, witness)
    assert result.ok and result.sealed_seq == 5


def test_tail_cut_with_its_checkpoints_is_caught_by_the_witness(
    db: Db, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    witness = tmp_path / "audit_head.json"
    _commands(db, signing_key, witness, 6)
    db.sql("DELETE FROM audit_log WHERE seq > 3")
    db.sql("DELETE FROM audit_checkpoint")
    with db.engine.connect() as conn:
        assert audit.verify(conn, signing_key.public_key()).ok  # without the witness: unseen
    result = _check(db, signing_key, witness)
    assert not result.ok and result.first_bad_seq == 4
    assert "witness" in (result.reason or "") and "entry 6" in (result.reason or "")


def test_rewritten_log_disagrees_with_the_witness(
    db: Db, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    witness = tmp_path / "audit_head.json"
    _commands(db, signing_key, witness, 4)
    db.sql("DELETE FROM audit_checkpoint")
    db.sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 4")
    result = _check(db, signing_key, witness)
    assert not result.ok and result.first_bad_seq == 4


def test_forged_witness_is_named(db: Db, signing_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    witness = tmp_path / "audit_head.json"
    _commands(db, signing_key, witness, 2)
    doc = json.loads(witness.read_text())
    doc["seq"] = 1
    witness.write_text(json.dumps(doc))
    result = _check(db, signing_key, witness)
    assert (
        not result.ok
        and "witness file" in (result.reason or "")
        and "signature" in (result.reason or "")
    )


def test_witness_only_moves_forward(db: Db, signing_key: Ed25519PrivateKey, tmp_path: Path) -> None:
    witness = tmp_path / "audit_head.json"
    _commands(db, signing_key, witness, 3)
    older = audit.AuditCheckpoint(
        seq=1, head_hash="0" * 64, ts="t", key_fingerprint="f", signature="s"
    )
    assert audit.save_witness(witness, older) is False
    assert json.loads(witness.read_text())["seq"] == 3


def test_missing_witness_is_ignored_and_damaged_one_is_an_input_error(
    db: Db, signing_key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    _commands(db, signing_key, tmp_path / "unused.json", 1)
    assert _check(db, signing_key, tmp_path / "absent.json").ok
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="witness"):
        _check(db, signing_key, bad)
