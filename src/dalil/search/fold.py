"""Index terms out of text, for Arabic and English (and other Latin-script) text.

One function decides what a word becomes in the index, for documents and queries alike:

* **Arabic**: diacritics (harakat, tanwin, shadda, sukun, superscript alef) and tatweel
  removed; alef forms (أ إ آ ٱ) → ا; alef maqsura ى → ي; hamza carriers ؤ → و, ئ → ي; a
  bare hamza ء dropped; ta marbuta ة → ه; Arabic-Indic digits → ASCII. This is
  :func:`dalil.linkage.names.normalize_arabic` (the linkage's normal form) plus the bare
  hamza. Then the *prefixes*: the article and its combinations (ال وال بال كال فال لل)
  are removed when two letters or more remain; a single conjunction or preposition
  (و ف ب ل ك) is removed only into an *alternate* term, kept at the same position,
  so ``وبيروت`` is found by ``بيروت`` while ``بيروت`` itself is never cut to ``يروت``
  as its primary term.
* **Latin script**: accents removed, case folded, then the Snowball English stemmer
  (``killed``, ``killing`` → ``kill``).
* Digits stay as they are (``1,060`` gives the terms ``1`` and ``060``; ``2025``).

:func:`analyse` caches per distinct word, so a large corpus costs one dictionary
lookup per word after the first occurrence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from dalil.linkage.names import name_key, normalize_arabic

#: A word: letters, digits and the marks inside Arabic words (diacritics, tatweel).
WORD = re.compile(r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]+", re.UNICODE)
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_ARTICLE_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SINGLE_PREFIXES = ("و", "ف", "ب", "ل", "ك")


def is_arabic(word: str) -> bool:
    return bool(_ARABIC.search(word))


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def fold(word: str) -> str:
    """The folded surface form of one word (no prefix removal, no stemming)."""
    if is_arabic(word):
        return normalize_arabic(word).replace("ء", "").replace(" ", "")
    w = unicodedata.normalize("NFKD", word.casefold())
    w = "".join(c for c in w if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", w)


def _strip_article(w: str) -> str:
    for p in _ARTICLE_PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 2:
            return w[len(p) :]
    return w


@lru_cache(maxsize=500_000)
def analyse(word: str) -> tuple[str, str | None]:
    """``(primary term, alternate term or None)`` of one word as written."""
    f = fold(word)
    if not f:
        return "", None
    if is_arabic(f):
        primary = _strip_article(f)
        alt = None
        if len(primary) >= 4 and primary.startswith(_SINGLE_PREFIXES):
            alt = _strip_article(primary[1:])
        return primary, alt
    if f.isdigit() or not f.isascii():
        return f, None
    stem = str(_stemmer().stemWord(f))  # type: ignore[attr-defined]
    return stem, None


def words(text: str) -> Iterator[tuple[str, int, int]]:
    """``(word, start, end)`` for every word of *text* (offsets into *text*)."""
    for m in WORD.finditer(text):
        yield m.group(), m.start(), m.end()


def terms(text: str) -> list[tuple[str, str | None]]:
    """The analysed terms of *text*, one per word, in order."""
    out = []
    for m in WORD.finditer(text):
        t = analyse(m.group())
        if t[0]:
            out.append(t)
    return out


@lru_cache(maxsize=200_000)
def word_name_key(word: str) -> str:
    """The linkage name key (consonant skeleton, both scripts) of one word as written,
    or ``""`` when it is too short to tell names apart (under three symbols).

    ``محمد``, ``Mohammad``, ``Muhammad`` and ``Mhd`` share one key; it is how a query in one
    script finds a name written in the other."""
    k = name_key(word)
    return k if len(k) >= 3 and " " not in k else ""
