"""The signed custody manifest and the standalone verify.py that travel in a BagIt export.

The verifier is run as an outside expert would: ``python verify.py BAG`` in a subprocess,
on a fresh bag and on each kind of tampering.
"""

from __future__ import annotations

import ast
import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dalil.core.case import Case
from dalil.services import custody, evidence, export, records


@pytest.fixture
def bag(any_case: Case, tmp_path: Path) -> Path:
    case = any_case
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "report.txt").write_bytes(b"fictional report of a shelling")
    (tmp_path / "in" / "photo.jpg").write_bytes(b"\xff\xd8fictional photo")
    with case.act() as ctx:
        src = records.add(ctx, "source", kind="report", title="Fictional report")
    evidence.add_files(case, None, [tmp_path / "in" / "report.txt"], source_id=src.id)
    evidence.add_files(case, None, [tmp_path / "in" / "photo.jpg"])
    out = tmp_path / "bag"
    res = export.export_bag(case, None, out)
    assert res["custody_manifest"]["items"] == 2
    return out


def run_verify(bag: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Run the copy inside the bag, from another folder, in isolated mode (-I: no
    # PYTHONPATH, no user site): the expert's way.
    return subprocess.run(
        [sys.executable, "-I", str(bag / "verify.py"), str(bag), *args],
        capture_output=True,
        text=True,
        cwd=bag.parent,
        timeout=120,
    )


def manifest(bag: Path) -> dict:
    return json.loads((bag / "custody-manifest.json").read_text(encoding="utf-8"))


def resign(bag: Path, m: dict, key: Ed25519PrivateKey) -> None:
    raw = (json.dumps(m, ensure_ascii=False, indent=2) + "\n").encode()
    (bag / "custody-manifest.json").write_bytes(raw)
    sig = key.sign(custody.MANIFEST_PREFIX + raw)
    (bag / "custody-manifest.sig").write_text(base64.b64encode(sig).decode() + "\n")
    bagit.Bag(str(bag)).save()  # an adversary keeps the BagIt tag manifests consistent


def test_fresh_bag_verifies_and_verifier_is_standalone(bag: Path, any_case: Case) -> None:
    r = run_verify(bag)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "bag verified" in r.stdout
    m = manifest(bag)
    assert m["key_fingerprint"] == any_case.config.audit_key_fingerprint
    assert {it["name"] for it in m["items"]} == {"report.txt", "photo.jpg"}
    assert m["export_seq"] == len(m["chain"])
    assert any(e["action"] == "export.bag" for e in m["entries"])
    # every item's custody starts with its addition
    by_seq = {e["seq"]: e for e in m["entries"]}
    for it in m["items"]:
        assert by_seq[it["custody"][0]]["action"] == "evidence.add"
    # the BagIt tag manifest covers the custody manifest and the verifier
    tags = (bag / "tagmanifest-sha256.txt").read_text()
    assert "custody-manifest.json" in tags and "verify.py" in tags
    bagit.Bag(str(bag)).validate()
    # pinned to the right key passes; to another fails
    assert run_verify(bag, "--fingerprint", m["key_fingerprint"]).returncode == 0
    other = run_verify(bag, "--fingerprint", "ab" * 32)
    assert other.returncode == 1 and "another key" in other.stdout
    # stdlib + cryptography only
    tree = ast.parse((bag / "verify.py").read_text())
    mods = {
        (n.module or "").split(".")[0] if isinstance(n, ast.ImportFrom) else a.name.split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert mods - {"cryptography", "__future__"} <= set(sys.stdlib_module_names)


def test_altered_evidence_fails(bag: Path) -> None:
    f = next((bag / "data" / "evidence").rglob("report.txt"))
    f.write_bytes(b"fictional report, altered")
    r = run_verify(bag)
    assert r.returncode == 1
    assert "report.txt does not match its sha256" in r.stdout
    assert "report.txt: content differs from the manifest" in r.stdout


def test_altered_evidence_with_bagit_manifests_recomputed_still_fails(bag: Path) -> None:
    f = next((bag / "data" / "evidence").rglob("photo.jpg"))
    f.write_bytes(b"\xff\xd8another photo")
    bagit.Bag(str(bag)).save(manifests=True)
    bagit.Bag(str(bag)).validate()  # BagIt alone no longer notices
    r = run_verify(bag)
    assert r.returncode == 1
    assert "photo.jpg: content differs from the manifest" in r.stdout


def test_added_and_removed_files_fail(bag: Path, tmp_path: Path) -> None:
    other = tmp_path / "bag2"
    shutil.copytree(bag, other)
    (bag / "data" / "evidence" / "planted.txt").write_text("planted")
    bagit.Bag(str(bag)).save(manifests=True)
    r = run_verify(bag)
    assert r.returncode == 1 and "planted.txt: not in the custody manifest (added)" in r.stdout
    next((other / "data" / "evidence").rglob("report.txt")).unlink()
    r = run_verify(other)
    assert r.returncode == 1 and "report.txt: named in the manifest but missing" in r.stdout


def test_altered_metadata_fails(bag: Path) -> None:
    p = bag / "data" / "metadata" / "custody.json"
    rows = json.loads(p.read_text())
    rows[0]["actor"] = "someone-else"
    p.write_text(json.dumps(rows))
    bagit.Bag(str(bag)).save(manifests=True)
    r = run_verify(bag)
    assert r.returncode == 1
    assert "data/metadata/custody.json: content differs from the manifest" in r.stdout


def test_altered_manifest_fails_its_signature(bag: Path) -> None:
    m = manifest(bag)
    m["entries"][0]["actor"] = "someone-else"
    (bag / "custody-manifest.json").write_text(json.dumps(m, ensure_ascii=False, indent=2) + "\n")
    bagit.Bag(str(bag)).save()
    r = run_verify(bag)
    assert r.returncode == 1
    assert "signature does not verify (manifest altered)" in r.stdout


def test_altered_verifier_or_tag_file_fails(bag: Path) -> None:
    with open(bag / "verify.py", "a") as f:
        f.write("\n# edited\n")
    r = run_verify(bag)
    assert r.returncode == 1 and "verify.py does not match its sha256" in r.stdout


def test_manifest_resigned_with_another_key_fails(bag: Path) -> None:
    m = manifest(bag)
    forger = Ed25519PrivateKey.generate()
    m["public_key_pem"] = (
        forger.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    resign(bag, m, forger)
    r = run_verify(bag)
    assert r.returncode == 1
    assert "does not have the fingerprint it states" in r.stdout
    assert "audit_public.pem is not the key that signed the manifest" in r.stdout
    assert "checkpoint at entry" in r.stdout and "signed by another key" in r.stdout


def test_entry_rewritten_even_by_the_key_holder_fails(bag: Path, any_case: Case) -> None:
    """The manifest signature alone is not trusted: entries must hash into the chain that
    the checkpoints (and timestamps) sign."""
    m = manifest(bag)
    add = next(e for e in m["entries"] if e["action"] == "evidence.add")
    add["detail"]["note"] = "inserted later"
    resign(bag, m, any_case.keys.audit_signing_key)
    r = run_verify(bag)
    assert r.returncode == 1
    assert f"audit entry {add['seq']}: hash does not match its contents (modified)" in r.stdout
    # rewriting the chain to match breaks the signed checkpoint's head instead
    m = manifest(bag)
    from dalil.vault import bag_verify

    e = next(x for x in m["entries"] if x["seq"] == add["seq"])
    e["entry_hash"] = m["chain"][e["seq"] - 1] = bag_verify.entry_hash(e)
    resign(bag, m, any_case.keys.audit_signing_key)
    r = run_verify(bag)
    assert r.returncode == 1
    assert "previous-hash link broken" in r.stdout or "head is not in the chain" in r.stdout
