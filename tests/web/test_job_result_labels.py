"""Every job kind the queue knows: the result a finished job shows on its page is labelled
in words in English and in Arabic, never a raw key (``held_for_review``) (issue #11). Each
kind runs a small job on a case of its own (fictional data); a kind added to the queue
without a run here fails the test."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from html import unescape
from typing import Any

import pytest

from dalil.core.case import Case
from dalil.display import i18n
from dalil.services import evidence, jobs
from dalil.testing import TEST_PASSPHRASE
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


def _png() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (360, 80), "white")
    ImageDraw.Draw(img).text((10, 30), "FICTIONAL NOTICE 12", fill="black")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


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
        with case.act(admin) as ctx:
            jid = int(jobs.submit(ctx, kind, params)["id"])
        jobs.Worker(case, poll_seconds=0.1).run_once()
        assert jobs.wait(case, jid, timeout=180) == "done", kind
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
    c.close()
    yield app, done
    case.close()


def _keys(v: Any) -> set[str]:
    """The keys a result shows as labels: its own and those of the mappings inside."""
    out: set[str] = set()
    if isinstance(v, Mapping):
        for k, x in v.items():
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
    assert own == set(done) | OWN_PAGE | {"capture"}


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
        assert len(terms) == len(result), (kind, lang, terms)
        text = unescape(re.sub(r"<[^>]+>", " ", box))
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), (kind, lang, text)
        for term in terms:
            assert "_" not in term, (kind, lang, term)
            if lang == "ar":
                assert term in SAME_IN_ARABIC or any("\u0600" <= ch <= "\u06ff" for ch in term), (
                    kind,
                    term,
                )
