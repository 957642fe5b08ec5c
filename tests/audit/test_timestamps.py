"""RFC 3161 timestamps of the audit log's signed head, from a local TSA made in the test
(OpenSSL's ``ts -reply`` on loopback): obtained, queued while no TSA answers, verified by
``dalil audit verify`` and by a bag's verify.py, and failing when the head was changed."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text

from dalil.core import audit
from dalil.core.audit import AuditEntry, AuditTimestamp
from dalil.core.case import Case
from dalil.services import audit as audit_service
from dalil.services import evidence, export, timestamps
from dalil.testing import TEST_PASSPHRASE, DalilRunner

from .local_tsa import free_port, local_tsa, make_pki


def add_file(case: Case, tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return evidence.add_files(case, None, [p])[0].item.sha256


@pytest.fixture
def dalil(any_case: Case) -> DalilRunner:
    return DalilRunner({"DALIL_CASE": str(any_case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})


def test_token_from_local_tsa_verifies_and_names_new_evidence(
    any_case: Case, tmp_path: Path, dalil: DalilRunner
) -> None:
    case = any_case
    first = add_file(case, tmp_path, "a.txt", b"fictional statement A")
    with local_tsa(tmp_path / "tsa") as tsa:
        r = dalil("audit", "timestamp", "--tsa", tsa.url, "--tsa-ca", str(tsa.ca_pem))
        assert r.exit_code == 0, r.output
        assert "timestamped by" in r.output
        assert len(tsa.requests) == 1
        second = add_file(case, tmp_path, "b.txt", b"fictional statement B")
        out = dalil.json("audit", "timestamp", "--tsa", tsa.url, "--tsa-ca", str(tsa.ca_pem))
        assert [o["status"] for o in out] == ["stamped"]
    with case.act() as ctx:
        reqs = audit.query(ctx.session, action="audit.timestamp")
    assert first in reqs[0].to_dict()["detail"]["evidence"]
    assert reqs[1].to_dict()["detail"]["evidence"] == [second]  # only what came since
    res = audit_service.verify_case(case)
    assert res.ok and res.timestamps == 2 and res.timestamps_queued == 0
    r = dalil("audit", "verify")
    assert r.exit_code == 0 and "2 RFC 3161 tokens verified" in r.output
    # the token sits in the checkpoint it dates, as the audit format documents
    with case.system_session(write=False) as s:
        cps = [c for c in s.scalars(select(audit.AuditCheckpoint)) if c.tsa_token]
    assert sorted(c.seq for c in cps) == [r.seq for r in reqs]


def test_queued_offline_then_sent_when_the_tsa_answers(any_case: Case, tmp_path: Path) -> None:
    case = any_case
    port = free_port()
    make_pki(tmp_path / "tsa")
    url = f"http://127.0.0.1:{port}/tsa"
    out = timestamps.request(case, None, url, tmp_path / "tsa" / "ca.crt")
    assert [o.status for o in out] == ["queued"]
    assert "TSA unreachable" in (out[0].error or "")
    res = audit_service.verify_case(case)
    assert res.ok and res.timestamps == 0 and res.timestamps_queued == 1
    add_file(case, tmp_path, "c.txt", b"fictional statement C")
    with local_tsa(tmp_path / "tsa", port=port) as tsa:
        out = timestamps.request(case, None, url, tsa.ca_pem)
    assert [o.status for o in out] == ["stamped", "stamped"]
    res = audit_service.verify_case(case)
    assert res.ok and res.timestamps == 2 and res.timestamps_queued == 0


def test_token_not_verifying_against_the_given_ca_is_not_kept(
    any_case: Case, tmp_path: Path
) -> None:
    make_pki(tmp_path / "other")
    with local_tsa(tmp_path / "tsa") as tsa:
        out = timestamps.request(any_case, None, tsa.url, tmp_path / "other" / "ca.crt")
    assert out[0].status == "queued"
    assert "not kept" in (out[0].error or "") and "does not verify" in (out[0].error or "")
    with any_case.system_session(write=False) as s:
        assert all(r.response is None for r in s.scalars(select(AuditTimestamp)))


def test_bad_tsa_input_is_one_line_and_stores_nothing(
    any_case: Case, tmp_path: Path, dalil: DalilRunner
) -> None:
    (tmp_path / "junk.pem").write_text("not a certificate")
    r = dalil(
        "audit", "timestamp", "--tsa", "ftp://127.0.0.1/x", "--tsa-ca", str(tmp_path / "junk.pem")
    )
    assert r.exit_code == 2 and "http:// or https://" in r.output
    r = dalil(
        "audit",
        "timestamp",
        "--tsa",
        "http://127.0.0.1:9/x",
        "--tsa-ca",
        str(tmp_path / "junk.pem"),
    )
    assert r.exit_code == 2 and "no PEM certificate" in r.output
    r = dalil("audit", "timestamp", "--tsa", "http://127.0.0.1:9/x")
    assert r.exit_code == 2 and "--tsa-ca" in r.output
    with any_case.act() as ctx:
        assert audit.query(ctx.session, action="audit.timestamp") == []


def test_modified_head_fails(any_case: Case, tmp_path: Path, dalil: DalilRunner) -> None:
    case = any_case
    add_file(case, tmp_path, "a.txt", b"fictional statement A")
    with local_tsa(tmp_path / "tsa") as tsa:
        timestamps.request(case, None, tsa.url, tsa.ca_pem)
    key = case.keys.audit_signing_key
    # An insider re-signs another head in the timestamp row: the token does not date it.
    with case.system_session() as s:
        row = s.scalars(select(AuditTimestamp)).one()
        seq, good_head = row.seq, row.head_hash
        row.head_hash = "f" * 64
        row.signature = base64.b64encode(key.sign(row.message())).decode()
    res = audit_service.verify_case(case)
    assert not res.ok and res.first_bad_seq == seq
    assert "dates another head" in (res.reason or "")
    r = dalil("audit", "verify")
    assert r.exit_code == 1 and f"timestamp of entry {seq}" in r.output
    with case.system_session() as s:
        row = s.scalars(select(AuditTimestamp)).one()
        row.head_hash = good_head
        row.signature = base64.b64encode(key.sign(row.message())).decode()
    assert audit_service.verify_case(case).ok
    # The key holder rewrites the log from entry 2 on and re-signs it: the chain and the
    # checkpoints hold again, but the TSA dated the old head.
    rewrite_log_from(case, 2)
    assert audit_service.verify_case(case).reason is not None
    res = audit_service.verify_case(case)
    assert not res.ok and f"entry {seq} differs from the head the TSA dated" in (res.reason or "")


def rewrite_log_from(case: Case, start: int) -> None:
    """Change entry *start*'s detail and recompute the chain after it, re-signing the
    head with the case key: what someone holding the passphrase could do."""
    with case.system_session() as s:
        rows = list(s.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
        prev = rows[start - 2].entry_hash if start > 1 else audit.GENESIS_HASH
        for e in rows[start - 1 :]:
            if e.seq == start:
                d = json.loads(e.detail)
                d["rewritten"] = True
                e.detail = audit.canonical_json(d)
            e.prev_hash = prev
            e.entry_hash = audit.entry_hash(
                e.seq, e.ts, e.actor, e.action, e.object_ids, e.digest, e.detail, prev
            )
            prev = e.entry_hash
        s.flush()
        s.execute(text("DELETE FROM audit_checkpoint"))
        audit.checkpoint(s, case.keys.audit_signing_key)
    case.witness_path.unlink()
    with case.system_session(write=False) as s:
        assert audit.verify(s, case.audit_public_key()).ok  # the chain alone looks fine


def test_bag_carries_tokens_and_its_verifier_checks_them(any_case: Case, tmp_path: Path) -> None:
    case = any_case
    add_file(case, tmp_path, "a.txt", b"fictional statement A")
    with local_tsa(tmp_path / "tsa") as tsa:
        timestamps.request(case, None, tsa.url, tsa.ca_pem)
    bag = tmp_path / "bag"
    res = export.export_bag(case, None, bag)
    assert res["custody_manifest"]["timestamps"] == 1
    run = [sys.executable, "-I", str(bag / "verify.py"), str(bag)]
    r = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout
    assert "1 RFC 3161 timestamp tokens verify" in r.stdout
    # a token altered inside the manifest (and the manifest re-signed with the case key)
    import bagit

    from dalil.services import custody

    m = json.loads((bag / "custody-manifest.json").read_text())
    token = bytearray(base64.b64decode(m["timestamps"][0]["token"]))
    token[-10] ^= 0x01  # inside the TSA's signature
    m["timestamps"][0]["token"] = base64.b64encode(bytes(token)).decode()
    raw = (json.dumps(m, ensure_ascii=False, indent=2) + "\n").encode()
    (bag / "custody-manifest.json").write_bytes(raw)
    sig = case.keys.audit_signing_key.sign(custody.MANIFEST_PREFIX + raw)
    (bag / "custody-manifest.sig").write_text(base64.b64encode(sig).decode() + "\n")
    bagit.Bag(str(bag)).save()
    r = subprocess.run(run, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert f"timestamp of entry {m['timestamps'][0]['seq']}:" in r.stdout
