"""Two printings of one dispatch: wire copies are a shared origin, not a derivation.

Newspapers print an agency's dispatch cut to fit: each printing keeps most paragraphs word
for word, drops some and may keep one the other dropped. Neither copies the other — both
copy the dispatch. :func:`printings_of_one_dispatch` recognises the pattern from the
paragraphs alone:

* the opening content paragraphs (the lede, usually with the dateline) of both texts are
  the same words (at least 80 % of their word 3-grams in the other text);
* at least two content paragraphs of each text are in the other nearly word for word;
* each text has at least one content sentence (six words or more) that the other lacks
  (at most 20 % of its word 3-grams in the other);
* the shared paragraphs come in the same order in both.

Content paragraphs have at least six words and are neither headings (short, no final
punctuation) nor boilerplate (captions, credits, contacts). A news story written from a
release rarely keeps the release's lede word for word and adds paragraphs of its own in
the same run of copied ones; a derivative that keeps all the source's paragraphs and adds
its own is a derivative, not a second printing.
"""

from __future__ import annotations

import re
from itertools import pairwise

Span = tuple[int, int]
SHARED = 0.8
ABSENT = 0.2


_WORD = re.compile(r"[\w\u0600-\u06FF][\w\u0600-\u06FF'’\-]*")
_SENT = re.compile(r"[^.!?؟]+[.!?؟]*")


def _grams_of(text: str) -> set[int]:
    toks = [w.casefold() for w in _WORD.findall(text)]
    return {hash((toks[i], toks[i + 1], toks[i + 2])) for i in range(len(toks) - 2)}


Profile = tuple[list[str], list[set[int]]]
_NOT_CONTENT = re.compile(
    r"(?i)©|^(?:photo|image|picture|caption|credit)s?\s*:|all rights reserved"
)


def profile(text: str) -> Profile:
    """The content paragraphs of *text* (in order) and their word 3-gram sets — what
    :func:`printings_of_one_dispatch` needs, computed once per document (the corpus graph
    checks many pairs)."""
    texts: list[str] = []
    grams: list[set[int]] = []
    for block in re.split(r"\n[ \t]*\n", text):  # blank-line paragraphs: cheap, enough here
        p = block.strip()
        n = len(_WORD.findall(p))
        if n < 6 or _NOT_CONTENT.search(p):
            continue
        if not re.search(r"[.!?؟\"”»]$", p) and n <= 15:
            continue  # a heading
        texts.append(p)
        grams.append(_grams_of(p))
    return texts, grams


def _own_sentence(texts: list[str], other: set[int]) -> bool:
    """Whether a content sentence (six words or more) is absent from the other text."""
    for p in texts:
        for m in _SENT.finditer(p):
            if len(_WORD.findall(m.group())) < 6:
                continue
            g = _grams_of(m.group())
            if g and len(g & other) <= ABSENT * len(g):
                return True
    return False


def printings_of_one_dispatch(
    a_text: str, b_text: str, *, profiles: tuple[Profile, Profile] | None = None
) -> bool:
    """Whether *a_text* and *b_text* are two printings of one dispatch (see module doc)."""
    (ta, ga), (tb, gb) = profiles or (profile(a_text), profile(b_text))
    if len(ga) < 3 or len(gb) < 3:
        return False
    all_a: set[int] = set().union(*ga)
    all_b: set[int] = set().union(*gb)

    def cov(g: set[int], other: set[int]) -> float:
        return len(g & other) / len(g) if g else 0.0

    if cov(ga[0], all_b) < SHARED or cov(gb[0], all_a) < SHARED:
        return False
    shared_a = [i for i, g in enumerate(ga) if cov(g, all_b) >= SHARED]
    if len(shared_a) < 2 or sum(1 for g in gb if cov(g, all_a) >= SHARED) < 2:
        return False
    if not _own_sentence(ta, all_b) or not _own_sentence(tb, all_a):
        return False

    # Same order: each shared paragraph of A maps to the B paragraph it overlaps most.
    def _overlap_with(i: int) -> int:
        return max(range(len(gb)), key=lambda j: len(ga[i] & gb[j]))

    order = [_overlap_with(i) for i in shared_a]
    return all(x < y for x, y in pairwise(order))
