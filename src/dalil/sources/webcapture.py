"""Read a web capture (WACZ, WARC, WARC.gz) into pages, media and an integrity report.

Pure library: no case, no database. :func:`read_capture` checks everything first and
raises :class:`dalil.errors.InputError` naming the file inside the archive that is wrong
(a damaged zip member, a digest that differs from ``datapackage.json``, a
``datapackage-digest.json`` that does not match, a signature that does not verify, a WARC
record whose digest differs, an unreadable WARC). Nothing is returned half-read.

WACZ (Webrecorder's format, 1.1): a zip holding ``archive/*.warc.gz``,
``pages/pages.jsonl``, ``indexes/…``, ``datapackage.json`` (each resource's ``path``,
``hash`` ``sha256:<hex>`` and ``bytes``) and optionally ``datapackage-digest.json``
(``hash`` of ``datapackage.json`` and ``signedData``: an ECDSA P-256/SHA-256 signature over
that hash string, by an anonymous ``publicKey`` or by the key of a ``domainCert`` chain).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import itertools
import json
import logging
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from dalil.display.messages import N_, Message
from dalil.errors import InputError

_log_server = logging.getLogger(__name__)

#: Largest payload kept from one WARC record (bigger media are listed, not extracted).
MAX_RECORD = 512 * 1024 * 1024
#: Largest total of extracted payloads per capture.
MAX_TOTAL = 1024 * 1024 * 1024
CAPTURE_SUFFIXES = (".wacz", ".warc", ".warc.gz")
_HTML = ("text/html", "application/xhtml+xml")
_MEDIA = ("image/", "video/", "audio/")
#: Why a page listed in a WACZ has no text: its HTML is not among the archive's records.
NO_HTML = "the page's HTML is not in the capture"


@dataclass
class Page:
    url: str
    captured_at: str | None
    title: str | None = None
    text: str | None = None
    text_error: str | None = None


@dataclass
class Media:
    url: str
    captured_at: str | None
    media_type: str
    data: bytes
    sha256: str


@dataclass
class Capture:
    kind: str  # "wacz" | "warc"
    pages: list[Page] = field(default_factory=list)
    media: list[Media] = field(default_factory=list)
    records: int = 0
    integrity: dict[str, Any] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "records": self.records,
            "pages": [
                {"url": p.url, "captured_at": p.captured_at, "title": p.title}
                # why a page has no text (its HTML missing, unreadable, or empty)
                | ({} if p.text else {"text_error": p.text_error or "no text in the page"})
                for p in self.pages
            ],
            "media": [
                {
                    "url": m.url,
                    "captured_at": m.captured_at,
                    "media_type": m.media_type,
                    "sha256": m.sha256,
                    "size": len(m.data),
                }
                for m in self.media
            ],
            "integrity": self.integrity,
            "skipped": self.skipped,
        }


def is_capture_name(name: str) -> bool:
    return name.lower().endswith(CAPTURE_SUFFIXES)


# --------------------------------------------------------------------------- WARC


def _media_type(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower()


def _html_page(url: str, when: str | None, data: bytes) -> Page:
    from dalil.sources.text import extract_bytes

    page = Page(url=url, captured_at=when)
    try:
        ext = extract_bytes(data, "page.html")
    except InputError as e:
        page.text_error = str(e)
        return page
    except Exception as e:  # a hostile page must not stop the import of the capture
        page.text_error = f"text extraction failed ({type(e).__name__})"
        return page
    page.title = ext.title
    page.text = ext.text or None
    return page


def _take(rec: Any, cap: Capture, total: int) -> None:
    """Keep *rec* as a page or a medium when it is one."""
    if rec.rec_type not in ("response", "resource"):
        return
    url = rec.rec_headers.get_header("WARC-Target-URI") or ""
    when = rec.rec_headers.get_header("WARC-Date")
    if rec.rec_type == "response":
        if rec.http_headers is None:
            return
        status = rec.http_headers.get_statuscode() or ""
        if not status.startswith("2"):
            return
        mtype = _media_type(rec.http_headers.get_header("Content-Type"))
    else:
        mtype = _media_type(rec.rec_headers.get_header("Content-Type"))
        if not mtype.startswith(_MEDIA):
            return  # e.g. a DOM snapshot: kept in the capture, not a page of its own
    if not (mtype in _HTML or mtype.startswith(_MEDIA)):
        return
    stream = rec.content_stream()
    data = stream.read(MAX_RECORD + 1)
    if len(data) > MAX_RECORD or total + len(data) > MAX_TOTAL:
        cap.skipped.append(f"{url}: too large to extract ({mtype})")
        while stream.read(1 << 20):
            pass
        return
    while more := stream.read(1 << 20):  # content_stream may return short reads
        data += more
        if len(data) > MAX_RECORD:
            cap.skipped.append(f"{url}: too large to extract ({mtype})")
            return
    if mtype in _HTML:
        cap.pages.append(_html_page(url, when, data))
    else:
        cap.media.append(Media(url, when, mtype, data, hashlib.sha256(data).hexdigest()))


def check_gzip(stream: IO[bytes], where: str) -> None:
    """Read a gzip file through: a cut or damaged one raises InputError naming *where*
    (warcio stops quietly at a truncated member)."""
    try:
        with gzip.GzipFile(fileobj=stream) as g:
            while g.read(1 << 20):
                pass
    except (OSError, EOFError, zlib.error):
        raise InputError(Message(N_("%(file)s: damaged or cut gzip"), file=where)) from None


def _library_line(e: BaseException) -> str:
    """The library's words for the server's log: its first line, without the part that
    quotes the file ('first line: …' is the capture's own content)."""
    line = str(e).splitlines()[0] if str(e) else ""
    return line.split("first line:")[0].strip(" ,:")[:200]


def read_warc(stream: IO[bytes], where: str, cap: Capture, size: int) -> None:
    """Add the pages and media of one WARC (plain or gzip, *size* bytes) to *cap*.

    A refusal is in fixed words (message ids); what the library said goes to the
    server's log only, never its quotation of the file."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    total = sum(len(m.data) for m in cap.media)
    try:
        it = ArchiveIterator(stream, check_digests="raise")
        # warcio's warning about a record not followed by a newline quotes the bytes it
        # found there (the capture's content) on standard error: keep only the offset
        it.INC_RECORD = "WARNING: a WARC record is not followed by a newline (offset {0})\n"
        for rec in it:
            cap.records += 1
            _take(rec, cap, total)
            total = sum(len(m.data) for m in cap.media)
            # read the record through: its digests are checked at its end, and a record
            # cut short (a truncated file) is refused, not imported in part
            while rec.raw_stream.read(1 << 20):
                pass
            if getattr(rec.raw_stream, "limit", 0) > 0:
                url = rec.rec_headers.get_header("WARC-Target-URI") or rec.rec_type
                raise InputError(
                    Message(
                        N_("%(file)s: cut short inside the record of %(url)s (truncated)"),
                        file=where,
                        url=url,
                    )
                )
        if it.offset < size:  # warcio stops quietly at a record whose headers are cut
            raise InputError(
                Message(
                    N_("%(file)s: an incomplete record at byte %(offset)s (truncated or damaged)"),
                    file=where,
                    offset=str(it.offset),
                )
            )
    except ArchiveLoadFailed as e:
        said = _library_line(e)
        _log_server.info("%s: the WARC reader refused it (%s)", where, said or type(e).__name__)
        if "digest" in said.lower():
            raise InputError(
                Message(
                    N_(
                        "%(file)s: a WARC record's digest does not match (the record was "
                        "altered or damaged)"
                    ),
                    file=where,
                )
            ) from None
        raise InputError(
            Message(N_("%(file)s: not a readable WARC (its records could not be read)"), file=where)
        ) from None
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile, ValueError):
        # the library's own words (a Python type, internal offsets) are not for users
        raise InputError(
            Message(N_("%(file)s: damaged (unreadable compressed data or record)"), file=where)
        ) from None
    except (AttributeError, TypeError, KeyError, IndexError):
        # warcio trips over some cut or malformed record headers this way
        raise InputError(
            Message(
                N_(
                    "%(file)s: a record's headers are incomplete or malformed (truncated or "
                    "damaged)"
                ),
                file=where,
            )
        ) from None
    if cap.records == 0:
        raise InputError(Message(N_("%(file)s: holds no WARC record"), file=where))


# --------------------------------------------------------------------------- WACZ


def _sha256_of(zf: zipfile.ZipFile, name: str) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    with zf.open(name) as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            n += len(chunk)
    return h.hexdigest(), n


def _hash_value(value: Any, where: str) -> str:
    v = str(value or "")
    algo, _, hexd = v.partition(":")
    if algo != "sha256" or len(hexd) != 64:
        raise InputError(
            Message(
                N_("%(file)s: hash %(hash)s is not sha256:<hex> (cannot be checked)"),
                file=where,
                hash=repr(v[:80]),
            )
        )
    return hexd.lower()


def check_signature(signed: dict[str, Any], digest: str) -> dict[str, Any]:
    """Verify a WACZ ``signedData`` over *digest* (``sha256:<hex>``). Returns who signed;
    raises InputError when the signature does not verify."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    where = "datapackage-digest.json"
    if signed.get("hash") != digest:
        raise InputError(
            Message(N_("%(file)s: signedData.hash is not the datapackage digest"), file=where)
        )
    try:
        sig = base64.b64decode(str(signed["signature"]), validate=True)
    except (KeyError, binascii.Error, ValueError):
        raise InputError(
            Message(N_("%(file)s: signedData has no readable signature"), file=where)
        ) from None
    out: dict[str, Any] = {"created": signed.get("created"), "software": signed.get("software")}
    if signed.get("publicKey"):
        raw = str(signed["publicKey"])
        try:
            if "BEGIN PUBLIC KEY" in raw:
                key = serialization.load_pem_public_key(raw.encode("ascii"))
            else:
                key = serialization.load_der_public_key(base64.b64decode(raw, validate=True))
        except (ValueError, binascii.Error):
            raise InputError(
                Message(N_("%(file)s: signedData.publicKey is unreadable"), file=where)
            ) from None
        der = key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        out.update(
            signer="anonymous key",
            key_sha256=hashlib.sha256(der).hexdigest(),
            identity_checked=False,
        )
    elif signed.get("domainCert"):
        try:
            chain = x509.load_pem_x509_certificates(str(signed["domainCert"]).encode("ascii"))
        except ValueError:
            raise InputError(
                Message(N_("%(file)s: signedData.domainCert is unreadable"), file=where)
            ) from None
        for child, parent in itertools.pairwise(chain):
            try:
                child.verify_directly_issued_by(parent)
            except (ValueError, TypeError, InvalidSignature):
                raise InputError(
                    Message(N_("%(file)s: the domain certificate chain is broken"), file=where)
                ) from None
        key = chain[0].public_key()
        cn = chain[0].subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        domain = str(cn[0].value) if cn else ""
        if signed.get("domain") and signed["domain"] != domain:
            raise InputError(
                Message(
                    N_("%(file)s: signed for %(domain)s but the certificate is %(cert)s"),
                    file=where,
                    domain=repr(signed["domain"]),
                    cert=repr(domain),
                )
            )
        out.update(
            signer=f"domain {domain}",
            chain_root=chain[-1].subject.rfc4514_string(),
            identity_checked=False,  # no trusted roots here: the chain is reported, not trusted
        )
    else:
        raise InputError(
            Message(N_("%(file)s: signedData names no publicKey or domainCert"), file=where)
        )
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise InputError(Message(N_("%(file)s: the signing key is not an ECDSA key"), file=where))
    try:
        key.verify(sig, digest.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise InputError(
            Message(
                N_("%(file)s: the signature does not verify (archive altered or forged)"),
                file=where,
            )
        ) from None
    out["verified"] = True
    if signed.get("timeSignature"):
        out["time"] = _check_time_signature(signed, str(signed["signature"]))
    return out


def _check_time_signature(signed: dict[str, Any], signature_b64: str) -> dict[str, Any]:
    """Verify a domain signature's ``timeSignature`` (an RFC 3161 TimeStampResp over the
    signature string) with the ``timestampCert`` chain it carries."""
    from cryptography import x509
    from rfc3161_client import VerificationError, VerifierBuilder, decode_timestamp_response

    where = "datapackage-digest.json"
    try:
        resp = decode_timestamp_response(base64.b64decode(str(signed["timeSignature"])))
        chain = x509.load_pem_x509_certificates(str(signed.get("timestampCert", "")).encode())
    except (ValueError, binascii.Error):
        raise InputError(
            Message(N_("%(file)s: timeSignature or timestampCert is unreadable"), file=where)
        ) from None
    roots = [c for c in chain if c.subject == c.issuer] or chain[-1:]
    b = VerifierBuilder()
    for c in roots:
        b = b.add_root_certificate(c)
    for c in chain:
        if c not in roots:
            b = b.add_intermediate_certificate(c)
    try:
        b.build().verify_message(resp, signature_b64.encode("ascii"))
    except VerificationError:
        raise InputError(
            Message(
                N_("%(file)s: the timeSignature does not verify (signature re-dated or altered)"),
                file=where,
            )
        ) from None
    return {
        "gen_time": resp.tst_info.gen_time.isoformat(),
        "authority_root": roots[0].subject.rfc4514_string() if roots else None,
        "identity_checked": False,
    }


def read_wacz(path: Path | IO[bytes], display: str | None = None) -> Capture:
    cap = Capture(kind="wacz")
    label = display or (path.name if isinstance(path, Path) else "capture.wacz")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise InputError(Message(N_("%(file)s: not a WACZ (zip) file"), file=label)) from None
    with zf:
        names = [i.filename for i in zf.infolist() if not i.is_dir()]
        for name in names:
            try:
                with zf.open(name) as f:
                    while f.read(1 << 20):
                        pass
            except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                raise InputError(
                    Message(N_("%(file)s: damaged inside the WACZ"), file=name)
                ) from None
        if "datapackage.json" not in names:
            raise InputError(Message(N_("%(file)s: no datapackage.json (not a WACZ)"), file=label))
        dp_raw = zf.read("datapackage.json")
        try:
            dp = json.loads(dp_raw)
            resources = list(dp["resources"])
        except (ValueError, KeyError, TypeError):
            raise InputError(
                Message(N_("%(file)s: unreadable or without resources"), file="datapackage.json")
            ) from None
        listed: dict[str, str] = {}
        for r in resources:
            try:
                rpath = str(r["path"])
            except (KeyError, TypeError):
                raise InputError(
                    Message(N_("%(file)s: a resource has no path"), file="datapackage.json")
                ) from None
            want = _hash_value(r.get("hash"), f"datapackage.json ({rpath})")
            if rpath not in names:
                raise InputError(
                    Message(
                        N_("%(file)s: listed in datapackage.json but missing from the WACZ"),
                        file=rpath,
                    )
                )
            got, size = _sha256_of(zf, rpath)
            if got != want:
                raise InputError(
                    Message(
                        N_("%(file)s: sha256 differs from datapackage.json (altered)"), file=rpath
                    )
                )
            if r.get("bytes") is not None and int(r["bytes"]) != size:
                raise InputError(
                    Message(
                        N_("%(file)s: size differs from datapackage.json (altered)"), file=rpath
                    )
                )
            listed[rpath] = got
        extra = [n for n in names if n not in listed and not n.startswith("datapackage")]
        if extra:
            raise InputError(
                Message(
                    N_(
                        "%(file)s: in the WACZ but not in datapackage.json (not covered by its "
                        "digests)"
                    ),
                    file=extra[0],
                )
            )
        dp_digest = "sha256:" + hashlib.sha256(dp_raw).hexdigest()
        integrity: dict[str, Any] = {
            "wacz_version": dp.get("wacz_version"),
            "software": dp.get("software"),
            "created": dp.get("created"),
            "resources_checked": len(listed),
            "indexes": sorted(n for n in listed if n.startswith("indexes/")),
            "datapackage_sha256": dp_digest.split(":", 1)[1],
            "digest_file": False,
            "signed": False,
        }
        if "datapackage-digest.json" in names:
            try:
                dd = json.loads(zf.read("datapackage-digest.json"))
                stated = str(dd["hash"])
            except (ValueError, KeyError, TypeError):
                raise InputError(
                    Message(N_("%(file)s: unreadable"), file="datapackage-digest.json")
                ) from None
            if stated != dp_digest:
                raise InputError(
                    Message(
                        N_("%(file)s: its sha256 differs from datapackage-digest.json (altered)"),
                        file="datapackage.json",
                    )
                )
            integrity["digest_file"] = True
            if isinstance(dd.get("signedData"), dict):
                integrity["signed"] = True
                integrity["signature"] = check_signature(dd["signedData"], dp_digest)
        warcs = sorted(n for n in listed if n.lower().endswith((".warc", ".warc.gz")))
        if not warcs:
            raise InputError(Message(N_("%(file)s: holds no WARC file"), file=label))
        for w in warcs:
            if w.lower().endswith(".gz"):
                with zf.open(w) as f:
                    check_gzip(f, w)
            with zf.open(w) as f:
                read_warc(f, w, cap, zf.getinfo(w).file_size)
        listed_pages = _pages_jsonl(zf, [n for n in listed if n.startswith("pages/")])
    if listed_pages:
        by_url = {p.url: p for p in cap.pages}
        pages = []
        for lp in listed_pages:
            held = by_url.get(lp["url"])
            page = held or Page(url=lp["url"], captured_at=lp.get("ts"))
            page.title = lp.get("title") or page.title
            page.captured_at = lp.get("ts") or page.captured_at
            if held is None:
                page.text_error = NO_HTML
            pages.append(page)
        cap.pages = pages
    cap.integrity = integrity
    return cap


def _pages_jsonl(zf: zipfile.ZipFile, names: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name in sorted(names):
        if not name.endswith(".jsonl"):
            continue
        for i, line in enumerate(zf.read(name).decode("utf-8", "replace").splitlines()):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                raise InputError(
                    Message(N_("%(file)s: line %(line)s is not JSON"), file=name, line=str(i + 1))
                ) from None
            if isinstance(row, dict) and row.get("url") and "format" not in row:
                out.append({"url": str(row["url"]), "ts": row.get("ts"), "title": row.get("title")})
    return out


def read_capture(path: str | Path) -> Capture:
    """Read and check a ``.wacz``, ``.warc`` or ``.warc.gz`` file."""
    p = Path(path)
    name = p.name.lower()
    if name.endswith(".wacz"):
        cap = read_wacz(p)
    elif name.endswith((".warc", ".warc.gz")):
        cap = Capture(kind="warc")
        if name.endswith(".gz"):
            with open(p, "rb") as f:
                check_gzip(f, p.name)
        with open(p, "rb") as f:
            read_warc(f, p.name, cap, p.stat().st_size)
        cap.integrity = {"record_digests_checked": True, "signed": False}
    else:
        raise InputError(
            Message(N_("%(file)s: not a web capture (.wacz, .warc or .warc.gz)"), file=p.name)
        )
    if not cap.pages and not cap.media:
        raise InputError(
            Message(N_("%(file)s: holds no page (HTML) and no media to import"), file=p.name)
        )
    return cap


def read_capture_bytes(name: str, data: bytes) -> Capture:
    """Like :func:`read_capture` for a capture held in memory; *name* (``….wacz``,
    ``….warc``, ``….warc.gz``) says which kind it is."""
    lower = name.lower()
    if lower.endswith(".wacz"):
        cap = read_wacz(io.BytesIO(data), name)
    elif lower.endswith((".warc", ".warc.gz")):
        cap = Capture(kind="warc")
        if lower.endswith(".gz"):
            check_gzip(io.BytesIO(data), name)
        read_warc(io.BytesIO(data), name, cap, len(data))
        cap.integrity = {"record_digests_checked": True, "signed": False}
    else:
        raise InputError(
            Message(N_("%(file)s: not a web capture (.wacz, .warc or .warc.gz)"), file=name)
        )
    if not cap.pages and not cap.media:
        raise InputError(
            Message(N_("%(file)s: holds no page (HTML) and no media to import"), file=name)
        )
    return cap
