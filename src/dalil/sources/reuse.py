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

from dalil.sources.lexicon import word_key
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
    """Content form for paraphrase matching: None for stop words and short tokens; else
    the near-synonym concept of this module's table, or the lexicon's key (stem or
    concept, English and Arabic — :func:`dalil.sources.lexicon.word_key`)."""
    if norm in STOPWORDS or (len(norm) < 3 and not norm.isdigit()):
        return None
    if norm in SYNONYMS:
        return word_key(SYNONYMS[norm]) or SYNONYMS[norm]
    return word_key(norm)


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
    # Source side: a source sentence still less than half covered whose content words are
    # mostly (≥ 75 %, at least 3, two of them ordinary words) in one derivative sentence
    # was summarised or merged into it ("37 of the victims were women and 29 were
    # children" → "…, including 37 women and 29 children, …").
    b_keys: list[set[str]] = []
    b_inv: dict[str, list[int]] = {}
    for bi, (b0, b1) in enumerate(b_ranges):
        keys = {ck for t in b[b0:b1] if (ck := content_key(t))}
        b_keys.append(keys)
        for key in keys:
            b_inv.setdefault(key, []).append(bi)
    for si, (s0, s1) in enumerate(a_ranges):
        if s1 - s0 < 3 or sum(a_cov[s0:s1]) * 2 >= (s1 - s0):
            continue
        keys = a_keys[si]
        if len(keys) < 3:
            continue
        common = {
            ck
            for t, tok in zip(a[s0:s1], at[s0:s1], strict=True)
            if (ck := content_key(t)) and not a_text[tok.start].isupper()
        }
        counts_b: dict[int, int] = {}
        for key in keys:
            postings = b_inv.get(key, [])
            if len(postings) > df_cap:
                continue
            for bi in postings:
                counts_b[bi] = counts_b.get(bi, 0) + 1
        for bi, _n in sorted(counts_b.items(), key=lambda kv: -kv[1])[:3]:
            shared_keys = keys & b_keys[bi]
            if (
                len(shared_keys) >= 3
                and len(shared_keys) * 4 >= 3 * len(keys)
                and len(shared_keys & common) >= 2
            ):
                b0, b1 = b_ranges[bi]
                passages.append(Passage(s0, s1, b0, b1, "paraphrase", len(shared_keys), []))
                for i in range(s0, s1):
                    a_cov[i] = True
                break
    passages.sort(key=lambda p: p.b0)
    return Alignment(at, bt, passages, a_cov, b_cov, a_match, b_match)


_NUM = re.compile(r"^[0-9]+(?:,[0-9]{3})*$")
