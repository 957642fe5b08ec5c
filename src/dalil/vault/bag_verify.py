#!/usr/bin/env python3
"""Check a BagIt bag exported by dalil, end to end, without dalil.

    python verify.py BAG [--public-key PEM | --fingerprint HEX]

Needs Python 3.11+ and the ``cryptography`` package only. Exit 0 when every check holds,
1 otherwise (each failed check is printed on its own line, prefixed ``FAIL``).

Checks (the format is described in dalil's docs/crypto.md, "Custody manifest"):

1. BagIt: every file listed in ``manifest-*.txt`` / ``tagmanifest-*.txt`` exists with that
   hash, and no file under ``data/`` is unlisted.
2. ``custody-manifest.json`` is signed (``custody-manifest.sig``) by the Ed25519 key it
   names; that key matches ``data/metadata/audit_public.pem`` and, when given, the key or
   fingerprint the expert obtained elsewhere (``--public-key``/``--fingerprint``).
3. Every evidentiary file and every metadata file under ``data/`` has the SHA-256 and size
   the manifest records (and nothing else is there).
4. Every audit entry in the manifest hashes to its place in the manifest's chain and links
   to the entry before it; every checkpoint is signed by the key and its head is in the
   chain; the chain is signed up to the export's own entry.
5. Every item has custody entries naming it, the first recording its addition.
6. Every RFC 3161 timestamp token is a valid signature by a certificate that chains to the
   TSA certificate kept with it, over the SHA-256 of the checkpoint it dates.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

SEP = "\x1f"
GENESIS = "0" * 64
MANIFEST = "custody-manifest.json"
SIGNATURE = "custody-manifest.sig"
MANIFEST_FORMAT = "dalil-custody-manifest"
MANIFEST_PREFIX = b"dalil-custody-manifest-v1\x1f"
ENTRY_PREFIX = "dalil-audit-v1"
CHECKPOINT_PREFIX = "dalil-audit-checkpoint-v1"
HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}


# --------------------------------------------------------------------------- helpers


def file_hash(path: Path, algorithm: str = "sha256") -> str:
    h = HASHES[algorithm]()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def entry_hash(e: dict[str, Any]) -> str:
    """The audit entry hash over its fields as stored (object_ids/detail canonical JSON)."""
    oids = json.dumps(e["object_ids"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    detail = json.dumps(e["detail"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    fields = [str(e["ts"]), e["actor"], e["action"], oids, e["digest"], detail, e["prev_hash"]]
    if any(SEP in f for f in fields):
        return "(forbidden separator in a field)"
    return hashlib.sha256(
        SEP.join([ENTRY_PREFIX, str(e["seq"]), *fields]).encode("utf-8")
    ).hexdigest()


def checkpoint_message(cp: dict[str, Any]) -> bytes:
    return SEP.join(
        [CHECKPOINT_PREFIX, str(cp["seq"]), cp["head_hash"], cp["ts"], cp["key_fingerprint"]]
    ).encode("utf-8")


def key_fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def bag_path(bag: Path, rel: str) -> Path | None:
    """*rel* inside *bag* (None if it escapes the bag)."""
    p = Path(os.path.normpath(bag / rel))
    if p != bag and bag not in p.parents:
        return None
    return p


# --------------------------------------------------------------------------- DER / CMS

OID_SIGNED_DATA = "1.2.840.113549.1.7.2"
OID_TST_INFO = "1.2.840.113549.1.9.16.1.4"
OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
OID_CONTENT_TYPE = "1.2.840.113549.1.9.3"
DIGESTS: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
    "1.3.14.3.2.26": hashes.SHA1,
}
DIGEST_FOR_SIGNATURE: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "1.2.840.113549.1.1.11": hashes.SHA256,
    "1.2.840.113549.1.1.12": hashes.SHA384,
    "1.2.840.113549.1.1.13": hashes.SHA512,
    "1.2.840.10045.4.3.2": hashes.SHA256,
    "1.2.840.10045.4.3.3": hashes.SHA384,
    "1.2.840.10045.4.3.4": hashes.SHA512,
}


class Der:
    """One DER element: tag byte, content bytes and the whole encoding."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.tag = data[pos]
        n = data[pos + 1]
        i = pos + 2
        if n & 0x80:
            k = n & 0x7F
            if k == 0 or k > 4:
                raise ValueError("unsupported DER length")
            n = int.from_bytes(data[i : i + k], "big")
            i += k
        if i + n > len(data):
            raise ValueError("truncated DER")
        self.content = data[i : i + n]
        self.raw = data[pos : i + n]
        self.end = i + n

    def children(self) -> list[Der]:
        out, pos = [], 0
        while pos < len(self.content):
            d = Der(self.content, pos)
            out.append(d)
            pos = d.end
        return out

    def oid(self) -> str:
        if self.tag != 0x06:
            raise ValueError("expected an OBJECT IDENTIFIER")
        b = self.content
        parts = [b[0] // 40, b[0] % 40]
        v = 0
        for c in b[1:]:
            v = (v << 7) | (c & 0x7F)
            if not c & 0x80:
                parts.append(v)
                v = 0
        return ".".join(map(str, parts))


def parse_token(token: bytes) -> dict[str, Any]:
    """Pick apart an RFC 3161 TimeStampToken (CMS SignedData holding a TSTInfo)."""
    ci = Der(token).children()
    if ci[0].oid() != OID_SIGNED_DATA:
        raise ValueError("not a CMS SignedData")
    sd = ci[1].children()[0].children()
    version, _digest_algs, encap, *rest = sd
    del version
    econ = encap.children()
    if econ[0].oid() != OID_TST_INFO:
        raise ValueError("the token does not hold a TSTInfo")
    tst_der = econ[1].children()[0].content  # [0] EXPLICIT OCTET STRING
    certs: list[x509.Certificate] = []
    signer_infos = None
    for el in rest:
        if el.tag == 0xA0:  # [0] IMPLICIT CertificateSet
            certs = [x509.load_der_x509_certificate(c.raw) for c in el.children()]
        elif el.tag == 0x31:
            signer_infos = el.children()
    if not signer_infos:
        raise ValueError("the token has no signer")
    si = signer_infos[0].children()
    signed_attrs = next((c for c in si if c.tag == 0xA0), None)
    if signed_attrs is None:
        raise ValueError("the token's signer has no signed attributes")
    digest_alg = si[2].children()[0].oid()
    idx = si.index(signed_attrs)
    sig_alg = si[idx + 1].children()[0].oid()
    signature = si[idx + 2].content
    attrs: dict[str, bytes] = {}
    for a in signed_attrs.children():
        kids = a.children()
        attrs[kids[0].oid()] = kids[1].children()[0].raw
    tst = Der(tst_der).children()
    imprint = tst[2].children()
    gen_time = tst[4].content.decode("ascii")
    return {
        "tst_der": tst_der,
        "imprint_alg": imprint[0].children()[0].oid(),
        "imprint": imprint[1].content,
        "gen_time": gen_time,
        "certs": certs,
        "digest_alg": digest_alg,
        "sig_alg": sig_alg,
        "signature": signature,
        "signed_attrs_der": b"\x31" + signed_attrs.raw[1:],  # signed as a SET OF
        "message_digest": Der(attrs[OID_MESSAGE_DIGEST]).content
        if OID_MESSAGE_DIGEST in attrs
        else None,
    }


def check_token(token: bytes, message: bytes, ca_pems: list[bytes]) -> str | None:
    """None if *token* is a valid timestamp over SHA-256(*message*) by a certificate that
    is, or is issued by, one of *ca_pems*; else why not."""
    try:
        t = parse_token(token)
    except (ValueError, IndexError, UnicodeDecodeError) as e:
        return f"unreadable token ({e})"
    algo = DIGESTS.get(t["imprint_alg"])
    if algo is None:
        return "unknown imprint hash algorithm"
    h = hashes.Hash(algo())
    h.update(message)
    if h.finalize() != t["imprint"]:
        return "the token dates another message (imprint differs)"
    dalgo = DIGESTS.get(t["digest_alg"])
    if dalgo is None or t["message_digest"] is None:
        return "unsupported signer digest"
    h = hashes.Hash(dalgo())
    h.update(t["tst_der"])
    if h.finalize() != t["message_digest"]:
        return "the token's content was altered (digest differs)"
    cas: list[x509.Certificate] = []
    for pem in ca_pems:
        try:
            cas += x509.load_pem_x509_certificates(pem)
        except ValueError:
            return "the kept TSA certificate is unreadable"
    pool = t["certs"] + cas
    when = datetime.strptime(t["gen_time"][:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    for signer in pool:
        pub = signer.public_key()
        sig_hash = DIGEST_FOR_SIGNATURE.get(t["sig_alg"], dalgo)
        try:
            if isinstance(pub, rsa.RSAPublicKey):
                pub.verify(t["signature"], t["signed_attrs_der"], padding.PKCS1v15(), sig_hash())
            elif isinstance(pub, ec.EllipticCurvePublicKey):
                pub.verify(t["signature"], t["signed_attrs_der"], ec.ECDSA(sig_hash()))
            else:
                continue
        except InvalidSignature:
            continue
        return _chains(signer, pool, cas, when)
    return "the token's signature does not verify with any certificate it carries"


def _chains(
    cert: x509.Certificate,
    pool: list[x509.Certificate],
    anchors: list[x509.Certificate],
    when: datetime,
) -> str | None:
    """None if *cert* reaches one of *anchors* through *pool* and was valid at *when*."""
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if x509.oid.ExtendedKeyUsageOID.TIME_STAMPING not in eku:
            return "the signing certificate is not for time stamping"
    except x509.ExtensionNotFound:
        return "the signing certificate is not for time stamping"
    current = cert
    for _ in range(8):
        if not current.not_valid_before_utc <= when <= current.not_valid_after_utc:
            return "a TSA certificate was not valid at the token's time"
        if any(current == a for a in anchors):
            return None
        issuer = None
        for c in pool:
            if c.subject == current.issuer and c != current:
                try:
                    current.verify_directly_issued_by(c)
                except (ValueError, TypeError, InvalidSignature):
                    continue
                issuer = c
                break
        if issuer is None:
            return "the TSA certificate does not chain to the TSA certificate kept with it"
        current = issuer
    return "the TSA certificate chain is too long"


# --------------------------------------------------------------------------- checks


class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.passed: list[str] = []

    def ok(self, what: str) -> None:
        self.passed.append(what)

    def fail(self, what: str) -> None:
        self.failures.append(what)


def check_bagit(bag: Path, r: Report) -> None:
    manifests = sorted(bag.glob("manifest-*.txt"))
    if not (bag / "bagit.txt").is_file() or not manifests:
        r.fail("not a BagIt bag (bagit.txt or manifest-*.txt missing)")
        return
    listed: set[str] = set()
    bad = 0
    for m in [*manifests, *sorted(bag.glob("tagmanifest-*.txt"))]:
        alg = m.name.split("-", 1)[1][: -len(".txt")]
        if alg not in HASHES:
            continue
        for line in m.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            digest, _, rel = line.partition(" ")
            rel = rel.strip().lstrip("*")
            p = bag_path(bag, rel)
            if m.name.startswith("manifest-"):
                listed.add(rel)
            if p is None or not p.is_file():
                r.fail(f"BagIt: {rel} is listed in {m.name} but missing")
                bad += 1
            elif file_hash(p, alg) != digest.lower():
                r.fail(f"BagIt: {rel} does not match its {alg} in {m.name}")
                bad += 1
    for p in sorted((bag / "data").rglob("*")):
        if p.is_file() and p.relative_to(bag).as_posix() not in listed:
            r.fail(f"BagIt: {p.relative_to(bag).as_posix()} is not in the payload manifest")
            bad += 1
    if not bad:
        r.ok(f"BagIt manifests hold ({len(listed)} payload files)")


def load_manifest(
    bag: Path, r: Report, pinned_key: Ed25519PublicKey | None, pinned_fp: str | None
) -> tuple[dict[str, Any], Ed25519PublicKey] | None:
    mpath, spath = bag / MANIFEST, bag / SIGNATURE
    if not mpath.is_file() or not spath.is_file():
        r.fail(f"{MANIFEST} or {SIGNATURE} is missing")
        return None
    raw = mpath.read_bytes()
    try:
        m = json.loads(raw)
        if m.get("format") != MANIFEST_FORMAT or m.get("version") != 1:
            raise ValueError("format")
        key = serialization.load_pem_public_key(m["public_key_pem"].encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("key")
    except (ValueError, KeyError, TypeError, AttributeError):
        r.fail(f"{MANIFEST} is unreadable or not a dalil custody manifest")
        return None
    fp = key_fingerprint(key)
    if fp != m.get("key_fingerprint"):
        r.fail("the manifest's key does not have the fingerprint it states")
    if pinned_key is not None and key_fingerprint(pinned_key) != fp:
        r.fail("the manifest is signed by another key than the one given (--public-key)")
    if pinned_fp is not None and pinned_fp.lower() != fp:
        r.fail("the manifest is signed by another key than the one given (--fingerprint)")
    pem_file = bag / "data" / "metadata" / "audit_public.pem"
    if pem_file.is_file():
        try:
            other = serialization.load_pem_public_key(pem_file.read_bytes())
            if not isinstance(other, Ed25519PublicKey) or key_fingerprint(other) != fp:
                r.fail("data/metadata/audit_public.pem is not the key that signed the manifest")
        except ValueError:
            r.fail("data/metadata/audit_public.pem is unreadable")
    try:
        key.verify(
            base64.b64decode(spath.read_bytes().strip(), validate=True), MANIFEST_PREFIX + raw
        )
    except (InvalidSignature, ValueError):
        r.fail(f"{SIGNATURE}: the manifest's signature does not verify (manifest altered)")
        return None
    r.ok(f"custody manifest signed by key {fp}")
    return m, key


def check_files(bag: Path, m: dict[str, Any], r: Report) -> None:
    expected: dict[str, tuple[str, int]] = {}
    for it in m.get("items", []):
        expected[it["path"]] = (it["sha256"], int(it["size"]))
    for rel, f in m.get("files", {}).items():
        expected[rel] = (f["sha256"], int(f["size"]))
    bad = 0
    for rel, (digest, size) in sorted(expected.items()):
        p = bag_path(bag, rel)
        if p is None or not p.is_file():
            r.fail(f"{rel}: named in the manifest but missing")
            bad += 1
        elif p.stat().st_size != size or file_hash(p) != digest:
            r.fail(f"{rel}: content differs from the manifest (sha256 {digest[:16]}…)")
            bad += 1
    for p in sorted((bag / "data").rglob("*")):
        rel = p.relative_to(bag).as_posix()
        if p.is_file() and rel not in expected:
            r.fail(f"{rel}: not in the custody manifest (added)")
            bad += 1
    if not bad:
        r.ok(
            f"{len(m.get('items', []))} evidence files and {len(m.get('files', {}))} metadata files match"
        )


def check_audit(m: dict[str, Any], key: Ed25519PublicKey, r: Report) -> None:
    chain: list[str] = m.get("chain", [])
    upto = int(m.get("export_seq", 0))
    bad = 0
    if len(chain) != upto:
        r.fail(f"audit chain: {len(chain)} hashes for {upto} entries")
        bad += 1
    for e in m.get("entries", []):
        seq = int(e["seq"])
        if not 1 <= seq <= len(chain):
            r.fail(f"audit entry {seq}: outside the chain")
            bad += 1
            continue
        if entry_hash(e) != e["entry_hash"] or e["entry_hash"] != chain[seq - 1]:
            r.fail(f"audit entry {seq}: hash does not match its contents (modified)")
            bad += 1
        elif e["prev_hash"] != (chain[seq - 2] if seq > 1 else GENESIS):
            r.fail(f"audit entry {seq}: previous-hash link broken")
            bad += 1
    fp = key_fingerprint(key)
    signed_up_to = 0
    for cp in m.get("checkpoints", []):
        seq = int(cp["seq"])
        if cp["key_fingerprint"] != fp:
            r.fail(f"checkpoint at entry {seq}: signed by another key")
            bad += 1
            continue
        try:
            key.verify(base64.b64decode(cp["signature"], validate=True), checkpoint_message(cp))
        except (InvalidSignature, ValueError):
            r.fail(f"checkpoint at entry {seq}: signature is invalid")
            bad += 1
            continue
        if not 1 <= seq <= len(chain) or chain[seq - 1] != cp["head_hash"]:
            r.fail(f"checkpoint at entry {seq}: its head is not in the chain (rewritten)")
            bad += 1
            continue
        signed_up_to = max(signed_up_to, seq)
    if upto and signed_up_to < upto:
        r.fail(f"audit chain: signed only up to entry {signed_up_to} of {upto}")
        bad += 1
    if not bad:
        r.ok(
            f"{len(m.get('entries', []))} audit entries and "
            f"{len(m.get('checkpoints', []))} checkpoints hold (chain of {upto}, signed)"
        )


def check_custody(m: dict[str, Any], r: Report) -> None:
    entries = {int(e["seq"]): e for e in m.get("entries", [])}
    bad = 0
    for it in m.get("items", []):
        name = f"evidence:{it['sha256']}"
        seqs = it.get("custody", [])
        events = [entries.get(int(s)) for s in seqs]
        if not seqs or any(e is None or name not in e["object_ids"] for e in events):
            r.fail(f"{it['path']}: custody entries missing or not naming the item")
            bad += 1
            continue
        if events[0] is not None and not events[0]["action"].startswith("evidence.add"):
            r.fail(f"{it['path']}: custody does not start with its addition")
            bad += 1
    if not bad:
        r.ok(f"custody of {len(m.get('items', []))} items recorded from their addition")


def check_timestamps(m: dict[str, Any], r: Report) -> None:
    stamps = m.get("timestamps", [])
    chain: list[str] = m.get("chain", [])
    bad = 0
    for t in stamps:
        seq = int(t["seq"])
        if not 1 <= seq <= len(chain) or chain[seq - 1] != t["head_hash"]:
            r.fail(f"timestamp of entry {seq}: its head is not in the chain")
            bad += 1
            continue
        try:
            token = base64.b64decode(t["token"], validate=True)
            ca = [c.encode("ascii") for c in t.get("tsa_certificates", [])]
        except (ValueError, TypeError, AttributeError):
            r.fail(f"timestamp of entry {seq}: unreadable")
            bad += 1
            continue
        why = check_token(token, checkpoint_message(t), ca)
        if why is not None:
            r.fail(f"timestamp of entry {seq}: {why}")
            bad += 1
    if not bad:
        r.ok(f"{len(stamps)} RFC 3161 timestamp tokens verify")


def verify_bag(
    bag: Path, pinned_key: Ed25519PublicKey | None = None, pinned_fp: str | None = None
) -> Report:
    r = Report()
    bag = Path(os.path.abspath(bag))
    check_bagit(bag, r)
    loaded = load_manifest(bag, r, pinned_key, pinned_fp)
    if loaded is not None:
        m, key = loaded
        try:
            check_files(bag, m, r)
            check_audit(m, key, r)
            check_custody(m, r)
            check_timestamps(m, r)
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            r.fail(f"{MANIFEST}: malformed ({type(e).__name__}: {e})")
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Check a dalil evidence bag end to end.")
    ap.add_argument("bag", help="the bag's folder")
    ap.add_argument("--public-key", help="the case's audit public key (PEM) from a trusted copy")
    ap.add_argument("--fingerprint", help="the case's audit key fingerprint from a trusted copy")
    a = ap.parse_args(argv)
    pinned = None
    if a.public_key:
        k = serialization.load_pem_public_key(Path(a.public_key).read_bytes())
        if not isinstance(k, Ed25519PublicKey):
            print("FAIL --public-key is not an Ed25519 key")
            return 1
        pinned = k
    if not Path(a.bag).is_dir():
        print(f"FAIL {a.bag} is not a folder")
        return 1
    r = verify_bag(Path(a.bag), pinned, a.fingerprint)
    for line in r.passed:
        print(f"ok   {line}")
    for line in r.failures:
        print(f"FAIL {line}")
    if r.failures:
        print(f"bag NOT verified: {len(r.failures)} problem(s)")
        return 1
    if pinned is None and a.fingerprint is None:
        print("note: compare the key fingerprint above with one obtained from the case elsewhere")
    print("bag verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
