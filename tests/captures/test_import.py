"""`dalil evidence add` of web captures (WACZ, WARC, WARC.gz) made in the test from
fictional pages served on loopback: pages, media and integrity recorded; broken or
altered archives refused naming the file concerned, with nothing stored."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import func, select

from dalil.core.audit import AuditEntry
from dalil.core.case import Case
from dalil.model.evidence import EvidenceItem
from dalil.model.source import Source
from dalil.services import sources
from dalil.testing import TEST_PASSPHRASE, DalilRunner

from .webfixtures import make_wacz, make_warc, site, tiny_png


@pytest.fixture
def dalil(any_case: Case) -> DalilRunner:
    return DalilRunner({"DALIL_CASE": str(any_case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})


@pytest.fixture
def captured(tmp_path: Path) -> dict[str, object]:
    with site() as base:
        warc_gz = make_warc(tmp_path / "market.warc.gz", base)
        warc = make_warc(tmp_path / "market-ar.warc", base, ("/ar/market.html",))
    page = f"{base}/news/market.html"
    key = ec.generate_private_key(ec.SECP256R1())
    wacz = make_wacz(
        tmp_path / "market.wacz",
        warc_gz,
        [{"url": page, "ts": "2026-01-02T03:04:05Z", "title": "Fictional market page"}],
        sign_with=key,
    )
    return {"base": base, "page": page, "wacz": wacz, "warc_gz": warc_gz, "warc": warc}


def counts(case: Case) -> tuple[int, int, int]:
    with case.system_session(write=False) as s:
        return (
            s.scalar(select(func.count()).select_from(EvidenceItem)) or 0,
            s.scalar(select(func.count()).select_from(Source)) or 0,
            s.scalar(select(func.count()).where(AuditEntry.action == "evidence.add")) or 0,
        )


def test_signed_wacz_imports_pages_media_and_text(
    any_case: Case, dalil: DalilRunner, captured: dict[str, object]
) -> None:
    out = dalil.json("evidence", "add", str(captured["wacz"]))
    assert len(out) == 1
    d = out[0]
    cap = d["web_capture"]["capture"]
    assert d["copy_kind"] == "evidentiary"
    assert d["sha256"] == hashlib.sha256(Path(str(captured["wacz"])).read_bytes()).hexdigest()
    assert [(p["url"], p["captured_at"], p["title"]) for p in cap["pages"]] == [
        (captured["page"], "2026-01-02T03:04:05Z", "Fictional market page")
    ]
    integ = cap["integrity"]
    assert integ["resources_checked"] == 3 and integ["digest_file"] is True
    assert integ["indexes"] == ["indexes/index.cdx"]
    assert integ["signature"]["verified"] is True
    assert integ["signature"]["signer"] == "anonymous key"
    # the photo inside, as a working copy derived from the capture, with its own hash
    [m] = d["web_capture"]["media"]
    assert m["sha256"] == hashlib.sha256(tiny_png()).hexdigest()
    assert m["copy_kind"] == "working" and m["derived_from"] == d["sha256"]
    assert m["capture"]["url"] == f"{captured['base']}/photo.png"
    # the page's text is the working copy of a new source
    [src] = d["web_capture"]["sources"]
    assert src["url"] == captured["page"] and src["kind"] == "article"
    with any_case.act() as ctx:
        text, _item = sources.source_text(ctx, src["id"], reason="test reading view")
    assert "covered market was struck" in text
    # the human output names pages, integrity and signer
    r = dalil("evidence", "show", str(d["id"]))
    assert r.exit_code == 0


def test_cli_text_output_reports_signature(dalil: DalilRunner, captured: dict[str, object]) -> None:
    r = dalil("evidence", "add", str(captured["wacz"]))
    assert r.exit_code == 0, r.output
    assert "1 page(s), 1 media item(s)" in r.output
    assert "3 files match datapackage.json; digest file matches" in r.output
    assert "signature verified: anonymous key" in r.output


def test_warc_and_warc_gz_import(case: Case, captured: dict[str, object]) -> None:
    from dalil.services import captures

    r = captures.add_capture(case, None, str(captured["warc_gz"]))
    assert r["capture"]["kind"] == "warc" and len(r["media"]) == 1
    assert r["capture"]["pages"][0]["title"] == "Fictional shelling of Tal Zaytun market"
    r = captures.add_capture(case, None, str(captured["warc"]))
    assert r["capture"]["pages"][0]["title"] == "قصف سوق تل الزيتون (نص متخيل)"
    assert r["media"] == [] and len(r["texts"]) == 1


def refused(dalil: DalilRunner, case: Case, path: Path, *needles: str) -> None:
    before = counts(case)
    r = dalil("evidence", "add", str(path))
    assert r.exit_code == 2, r.output
    line = r.output.strip().splitlines()[-1]
    for n in needles:
        assert n in line, line
    assert counts(case) == before  # nothing half-imported


def test_flipped_byte_inside_is_refused_naming_the_file(
    case: Case, captured: dict[str, object], tmp_path: Path
) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    data = bytearray(Path(str(captured["wacz"])).read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        info = z.getinfo("archive/data.warc.gz")
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    data[at] ^= 0x01
    bad = tmp_path / "flipped.wacz"
    bad.write_bytes(bytes(data))
    refused(dalil, case, bad, "archive/data.warc.gz", "damaged")


def rezip(src: Path, dst: Path, change: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, change.get(info.filename, zin.read(info.filename)))
    return dst


def test_altered_member_and_datapackage_are_refused(
    case: Case, captured: dict[str, object], tmp_path: Path
) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    wacz = Path(str(captured["wacz"]))
    with zipfile.ZipFile(wacz) as z:
        pages = z.read("pages/pages.jsonl")
        dp = json.loads(z.read("datapackage.json"))
    altered_pages = pages.replace(b"Fictional market page", b"Another title here!!!")
    refused(
        dalil,
        case,
        rezip(wacz, tmp_path / "a.wacz", {"pages/pages.jsonl": altered_pages}),
        "pages/pages.jsonl",
        "differs from datapackage.json",
    )
    # the member and its hash in datapackage.json changed together: the digest file catches it
    for r in dp["resources"]:
        if r["path"] == "pages/pages.jsonl":
            r["hash"] = "sha256:" + hashlib.sha256(altered_pages).hexdigest()
    refused(
        dalil,
        case,
        rezip(
            wacz,
            tmp_path / "b.wacz",
            {"pages/pages.jsonl": altered_pages, "datapackage.json": json.dumps(dp).encode()},
        ),
        "datapackage.json",
        "differs from datapackage-digest.json",
    )


def test_tampered_index_is_refused_naming_it(
    case: Case, captured: dict[str, object], tmp_path: Path
) -> None:
    """The CDXJ index is checked like every other member: an index pointing a URL at
    another offset is refused, naming it; so is one whose datapackage hash was updated too
    (the digest file catches it), and an index the datapackage does not list."""
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    wacz = Path(str(captured["wacz"]))
    with zipfile.ZipFile(wacz) as z:
        index = z.read("indexes/index.cdx")
        dp = json.loads(z.read("datapackage.json"))
    offsets = [json.loads(line.split(b" ", 2)[2])["offset"] for line in index.splitlines()]
    lying = index.replace(
        f'"offset": "{offsets[0]}"'.encode(), f'"offset": "{offsets[-1]}"'.encode(), 1
    )  # the first URL now points at another record
    assert lying != index and len(lying.splitlines()) == len(index.splitlines())
    refused(
        dalil,
        case,
        rezip(wacz, tmp_path / "i1.wacz", {"indexes/index.cdx": lying}),
        "indexes/index.cdx",
        "differs from datapackage.json",
    )
    for r in dp["resources"]:
        if r["path"] == "indexes/index.cdx":
            r["hash"] = "sha256:" + hashlib.sha256(lying).hexdigest()
            r["bytes"] = len(lying)
    refused(
        dalil,
        case,
        rezip(
            wacz,
            tmp_path / "i2.wacz",
            {"indexes/index.cdx": lying, "datapackage.json": json.dumps(dp).encode()},
        ),
        "datapackage.json",
        "differs from datapackage-digest.json",
    )
    extra = tmp_path / "i3.wacz"
    rezip(wacz, extra, {})
    with zipfile.ZipFile(extra, "a") as z:
        z.writestr("indexes/extra.cdx", lying)
    refused(dalil, case, extra, "indexes/extra.cdx", "not in datapackage.json")


def test_bad_signature_is_refused(case: Case, captured: dict[str, object], tmp_path: Path) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    wacz = Path(str(captured["wacz"]))
    with zipfile.ZipFile(wacz) as z:
        dd = json.loads(z.read("datapackage-digest.json"))
    other = make_wacz(
        tmp_path / "other.wacz",
        Path(str(captured["warc_gz"])),
        [{"url": "http://127.0.0.1/x", "ts": "2026-01-01T00:00:00Z", "title": "x"}],
        sign_with=ec.generate_private_key(ec.SECP256R1()),
    )
    with zipfile.ZipFile(other) as z:
        dd["signedData"]["publicKey"] = json.loads(z.read("datapackage-digest.json"))["signedData"][
            "publicKey"
        ]
    refused(
        dalil,
        case,
        rezip(wacz, tmp_path / "c.wacz", {"datapackage-digest.json": json.dumps(dd).encode()}),
        "datapackage-digest.json",
        "signature does not verify",
    )


def test_broken_warcs_are_refused(case: Case, captured: dict[str, object], tmp_path: Path) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    gz = Path(str(captured["warc_gz"])).read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(gz[: len(gz) // 2])
    refused(dalil, case, cut, "cut.warc.gz")
    plain = Path(str(captured["warc"])).read_bytes()
    for frac in (0.3, 0.5, 0.7, 0.9, 0.98):
        cut = tmp_path / f"cut-{frac}.warc"
        cut.write_bytes(plain[: int(len(plain) * frac)])
        refused(dalil, case, cut, cut.name, "truncated")
    # a payload byte changed (same length): the WARC record digest no longer matches
    raw = gzip.decompress(gz)
    at = raw.index(b"covered market")
    edited = tmp_path / "edited.warc"
    edited.write_bytes(raw[:at] + b"C" + raw[at + 1 :])
    refused(dalil, case, edited, "edited.warc", "digest does not match")
    junk = tmp_path / "junk.wacz"
    junk.write_bytes(b"not a zip at all")
    refused(dalil, case, junk, "junk.wacz", "not a WACZ")


def test_same_capture_twice_is_refused_and_adds_nothing(
    case: Case, captured: dict[str, object]
) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    assert dalil("evidence", "add", str(captured["wacz"])).exit_code == 0
    refused(dalil, case, Path(str(captured["wacz"])), "already held")


def domain_signer(tmp_path: Path, tsa_url: str, tsa_folder: Path, *, wrong_time: bool = False):  # type: ignore[no-untyped-def]
    """signedData as a domain-signing service makes it: an ECDSA signature by the key of a
    (fictional) domain certificate, dated by an RFC 3161 token from the local TSA."""
    import base64
    import datetime as dt
    import urllib.request

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID
    from rfc3161_client import HashAlgorithm, TimestampRequestBuilder

    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Fictional Domain CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=9))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "capture.fictional.example")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
        .not_valid_before(now).not_valid_after(now + dt.timedelta(days=9))
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM).decode()  # noqa: E731

    def make(digest: str) -> dict[str, object]:
        sig = base64.b64encode(key.sign(digest.encode(), ec.ECDSA(hashes.SHA256()))).decode()
        dated = (sig + "x") if wrong_time else sig
        req = TimestampRequestBuilder().data(dated.encode()).hash_algorithm(HashAlgorithm.SHA256)
        req = req.cert_request(cert_request=True).build()
        http = urllib.request.Request(
            tsa_url, data=req.as_bytes(), headers={"Content-Type": "application/timestamp-query"}
        )
        resp = urllib.request.urlopen(http, timeout=30).read()
        return {
            "hash": digest,
            "created": "2026-01-02T03:04:06Z",
            "software": "fictional signer",
            "domain": "capture.fictional.example",
            "domainCert": pem(cert) + pem(ca),
            "signature": sig,
            "timeSignature": base64.b64encode(resp).decode(),
            "timestampCert": (tsa_folder / "tsa.crt").read_text()
            + (tsa_folder / "ca.crt").read_text(),
        }

    return make


def test_domain_signed_wacz_with_time_signature(
    case: Case, captured: dict[str, object], tmp_path: Path
) -> None:
    from audit.local_tsa import local_tsa  # tests/audit (tests/ is on sys.path)
    from dalil.services import captures

    with local_tsa(tmp_path / "tsa") as tsa:
        good = make_wacz(
            tmp_path / "domain.wacz",
            Path(str(captured["warc_gz"])),
            [{"url": str(captured["page"]), "ts": "2026-01-02T03:04:05Z", "title": "t"}],
            signed_data_for=domain_signer(tmp_path, tsa.url, tsa.folder),
        )
        bad = make_wacz(
            tmp_path / "redated.wacz",
            Path(str(captured["warc_gz"])),
            [{"url": str(captured["page"]), "ts": "2026-01-02T03:04:05Z", "title": "t"}],
            signed_data_for=domain_signer(tmp_path, tsa.url, tsa.folder, wrong_time=True),
        )
    r = captures.add_capture(case, None, good)
    sig = r["capture"]["integrity"]["signature"]
    assert sig["signer"] == "domain capture.fictional.example" and sig["verified"] is True
    assert sig["time"]["gen_time"].startswith("20")
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    refused(dalil, case, bad, "datapackage-digest.json", "timeSignature does not verify")


def test_cli_graphic_flag_marks_a_capture_and_its_media(
    any_case: Case, dalil: DalilRunner, captured: dict[str, object]
) -> None:
    [d] = dalil.json("evidence", "add", "--graphic", str(captured["wacz"]))
    assert d["graphic"] is True
    [m] = d["web_capture"]["media"]
    assert m["graphic"] is True
    [t] = d["web_capture"]["texts"]
    assert t["graphic"] is False
    shown = dalil.json("evidence", "show", str(d["id"]))
    assert shown["graphic"] is True
