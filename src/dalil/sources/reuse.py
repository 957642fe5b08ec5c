"""Lexical text-reuse alignment between two texts (no models).

1. **Seeds**: word 4-grams (on normalised tokens) shared by both texts.
2. **Blocks**: each seed is extended to the longest exact match (greedy, left to right on
   the derivative; each source position used once); blocks shorter than 4 tokens are
   dropped.
3. **Passages**: consecutive blocks, monotone in both texts, with gaps of at most
   :data:`MAX_GAP` tokens on each side are merged; a passage made of one block is
   ``verbatim``, a merged one ``near_verbatim``.
4. **Paraphrase**: each derivative sentence that is less than half covered is compared
   with the source sentences by content words (stop words removed, light stemming, a small
   synonym table); the best source sentence with Dice ≥ 0.5 and at least 3 shared content
   words gives a ``paraphrase`` passage.

``containment`` = share of derivative tokens inside passages; ``source_coverage`` = share
of source tokens inside passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from dalil.sources.segment import STOPWORDS, Sentence, Token, sentences, tokens

Span = tuple[int, int]
SEED = 4
MIN_BLOCK = 4
MAX_GAP = 6

SYNONYMS = {
    "killed": "kill", "kill": "kill", "killing": "kill", "killings": "kill", "slain": "kill",
    "murdered": "kill", "executed": "kill",
    "civilians": "civilian", "residents": "civilian", "inhabitants": "civilian",
    "people": "person", "persons": "person", "individuals": "person",
    "town": "town", "city": "town", "village": "town",
    "said": "say", "says": "say", "stated": "say", "told": "say", "declared": "say",
    "deliberate": "deliberate", "intentional": "deliberate", "deliberately": "deliberate",
    "intentionally": "deliberate",
    "unlawful": "unlawful", "illegal": "unlawful",
    "buried": "bury", "bury": "bury", "burial": "bury",
    "graves": "grave", "grave": "grave", "corpses": "body", "bodies": "body",
    "body": "body", "corpse": "body",
    "investigated": "investigate", "examined": "investigate", "probed": "investigate",
    "documented": "document", "recorded": "document",
    "reported": "report", "report": "report",
    "homes": "house", "houses": "house", "home": "house",
    "families": "family", "relatives": "family",
    "forced": "force", "compelled": "force",
    "began": "start", "started": "start", "attacked": "attack", "attacks": "attack",
    "announced": "announce", "established": "announce", "created": "announce",

    "militias": "militia", "militiamen": "militia", "gunmen": "militia",
    "fighting": "fight", "clashes": "fight", "combat": "fight",
    "streets": "street", "roads": "street",
    "access": "access", "entry": "access",
    "protect": "protect", "shield": "protect", "safeguard": "protect",
    "witnesses": "witness", "witness": "witness",
    "needs": "need", "requires": "need", "need": "need", "must": "need",
    "victims": "victim", "dead": "victim",
}  # fmt: skip


@lru_cache(maxsize=65536)
def content_key(norm: str) -> str | None:
    """Content form for paraphrase matching: None for stop words and short tokens."""
    if norm in STOPWORDS or (len(norm) < 3 and not norm.isdigit()):
        return None
    if norm in SYNONYMS:
        return SYNONYMS[norm]
    if len(norm) > 4 and norm.endswith("ies"):
        return norm[:-3] + "y"
    if len(norm) > 3 and norm.endswith("s") and not norm.endswith("ss"):
        return norm[:-1]
    return norm


@dataclass
class Block:
    a: int  # start token in source
    b: int  # start token in derivative
    n: int


@dataclass
class Passage:
    a0: int
    a1: int  # token range in source [a0, a1)
    b0: int
    b1: int  # token range in derivative
    kind: str
    matched: int  # tokens of the derivative matched exactly (or by content, for paraphrase)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Alignment:
    a_tokens: list[Token]
    b_tokens: list[Token]
    passages: list[Passage]
    a_covered: list[bool]
    b_covered: list[bool]
    a_match: list[int]  # for each source token, the derivative token it is matched to, or -1
    b_match: list[int]

    @property
    def containment(self) -> float:
        return sum(self.b_covered) / len(self.b_covered) if self.b_covered else 0.0

    @property
    def source_coverage(self) -> float:
        return sum(self.a_covered) / len(self.a_covered) if self.a_covered else 0.0

    def a_span(self, p: Passage) -> Span:
        return (self.a_tokens[p.a0].start, self.a_tokens[p.a1 - 1].end)

    def b_span(self, p: Passage) -> Span:
        return (self.b_tokens[p.b0].start, self.b_tokens[p.b1 - 1].end)


def match_blocks(
    a: list[str], b: list[str], seed: int = SEED, min_block: int = MIN_BLOCK
) -> list[Block]:
    """Greedy longest exact matches of *b* in *a* seeded by shared *seed*-grams."""
    index: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(a) - seed + 1):
        index.setdefault(tuple(a[i : i + seed]), []).append(i)
    used = [False] * len(a)
    blocks: list[Block] = []
    j = 0
    while j <= len(b) - seed:
        cands = index.get(tuple(b[j : j + seed]))
        best_i, best_n = -1, 0
        if cands:
            for i in cands[:50]:
                if used[i]:
                    continue
                n = 0
                while (
                    i + n < len(a) and j + n < len(b) and a[i + n] == b[j + n] and not used[i + n]
                ):
                    n += 1
                if n > best_n:
                    best_i, best_n = i, n
        if best_n >= min_block:
            # Extend backwards over tokens the previous step could not seed.
            while (
                best_i > 0
                and j > 0
                and a[best_i - 1] == b[j - 1]
                and not used[best_i - 1]
                and (not blocks or j - 1 >= blocks[-1].b + blocks[-1].n)
            ):
                best_i -= 1
                j -= 1
                best_n += 1
            for k in range(best_n):
                used[best_i + k] = True
            blocks.append(Block(best_i, j, best_n))
            j += best_n
        else:
            j += 1
    return blocks


def _gap_inside(sent_of: list[int], end_prev: int, start_next: int) -> bool:
    """Whether the tokens between two blocks belong to the sentence of one of them: a
    whole sentence (a bullet, a short line) in the gap is left out, not part of a passage."""
    if start_next <= end_prev or not sent_of:
        return True
    edge = {sent_of[end_prev - 1], sent_of[start_next]}
    return all(sent_of[k] in edge for k in range(end_prev, start_next))


def _merge(
    blocks: list[Block], a_sent: list[int] | None = None, b_sent: list[int] | None = None
) -> list[Passage]:
    passages: list[Passage] = []
    for blk in sorted(blocks, key=lambda x: x.b):
        if passages:
            p = passages[-1]
            last = p.blocks[-1]
            gap_b = blk.b - (last.b + last.n)
            gap_a = blk.a - (last.a + last.n)
            if (
                0 <= gap_b <= MAX_GAP
                and 0 <= gap_a <= MAX_GAP
                and _gap_inside(a_sent or [], last.a + last.n, blk.a)
                and _gap_inside(b_sent or [], last.b + last.n, blk.b)
            ):
                p.blocks.append(blk)
                p.a1 = max(p.a1, blk.a + blk.n)
                p.b1 = blk.b + blk.n
                p.matched += blk.n
                p.kind = "near_verbatim"
                continue
        passages.append(
            Passage(blk.a, blk.a + blk.n, blk.b, blk.b + blk.n, "verbatim", blk.n, [blk])
        )
    return passages


def _sentence_token_ranges(sents: list[Sentence], toks: list[Token]) -> list[tuple[int, int]]:
    out = []
    k = 0
    for s in sents:
        while k < len(toks) and toks[k].start < s.start:
            k += 1
        j = k
        while j < len(toks) and toks[j].end <= s.end:
            j += 1
        out.append((k, j))
        k = j
    return out


def _sentence_of(ranges: list[tuple[int, int]], n: int) -> list[int]:
    out = [-1] * n
    for si, (s0, s1) in enumerate(ranges):
        for k in range(s0, s1):
            out[k] = si
    return out


def align(a_text: str, b_text: str) -> Alignment:
    """Align derivative *b_text* against source *a_text*."""
    at = tokens(a_text)
    bt = tokens(b_text)
    a = [t.norm for t in at]
    b = [t.norm for t in bt]
    blocks = match_blocks(a, b)
    a_sents = sentences(a_text)
    b_sents = sentences(b_text)
    a_ranges = _sentence_token_ranges(a_sents, at)
    b_ranges = _sentence_token_ranges(b_sents, bt)
    passages = _merge(blocks, _sentence_of(a_ranges, len(at)), _sentence_of(b_ranges, len(bt)))
    a_cov = [False] * len(a)
    b_cov = [False] * len(b)
    a_match = [-1] * len(a)
    b_match = [-1] * len(b)
    for p in passages:
        for blk in p.blocks:
            for k in range(blk.n):
                a_match[blk.a + k] = blk.b + k
                b_match[blk.b + k] = blk.a + k
        for k in range(p.a0, p.a1):
            a_cov[k] = True
        for k in range(p.b0, p.b1):
            b_cov[k] = True
    # Paraphrase: sentence level, by content words.
    a_keys: list[set[str]] = []
    inv: dict[str, list[int]] = {}
    for si, (s0, s1) in enumerate(a_ranges):
        keys = {ck for t in a[s0:s1] if (ck := content_key(t))}
        a_keys.append(keys)
        for key in keys:
            inv.setdefault(key, []).append(si)
    df_cap = max(50, len(a_ranges) // 20)
    for b0, b1 in b_ranges:
        if b1 <= b0:
            continue
        covered = sum(b_cov[b0:b1])
        if covered * 2 >= (b1 - b0):
            continue
        keys = {ck for t in b[b0:b1] if (ck := content_key(t))}
        if len(keys) < 3:
            continue
        # Keys of ordinary words (not capitalised names): a shared name alone is no paraphrase.
        common_keys = {
            ck
            for t, tok in zip(b[b0:b1], bt[b0:b1], strict=True)
            if (ck := content_key(t)) and not b_text[tok.start].isupper()
        }
        # Candidates from the rarer words only (a word found in very many sentences says
        # little and would make this quadratic); exact scores for the top candidates.
        counts: dict[int, int] = {}
        for key in keys:
            postings = inv.get(key, [])
            if len(postings) > df_cap:
                continue
            for si in postings:
                counts[si] = counts.get(si, 0) + 1
        best, best_score, best_shared = -1, 0.0, 0
        for si, _n in sorted(counts.items(), key=lambda kv: -kv[1])[:8]:
            shared = len(keys & a_keys[si])
            score = 2 * shared / (len(keys) + len(a_keys[si]))
            if (shared, score) > (best_shared, best_score):
                best, best_score, best_shared = si, score, shared
        # Dice ≥ 0.5, or a sentence that summarises part of a longer source sentence:
        # at least half of its own content words (and at least 4) found there.
        if best < 0 or best_shared < 3:
            continue
        if best_score < 0.5 and not (best_shared >= 4 and best_shared * 2 >= len(keys)):
            continue
        s0, s1 = a_ranges[best]
        shared_keys = keys & a_keys[best]
        if len(shared_keys & common_keys) < 2:
            continue
        matched = sum(1 for t in b[b0:b1] if content_key(t) in shared_keys)
        passages.append(Passage(s0, s1, b0, b1, "paraphrase", matched, []))
        for i in range(s0, s1):
            a_cov[i] = True
        for i in range(b0, b1):
            b_cov[i] = True
        # Token matches by content key inside the paraphrased pair (for number checks).
        for j in range(b0, b1):
            if b_match[j] >= 0:
                continue
            for i in range(s0, s1):
                if a_match[i] < 0 and a[i] == b[j]:
                    a_match[i], b_match[j] = j, i
                    break
    passages.sort(key=lambda p: p.b0)
    return Alignment(at, bt, passages, a_cov, b_cov, a_match, b_match)


_NUM = re.compile(r"^[0-9]+(?:,[0-9]{3})*$")
