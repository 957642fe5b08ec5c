"""Every job kind the queue knows: the result a finished job shows on its page is labelled
in words in English and in Arabic, never a raw key (``held_for_review``) nor a raw code
(``internal``, ``html``, ``wacz``) (issue #11). Each kind runs a small job on a case of its
own (fictional data); a kind added to the queue without a run here fails the test. A web
capture's result is a summary in words: what was captured, the records it made (links by
their titles and file names), sizes in readable units, warnings in words."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from html import escape, unescape
from typing import Any

import pytest

from dalil.core.case import Case
from dalil.display import i18n
from dalil.services import evidence, jobs
from dalil.testing import TEST_PASSPHRASE, run_job
from dalil.web import create_app
from dalil.web.audit_words import DETAIL_LABELS
from dalil.web.auth import LoginThrottle
from dalil.web.forms import FIELD_LABELS

from .conftest import USERS, Client, seed_case

#: Kinds whose result has a page of its own (the estimate, the vetting candidates, the
#: import report, the check report), not the job page's list of labelled values.
OWN_PAGE = {"estimate", "vetting", "list_import", "list_check"}
#: Labels written the same in Arabic (the name of a standard).
SAME_IN_ARABIC = {"SHA-256"}
#: Latin words an Arabic page may show outside data: names of standards and file formats,
#: and the time zone of a time.
LATIN_IN_ARABIC = {"SHA-256", "UTC", "PDF", "HTML", "WACZ", "WARC", "PNG", "OCR", "R-hat"}
#: Result keys whose values are data (typed by people or read from files), shown as they
#: are: never a code to put in words.
DATA_KEYS = {
    "title", "name", "original_name", "url", "added_by", "ingested_by", "owner",
    "software", "device", "text", "publisher", "author", "codecs", "languages", "engine",
    "version", "wacz_version", "indexes", "chain_root", "signer",
}  # fmt: skip
#: A value that may be a code: a word or two, not a sentence (a sentence in English reads
#: as it is stored; on an Arabic page every Latin word is checked below).
_CODE = re.compile(r"^[\w./+;=-]+( [\w./+;=-]+)?$")
_HEX = re.compile(r"^[0-9a-f]{12,64}$")
_WHEN = re.compile(r"^\d{4}-\d\d-\d\d")


def _png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 80), "white")
    ImageDraw.Draw(img).text((10, 30), "FICTIONAL NOTICE 12", fill="black")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _wacz(folder: Any) -> bytes:
    from cryptography.hazmat.primitives.asymmetric import ec
    from tests.captures.webfixtures import make_wacz, make_warc, site

    with site() as base:
        warc = make_warc(folder / "m.warc.gz", base)
        pages = [
            {"url": f"{base}/news/market.html", "ts": "2026-01-02T03:04:05Z",
             "title": "Fictional market report"},
            {"url": f"{base}/news/missing.html", "ts": "2026-01-02T03:05:00Z",
             "title": "Fictional follow-up"},
        ]  # fmt: skip
        wacz = make_wacz(
            folder / "m.wacz", warc, pages, sign_with=ec.generate_private_key(ec.SECP256R1())
        )
    return wacz.read_bytes()


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, int]]]:
    root = tmp_path_factory.mktemp("jobresults") / "case"
    seed_case(root)
    app = create_app(root, TEST_PASSPHRASE, throttle=LoginThrottle(free_attempts=100))
    case: Case = app.state.case
    admin = USERS["admin"]
    photo = evidence.add_stream(
        case, admin, io.BytesIO(_png()), name="notice-fictional.png", ocr=False
    )
    item = int(photo.item.id)
    runs: dict[str, dict[str, Any]] = {
        "fixity": {},
        "bag": {},
        "report": {"format": "html", "audience": "internal"},
        "linkage": {},
        "histories": {},
        "media": {"item": item},
        "ocr": {"item": item},
    }
    done: dict[str, int] = {}
    for kind, params in runs.items():
        # the report as the analyst, who may not reveal names: it carries a note saying so
        with case.act(USERS["analyst"] if kind == "report" else admin) as ctx:
            jid = int(jobs.submit(ctx, kind, params)["id"])
        assert run_job(case, jid, timeout=180) == "done", kind
        done[kind] = jid
    # a source document uploaded in the workbench: its text is extracted by a job
    c = Client(app)
    c.login("investigator")
    t = c.csrf("/sources/new")
    r = c.post(
        "/api/v1/sources/upload",
        params={"name": "herald.html", "title": "Fictional Herald", "kind": "article"},
        content=b"<html><body><p>The Fictional Herald reported 4 deaths.</p></body></html>",
        headers={"X-CSRF-Token": t, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    done["source_text"] = int(r.json()["text_job"])
    assert jobs.wait(case, done["source_text"], timeout=120) == "done"
    # a web capture uploaded in the workbench, checked and recorded by a job; one page it
    # lists has no HTML inside (a warning)
    r = c.post(
        "/api/v1/evidence",
        params={"name": "fictional-market.wacz"},
        content=_wacz(tmp_path_factory.mktemp("wacz")),
        headers={"X-CSRF-Token": t, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 202, r.text
    done["capture"] = int(r.json()["capture_job"])
    assert jobs.wait(case, done["capture"], timeout=120) == "done"
    c.close()
    yield app, done
    case.close()


def _keys(v: Any) -> set[str]:
    """The keys a result shows as labels: its own and those of the mappings inside."""
    out: set[str] = set()
    if isinstance(v, Mapping):
        for k, x in v.items():
            if str(k).endswith("_message"):  # a value's message id: shown as its words
                continue
            out.add(str(k))
            out |= _keys(x)
    elif isinstance(v, list | tuple):
        for x in v:
            out |= _keys(x)
    return out


def _result_box(html: str) -> str:
    box = re.search(r'<dl id="job-result"[^>]*>(.*?)</dl>', html, re.S)
    assert box is not None
    return box.group(1)


def test_every_kind_of_the_queue_is_run_here(made: tuple[Any, dict[str, int]]) -> None:
    _, done = made
    # dalil's own kinds (a test module may have registered kinds of its own in this process)
    own = {name for name, k in jobs.kinds().items() if k.fn.__module__.startswith("dalil.")}
    assert own == set(done) | OWN_PAGE


@pytest.mark.parametrize("kind", ["fixity", "bag", "report", "linkage", "histories", "media",
                                  "ocr", "source_text"])  # fmt: skip
def test_each_result_key_is_labelled_in_both_languages(
    made: tuple[Any, dict[str, int]], kind: str
) -> None:
    app, done = made
    case: Case = app.state.case
    with case.act(USERS["admin"], write=False) as ctx:
        result = jobs.get(ctx, done[kind])["result"]
    assert isinstance(result, dict) and result
    ar = i18n.translations("ar")
    for key in sorted(_keys(result)):
        msgid = DETAIL_LABELS.get(key) or FIELD_LABELS.get(key)
        assert msgid, (
            f"{kind}: no label for {key!r} of {sorted(k for k in _keys(result) if not (DETAIL_LABELS.get(k) or FIELD_LABELS.get(k)))}"
        )
        words = ar.gettext(msgid)
        assert words in SAME_IN_ARABIC or any("\u0600" <= ch <= "\u06ff" for ch in words), (
            kind,
            key,
            words,
        )
    for lang in ("en", "ar"):
        c = Client(app)
        try:
            c.get(f"/login?lang={lang}")
            c.login("admin")
            html = c.get(f"/jobs/{done[kind]}").text
        finally:
            c.close()
        box = _result_box(html)
        terms = [
            unescape(re.sub(r"<[^>]+>", "", t)).strip()
            for t in re.findall(r"<dt>(.*?)</dt>", box, re.S)
        ]
        assert len(terms) == len([k for k in result if not k.endswith("_message")]), (
            kind,
            lang,
            terms,
        )
        if kind == "report":  # the analyst's report says names are shown by pseudonym
            assert result["notes"], result
        text = unescape(re.sub(r"<[^>]+>", " ", box))
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (kind, lang, text)
        for term in terms:
            assert "_" not in term, (kind, lang, term)
            if lang == "ar":
                assert term in SAME_IN_ARABIC or any("\u0600" <= ch <= "\u06ff" for ch in term), (
                    kind,
                    term,
                )
        assert not _raw_codes(box, result, lang), (kind, lang, _raw_codes(box, result, lang))


def _leaves(v: Any, key: str = "") -> Iterator[tuple[str, str]]:
    """``(key, text)`` of every string value inside a result (a value's message id
    ``*_message`` left out: the page shows its words)."""
    if isinstance(v, Mapping):
        for k, x in v.items():
            if not str(k).endswith("_message"):
                yield from _leaves(x, str(k))
    elif isinstance(v, list | tuple):
        for x in v:
            yield from _leaves(x, key)
    elif isinstance(v, str):
        yield key, v


def _raw_codes(box: str, result: Any, lang: str) -> list[str]:
    """What the result box shows of the result's enumerated values (``internal``,
    ``image/png``, ``evidentiary``) as they are stored instead of in words; on an Arabic
    page also every Latin word that is not data (a title, a file name, an address) nor
    the name of a standard."""
    leaves = list(_leaves(result))
    codes = {
        v for k, v in leaves
        if k not in DATA_KEYS and _CODE.match(v) and not _HEX.match(v) and not _WHEN.match(v)
    }  # fmt: skip
    found = [v for v in sorted(codes) if re.search(rf">\s*{re.escape(escape(v))}\s*<", box)]
    if lang == "ar":
        text = unescape(re.sub(r"<[^>]+>", " ", box))
        for k, v in sorted(leaves, key=lambda kv: -len(kv[1])):
            if k in DATA_KEYS and v:
                text = text.replace(v, " ")
        text = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", " ", text)
        text = re.sub(r"\b[0-9a-f]{12}…", " ", text)
        found += [
            w for w in re.findall(r"[A-Za-z][A-Za-z0-9_./-]*[A-Za-z0-9]|[A-Za-z]", text)
            if w not in LATIN_IN_ARABIC
        ]  # fmt: skip
    return found


def _labels(case: Case, sources: list[int], items: list[int]) -> dict[str, str]:
    """href -> the human label a link to that record must show."""
    from sqlalchemy import select

    from dalil.model.evidence import EvidenceItem
    from dalil.model.source import Source

    out: dict[str, str] = {}
    with case.system_session(write=False) as s:
        for sid, title in s.execute(select(Source.id, Source.title).where(Source.id.in_(sources))):
            out[f"/sources/{sid}"] = str(title)
        q = select(EvidenceItem.sha256, EvidenceItem.original_name)
        for sha, name in s.execute(q.where(EvidenceItem.id.in_(items))):
            out[f"/evidence/{sha}"] = str(name)
    return out


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_web_capture_result_is_a_summary_in_words(
    made: tuple[Any, dict[str, int]], lang: str
) -> None:
    app, done = made
    case: Case = app.state.case
    with case.act(USERS["admin"], write=False) as ctx:
        result = jobs.get(ctx, done["capture"])["result"]
    sources = [int(s["id"]) for s in result["sources"]]
    items = [int(result["evidence"]["id"])] + [
        int(i["id"]) for i in (*result["media"], *result["texts"])
    ]
    assert len(sources) == 2 and len(items) == 3  # two pages, the capture, a photo, one text
    c = Client(app)
    try:
        c.get(f"/login?lang={lang}")
        c.login("admin")
        html = c.get(f"/jobs/{done['capture']}").text
    finally:
        c.close()
    box = _result_box(html)
    blocks = re.sub(r"</?(?:dt|dd|ul|li)\b[^>]*>", " ", box)
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", blocks)).split())
    # every record the capture made: a link showing its title or file name
    links = dict(
        (href, unescape(re.sub(r"<[^>]+>", "", label)).strip())
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', box, re.S)
    )
    want = _labels(case, sources, items)
    assert len(want) == 5
    for href, label in want.items():
        assert links.get(href) == label, (lang, href, label, links)
    # no bare number or hash of a record
    assert not re.search(r"#\d|\b[0-9a-f]{12}", text), (lang, text)
    # what was captured, in words, with sizes in readable units
    photo = result["capture"]["media"][0]
    if lang == "en":
        assert "(web archive (WACZ), 4." in text and " KB)" in text, text  # a few kilobytes
        assert "Pages 2 " in text and "Media items 1, 73 bytes in all" in text, text
        assert f"image (PNG), {photo['size']} bytes" in text, text
        assert "the signature verifies: by an anonymous key" in text, text
        assert "Fictional follow-up: its HTML is not in the capture, so no text was kept" in text
    else:
        assert "(أرشيف ويب (WACZ)، 4." in text and " كيلوبايت)" in text, text
        assert "الصفحات 2 " in text and "عناصر الوسائط 1، 73 بايت في المجموع" in text, text
        assert "صورة (بصيغة PNG)" in text, text
        assert "التوقيع سليم" in text, text
    assert 'id="capture-warnings"' in box
    assert not _raw_codes(box, result, lang), (lang, _raw_codes(box, result, lang))
