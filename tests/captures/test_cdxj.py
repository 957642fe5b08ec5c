"""The CDXJ index dalil writes into a WACZ (``indexes/index.cdx``): one sorted line per
response/resource record, whose offset and length point at that very record."""

from __future__ import annotations

import io
import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from dalil.sources.cdxj import index_warc, surt

from .webfixtures import make_warc, site


def records(warc: bytes) -> list[tuple[str, str, int, int]]:
    """(type, url, offset, length) of every record, as warcio reads the whole file."""
    out = []
    it = ArchiveIterator(io.BytesIO(warc))
    for rec in it:
        kind, url = rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI") or ""
        it.read_to_end(rec)
        out.append((kind, url, it.get_record_offset(), it.get_record_length()))
    return out


def check_index(warc: bytes, index: bytes, filename: str) -> list[dict[str, str]]:
    """Asserts the index is sorted, lists every response/resource record once, and that
    each line's offset/length, read back with warcio, is the record it names."""
    lines = index.decode("utf-8").splitlines()
    assert lines == sorted(lines)
    entries = []
    for line in lines:
        key, ts, js = line.split(" ", 2)
        e = json.loads(js)
        assert key == surt(e["url"]) and len(ts) == 14 and ts.isdigit()
        assert e["filename"] == filename
        off, length = int(e["offset"]), int(e["length"])
        chunk = warc[off : off + length]
        (rec,) = list(ArchiveIterator(io.BytesIO(chunk)))  # exactly one record there
        assert rec.rec_headers.get_header("WARC-Target-URI") == e["url"]
        assert rec.rec_type in ("response", "resource")
        assert rec.rec_headers.get_header("WARC-Payload-Digest") == e["digest"]
        assert (
            rec.rec_headers.get_header("WARC-Date")
            .replace("-", "")
            .replace(":", "")
            .replace("T", "")
            .startswith(ts)
        )
        if rec.rec_type == "response":
            assert e["status"] == rec.http_headers.get_statuscode()
        entries.append(e)
    want = sorted(
        (url, off) for kind, url, off, _ in records(warc) if kind in ("response", "resource")
    )
    assert sorted((e["url"], int(e["offset"])) for e in entries) == want
    return entries


def test_index_points_at_every_response_record(tmp_path: Path) -> None:
    with site() as base:
        gz = make_warc(tmp_path / "m.warc.gz", base).read_bytes()
        plain = make_warc(
            tmp_path / "m.warc", base, ("/photo.png", "/news/market.html")
        ).read_bytes()
    for warc, name in ((gz, "m.warc.gz"), (plain, "m.warc")):
        entries = check_index(warc, index_warc(warc, name), name)
        assert {e["url"] for e in entries} == {f"{base}/news/market.html", f"{base}/photo.png"}
        mimes = {e["url"].rsplit("/", 1)[-1]: e["mime"] for e in entries}
        assert mimes == {"market.html": "text/html", "photo.png": "image/png"}
        assert all(e["status"] == "200" for e in entries)


def test_surt_keys() -> None:
    assert surt("http://www.Example.com/A/b?z=1&a=2#top") == "com,example)/a/b?a=2&z=1"
    assert surt("https://news.example.org:443/") == "org,example,news)/"
    assert surt("http://example.org:8080") == "org,example:8080)/"
    assert surt("http://127.0.0.1:8000/x") == "1,0,0,127:8000)/x"  # reversed too
    assert surt("urn:screenshot:http://example.org/") == "urn:screenshot:http://example.org/"
