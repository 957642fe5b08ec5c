"""In the Arabic edition, case data written in English runs left to right in its own
paragraph or cell (its full stop stays at its end), and Arabic data in the English
edition runs right to left; citations stay left to right."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from dalil.report.data import CaseSnapshot
from dalil.report.render import render_html

VOID = {"br", "img", "meta", "link", "hr", "input", "source", "col", "wbr"}


class _DirOf(HTMLParser):
    """For every text node: the nearest enclosing ``dir`` (below <html>) and the classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, str]] = []
        self.texts: list[tuple[str, str | None, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        a = dict(attrs)
        self.stack.append((tag, a.get("dir") if tag != "html" else None, a.get("class") or ""))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not data.strip() or any(
            t in ("style", "title", "script", "svg") for t, _, _ in self.stack
        ):
            return
        d = next((d for _, d, _ in reversed(self.stack) if d), None)
        classes = " ".join(c for _, _, c in self.stack)
        self.texts.append((data.strip(), d, classes))


def _texts(html: str) -> list[tuple[str, str | None, str]]:
    p = _DirOf()
    p.feed(html)
    return p.texts


LATIN = re.compile(r"[A-Za-z]{3,}")
ARABIC = re.compile(r"[\u0600-\u06FF]")


def test_english_case_data_in_the_arabic_edition_runs_left_to_right(
    snapshot: CaseSnapshot,
) -> None:
    texts = _texts(render_html(snapshot, "public", "ar"))
    latin = [(t, d, c) for t, d, c in texts if LATIN.search(t) and not ARABIC.search(t)]
    assert len(latin) > 50  # the demo story's titles, places, units, sources …
    wrong = [(t, d) for t, d, c in latin if d != "ltr" and "ltr" not in c.split()]
    assert not wrong, wrong
    summary = [t for t, d, _ in texts if t.endswith(".") and LATIN.search(t) and d == "ltr"]
    assert summary, "an English summary paragraph ending in a full stop is marked ltr"


def test_citations_run_left_to_right_in_both_editions(snapshot: CaseSnapshot) -> None:
    for lang in ("ar", "en"):
        cites = [(t, d, c) for t, d, c in _texts(render_html(snapshot, "public", lang))
                 if re.fullmatch(r"\[[^\]]+\]", t)]  # fmt: skip
        assert cites
        assert all(d == "ltr" for _, d, _ in cites), cites[:5]


def test_arabic_data_in_the_english_edition_runs_right_to_left(snapshot: CaseSnapshot) -> None:
    texts = _texts(render_html(snapshot, "internal", "en"))
    arabic = [(t, d) for t, d, _ in texts if ARABIC.search(t) and not LATIN.search(t)]
    # the fictional victims' Arabic names, where the internal report shows them
    assert all(d == "rtl" for _, d in arabic), arabic[:10]
