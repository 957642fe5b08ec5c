"""A web archive package (WACZ) refused, in the reader's language (issue #11, item 10):
its zip and members, its ``datapackage.json`` and digests, its signature. Each refusal
keeps its English words (the CLI prints them); its Arabic words hold no Latin word but
the names of the files inside the package, the format's own field names
(``signedData``, ``publicKey`` …) and the names of hashes and keys. Built here from a
fictional page; nothing is fetched."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID

from dalil.display.messages import error_in_words
from dalil.errors import DalilError
from dalil.sources.webcapture import read_capture_bytes

WARC = "archive/data.warc.gz"
#: Latin words an Arabic refusal may hold: the names of the files inside the package,
#: the format's field names, hash and key names, the fictional domains.
OWN = {
    "fictional", "wacz", "archive", "data", "warc", "gone", "datapackage", "json", "digest",
    "pages", "jsonl", "notes", "txt", "sha", "hex", "signedData", "hash", "publicKey",
    "domainCert", "timeSignature", "timestampCert", "ECDSA", "capture", "other", "example",
}  # fmt: skip


def _warc_gz() -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    head = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
    page = b"<html><body>Fictional covered market, amber-lantern-3</body></html>"
    w.write_record(
        w.create_warc_record(
            "http://fictional.example/market.html",
            "response",
            payload=io.BytesIO(page),
            http_headers=head,
        )
    )
    return buf.getvalue()


WARC_GZ = _warc_gz()
PAGES = b'{"format": "json-pages-1.0"}\n{"url": "http://fictional.example/market.html"}\n'


def _resource(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "hash": "sha256:" + hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _wacz(
    members: dict[str, bytes] | None = None,
    *,
    resources: list[Any] | None = None,
    dp_raw: bytes | None = None,
    digest: Callable[[str], Any] | None = None,
    extra: dict[str, bytes] | None = None,
) -> bytes:
    """A WACZ of *members* (the WARC and the pages list by default), its datapackage
    listing *resources* (each member's by default; *dp_raw* instead of the JSON), and
    ``datapackage-digest.json`` as *digest* makes it from the datapackage's digest
    (bytes as they are, else as JSON)."""
    members = {WARC: WARC_GZ, "pages/pages.jsonl": PAGES} if members is None else members
    if resources is None:
        resources = [_resource(p, d) for p, d in members.items()]
    if dp_raw is None:
        dp_raw = json.dumps({"wacz_version": "1.1.1", "resources": resources}).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for p, d in {**members, **(extra or {})}.items():
            z.writestr(p, d)
        z.writestr("datapackage.json", dp_raw)
        if digest is not None:
            made = digest("sha256:" + hashlib.sha256(dp_raw).hexdigest())
            z.writestr(
                "datapackage-digest.json", made if isinstance(made, bytes) else json.dumps(made)
            )
    return buf.getvalue()


def _signed(signed: Callable[[str], dict[str, Any]]) -> bytes:
    return _wacz(digest=lambda d: {"hash": d, "signedData": signed(d)})


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _spki(key: Any) -> str:
    return _b64(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )


def _cert(name: str, key: ec.EllipticCurvePrivateKey) -> str:
    """A self-signed certificate for the fictional domain *name*, in PEM."""
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    who = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        x509.CertificateBuilder().subject_name(who).issuer_name(who)
        .public_key(key.public_key()).serial_number(1).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=9)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def _damaged() -> bytes:
    data = bytearray(_wacz())
    at = bytes(data).index(WARC_GZ) + len(WARC_GZ) // 2
    data[at] ^= 0xFF
    return bytes(data)


KEY = ec.generate_private_key(ec.SECP256R1())
OTHER = ec.generate_private_key(ec.SECP256R1())


def _sign(d: str, key: ec.EllipticCurvePrivateKey = KEY) -> str:
    return _b64(key.sign(d.encode(), ec.ECDSA(hashes.SHA256())))


PACKAGES: list[tuple[str, Callable[[], bytes], str]] = [
    ("not a zip", lambda: b"Fictional notes, not a zip", "fictional.wacz: not a WACZ (zip) file"),
    ("damaged member", _damaged, f"{WARC}: damaged inside the WACZ"),
    (
        "no datapackage",
        lambda: _wacz().replace(b"datapackage.json", b"datapackage.jsox"),
        "fictional.wacz: no datapackage.json (not a WACZ)",
    ),
    (
        "datapackage unreadable",
        lambda: _wacz(dp_raw=b"{"),
        "datapackage.json: unreadable or without resources",
    ),
    (
        "resource without path",
        lambda: _wacz(resources=[{"name": "data"}]),
        "datapackage.json: a resource has no path",
    ),
    (
        "not a sha256",
        lambda: _wacz(resources=[{"path": WARC, "hash": "md5:0"}]),
        f"datapackage.json ({WARC}): hash 'md5:0' is not sha256:<hex> (cannot be checked)",
    ),
    (
        "missing member",
        lambda: _wacz(resources=[_resource("archive/gone.warc.gz", b"")]),
        "archive/gone.warc.gz: listed in datapackage.json but missing from the WACZ",
    ),
    (
        "other sha256",
        lambda: _wacz(resources=[_resource(WARC, b"other")]),
        f"{WARC}: sha256 differs from datapackage.json (altered)",
    ),
    (
        "other size",
        lambda: _wacz(resources=[{**_resource(WARC, WARC_GZ), "bytes": 3}]),
        f"{WARC}: size differs from datapackage.json (altered)",
    ),
    (
        "member not listed",
        lambda: _wacz(extra={"notes.txt": b"Fictional notes"}),
        "notes.txt: in the WACZ but not in datapackage.json (not covered by its digests)",
    ),
    (
        "digest file unreadable",
        lambda: _wacz(digest=lambda d: b"{"),
        "datapackage-digest.json: unreadable",
    ),
    (
        "digest differs",
        lambda: _wacz(digest=lambda d: {"hash": "sha256:" + "0" * 64}),
        "datapackage.json: its sha256 differs from datapackage-digest.json (altered)",
    ),
    (
        "no warc",
        lambda: _wacz({"pages/pages.jsonl": PAGES}),
        "fictional.wacz: holds no WARC file",
    ),
    (
        "pages line",
        lambda: _wacz({WARC: WARC_GZ, "pages/pages.jsonl": PAGES + b"{\n"}),
        "pages/pages.jsonl: line 3 is not JSON",
    ),
    (
        "signed another hash",
        lambda: _signed(lambda d: {"hash": "sha256:" + "0" * 64}),
        "datapackage-digest.json: signedData.hash is not the datapackage digest",
    ),
    (
        "no signature",
        lambda: _signed(lambda d: {"hash": d, "signature": "!!"}),
        "datapackage-digest.json: signedData has no readable signature",
    ),
    (
        "key unreadable",
        lambda: _signed(lambda d: {"hash": d, "signature": "AAAA", "publicKey": "!!"}),
        "datapackage-digest.json: signedData.publicKey is unreadable",
    ),
    (
        "certificate unreadable",
        lambda: _signed(lambda d: {"hash": d, "signature": "AAAA", "domainCert": "Fictional"}),
        "datapackage-digest.json: signedData.domainCert is unreadable",
    ),
    (
        "no key",
        lambda: _signed(lambda d: {"hash": d, "signature": "AAAA"}),
        "datapackage-digest.json: signedData names no publicKey or domainCert",
    ),
    (
        "not ECDSA",
        lambda: _signed(
            lambda d: {
                "hash": d,
                "signature": "AAAA",
                "publicKey": _spki(ed25519.Ed25519PrivateKey.generate()),
            }
        ),
        "datapackage-digest.json: the signing key is not an ECDSA key",
    ),
    (
        "forged",
        lambda: _signed(
            lambda d: {"hash": d, "signature": _sign(d, OTHER), "publicKey": _spki(KEY)}
        ),
        "datapackage-digest.json: the signature does not verify (archive altered or forged)",
    ),
    (
        "other domain",
        lambda: _signed(
            lambda d: {
                "hash": d,
                "signature": _sign(d),
                "domain": "other.fictional.example",
                "domainCert": _cert("capture.fictional.example", KEY),
            }
        ),
        "datapackage-digest.json: signed for 'other.fictional.example' but the certificate is "
        "'capture.fictional.example'",
    ),
    (
        "chain broken",
        lambda: _signed(
            lambda d: {
                "hash": d,
                "signature": _sign(d),
                "domainCert": _cert("capture.fictional.example", KEY)
                + _cert("other.fictional.example", OTHER),
            }
        ),
        "datapackage-digest.json: the domain certificate chain is broken",
    ),
    (
        "time unreadable",
        lambda: _signed(
            lambda d: {
                "hash": d,
                "signature": _sign(d),
                "domainCert": _cert("capture.fictional.example", KEY),
                "timeSignature": _b64(b"Fictional"),
                "timestampCert": "Fictional",
            }
        ),
        "datapackage-digest.json: timeSignature or timestampCert is unreadable",
    ),
]


@pytest.mark.parametrize(("case", "make", "english"), PACKAGES, ids=[c for c, _m, _e in PACKAGES])
def test_a_web_archive_package_refused_is_refused_in_arabic(
    case: str, make: Callable[[], bytes], english: str
) -> None:
    with pytest.raises(DalilError) as caught:
        read_capture_bytes("fictional.wacz", make())
    assert str(caught.value) == english
    words = error_in_words(caught.value, "ar")
    left = set(re.findall(r"[A-Za-z]{3,}", words)) - OWN
    assert any("\u0600" <= ch <= "\u06ff" for ch in words) and not left, (words, left)


def test_a_capture_job_refused_its_package_fails_in_arabic(tmp_path: Path) -> None:
    """Through the capture job (the web upload's): its error in the job, in Arabic."""
    from dalil.core.case import Case
    from dalil.display.messages import in_words
    from dalil.services import captures, jobs
    from dalil.testing import TEST_PASSPHRASE, run_job

    data = _wacz(resources=[_resource(WARC, b"other")])
    case = Case.init(tmp_path / "case", TEST_PASSPHRASE, admin="admin")
    try:
        put = captures.store_capture_stream(case, "admin", io.BytesIO(data), name="fictional.wacz")
        with case.act("admin") as ctx:
            jid = int(
                jobs.submit(ctx, "capture", {"sha256": put.sha256, "name": "fictional.wacz"})["id"]
            )
        assert run_job(case, jid, timeout=120) == "failed"
        with case.act("admin", write=False) as ctx:
            job = jobs.get(ctx, jid)
    finally:
        case.close()
    assert job["error"] == f"{WARC}: sha256 differs from datapackage.json (altered)", job
    err = job["error_message"]
    words = in_words(err["id"], err["params"], "ar")
    assert any("\u0600" <= ch <= "\u06ff" for ch in words), words
    assert set(re.findall(r"[A-Za-z]{3,}", words)) <= OWN, words
