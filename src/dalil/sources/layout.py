"""The layout of published releases and articles: boilerplate and pull-quotes.

Real releases carry lines that are not content — photo captions and credits, copyright
lines, "About the organisation" sections, media contacts, "Read the full report", bylines
and end marks — and print their key quotation as a *pull-quote*: a paragraph without
quotation marks, next to a line giving the speaker ("Name, Title" or "— Name, Title").

* :func:`boilerplate_spans` — paragraphs that are never additions or omissions;
* :func:`pull_quotes` — pull-quote paragraphs with the speaker line beside them.

Rules (docs/sources.md, "Layout"):

* a paragraph is boilerplate when it is a caption or credit (starts with Photo:/Image:/
  Picture:/Caption:/Credit:, or has ©, "All rights reserved", a "Photo: Name/Agency"
  credit, "via <agency>" — and at most 60 words), a publishing line (FOR IMMEDIATE RELEASE,
  NEWS RELEASE, ENDS, ###, "Reporting by"/"Editing by"/"Writing by", a byline "By Name"),
  a pointer to the full text ("Read/Download the full … report", "The full report is
  available"), or a contact line (an e-mail address or a telephone number and at most 20
  words); an "About X", "Notes to editors", "Media contact(s)" or "For more information"
  heading makes itself and every later paragraph boilerplate;
* a pull-quote is a paragraph of 6 to 120 words with no quotation marks and sentence-final
  punctuation, directly followed by a short line (at most 14 words, no final full stop) that
  starts with an optional dash and a capitalised name of 2–4 words, then a comma and a
  title ("Mira Estavan, Director, Harbour Rights Monitor"; "— Ruth Alcaz, President of
  …"); bylines ("By …") are not speaker lines.
"""

from __future__ import annotations

import re
from itertools import pairwise

from dalil.sources.segment import word_count

Span = tuple[int, int]

_CREDIT = re.compile(
    r"(?i)^(?:photo|image|picture|caption|credit|photograph|video)s?\s*:"
    r"|©|\(c\)\s*(?:19|20)\d\d|all rights reserved|copyright\s+(?:19|20)\d\d"
    r"|\b(?:photo|photograph|image)\s*:\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+)*\s*/"
    r"|\bvia\s+(?:getty|ap|afp|reuters)\b|click to expand image"
)
_PUBLISHING = re.compile(
    r"(?i)^(?:for\s+immediate\s+release|news\s+release|press\s+release|media\s+release|"
    r"-?\s*ends\s*-?|#{3,}|//\s*انتهى\s*//|انتهى|\(?(?:reporting|editing|writing|additional\s+"
    r"reporting)\s+by\b.*|by\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,3}(?:,.*)?)$"
)
_POINTER = re.compile(
    r"(?i)^(?:read|download|see|view)\s+(?:the\s+)?(?:full|complete|entire)\b"
    r"|^the\s+full\s+(?:\d+-page\s+)?(?:report|statement|text)\s+(?:is\s+)?available"
    r"|^(?:follow|subscribe|share)\b.{0,40}$"
)
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d ()\-]{7,}\d")
_TAIL_HEADING = re.compile(
    r"(?i)^(?:about\s+(?:the\s+)?\S.{0,60}|notes?\s+(?:to|for)\s+editors?|media\s+contacts?|"
    r"press\s+contacts?|contacts?|for\s+(?:more|further)\s+information.{0,60}|عن\s+\S.{0,40})"
    r"\s*:?\s*$"
)
_SPEAKER_LINE = re.compile(
    r"^[-–—―]*\s*(?P<name>(?:[A-Z][\w'’.-]+\s+){1,3}[A-Z][\w'’-]+)\s*,\s*(?P<title>\S.*?)\s*$"
)


_DATELINE = re.compile(
    r"\(?(?:[A-Z][\w'’.-]*|[\u0621-\u064A]+)(?:[ \t]+(?:[A-Z][\w'’.-]*|[\u0621-\u064A]+)){0,3}"
    r"(?:,[ \t]*[^()\n–—\-.]{1,30})?\)?(?:[ \t]*\([^()\n]{1,50}\))?[ \t]*[–—-][ \t]*"
)


def dateline_spans(text: str, paras: list[Span]) -> list[Span]:
    """Datelines opening a paragraph: "(Port Selin, 30 April 2025) –", "GENEVA (Fictional
    Wire) —", "BELUN, 14 June 2025 —", "الريحان (وكالة الأنباء) -".  They say where and
    when a text was filed; they are never part of what anyone said."""
    out: list[Span] = []
    for s, e in paras:
        m = _DATELINE.match(text, s, e)
        if m and m.end() - s <= 90 and word_count(text[m.end() : e]) >= 5:
            head = text[s : m.end()]
            if re.search(r"\d|\(|[A-Z]{3,}|^[\u0621-\u064A]", head):
                out.append((s, m.end()))
    return out


def boilerplate_spans(text: str, paras: list[Span]) -> list[Span]:
    """Paragraph spans of *text* that are boilerplate, not content."""
    out: list[Span] = []
    tail = False
    for s, e in paras:
        p = text[s:e].strip()
        n = word_count(p)
        if tail:
            out.append((s, e))
            continue
        if n <= 10 and _TAIL_HEADING.match(p) and not p.endswith((".", "!", "?")):
            tail = True
            out.append((s, e))
            continue
        if (
            (_CREDIT.search(p) and n <= 60)
            or (_PUBLISHING.match(p) and n <= 20)
            or _POINTER.search(p)
            or (_CONTACT.search(p) and n <= 20 and not re.search(r"[.!?؟]\s+\S", p))
        ):
            out.append((s, e))
    return out


def _is_speaker_line(line: str) -> re.Match[str] | None:
    if len(line) > 160 or line.rstrip().endswith(".") or re.match(r"(?i)^by\s", line):
        return None
    m = _SPEAKER_LINE.match(line.strip())
    return m if m is not None and word_count(line) <= 14 else None


def pull_quotes(text: str, paras: list[Span]) -> list[tuple[Span, str, Span]]:
    """``(quote span, speaker name, speaker line span)`` for each pull-quote of *text*."""
    out: list[tuple[Span, str, Span]] = []
    for (s, e), (ls, le) in pairwise(paras):
        body = text[s:e]
        m = _is_speaker_line(text[ls:le])
        if m is None:
            continue
        if re.search(r"[\"“”«»„]", body) or not body.rstrip().endswith((".", "!", "?", "؟")):
            continue
        if not 6 <= word_count(body) <= 120:
            continue
        out.append(((s, e), m.group("name"), (ls, le)))
    return out
