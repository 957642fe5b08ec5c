"""What a rewrite changed inside the sentences it re-uses: clause alignment and change flags.

Most of a distorting rewrite is copied: "clashes between armed factions" becomes "army
units attacked", "possible war crimes" becomes "war crimes", "pro-government gunmen"
becomes "gunmen", "killed" becomes "executed" — in sentences whose other words are the
source's.  So each derivative sentence is aligned with the **clauses** of the source
sentence(s) it re-uses (the clauses holding at least one of its aligned words, or, for a
paraphrase, sharing its word keys — stems and near-synonyms, see :mod:`lexicon`), and the
aligned text is compared by the rules:

=========================  ==============================================================
flag                       when
=========================  ==============================================================
``changed_actor``          the derivative names a different armed or state actor than the
                           aligned source clauses (army ≠ armed factions; security forces
                           ≠ secret police), ties a neutral actor to the government, or
                           names an agent where the source names none for the act
``removed_actor``          the aligned source clauses name an actor, the derivative none
``removed_actor_qualifier``  the source's qualifier of the actor ("pro-government",
                           "loyal to the Sarn Council", "تابعة للحكومة") is left out while
                           the actor stays
``intensified_act``        the act is raised inside its family (died < killed < executed,
                           massacred, murdered; detained < kidnapped, abducted)
``removed_hedge``          a hedge of the aligned source clauses is left out (may,
                           allegedly, what appears to be, if confirmed, يُرجَّح …)
``removed_qualifier``      a figure keeps its number but loses its qualifier
                           ("at least 40" → "40")
``changed_number``         a figure of the aligned clauses is replaced by another
``removed_negation``       the aligned source clauses hold more negations than the
                           derivative
=========================  ==============================================================

Pure functions over plain data: no case, no store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dalil.sources.lexicon import (
    TOP_LEVEL,
    act_levels,
    actor_qualifiers,
    actors,
    hedges,
    word_key,
)
from dalil.sources.quantities import Quantity, extract_quantities
from dalil.sources.segment import tokens

Span = tuple[int, int]

NEGATION_WORDS = {
    "not", "no", "never", "without", "neither", "nor", "none", "nobody", "cannot", "nothing",
    "لا", "لم", "لن", "ليس", "ليست", "دون", "بدون",
}  # fmt: skip
_CLAUSE_SPLIT = re.compile(
    r"(?<!\d),|,(?!\d)|[;:()—–]|،|؛|\s(?=(?:where|which|who|whose|while|whereas|although|during|after|when)\s)"
    r"|\s(?=(?:التي|الذي|الذين|حيث|بينما|خلال|بعد)\s)"
)


#: Words for armed men that say nothing of whose side they are on.
GENERIC_ACTORS = {"gunmen", "armed_group"}


@dataclass
class Aligned:
    """A derivative stretch and the source clauses that support it."""

    der_span: Span
    src_clauses: list[Span]


def clauses(text: str, start: int, end: int) -> list[Span]:
    """Clause spans of ``text[start:end]`` (split at punctuation and clause words)."""
    out: list[Span] = []
    pos = start
    for m in _CLAUSE_SPLIT.finditer(text, start, end):
        if m.start() > pos and text[pos : m.start()].strip():
            out.append((pos, m.start()))
        pos = m.end()
    if end > pos and text[pos:end].strip():
        out.append((pos, end))
    return out


def _keys(text: str) -> set[str]:
    return {k for t in tokens(text) if (k := word_key(t.norm))}


def aligned_clauses(
    src_text: str,
    src_sentence: Span,
    matched_positions: list[int],
    der_text: str,
) -> list[Span]:
    """Clauses of the source sentence that the derivative stretch re-uses: those holding a
    matched source word, else those sharing at least two word keys with it."""
    cls = clauses(src_text, *src_sentence)
    dk = _keys(der_text)
    hit = [
        c
        for c in cls
        if any(c[0] <= p < c[1] for p in matched_positions)
        or len(_keys(src_text[c[0] : c[1]]) & dk) >= 3
    ]
    if not hit:
        hit = [c for c in cls if len(_keys(src_text[c[0] : c[1]]) & dk) >= 2]
    if not hit:
        return []
    out = []
    for k, c in enumerate(cls):
        ctext = src_text[c[0] : c[1]]
        if c in hit:
            out.append(c)
        elif hedges(ctext) and len(ctext.split()) <= 8:
            out.append(c)  # "According to preliminary reports,": a hedge on the sentence
        elif k > 0 and cls[k - 1] in hit and act_levels(src_text[cls[k - 1][0] : cls[k - 1][1]]):
            out.append(c)  # the clause after an act says who did it ("during clashes …")
    return out


def _content(text: str) -> set[str]:
    return _keys(text)


def compare_texts(
    src: str,
    der: str,
    *,
    src_whole: str | None = None,
    src_negation: str | None = None,
    src_quantities: list[Quantity] | None = None,
    der_quantities: list[Quantity] | None = None,
) -> list[str]:
    """Change flags between source text *src* (the aligned clauses) and derivative *der*.

    *src_whole* is the whole source sentence(s), used where a word of the aligned clauses
    alone would not say enough (the act's level when the clause names no act);
    *src_negation* the stretch of the source actually re-used (negations outside it went
    with a clause left out, an omission rather than a flipped claim)."""
    flags: list[str] = []
    whole = src_whole or src
    a_s, a_d = actors(src), actors(der)
    base_s = {a for a in a_s if not a.startswith("tie:")}
    base_d = {a for a in a_d if not a.startswith("tie:")}
    ties_s = {a for a in actors(whole) if a.startswith("tie:")}
    ties_d = {a for a in a_d if a.startswith("tie:")}
    lv_s, lv_d = act_levels(src), act_levels(der)
    lv_whole = act_levels(whole)
    changed_actor = False
    specific_d = base_d - GENERIC_ACTORS
    if specific_d and base_s and not (base_d & base_s):
        # A generic word ("gunmen", "fighters") for a specific actor is no change of
        # actor; a different specific actor is ("armed factions" → "army units").
        changed_actor = True
    elif (
        specific_d - base_s
        and not base_s
        and (lv_s or lv_whole)
        and not (base_d & {a for a in actors(whole) if not a.startswith("tie:")})
    ):
        changed_actor = True  # an agent where the source names none
    if "tie:government" in ties_d and "tie:government" not in ties_s:
        changed_actor = True
    if changed_actor:
        flags.append("changed_actor")
    elif base_s and not base_d:
        flags.append("removed_actor")
    if base_d and not changed_actor:
        dk = _content(der)
        quals = [_content(q) for q in actor_qualifiers(src)]
        if any(qk and not (qk & dk) for qk in quals) or (
            "tie:government" in a_s and "tie:government" not in ties_d
        ):
            flags.append("removed_actor_qualifier")
    for family, level in lv_d.items():
        base = lv_s.get(family) or lv_whole.get(family)
        if base and level > base and level == TOP_LEVEL[family]:
            flags.append("intensified_act")
            break
    h_s, h_d = hedges(src), hedges(der)
    if h_s and len(h_d) < len(h_s) and set(h_s) - set(h_d):
        flags.append("removed_hedge")
    q_s = extract_quantities(src) if src_quantities is None else src_quantities
    q_d = extract_quantities(der) if der_quantities is None else der_quantities
    for qs in q_s:
        if qs.value is None or qs.qualifier in ("exact", "vague", "range"):
            continue
        same = [qd for qd in q_d if qd.value == qs.value]
        if same and all(qd.qualifier != qs.qualifier for qd in same):
            flags.append("removed_qualifier")
            break
    # A figure of the same thing with another value ("23 children" for "32 children").
    for qd in q_d:
        if (
            qd.counted
            and qd.value is not None
            and any(
                qs.counted == qd.counted and qs.value is not None and qs.value != qd.value
                for qs in q_s
            )
            and not any(qs.counted == qd.counted and qs.value == qd.value for qs in q_s)
        ):
            flags.append("changed_number")
            break
    neg_s = sum(
        1 for t in tokens(src_negation or src) if t.norm in NEGATION_WORDS or t.norm.endswith("n't")
    )
    neg_d = sum(1 for t in tokens(der) if t.norm in NEGATION_WORDS or t.norm.endswith("n't"))
    if neg_s > neg_d:
        flags.append("removed_negation")
    return flags
