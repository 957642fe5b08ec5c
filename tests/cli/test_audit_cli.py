"""audit verify/show through the CLI, on a real case database that someone edits."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from dalil.core.case import Case
from dalil.testing import DalilRunner


def _fill(dalil: DalilRunner) -> None:
    dalil.json("person", "add", "--pseudonym", "W-1", "--legal-name", "Fictional Name")
    dalil.json("incident", "add", "--title", "Fictional incident", "--date-start", "2025-03")
    dalil.json("person", "update", "1", "--sex", "female")


def test_verify_ok_without_passphrase(case: Case, dalil: DalilRunner) -> None:
    _fill(dalil)
    r = dalil("audit", "verify", "--json", env={"DALIL_PASSPHRASE": ""})
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["ok"] is True


def test_modified_entry_detected_exit_1_naming_it(case: Case, dalil: DalilRunner) -> None:
    _fill(dalil)
    with sqlite3.connect(case.root / "case.db") as db:
        seq = db.execute("SELECT seq FROM audit_log WHERE action='incident.add'").fetchone()[0]
        db.execute("UPDATE audit_log SET actor='someone-else' WHERE seq=?", (seq,))
    r = dalil("audit", "verify")
    assert r.exit_code == 1
    assert r.stderr.startswith("check failed: audit log:") and str(seq) in r.stderr


def test_deleted_tail_after_checkpoint_detected(case: Case, dalil: DalilRunner) -> None:
    _fill(dalil)
    with sqlite3.connect(case.root / "case.db") as db:
        db.execute("DELETE FROM audit_log WHERE seq=(SELECT max(seq) FROM audit_log)")
    assert dalil("audit", "verify").exit_code == 1


def test_replaced_public_key_refused(case: Case, dalil: DalilRunner) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    _fill(dalil)
    other = Ed25519PrivateKey.generate().public_key()
    (case.root / "keys" / "audit_public.pem").write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    r = dalil("audit", "verify")
    assert r.exit_code == 2 and "does not match the fingerprint" in r.stderr


def test_show_filters_by_object_actor_action(dalil: DalilRunner) -> None:
    _fill(dalil)
    rows = dalil.json("audit", "show", "--object", "person:1")
    assert [r["action"] for r in rows] == ["person.add", "person.update"]
    assert all(r["actor"] == "admin" for r in dalil.json("audit", "show", "--actor", "admin"))
    assert [r["action"] for r in dalil.json("audit", "show", "--action", "incident.*")] == [
        "incident.add"
    ]
    assert dalil.json("audit", "show", "--actor", "nobody") == []


def test_viewer_cannot_read_audit_log(dalil: DalilRunner) -> None:
    dalil.json("user", "add", "vera", "--role", "viewer")
    r = dalil("audit", "show", "--user", "vera")
    assert r.exit_code == 2 and "may not read the audit log" in r.stderr


def _backup(src: Path, dst: Path) -> None:
    """A consistent copy of a live SQLite database (what a backup tool would take)."""
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dst)) as b:
        a.backup(b)


def test_witness_file_follows_every_change(case: Case, dalil: DalilRunner) -> None:
    _fill(dalil)
    witness = json.loads((case.root / "keys" / "audit_head.json").read_text())
    with sqlite3.connect(case.root / "case.db") as db:
        head = db.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
    assert witness["seq"] == head
    r = dalil("audit", "verify")
    assert r.exit_code == 0, r.stderr
    assert "witness" in r.stdout and f"#{head}" in r.stdout
    d = json.loads(dalil("audit", "verify", "--json").stdout)
    assert d["witness"]["seq"] == head


def test_tail_deleted_with_its_checkpoints_caught_by_witness(
    case: Case, dalil: DalilRunner
) -> None:
    _fill(dalil)
    with sqlite3.connect(case.root / "case.db") as db:
        head = db.execute("SELECT max(seq) FROM audit_log").fetchone()[0]
        db.execute("DELETE FROM audit_log WHERE seq > ?", (head - 2,))
        db.execute("DELETE FROM audit_checkpoint WHERE seq > ?", (head - 2,))
    r = dalil("audit", "verify")
    assert r.exit_code == 1
    assert "witness" in r.stderr and "truncated" in r.stderr and f"entry {head}" in r.stderr


def test_database_restored_from_older_copy_caught_by_witness(
    case: Case, dalil: DalilRunner
) -> None:
    import shutil

    dalil.json("person", "add", "--pseudonym", "W-1", "--legal-name", "Fictional Name")
    old = case.root.parent / "old-case.db"
    _backup(case.root / "case.db", old)
    dalil.json("person", "add", "--pseudonym", "W-2", "--legal-name", "Other Fictional")
    dalil.json("person", "update", "1", "--sex", "male")
    case.close()
    for suffix in ("-wal", "-shm"):
        (case.root / f"case.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(old, case.root / "case.db")
    r = dalil("audit", "verify")
    assert r.exit_code == 1, r.stderr
    assert "older copy" in r.stderr and "witness" in r.stderr


def test_head_kept_elsewhere_catches_rollback_of_the_whole_folder(
    case: Case, dalil: DalilRunner
) -> None:
    """Someone who restores both case.db and keys/audit_head.json from an old backup fools
    the witness file but not a head recorded outside the folder."""
    import shutil

    dalil.json("person", "add", "--pseudonym", "W-1", "--legal-name", "Fictional Name")
    backup = case.root.parent / "backup"
    backup.mkdir()
    _backup(case.root / "case.db", backup / "case.db")
    shutil.copyfile(case.root / "keys" / "audit_head.json", backup / "audit_head.json")
    dalil.json("person", "add", "--pseudonym", "W-2", "--legal-name", "Other Fictional")
    kept = dalil.json("audit", "head")
    assert kept["seq"] > json.loads((backup / "audit_head.json").read_text())["seq"]
    notebook = case.root.parent / "notebook.json"
    notebook.write_text(json.dumps(kept))
    case.close()
    for suffix in ("-wal", "-shm"):
        (case.root / f"case.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(backup / "case.db", case.root / "case.db")
    shutil.copyfile(backup / "audit_head.json", case.root / "keys" / "audit_head.json")
    assert dalil("audit", "verify").exit_code == 0  # the rolled-back folder agrees with itself
    r = dalil("audit", "verify", "--witness", str(notebook))
    assert r.exit_code == 1 and "truncated" in r.stderr


def test_head_prints_the_signed_newest_checkpoint(case: Case, dalil: DalilRunner) -> None:
    _fill(dalil)
    d = dalil.json("audit", "head", env={"DALIL_PASSPHRASE": ""})
    with sqlite3.connect(case.root / "case.db") as db:
        seq, h = db.execute(
            "SELECT seq, entry_hash FROM audit_log ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    assert (d["seq"], d["head_hash"]) == (seq, h) and d["signature"]
    text = dalil("audit", "head").stdout
    assert h in text and str(seq) in text


def test_rolled_back_case_refuses_writes_so_the_loss_cannot_be_laundered(
    case: Case, dalil: DalilRunner
) -> None:
    """After a rollback, a new write would move the witness onto the new head and hide the
    loss; it is refused instead, and verify keeps failing."""
    import shutil

    dalil.json("person", "add", "--pseudonym", "W-1", "--legal-name", "Fictional Name")
    old = case.root.parent / "old-case.db"
    _backup(case.root / "case.db", old)
    dalil.json("person", "add", "--pseudonym", "W-2")
    dalil.json("person", "add", "--pseudonym", "W-3")
    witness_before = (case.root / "keys" / "audit_head.json").read_text()
    case.close()
    for suffix in ("-wal", "-shm"):
        (case.root / f"case.db{suffix}").unlink(missing_ok=True)
    shutil.copyfile(old, case.root / "case.db")
    r = dalil("person", "add", "--pseudonym", "W-4")
    assert r.exit_code == 2 and "witness file" in r.stderr and "nothing was saved" in r.stderr
    assert (case.root / "keys" / "audit_head.json").read_text() == witness_before
    assert [p["pseudonym"] for p in dalil.json("person", "list")] == ["W-1"]
    assert dalil("audit", "verify").exit_code == 1
    # A deliberate restore: the team moves the witness aside and carries on.
    (case.root / "keys" / "audit_head.json").rename(case.root / "audit_head.before-restore.json")
    dalil.json("person", "add", "--pseudonym", "W-4")
    assert dalil("audit", "verify").exit_code == 0
