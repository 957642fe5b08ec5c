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


_BULLET = re.compile(r"[ \t]*(?:[-•*·▪◦–—]|\(?\d{1,2}[.)]|\(?[a-z][.)])[ \t]+")
_LINE_END_BREAK = re.compile(r"[:;]\s*$")


def _line_breaks(text: str, s: int, e: int) -> list[int]:
    """Positions (of ``\n``) inside the block ``text[s:e]`` that end a layout line.

    A block keeps its wrapped lines together, except: before a bullet or numbered item,
    after a sentence, before a last line of at most 14 words without final punctuation
    (a speaker line),
    after a line ending in ``:`` or ``;`` (a list lead-in or item), and after a short line
    without final punctuation (a heading, a "Name, Title" line, a caption credit)."""
    out: list[int] = []
    pos = s
    longest = max((len(x.strip()) for x in text[s:e].split("\n")), default=0)
    while True:
        nl = text.find("\n", pos, e)
        if nl < 0:
            return out
        line = text[pos:nl].strip()
        nxt = text[nl + 1 : e]
        last = "\n" not in nxt.strip()
        if line and (
            _BULLET.match(nxt)
            or (
                last
                and re.search(r"[.!?…؟\"”»]$", line)
                and not re.search(r"[.!?…؟]$", nxt.strip())
                and word_count(nxt) <= 14
            )
            or _LINE_END_BREAK.search(line)
            or (
                not re.search(r"[.!?…؟,،\"”»]$", line)
                and word_count(line) <= 12
                and len(line) < 0.6 * longest
            )
        ):
            out.append(nl)
        pos = nl + 1


def paragraphs(text: str) -> list[Span]:
    """Spans of paragraphs: blocks separated by blank lines, trimmed of outer whitespace.

    Inside a block, bullets, list items, headings and "Name, Title" lines are paragraphs of
    their own (see :func:`_line_breaks`).  A text without blank lines but with several
    lines is split at each line instead.
    """
    return list(_paragraphs(text))


@lru_cache(maxsize=64)
def _paragraphs(text: str) -> tuple[Span, ...]:
    blocks: list[Span] = []
    pos = 0
    parts = list(_PARA_SPLIT.finditer(text))
    if not parts and text.count("\n") >= 2:
        parts = list(re.finditer(r"\n+", text))
    for m in [*parts, None]:
        end = m.start() if m is not None else len(text)
        cuts = [*_line_breaks(text, pos, end), end]
        s = pos
        for c in cuts:
            bs, be = s, c
            while bs < be and text[bs].isspace():
                bs += 1
            while be > bs and text[be - 1].isspace():
                be -= 1
            if be > bs:
                blocks.append((bs, be))
            s = c + 1
        if m is not None:
            pos = m.end()
    return tuple(blocks)


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
