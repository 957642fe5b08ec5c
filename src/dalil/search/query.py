"""What a user typed, as query parts.

* words: ``killed civilians`` — every word must match (in any order, any field);
* a phrase in double quotes (straight or typographic): ``"mass grave"`` — the words
  next to each other, in that order;
* a prefix: a word ending in ``*``: ``kill*``, ``شهي*``.

Anything else (punctuation, operators of other search engines) is read as word
separators; an empty query has no parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dalil.search.fold import WORD

#: Longest query accepted, in characters (a longer one is cut, not refused).
MAX_QUERY = 500
#: At most this many parts are used.
MAX_PARTS = 12

_PHRASE = re.compile(r"[\"“”«»„](.*?)(?:[\"“”«»„]|$)", re.S)


@dataclass(frozen=True)
class Part:
    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False


def parse(query: str) -> list[Part]:
    q = (query or "")[:MAX_QUERY]
    parts: list[Part] = []
    pos = 0
    for m in _PHRASE.finditer(q):
        parts.extend(_words(q[pos : m.start()]))
        ws = tuple(w.group() for w in WORD.finditer(m.group(1)))
        if len(ws) == 1:
            parts.append(Part(ws))
        elif ws:
            parts.append(Part(ws, phrase=True))
        pos = m.end()
    parts.extend(_words(q[pos:]))
    return parts[:MAX_PARTS]


def _words(chunk: str) -> list[Part]:
    out = []
    for m in WORD.finditer(chunk):
        prefix = chunk[m.end() : m.end() + 1] == "*"
        out.append(Part((m.group(),), prefix=prefix))
    return out
