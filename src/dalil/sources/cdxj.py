"""A CDXJ index of a WARC, as a WACZ's ``indexes/index.cdx`` holds it.

One line per ``response``, ``revisit`` and ``resource`` record::

    <SURT key> <14-digit timestamp> {"url": …, "mime": …, "status": …, "digest": …,
                                     "length": …, "offset": …, "filename": …}

``offset`` and ``length`` are the record's position in the WARC file as stored (for a
``.warc.gz`` the gzip member), so a replay tool reads exactly ``length`` bytes from
``offset`` to get the record. Lines are sorted (byte order), as CDXJ readers binary-search
them. ``status`` is given for HTTP responses only. Pure library: no case.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import urlsplit

_DEFAULT_PORT = {"http": 80, "https": 443}
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_WWW = re.compile(r"^www\d*\.")
_INDEXED = {"response", "revisit", "resource"}


def surt(url: str) -> str:
    """The sort-friendly key of *url*: ``http://www.Example.com:8080/a?b=2&a=1`` ->
    ``com,example:8080)/a?a=1&b=2``. Scheme, ``www.``, a default port and the fragment
    are dropped, host labels reversed, query arguments sorted, all in lower case. A URI
    that is not http(s) (``urn:screenshot:…``) is kept whole, in lower case."""
    try:
        u = urlsplit(url)
        scheme = u.scheme.lower()
        port = u.port
    except ValueError:
        return url.lower()
    if scheme not in _DEFAULT_PORT or not u.hostname:
        return url.lower()
    host = u.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal: kept as written
        key_host = f"[{host}]"
    else:
        host = _WWW.sub("", host) if not _IPV4.fullmatch(host) else host
        key_host = ",".join(reversed(host.split(".")))
    if port is not None and port != _DEFAULT_PORT[scheme]:
        key_host += f":{port}"
    key = f"{key_host}){u.path or '/'}"
    if u.query:
        key += "?" + "&".join(sorted(u.query.split("&")))
    return key.lower()


def _timestamp(warc_date: str | None) -> str:
    digits = re.sub(r"\D", "", warc_date or "")
    return (digits + "0" * 14)[:14] if digits else "0" * 14


def _mime(value: str | None) -> str:
    return (value or "").split(";", 1)[0].strip().lower() or "unk"


def index_warc(data: bytes, filename: str) -> bytes:
    """The CDXJ index (UTF-8, one line per record, sorted) of the WARC *data*, which is
    stored as *filename* in the WACZ's ``archive/`` folder."""
    from warcio.archiveiterator import ArchiveIterator

    lines: list[str] = []
    it = ArchiveIterator(io.BytesIO(data))
    for rec in it:
        kind = rec.rec_type
        h = rec.rec_headers
        url = h.get_header("WARC-Target-URI") or ""
        date = h.get_header("WARC-Date")
        digest = h.get_header("WARC-Payload-Digest") or h.get_header("WARC-Block-Digest")
        status: str | None = None
        if kind == "response" and rec.http_headers is not None:
            status = rec.http_headers.get_statuscode()
            mime = _mime(rec.http_headers.get_header("Content-Type"))
        elif kind == "revisit":
            mime = "warc/revisit"
        else:
            mime = _mime(h.get_header("Content-Type"))
        it.read_to_end(rec)
        if kind not in _INDEXED or not url:
            continue
        entry: dict[str, Any] = {"url": url, "mime": mime}
        if status:
            entry["status"] = status
        if digest:
            entry["digest"] = digest
        entry["length"] = str(it.get_record_length())
        entry["offset"] = str(it.get_record_offset())
        entry["filename"] = filename
        lines.append(f"{surt(url)} {_timestamp(date)} {json.dumps(entry)}")
    lines.sort()
    return "".join(line + "\n" for line in lines).encode("utf-8")
