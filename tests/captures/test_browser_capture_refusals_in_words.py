"""The browser capture's refusals (``dalil capture URL OUT``; issue #11 item 10) in the
reader's language: each one's English words unchanged, and in Arabic words with no Latin
word left but the user's own (the URL, the path) and what the user types (the option, the
environment variable, the file ending). Refused before any browser starts. Fictional data."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dalil.display.messages import error_in_words
from dalil.errors import InputError
from dalil.sources.browsercapture import capture, har_to_warc

_TYPED = {"http", "https", "wacz", "chromium", "DALIL", "CHROMIUM"}


def _refusals(tmp: Path) -> list[tuple[str, object]]:
    taken = tmp / "taken.wacz"
    taken.write_bytes(b"")
    missing = str(tmp / "no-such-browser")
    url = "https://example.org/fictional"
    return [
        ("not an http:// or https:// URL: 'ftp://example.org/x'",
         lambda: capture("ftp://example.org/x", tmp / "a.wacz")),
        (f"{taken} already exists; choose a new path", lambda: capture(url, taken)),
        ("the capture is written as a WACZ file: give a name ending .wacz",
         lambda: capture(url, tmp / "page.zip")),
        (f"Chromium not found at {missing} (set --chromium or $DALIL_CHROMIUM)",
         lambda: capture(url, tmp / "b.wacz", chromium=missing)),
        ("the page loaded no HTTP response to keep",
         lambda: har_to_warc({"log": {"entries": []}}, [], "2025-03-08T10:00:00Z")),
    ]  # fmt: skip


@pytest.mark.parametrize("i", range(5))
def test_a_capture_refused_is_refused_in_arabic_words(tmp_path: Path, i: int) -> None:
    english, call = _refusals(tmp_path)[i]
    with pytest.raises(InputError) as caught:
        call()  # type: ignore[operator]
    assert str(caught.value) == english, str(caught.value)
    words = error_in_words(caught.value, "ar").replace(str(tmp_path), "")
    assert any("\u0600" <= ch <= "\u06ff" for ch in words), words
    left = (
        set(re.findall(r"[A-Za-z]{3,}", words))
        - _TYPED
        - {"example", "org", "ftp", "taken", "such", "browser"}
    )
    assert not left, words
