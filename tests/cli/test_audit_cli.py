"""audit verify/show through the CLI, on a real case database that someone edits."""

from __future__ import annotations

import json
import sqlite3

from dalil.case import Case
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
