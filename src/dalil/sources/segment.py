"""Paragraphs, sentences and word tokens with character spans ``[start, end)``.

Rule based, for English, French and Arabic-script text.  Sentence ends are ``. ! ? …``
and the Arabic ``؟``, optionally followed by closing quotes or brackets, then space and
an upper-case letter, digit, opening quote or any non-Latin letter.  Common abbreviations
(Mr., Dr., U.N., Jan., No. …) and initials do not end a sentence.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

Span = tuple[int, int]


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int

    @property
    def span(self) -> Span:
        return (self.start, self.end)


@dataclass(frozen=True)
class Token:
    """A word: ``norm`` is its comparison form, ``start``/``end`` its span in the text."""

    norm: str
    start: int
    end: int


ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "maj", "capt", "sgt", "st", "sr",
    "jr", "no", "vs", "etc", "e.g", "i.e", "u.n", "u.s", "u.k", "e.u", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "art", "para", "approx",
    "fig", "vol", "ed", "inc", "ltd", "co", "corp", "dept", "gov", "rep", "sen", "mt",
}  # fmt: skip

_PARA_SPLIT = re.compile(r"\n[ \t]*\n+")
_SENT_END = re.compile(
    r"""([.!?…؟]+)(["'”’»)\]]*)(\s+)(?=["“«‘(\[]?[\w\u0600-\u06FF])""", re.UNICODE
)
_WORD = re.compile(r"[\w\u0600-\u06FF][\w\u0600-\u06FF'’\-]*", re.UNICODE)

_AR_DIACRITICS = re.compile(r"[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]")
_AR_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def paragraphs(text: str) -> list[Span]:
    """Spans of paragraphs: blocks separated by blank lines, trimmed of outer whitespace.

    A text without blank lines but with several lines is split at each line instead.
    """
    blocks: list[Span] = []
    pos = 0
    parts = list(_PARA_SPLIT.finditer(text))
    if not parts and text.count("\n") >= 2:
        parts = list(re.finditer(r"\n+", text))
    for m in [*parts, None]:
        end = m.start() if m is not None else len(text)
        s, e = pos, end
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            blocks.append((s, e))
        if m is not None:
            pos = m.end()
    return blocks


def _is_abbreviation(text: str, dot_pos: int) -> bool:
    j = dot_pos
    while j > 0 and (text[j - 1].isalpha() or text[j - 1] == "."):
        j -= 1
    word = text[j:dot_pos].lower()
    if not word:
        return False
    if word in ABBREVIATIONS:
        return True
    # Initials: "J." or "A.B."
    return bool(re.fullmatch(r"(?:[a-z]\.)*[a-z]", word)) and text[j].isupper()


def sentences(text: str) -> list[Sentence]:
    """Sentence spans within paragraph spans; a sentence never crosses a paragraph."""
    out: list[Sentence] = []
    for pi, (ps, pe) in enumerate(paragraphs(text)):
        start = ps
        chunk = text[ps:pe]
        for m in _SENT_END.finditer(chunk):
            punct_start = ps + m.start(1)
            if m.group(1) == "." and _is_abbreviation(text, punct_start):
                continue
            nxt = ps + m.end()
            if nxt < pe and text[nxt].islower():
                continue
            end = ps + m.end(2)
            if end > start:
                out.append(Sentence(start, end, pi))
            start = nxt
        if pe > start:
            out.append(Sentence(start, pe, pi))
    return out


@lru_cache(maxsize=65536)
def normalise_word(word: str) -> str:
    """Comparison form: case-folded, apostrophes unified, Arabic letters normalised.

    Arabic: diacritics and tatweel removed, alef forms → ا, ى → ي, ة → ه, Arabic-Indic
    digits → ASCII digits.  Latin: accents kept (they can carry meaning), case folded.
    """
    w = unicodedata.normalize("NFC", word).casefold().replace("’", "'")
    w = w.translate(_AR_INDIC)
    if any("\u0600" <= ch <= "\u06ff" for ch in w):
        w = _AR_DIACRITICS.sub("", w)
        w = re.sub("[إأآٱ]", "ا", w).replace("ى", "ي").replace("ة", "ه")
    return w.strip("'-")


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of ``text[start:end]`` with absolute spans."""
    end = len(text) if end is None else end
    out = []
    for m in _WORD.finditer(text, start, end):
        n = normalise_word(m.group())
        if n:
            out.append(Token(n, m.start(), m.end()))
    return out


def word_count(text: str) -> int:
    return sum(1 for _ in _WORD.finditer(text))


_STOP_TEXT = """
a an the and or but of to in on at by for with from as is are was were be been being
it its this that these those he she they we i you his her their our them him who whom
which what when where while than then so not no nor also has have had do does did will
would can could may might shall should into over under about after before during since
there here said says told according just very more most some any all each other such
only own same too s t le la les de des du et un une en est que qui dans pour par sur
في من على إلى الى عن أن ان إن و ثم او أو ما لا لم لن قد هذا هذه ذلك التي الذي الذين كان
كانت
"""
STOPWORDS = frozenset(_STOP_TEXT.split())
