"""Arabic text out of PDF text layers in logical order.

A PDF stores glyphs to draw, not text to read. Arabic comes out of its text layer in
three damaged ways, and :func:`repair` undoes each, line by line:

1. **Presentation forms.** Many generators (Chromium, older office suites, typesetters
   without a ToUnicode map for shaped glyphs) emit the contextual glyph code points
   (U+FB50–U+FDFF, U+FE70–U+FEFF: ``ﻗﺎﻟﺖ``) instead of letters (``قالت``), and ligatures
   (``ﻻ`` for ``لا``). They are replaced by their compatibility decomposition (NFKC,
   applied to those code points only), which splits ligatures.
2. **Visual order.** Some PDFs hold each line in the order it is drawn, left to right,
   so an Arabic line reads backwards. Such a line is recognised by its shapes (words
   that begin with a final form and end with an initial one) or, without shapes, by its
   article (many words ending in ``لا`` and none beginning with ``ال``). It is reversed
   and the left-to-right runs inside it (Latin words, European digits) are turned back;
   numbers in Arabic-Indic digits come out right because the reader already reversed
   them. Punctuation may still land at the wrong end of a line.
3. **Runs in drawing order.** The text-layer reader puts the runs of one line in the
   order they are drawn (left to right) while the letters inside an Arabic run are in
   reading order, and it reads digit runs written in Arabic-Indic digits backwards
   (``٥٢٠٢`` for ``٢٠٢٥``). In a line where Arabic dominates, the runs are put back in
   right-to-left order and Arabic-Indic digit runs turned round.

Lines without Arabic are returned unchanged. The measurements on PDFs from several
generators are in docs/sources.md.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]+")
_LATIN_LIGATURES = re.compile("[\ufb00-\ufb06]")
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u0671-\u06d3]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_AN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]{2,}")
# Runs: Arabic script (letters, marks, Arabic-Indic digits, Arabic punctuation) or
# left-to-right (Latin letters, European digits and what joins them inside a run).
_RUN = re.compile(
    r"([\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+(?:[ \u00a0]+[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]+)*)"
)
_MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")

_FINAL = "<final>"
_INITIAL = "<initial>"


def _form(ch: str) -> str:
    d = unicodedata.decomposition(ch)
    return d.split(" ", 1)[0] if d.startswith("<") else ""


def _shape_votes(line: str) -> tuple[int, int]:
    """(logical, visual) votes from the contextual forms of word edges."""
    logical = visual = 0
    for word in _PRESENTATION.findall(line):
        if len(word) < 2:
            continue
        first, last = _form(word[0]), _form(word[-1])
        if first == _INITIAL or last == _FINAL:
            logical += 1
        if first == _FINAL or last == _INITIAL:
            visual += 1
    return logical, visual


def _article_votes(line: str) -> tuple[int, int]:
    """(logical, visual) votes from the article: ``ال…`` reads forwards, ``…لا`` back."""
    logical = visual = 0
    for word in re.findall("[\u0621-\u064a]{4,}", line):
        if word.startswith("ال"):
            logical += 1
        if word.endswith("لا"):
            visual += 1
    return logical, visual


def is_visual_order(line: str) -> bool:
    """True if the Arabic of *line* (as extracted, before normalisation) reads backwards."""
    lo, vi = _shape_votes(line)
    if lo + vi >= 2:
        return vi > lo * 2
    folded = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), line)
    lo, vi = _article_votes(folded)
    return vi >= 2 and vi > lo * 3


def _normalise_forms(line: str) -> str:
    return _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), line)


def _split_runs(line: str) -> list[str]:
    """Alternating runs: Arabic-script runs and everything between them."""
    parts = _RUN.split(line)
    return [p for p in parts if p]


def _is_arabic_run(run: str) -> bool:
    return bool(_ARABIC_LETTER.search(run) or _AN_DIGITS.search(run))


def _reverse_visual(line: str) -> str:
    """A visual-order line in reading order: reverse everything, then turn the
    left-to-right runs (Latin, numbers) back, and swap mirrored brackets."""
    rev = line[::-1].translate(_MIRROR)
    out = []
    for run in _split_runs(rev):
        out.append(run if _is_arabic_run(run) else _fix_ltr(run))
    line = "".join(out)
    # The reader moves punctuation drawn at the left end (the end of the sentence) to the
    # end of its string, so after reversal it leads the line: put it back at the end.
    m = re.match(r"^([.:!؟،؛,;]+)(?=[\u0621-\u064a])", line)
    if m:
        line = line[m.end() :] + m.group(1)
    return line


def _fix_ltr(run: str) -> str:
    """A non-Arabic run reversed by :func:`_reverse_visual`: its letters and digits read
    left to right again; leading/trailing spaces and punctuation stay where they are."""
    m = re.match(r"^(\W*)(.*?)(\W*)$", run, re.S)
    if not m or not m.group(2):
        return run
    core = m.group(2)[::-1].translate(_MIRROR)
    return m.group(1) + core + m.group(3)


def _join(chunks: list[str]) -> str:
    """Chunks in reading order, a space added where two words would otherwise touch."""
    out = ""
    for c in chunks:
        if out and c and out[-1].isalnum() and c[0].isalnum():
            out += " "
        out += c
    return out


def _reorder_chunks(chunks: list[str], *, glyph_order: bool) -> str:
    """One line given as the reader's chunks in drawing order (left to right), the
    letters inside each Arabic chunk already in reading order. Where Arabic dominates
    the line, the chunks are put in right-to-left order and Arabic-Indic digit runs are
    turned round. With *glyph_order* (the line came as shaped glyphs, so the reader
    reversed drawn glyphs) brackets are mirrored back as well."""
    line = "".join(chunks)
    arabic = len(_ARABIC_LETTER.findall(line))
    latin = len(_LATIN_LETTER.findall(line))
    fixed = []
    for c in chunks:
        c = _AN_DIGITS.sub(lambda m: m.group()[::-1], c)
        fixed.append(c.translate(_MIRROR) if glyph_order else c)
    if arabic <= latin:
        return "".join(fixed)
    if glyph_order:  # neutral chunks drawn at the left end: reversed with the line
        fixed = [c if any(ch.isalnum() for ch in c) else c[::-1] for c in fixed]
    return " ".join(_join(list(reversed(fixed))).split())


def _drawn_right_to_left(xs: list[float]) -> bool:
    """Whether chunk positions mostly decrease (chunks already in right-to-left order)."""
    steps = [b - a for a, b in itertools.pairwise(xs) if abs(b - a) > 0.5]
    return bool(steps) and sum(d < 0 for d in steps) > len(steps) / 2


def repair_chunks(chunks: list[tuple[str, float, float]]) -> str:
    """Page text from the text-layer reader's chunks ``(text, x, baseline y)`` in the
    order it produced them: lines (a newline in a chunk, or a new baseline) repaired
    one by one (see the module docstring)."""
    lines: list[list[tuple[str, float]]] = [[]]
    last_y: float | None = None
    marks = ""  # a chunk of diacritics only (drawn apart): goes with the next chunk
    for text, x, y in chunks:
        if text and all(unicodedata.combining(c) for c in text):
            marks += text
            continue
        if marks and text.strip():
            text, marks = text.rstrip() + marks + text[len(text.rstrip()) :], ""
        if last_y is not None and abs(y - last_y) > 3.0 and lines[-1]:
            lines.append([])
        last_y = y
        pieces = text.split("\n")
        for i, piece in enumerate(pieces):
            if i:
                lines.append([])
            if piece:
                lines[-1].append((piece, x))
    out = []
    for line in lines:
        raw = "".join(c for c, _x in line)
        if not raw.strip():
            continue
        if not (_ARABIC_LETTER.search(raw) or _PRESENTATION.search(raw)):
            out.append(raw)
        elif is_visual_order(raw):
            out.append(_reverse_visual(_normalise_forms(raw)))
        elif _drawn_right_to_left([x for c, x in line if c.strip()]):
            joined = _join([_normalise_forms(c) for c, _x in line])
            out.append(_AN_DIGITS.sub(lambda m: m.group()[::-1], joined))
        else:
            out.append(
                _reorder_chunks(
                    [_normalise_forms(c) for c, _x in line],
                    glyph_order=bool(_PRESENTATION.search(raw)),
                )
            )
    return "\n".join(out)


def has_arabic_glyphs(text: str) -> bool:
    """Whether *text* holds Arabic letters or Arabic presentation forms."""
    return bool(_ARABIC_LETTER.search(text) or _PRESENTATION.search(text))


def split_ligatures(text: str) -> str:
    """Latin typographic ligatures (ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ) as their letters."""
    return _LATIN_LIGATURES.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def repair(text: str) -> str:
    """*text* (plain text from a PDF text layer, chunks no longer known) with
    visual-order Arabic lines reversed and presentation forms replaced by letters.
    :func:`repair_chunks` also fixes the run order and needs the reader's chunks."""
    if not _ARABIC_LETTER.search(text) and not _PRESENTATION.search(text):
        return text
    out = []
    for line in text.split("\n"):
        if not (_ARABIC_LETTER.search(line) or _PRESENTATION.search(line)):
            out.append(line)
            continue
        if is_visual_order(line):
            out.append(_reverse_visual(_normalise_forms(line)))
        else:
            out.append(_normalise_forms(line))
    return "\n".join(out)
