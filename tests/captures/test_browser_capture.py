"""`dalil capture URL` drives the headless Chromium (/usr/bin/chromium, Playwright) against
fictional pages served on loopback by the test, and writes a WACZ that dalil's own
importer accepts: responses, screenshot, DOM snapshot, hashes taken at collection."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from dalil.core.case import Case
from dalil.sources.webcapture import read_capture
from dalil.testing import TEST_PASSPHRASE, DalilRunner

from .test_cdxj import check_index
from .webfixtures import site, tiny_png

pytest.importorskip("playwright")
CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no /usr/bin/chromium"),
]


def test_capture_writes_a_checked_wacz_and_adds_it(case: Case, tmp_path: Path) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    out = tmp_path / "market.wacz"
    with site() as base:
        url = f"{base}/news/market.html"
        d = dalil.json("capture", url, "--out", str(out), "--add")
    cap = d["capture"]
    assert cap["final_url"] == url
    assert cap["title"] == "Fictional shelling of Tal Zaytun market"
    assert cap["responses"] >= 2  # the page and its photo
    assert cap["wacz_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    with zipfile.ZipFile(out) as z:
        shot = z.read("screenshot/page.png")
        dom = z.read("dom/page.html").decode()
        dp = json.loads(z.read("datapackage.json"))
        warc = z.read("archive/capture.warc.gz")
        index = z.read("indexes/index.cdx")
        for r in dp["resources"]:  # hashes taken at collection hold in the file written
            assert hashlib.sha256(z.read(r["path"])).hexdigest() == r["hash"].split(":")[1]
    assert "indexes/index.cdx" in {r["path"] for r in dp["resources"]}  # hashed like the rest
    # the index lists every response and resource record, each at its offset and length
    entries = check_index(warc, index, "capture.warc.gz")
    urls = {e["url"] for e in entries}
    assert {url, f"{base}/photo.png", f"urn:screenshot:{url}", f"urn:dom:{url}"} <= urls
    assert shot.startswith(b"\x89PNG") and len(shot) > 1000
    assert "covered market was struck" in dom
    # dalil's own importer checks it and finds the page, the photo and the screenshot
    wc = read_capture(out)
    assert [p.url for p in wc.pages] == [url]
    types = {(m.url.split(":", 1)[0], m.media_type) for m in wc.media}
    assert ("urn", "image/png") in types  # the screenshot
    assert any(m.sha256 == hashlib.sha256(tiny_png()).hexdigest() for m in wc.media)
    assert d["evidence"]["sha256"] == cap["wacz_sha256"]
    assert d["imported"]["sources"][0]["url"] == url


def test_capture_refuses_bad_input(case: Case, tmp_path: Path) -> None:
    dalil = DalilRunner({"DALIL_CASE": str(case.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    r = dalil("capture", "file:///etc/passwd", "--out", str(tmp_path / "x.wacz"))
    assert r.exit_code == 2 and "http:// or https://" in r.output
    r = dalil("capture", "http://127.0.0.1:9/", "--out", str(tmp_path / "x.zip"))
    assert r.exit_code == 2 and ".wacz" in r.output
    r = dalil("capture", "http://127.0.0.1:9/", "--out", str(tmp_path / "x.wacz"))
    assert r.exit_code == 2 and "could not load" in r.output
    assert not (tmp_path / "x.wacz").exists()
