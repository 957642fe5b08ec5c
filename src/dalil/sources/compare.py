"""Compare two documents: reuse, direction, quote fidelity, additions, omissions, figures.

The output of :func:`compare` is the stable "Source comparison result" of docs/sources.md,
validated by docs/schemas/source_compare.schema.json.  All verdicts come from lexical
alignment and written rules; numbers and negation are compared as tokens and intervals,
never by similarity.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from dalil.errors import InputError
from dalil.sources.changes import aligned_clauses, compare_texts
from dalil.sources.dates import DateMention, extract_dates, guess_document_date, parse_iso_date
from dalil.sources.entities import ORG_WORDS, Entity, extract_entities, has_actor_term
from dalil.sources.layout import boilerplate_spans, dateline_spans, pull_quotes
from dalil.sources.lexicon import hedges, word_key
from dalil.sources.quantities import Quantity, extract_quantities
from dalil.sources.quotes import SPEECH_VERBS, Quote, extract_quotes
from dalil.sources.reuse import Alignment, align
from dalil.sources.segment import (
    STOPWORDS,
    Sentence,
    Token,
    paragraphs,
    sentences,
    tokens,
    word_count,
)
from dalil.sources.text import extract_text
from dalil.sources.wire import printings_of_one_dispatch

Span = tuple[int, int]

NEGATIONS = {
    "not", "no", "never", "n't", "without", "neither", "nor", "none", "nobody", "cannot",
    "nothing", "nowhere", "denied", "deny", "denies", "ne", "pas", "jamais", "aucun",
    "لا", "لم", "لن", "ليس", "ليست", "غير", "دون", "بدون",
}  # fmt: skip
HEDGES = {
    "allegedly", "reportedly", "possibly", "apparently", "probably", "likely", "may", "might",
    "suspected", "presumably", "unconfirmed", "perhaps", "purportedly", "ربما", "يُزعم", "يزعم",
}  # fmt: skip
# Qualifiers of figures ("at least", "more than", "about" …) are found through the
# quantities whose qualifier words were left out, not by word lists.
NUMBER_WORDS = {
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "hundreds", "thousand", "thousands", "dozen", "dozens", "million", "scores",
    "مئه", "مائه", "مئات", "الف", "الاف", "عشرات", "ثلاثه", "اربعه", "خمسه", "عشره",
}  # fmt: skip
CALL_VERBS = (
    r"called\s+(?:on|for|upon)|urged|demanded|asked|appealed|recommended|accused|said|stated|"
    r"according\s+to|warned|insisted|added|wants|wanted|pressed|criticised|criticized|"
    r"described|concluded|found|documented|دعت|دعا|طالبت|طالب|قالت|قال|أكدت|بحسب|وفق"
)
ORG_REF_WORDS = r"(?:the\s+)?(?:group|organi[sz]ation|ngo|rights\s+group|watchdog|monitor)"
#: Verbs whose object is the substance of a demand: what follows them must itself be
#: supported, however much of the rest of the sentence is copied.
DEMAND_RE = re.compile(
    r"(?i)\b(?:called\s+(?:on|for|upon)|urged|demanded|appealed\s+(?:to|for)|recommended)\b"
    r"|دعت|دعا|طالبت|طالب"
)


def _is_number(norm: str) -> bool:
    return bool(re.fullmatch(r"[0-9][0-9,]*", norm)) or norm in NUMBER_WORDS


@dataclass
class Document:
    """A document analysed once: text plus everything extracted from it."""

    id: str
    text: str
    title: str | None = None
    date: date | None = None
    sentences: list[Sentence] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    author: str | None = None
    #: Paragraphs that are captions, credits, contacts and other boilerplate.
    boilerplate: list[Span] = field(default_factory=list)
    #: Datelines opening paragraphs ("GENEVA (Fictional Wire) —").
    datelines: list[Span] = field(default_factory=list)

    @property
    def words(self) -> int:
        return word_count(self.text)

    def meta(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "words": self.words,
        }


#: Longest document analysed (words): a guard on memory and time; a 600-page book fits.
MAX_WORDS = 300_000


def analyse(
    text: str,
    *,
    id: str = "",
    title: str | None = None,
    doc_date: date | None = None,
    author: str | None = None,
) -> Document:
    """Extract sentences, quotations, quantities, dates and entities from *text*."""
    n_words = word_count(text)
    if n_words > MAX_WORDS:
        raise InputError(
            f"{id or 'document'}: too long to analyse ({n_words} words; the limit is {MAX_WORDS})"
        )
    if doc_date is None:
        guessed = guess_document_date(text)
        doc_date = date.fromisoformat(guessed) if guessed else None
    ents = extract_entities(text)
    doc = Document(
        id=id,
        text=text,
        title=title,
        date=doc_date,
        sentences=sentences(text),
        quotes=extract_quotes(text, ents),
        quantities=extract_quantities(text),
        dates=extract_dates(text, doc_date),
        entities=ents,
        boilerplate=boilerplate_spans(text, paragraphs(text))
        + [line for _q, _name, line in pull_quotes(text, paragraphs(text))],
        datelines=dateline_spans(text, paragraphs(text)),
    )
    doc.author = author or _author(doc)
    return doc


def load_document(path: Path, *, doc_date: str | None = None, id: str | None = None) -> Document:
    """Extract a file's text (:func:`extract_text`) and analyse it."""
    ex = extract_text(path)
    d = parse_iso_date(doc_date, "--date") if doc_date else None
    if d is None and ex.published:
        d = parse_iso_date(ex.published)
    return analyse(ex.text, id=id or str(path), title=ex.title, doc_date=d)


_PUBLISHES = re.compile(
    r"(?i)^[\s,]*(?:said|says|stated|reported|found|documented|announced|warned|urged|called)\b"
    r"|^[\s,]*(?:in\s+a\s+(?:report|statement))"
)
_AR_PUBLISHES = re.compile(
    r"(?:قالت|قال|أعلنت|أعلن|وثقت|وثّقت|ذكرت|ذكر|أفادت|أفاد|أكدت|أكد|طالبت|دعت)\s*$"
)


def _author(doc: Document) -> str | None:
    """The organisation speaking in the document: the one that says, reports or documents
    most ("…, the Meridian Human Rights Centre said today", "قالت منظمة …"), then the one
    named most, first on ties.  Organisations inside boilerplate (credits) do not count."""
    orgs = [
        e
        for e in doc.entities
        if e.kind == "organization" and len(e.text) > 3 and not _overlaps(e.span, doc.boilerplate)
    ]
    if not orgs:
        return None
    counts = Counter(e.text for e in orgs)
    speaks: Counter[str] = Counter()
    for e in orgs:
        after = doc.text[e.span[1] : e.span[1] + 30]
        before = doc.text[max(0, e.span[0] - 12) : e.span[0]]
        if _PUBLISHES.search(after) or _AR_PUBLISHES.search(before):
            speaks[e.text] += 1
    return max(
        counts,
        key=lambda o: (speaks[o], counts[o], -next(i for i, e in enumerate(orgs) if e.text == o)),
    )


# --------------------------------------------------------------------------- quotes


def _tok_range(toks: list[Token], span: Span) -> tuple[int, int]:
    """Indices ``[lo, hi)`` of the tokens overlapping *span* (binary search)."""
    lo = bisect_right(toks, span[0], key=lambda t: t.end)
    hi = bisect_left(toks, span[1], lo=lo, key=lambda t: t.start)
    return lo, hi


def _quote_token_idx(toks: list[Token], q: Quote) -> list[int]:
    idx: list[int] = []
    for seg in q.segments:
        lo, hi = _tok_range(toks, seg)
        idx.extend(range(lo, hi))
    return idx


def _speaker_key(sp: str | None) -> set[str]:
    if not sp:
        return set()
    generic = {
        "the", "a", "an", "of", "for", "and", "s", "spokesman", "spokesperson", "spokeswoman",
        "director", "head", "official", "minister", "said", "mr", "ms", "dr",
    }  # fmt: skip
    return {w for w in re.findall(r"[\w]+", sp.lower().replace("'s", "")) if w not in generic}


_PERSON = re.compile(r"^(?:[A-Z][\w'’-]+\s+){0,3}[A-Z][\w'’-]+$")


def same_speaker(a: str | None, b: str | None) -> bool:
    """Whether two speaker strings can name the same speaker.

    Person names (capitalised words): the surnames must agree, and the first names too
    when both give one ("Qorvan" = "Nadia Qorvan" ≠ "Petra Qorvan").  Otherwise
    (organisations, roles, Arabic names) they must share a word other than generic ones.
    Unknown speakers (``None``) never contradict.
    """
    if not a or not b:
        return True
    pa, pb = a.strip().split(), b.strip().split()
    if _PERSON.match(a.strip()) and _PERSON.match(b.strip()):
        if pa[-1].lower() != pb[-1].lower():
            return False
        if len(pa) > 1 and len(pb) > 1:
            return pa[0].lower() == pb[0].lower()
        return True
    ka, kb = _speaker_key(a), _speaker_key(b)
    if not ka or not kb:
        return True
    return bool(ka & kb)


@dataclass
class _Cand:
    tok_idx: list[int]  # source token indices
    quote: Quote | None
    norms: list[str] = field(default_factory=list)
    bigrams: set[tuple[str, str]] = field(default_factory=set)


def _runs(idx: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for i in sorted(idx):
        if runs and i == runs[-1][-1] + 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _surface(text: str, toks: list[Token], run: list[int]) -> str:
    return text[toks[run[0]].start : toks[run[-1]].end]


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _candidates(src: Document, al: Alignment) -> list[_Cand]:
    """Where a quotation may come from: the source's quotations, then its paragraphs."""
    at = al.a_tokens
    out: list[_Cand] = []
    spans: list[tuple[list[int], Quote | None]] = [
        (_quote_token_idx(at, sq), sq) for sq in src.quotes
    ]
    # Consecutive quotations of one speaker in one paragraph ('"…holiday," said X. "There
    # was …"'), which a derivative may print as one.
    for q1, q2 in pairwise(src.quotes):
        if q1.paragraph == q2.paragraph and q1.speaker and q1.speaker == q2.speaker:
            spans.append((_quote_token_idx(at, q1) + _quote_token_idx(at, q2), q1))
    for ps, pe in paragraphs(src.text):
        lo, hi = _tok_range(at, (ps, pe))
        spans.append((list(range(lo, hi)), None))
    for idx, sq in spans:
        norms = [at[i].norm for i in idx]
        out.append(_Cand(idx, sq, norms, set(pairwise(norms))))
    return out


def _verdict(
    src: Document, der: Document, al: Alignment, q: Quote, cands: list[_Cand] | None = None
) -> dict[str, Any]:
    at, bt = al.a_tokens, al.b_tokens
    q_idx = _quote_token_idx(bt, q)
    q_norm = [bt[i].norm for i in q_idx]
    out: dict[str, Any] = {
        "text": q.text,
        "span": list(q.span),
        "speaker": q.speaker,
        "speaker_kind": q.speaker_kind,
        "status": "not_in_source",
        "source_text": None,
        "source_speaker": None,
        "omitted": [],
        "added": [],
        "flags": [],
    }
    if not q_norm:
        return out
    if cands is None:
        cands = _candidates(src, al)
    q_content = [i for i, n in enumerate(q_norm) if n not in STOPWORDS]
    q_bigrams = set(pairwise(q_norm))
    best: tuple[int, int, _Cand, list[tuple[int, int, int]]] | None = None
    for c in cands:
        c_norm = c.norms
        # Only candidates sharing a two-word run can score (cheap filter).
        if not c_norm or q_bigrams.isdisjoint(c.bigrams):
            continue
        sm = SequenceMatcher(None, q_norm, c_norm, autojunk=False)
        # Only runs of two or more words count: stray "the"/"in" matches are noise.
        sig = [(b.a, b.b, b.size) for b in sm.get_matching_blocks() if b.size >= 2]
        score = sum(x[2] for x in sig)
        # The source's quotations first: a quotation that matches well enough wins over
        # the paragraph around it, whatever their scores.
        passes = score >= max(3, (len(q_norm) + 1) // 2)
        key = (1 if (c.quote is not None and passes) else 0, score)
        if best is None or key > (best[1], best[0]):
            best = (score, key[0], c, sig)
    if best is None:
        return out
    score, _, cand, sig = best
    if score < max(3, (len(q_norm) + 1) // 2) or not sig:
        return out
    in_sig = {qa + k for qa, _cb, n in sig for k in range(n)}
    if q_content and sum(1 for i in q_content if i in in_sig) * 2 < len(q_content):
        return out
    # The region of the source: the matched stretch, widened to the sentences it touches
    # (within the candidate), then aligned again on its own.
    lo_c = min(cb for _qa, cb, _n in sig)
    hi_c = max(cb + n for _qa, cb, n in sig)
    lo_sig = lo_c
    first_tok = at[cand.tok_idx[lo_c]].start
    last_tok = at[cand.tok_idx[hi_c - 1]].end
    touched = [x for x in src.sentences if x.start < last_tok and first_tok < x.end]
    if touched:
        s_start, s_end = touched[0].start, touched[-1].end
        while lo_c > 0 and at[cand.tok_idx[lo_c - 1]].start >= s_start:
            lo_c -= 1
        while hi_c < len(cand.tok_idx) and at[cand.tok_idx[hi_c]].end <= s_end:
            hi_c += 1
    reported_by: str | None = None
    if cand.quote is None and touched:
        # Quoting the source's reported speech ("Darwan added that the teams had…"): the
        # attribution before the words is not part of what was said.
        lead = src.text[touched[0].start : at[cand.tok_idx[lo_sig]].start]
        m_lead = _REPORTED_LEAD.search(lead)
        if m_lead is not None and m_lead.end() >= len(lead.rstrip()):
            lo_c = lo_sig
            reported_by = _reporter(
                src, m_lead.group("sp") or m_lead.group("asp"), touched[0].start
            )
    region = cand.tok_idx[lo_c:hi_c]
    ops = SequenceMatcher(None, q_norm, [at[i].norm for i in region], autojunk=False).get_opcodes()
    omitted_idx: list[int] = []
    added_idx: list[int] = []
    replaced_pairs: list[tuple[list[int], list[int]]] = []
    # a = the quote, b = the source region: "insert" = source words the quote lacks,
    # "delete" = quote words the source lacks.
    for tag, i1, i2, j1, j2 in ops:
        if tag in ("insert", "replace"):
            omitted_idx.extend(region[j] for j in range(j1, j2))
        if tag in ("delete", "replace"):
            added_idx.extend(q_idx[i] for i in range(i1, i2))
        if tag == "replace":
            replaced_pairs.append(
                ([region[j] for j in range(j1, j2)], [q_idx[i] for i in range(i1, i2)])
            )
    omitted_idx = sorted(
        j for j in set(omitted_idx) if not _overlaps((at[j].start, at[j].end), src.datelines)
    )
    # A partial quotation inside a sentence: source words at the edges of the region that
    # the derivative writes around the quote ("At least 17 men from Oskel 'remain missing
    # …', the group said") are not left out.
    sent = next((x for x in der.sentences if x.start <= q.span[0] < x.end), None)
    if sent is not None and omitted_idx:
        around = {
            t.norm
            for t in tokens(der.text, sent.start, sent.end)
            if not (q.span[0] <= t.start < q.span[1])
        }
        kept = [
            j
            for j in region
            if j not in set(omitted_idx) and not _overlaps((at[j].start, at[j].end), src.datelines)
        ]
        first_kept = kept[0] if kept else None
        last_kept = kept[-1] if kept else None
        edge_runs = [
            r
            for r in _runs(omitted_idx)
            if (first_kept is not None and r[-1] < first_kept)
            or (last_kept is not None and r[0] > last_kept)
        ]
        for r in edge_runs:
            content = [at[j].norm for j in r if at[j].norm not in STOPWORDS]
            if content and sum(n in around for n in content) * 10 >= 6 * len(content):
                omitted_idx = [j for j in omitted_idx if j not in set(r)]
    region_span = (at[region[0]].start, at[region[-1]].end)
    out["source_text"] = (
        cand.quote.text if cand.quote is not None else src.text[region_span[0] : region_span[1]]
    )
    src_speaker = cand.quote.speaker if cand.quote is not None else (reported_by or src.author)
    out["source_speaker"] = src_speaker
    out["omitted"] = [_surface(src.text, at, r) for r in _runs(omitted_idx)]
    out["added"] = [_surface(der.text, bt, r) for r in _runs(added_idx)]
    flags: list[str] = []
    om_spans = [(at[r[0]].start, at[r[-1]].end) for r in _runs(omitted_idx)]
    om_norms = [at[i].norm for i in omitted_idx]
    # Numbers that belong to an omitted date count as the date, not as a figure.
    date_spans = [d.span for d in src.dates]
    om_num_norms = [
        at[i].norm for i in omitted_idx if not _overlaps((at[i].start, at[i].end), date_spans)
    ]
    removed_actor = any(
        e.kind in ("actor", "organization", "person") and _overlaps(e.span, om_spans)
        for e in src.entities
    ) or any(has_actor_term(s) for s in out["omitted"])
    if removed_actor:
        # Not flagged when the derivative names an actor in the same sentence, outside the
        # quote (a partial quote inside reported speech: the gunmen "went from house to
        # house"): the perpetrator has not disappeared from the text.
        sent = next((x for x in der.sentences if x.start <= q.span[0] < x.end), None)
        if sent is not None:
            outside = (
                der.text[sent.start : max(sent.start, q.span[0] - 1)]
                + " "
                + der.text[min(sent.end, q.span[1] + 1) : sent.end]
            )
            if has_actor_term(outside):
                removed_actor = False
    if removed_actor:
        flags.append("removed_actor")

    def _negs(norms: list[str]) -> int:
        return sum(1 for n in norms if n in NEGATIONS or n.endswith("n't"))

    if _negs(om_norms) and _negs([at[i].norm for i in region]) > _negs(q_norm):
        flags.append("removed_negation")
        # Inside the quoted stretch (the claim flipped), or with a clause trimmed away?
        kept_idx = [j for j in region if j not in set(omitted_idx)]
        out["_negation_inside"] = bool(kept_idx) and any(
            _negs([at[j].norm]) for j in omitted_idx if kept_idx[0] < j < kept_idx[-1]
        )
    changed_number = False
    for a_side, b_side in replaced_pairs:
        if any(_is_number(at[i].norm) for i in a_side) and any(
            _is_number(bt[i].norm) for i in b_side
        ):
            changed_number = True
    if changed_number:
        flags.append("changed_number")
    added_norms = {bt[i].norm for i in added_idx}
    if any(_is_number(n) and n not in added_norms for n in om_num_norms) and not changed_number:
        flags.append("removed_number")
    elif any(_is_number(n) for n in om_num_norms) and changed_number:
        # A number dropped in addition to one changed.
        a_nums = [n for n in om_num_norms if _is_number(n)]
        b_nums = [bt[i].norm for i in added_idx if _is_number(bt[i].norm)]
        if len(a_nums) > len(b_nums):
            flags.append("removed_number")
    if any(
        q2.qualifier not in ("exact", "vague", "range")
        and _overlaps((q2.span[0], q2.span[0] + 1), om_spans)
        for q2 in src.quantities
    ):
        flags.append("removed_qualifier")
    # Hedges, actors and acts: the rules for re-used prose, on the quotation and the
    # source stretch it comes from.
    quote_text = " ".join(der.text[a:b] for a, b in q.segments)
    region_text = src.text[region_span[0] : region_span[1]]
    if hedges(" ".join(out["omitted"])) and len(hedges(quote_text)) < len(hedges(region_text)):
        flags.append("removed_hedge")
    for f in compare_texts(region_text, quote_text, src_quantities=[], der_quantities=[]):
        if f in ("changed_actor", "intensified_act", "removed_actor_qualifier") and f not in flags:
            flags.append(f)
    if any(e.kind == "place" and _overlaps(e.span, om_spans) for e in src.entities):
        flags.append("removed_place")
    if any(_overlaps(d.span, om_spans) for d in src.dates):
        flags.append("removed_date")
    if added_idx:
        status = "altered"
    elif omitted_idx:
        status = "trimmed"
    else:
        status = "verbatim"
    # Everything the source says about who this speaker is, across all their quotes.
    detail = " ".join(
        sq.speaker_detail or "" for sq in src.quotes if src_speaker and sq.speaker == src_speaker
    )
    if (
        q.speaker
        and q.speaker_kind in ("named", "role", "organization")
        and src_speaker
        and not same_speaker(q.speaker, src_speaker)
        # A spokesperson's or director's words given to the organisation they speak for
        # (the source's own organisation), or the reverse.
        and not (
            q.speaker_kind == "organization"
            and src.author
            and same_speaker(q.speaker, src.author)
            and _speaks_for(src, src_speaker, src.author)
        )
        and not (
            cand.quote is None
            and src.author
            and src_speaker == src.author
            and _speaks_for(src, q.speaker, src.author)
        )
        # "the director of X" for a quote the source gives to "Y, the director of X".
        and not (
            q.speaker_kind in ("role", "organization")
            and detail
            and _speaker_key(q.speaker) & _speaker_key(detail)
        )
    ):
        status = "misattributed"
        flags.append("changed_speaker")
    out["status"] = status
    out["flags"] = flags
    return out


_AR_SPEECH = (
    r"قال|قالت|أكد|أكدت|اكد|اكدت|أضاف|أضافت|اضاف|اضافت|أوضح|أوضحت|اوضح|اوضحت|ذكر|ذكرت|"
    r"أشار|أشارت|اشار|اشارت|أفاد|أفادت|افاد|افادت|أعلن|أعلنت|اعلن|اعلنت|تابع|تابعت|شدد|شددت|"
    r"لفت|لفتت|اعتبر|اعتبرت|رأى|رأت|كشف|كشفت"
)
#: "X said (that)", "وأضافت دروان أن": an attribution right before reported words.
_REPORTED_LEAD = re.compile(
    rf"(?:^|[.;:!?،]\s*|\b(?:and|but)\s+)(?P<sp>[A-Z][^.!?;:\"“”]{{0,80}}?)\s+"
    r"(?:said|says|told\s+[\w\s']{1,30}?|added|stated|noted|explained|stressed|confirmed|"
    r"insisted|warned|argued|claimed|reported|found|concluded)(?:\s+that)?\s*,?\s*$"
    rf"|(?:^|\s)(?:و|ف)?(?:{_AR_SPEECH})\s+(?P<asp>[^،.:«»\"“”]{{0,60}}?)\s*(?:إلى\s+)?(?:أن|إن|ان|بأن|انه|أنه)\s*$"
)


def _reporter(src: Document, sp: str | None, pos: int) -> str | None:
    """Who reports speech in the source: a person (full name) or, for the organisation, a
    pronoun or a generic reference, the source's author."""
    if not sp or not sp.strip():
        return src.author
    sp = sp.strip(" ,،")
    if re.match(r"(?i)^(?:he|she|they|it|the\s+\w+|its?\s+\w+)$", sp):
        return src.author
    named = [e.text for e in src.entities if e.kind == "person" and e.text in sp]
    if named:
        return named[-1]
    persons = [e.text for e in src.entities if e.kind == "person"] + [
        q.speaker for q in src.quotes if q.speaker and q.speaker_kind == "named"
    ]
    for p in persons:
        if len(p.split()) > 1 and p.split()[-1] == sp.split()[-1]:
            return p
    return sp


def _speaks_for(src: Document, person: str | None, org: str) -> bool:
    """Whether *person* speaks for *org* in the source: the person is named there next
    to the organisation or to an office (director, spokesperson, president …)."""
    if not person:
        return False
    last = person.split()[-1]
    if len(last) < 3:
        return False
    for m in re.finditer(re.escape(last), src.text):
        window = src.text[max(0, m.start() - 90) : m.end() + 90]
        if org in window or re.search(
            r"(?i)spokes(?:person|man|woman)|director|president|chair|researcher|head\s+of|"
            r"coordinator|commissioner|secretary|المتحدث|الناطق|مدير|مديرة|رئيس|رئيسة|الباحث|الباحثة",
            window,
        ):
            return True
    return False


# ------------------------------------------------------------------ additions/omissions


#: A dateline: a short "Publisher, Place, 14 March 2025." line at the top of a document.
_DATELINE = re.compile(
    r"^[^.!?\n]{1,80},\s*(?:\d{1,2}\s+[A-Z][a-z]+|[A-Z][a-z]+\s+\d{1,2},?)\s+\d{4}\.?$"
)


@lru_cache(maxsize=8)
def _paragraphs(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(paragraphs(text))


def is_heading(doc: Document, s: Sentence) -> bool:
    """A heading, byline or dateline: a whole paragraph of at most 15 words with no
    sentence-final punctuation.  Headings are not counted as additions or omissions."""
    text = doc.text[s.start : s.end].rstrip()
    if s.start == doc.sentences[0].start and _DATELINE.match(text):
        return True  # "Fictional Daily, 14 March 2025." opening the document
    if text.endswith((".", "!", "?", "؟", '"', "”", "»", "…", ";", "؛")):
        return False
    if re.match(r"\s*(?:[-•*·▪◦–]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+\S+\s+\S+", text):
        return False  # a bullet or numbered item is content, however short
    para = [p for p in _paragraphs(doc.text) if p[0] <= s.start < p[1]]
    return bool(para) and para[0] == (s.start, s.end) and word_count(text) <= 15


def _sentence_tok(al_toks: list[Token], s: Sentence) -> tuple[int, int]:
    return _tok_range(al_toks, s.span)


def _mentions_author(text: str, author: str | None) -> bool:
    """Whether *text* names the source's organisation: by name, acronym, a generic
    reference ("the group", المنظمة) or the head word of its name ("the Centre")."""
    if author and author.lower() in text.lower():
        return True
    if author:
        acro = "".join(w[0] for w in re.findall(r"[A-Z][\w]+", author))
        if len(acro) >= 2 and re.search(rf"\b{acro}\b", text):
            return True
        heads = {
            w.lower()
            for w in re.findall(r"[\w'’]+", author)
            if w.lower() in ORG_WORDS and w.lower() not in ("rights", "international", "human")
        }
        if any(re.search(rf"(?i)\bthe\s+{re.escape(h)}\b", text) for h in heads):
            return True
        ar_heads = {
            w.removeprefix("ال")
            for w in author.split()
            if re.fullmatch(r"(?:ال)?(?:منظمة|شبكة|لجنة|مرصد|هيئة|مجلس|وزارة|مركز)", w)
        }
        if any(re.search(rf"(?:^|\s)و?(?:ال){h}", text) for h in ar_heads):
            return True
    return bool(re.search(rf"(?i)\b{ORG_REF_WORDS}\b", text))


def _mostly_covered(
    toks: list[Token], covered: list[bool], lo: int, hi: int, doc: Document
) -> bool:
    """Whether at least half of a sentence's words are in aligned passages — counting, in a
    sentence that quotes someone, the quoted words only (the same quotation may be
    attributed in other words) and never the dateline."""
    idx = [i for i in range(lo, hi) if not _overlaps((toks[i].start, toks[i].end), doc.datelines)]
    if not idx:
        return False
    first, last = toks[idx[0]].start, toks[idx[-1]].end
    segs = [(a, b) for q in doc.quotes for a, b in q.segments if a < last and first < b]
    inside = [i for i in idx if any(a <= toks[i].start < b for a, b in segs)] if segs else []
    if len(inside) >= 3:
        idx = inside
    return bool(idx) and sum(covered[i] for i in idx) * 2 >= len(idx)


def _changes(src: Document, der: Document, al: Alignment) -> list[dict[str, Any]]:
    """Derivative sentences that re-use source clauses but change them (see
    :mod:`dalil.sources.changes`): ``{text, span, source_text, source_span, flags}``."""
    out: list[dict[str, Any]] = []
    src_starts = [x.start for x in src.sentences]
    paraphrases = [p for p in al.passages if p.kind == "paraphrase"]
    quote_segs = [seg for q in der.quotes for seg in q.segments]
    for s in der.sentences:
        if is_heading(der, s) or _overlaps(s.span, der.boilerplate):
            continue
        lo, hi = _sentence_tok(al.b_tokens, s)
        near = [(a, b) for a, b in quote_segs if a < s.end and s.start < b] + [
            (a, b) for a, b in der.datelines if a < s.end and s.start < b
        ]
        idx = [i for i in range(lo, hi) if not any(a <= al.b_tokens[i].start < b for a, b in near)]
        if len(idx) < 4:
            continue
        per_sentence: Counter[int] = Counter()
        positions: list[int] = []
        for i in idx:
            j = al.b_match[i]
            if j >= 0:
                per_sentence[bisect_right(src_starts, al.a_tokens[j].start) - 1] += 1
                positions.append(al.a_tokens[j].start)
        touched = {si for si, n in per_sentence.items() if n >= 3 and si >= 0}
        for p in paraphrases:
            if p.b0 < hi and lo < p.b1:
                touched.add(bisect_right(src_starts, al.a_tokens[p.a0].start) - 1)
        touched.discard(-1)
        if not touched:
            continue
        if all(al.b_match[i] >= 0 for i in idx) and all(
            al.a_match[j] >= 0
            for si in touched
            for j in range(*_sentence_tok(al.a_tokens, src.sentences[si]))
        ):
            continue  # copied word for word: nothing changed
        chars = list(der.text[s.start : s.end])
        for a, b in quote_segs:
            for k in range(max(a, s.start), min(b, s.end)):
                chars[k - s.start] = " "
        der_text = "".join(chars)
        spans: list[Span] = []
        for si in sorted(touched):
            spans += aligned_clauses(src.text, src.sentences[si].span, positions, der_text)
        if not spans:
            continue
        src_quote_segs = [seg for q in src.quotes for seg in q.segments]

        def prose(a: int, b: int, segs: list[Span] = src_quote_segs) -> str:
            chars = list(src.text[a:b])
            for qa, qb in segs:
                for k in range(max(a, qa), min(b, qb)):
                    chars[k - a] = " "
            return "".join(chars)

        src_text = " ".join(prose(a, b) for a, b in spans)
        whole = " ".join(
            src.text[src.sentences[si].start : src.sentences[si].end] for si in sorted(touched)
        )
        # The re-used stretch of each clause (for negations): its matched words and three
        # words around them.
        reused = []
        for a, b in spans:
            inside = [p for p in positions if a <= p < b]
            if not inside:
                reused.append(src.text[a:b])
                continue
            toks = tokens(src.text, a, b)
            k0 = next(k for k, t in enumerate(toks) if t.start >= min(inside))
            k1 = max(k for k, t in enumerate(toks) if t.start <= max(inside))
            # Short unmatched edges belong to the re-used stretch ("No soldiers were …");
            # a longer tail is a clause left out (an omission, not a flipped claim).
            if k0 <= 2:
                k0 = 0
            if len(toks) - 1 - k1 <= 2:
                k1 = len(toks) - 1
            reused.append(src.text[toks[k0].start : toks[k1].end])
        flags = compare_texts(
            src_text,
            der_text,
            src_whole=whole,
            src_negation=" ".join(reused),
            src_quantities=[q for q in src.quantities if any(a <= q.span[0] < b for a, b in spans)],
            der_quantities=[
                q
                for q in der.quantities
                if s.start <= q.span[0] < s.end
                and not any(a <= q.span[0] < b for a, b in quote_segs)
            ],
        )
        if flags:
            first, last = min(touched), max(touched)
            out.append(
                {
                    "text": der.text[s.start : s.end],
                    "span": [s.start, s.end],
                    "source_text": whole,
                    "source_span": [src.sentences[first].start, src.sentences[last].end],
                    "flags": flags,
                }
            )
    return out


_IMPLICIT = re.compile(
    r"^\s*(?:و|ف)?(?:أضاف|أضافت|اضاف|اضافت|تابع|تابعت|أكد|أكدت|اكد|اكدت|أوضح|أوضحت|اوضح|اوضحت|"
    r"أشار|أشارت|اشار|اشارت|لفت|لفتت|شدد|شددت)\s*(?:أن|ان|إن|:|بأن|إلى)"
    r"|^\s*(?:He|She|It|They)\s+(?:said|added|noted|stressed|told|warned)\b"
    r"|,\s*(?:he|she|it|they)\s+(?:said|added)\.?\s*$"
)


def _attributions(
    src: Document, der: Document, verdicts: list[dict[str, Any]]
) -> dict[tuple[int, int], bool]:
    """For each derivative sentence: does it give its words to the source — naming the
    source's organisation with a speech or call verb, quoting a speaker of the source, or
    continuing the previous sentence's attribution with an implicit subject ("وأضافت أن",
    "she added")?"""
    out: dict[tuple[int, int], bool] = {}
    prev = False
    for s in der.sentences:
        text = der.text[s.start : s.end]
        in_quotes = [v for v in verdicts if v["span"][0] < s.end and s.start < v["span"][1]]
        attributed = (
            (
                _mentions_author(text, src.author)
                and re.search(rf"(?i){CALL_VERBS}", text) is not None
            )
            or any(
                v["speaker"]
                and src.author
                and same_speaker(v["speaker"], src.author)
                and v["speaker_kind"] == "organization"
                for v in in_quotes
            )
            or any(
                v["speaker"]
                and v["source_speaker"]
                and v["speaker_kind"] != "anonymous"
                and same_speaker(v["speaker"], v["source_speaker"])
                for v in in_quotes
            )
            or (prev and _IMPLICIT.search(text) is not None)
        )
        out[(s.start, s.end)] = attributed
        prev = attributed
    return out


def _additions(
    src: Document,
    der: Document,
    al: Alignment,
    verdicts: list[dict[str, Any]],
    changes: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    #: Re-used sentences whose agent or act was changed: a claim the source does not make.
    distorted = {
        tuple(c["span"])
        for c in changes or []
        if {"changed_actor", "intensified_act"} & set(c["flags"])
    }
    src_intervals = {(q.low, q.high) for q in src.quantities}
    quote_by_span = {tuple(v["span"]): v for v in verdicts}
    src_starts = [x.start for x in src.sentences]
    attributed_of = _attributions(src, der, verdicts)
    for s in der.sentences:
        lo, hi = _sentence_tok(al.b_tokens, s)
        if hi - lo < 3 or is_heading(der, s) or _overlaps(s.span, der.boilerplate):
            continue
        supported = _mostly_covered(al.b_tokens, al.b_covered, lo, hi, der) and (
            (s.start, s.end) not in distorted
        )
        in_quotes = [
            v for span, v in quote_by_span.items() if span[0] < s.end and s.start < span[1]
        ]
        if in_quotes and all(v["status"] == "not_in_source" for v in in_quotes):
            q_tokens = sum(
                1 for i in range(lo, hi)
                if any(sp[0] <= al.b_tokens[i].start < sp[1] for sp in quote_by_span if quote_by_span[sp] in in_quotes)
            )  # fmt: skip
            if q_tokens * 2 >= (hi - lo) or not supported:
                supported = False
        if any(
            v["status"] == "altered"
            or {"changed_number", "changed_actor", "intensified_act"} & set(v["flags"])
            or v.get("_negation_inside", False)
            for v in in_quotes
        ):
            # A quotation whose words or figures were changed, or whose negation was
            # dropped, or whose actor or act was changed, is not supported by the source
            # even when most words match.
            supported = False
        demand = DEMAND_RE.search(der.text, s.start, s.end)
        if supported and demand:
            # "The group called for sanctions" copies "The group called for" from a
            # sentence that called for something else: the demand itself is unsupported.
            obj = [i for i in range(lo, hi) if al.b_tokens[i].start >= demand.end()]
            if obj and sum(al.b_covered[i] for i in obj) * 2 < len(obj):
                supported = False
        if supported:
            # Figures and negation are checked as tokens and intervals, not by similarity.
            a_idx = sorted(al.b_match[i] for i in range(lo, hi) if al.b_match[i] >= 0)
            touched_sents = {bisect_right(src_starts, al.a_tokens[i].start) - 1 for i in a_idx} - {
                -1
            }
            # A figure must be stated (same interval) in the source sentences this one
            # copies from — or anywhere in the source when it copies no words at all.
            if touched_sents:
                near = {
                    (qs.low, qs.high)
                    for qs in src.quantities
                    for si in touched_sents
                    if src.sentences[si].start <= qs.span[0] < src.sentences[si].end
                }
            else:
                near = src_intervals
            for qd in der.quantities:
                if s.start <= qd.span[0] < s.end and (qd.low, qd.high) not in near:
                    supported = False
            neg_b = [i for i in range(lo, hi) if al.b_tokens[i].norm in NEGATIONS]
            if any(al.b_match[i] < 0 for i in neg_b):
                supported = False
            # A negation inside the copied stretch of a source sentence, not carried over.
            for si in sorted(touched_sents):
                alo, ahi = _sentence_tok(al.a_tokens, src.sentences[si])
                inside = [i for i in a_idx if alo <= i < ahi]
                if len(inside) < 3:
                    continue
                d_keys = {word_key(al.b_tokens[i].norm) for i in range(lo, hi)} - {None}
                if any(
                    al.a_tokens[i].norm in NEGATIONS
                    and al.a_match[i] < 0
                    # "denied medical care" → "refused medical treatment": carried over.
                    and word_key(al.a_tokens[i].norm) not in d_keys
                    for i in range(inside[0], inside[-1] + 1)
                ):
                    supported = False
        if supported:
            continue
        text = der.text[s.start : s.end]
        attributed = attributed_of.get((s.start, s.end), False)
        out.append(
            {
                "text": text,
                "span": [s.start, s.end],
                "kind": "attributed_to_source" if attributed else "unsupported",
                "attributed_to": (src.author or "source") if attributed else None,
            }
        )
    return out


_CLAUSE_NEG = re.compile(
    r"(?i)\b(?:not|no|never|without|none|nobody|cannot)\b|(?:^|\s)(?:لا|لم|لن|ليس|دون|بدون)(?:\s|$)"
)


def _omitted_clauses(src: Document, al: Alignment, lo: int, hi: int) -> list[Span]:
    """Stretches of a re-used source sentence that the derivative leaves out and that carry
    weight: at least four words, and an actor, a figure, a negation, a named person or
    organisation — or at least five content words."""
    out: list[Span] = []
    # Word keys of the derivative stretches this sentence is re-used in: a stretch whose
    # words are there, re-worded or moved, is not left out.
    b_idx = [al.a_match[i] for i in range(lo, hi) if al.a_match[i] >= 0]
    b_lo, b_hi = (min(b_idx), max(b_idx) + 1) if b_idx else (0, 0)
    for p in al.passages:
        if p.kind == "paraphrase" and p.a0 < hi and lo < p.a1:
            b_lo, b_hi = (min(b_lo, p.b0), max(b_hi, p.b1)) if b_hi else (p.b0, p.b1)
    if b_hi:
        b_lo, b_hi = max(0, b_lo - 25), min(len(al.b_tokens), b_hi + 25)
    d_keys_cache: list[set[str]] = []

    def d_keys() -> set[str]:
        if not d_keys_cache:
            d_keys_cache.append({k for t in al.b_tokens[b_lo:b_hi] if (k := word_key(t.norm))})
        return d_keys_cache[0]

    quote_segs = [seg for q in src.quotes for seg in q.segments]
    in_quote = any(a <= al.a_tokens[i].start < b for i in range(lo, hi) for a, b in quote_segs)
    k = lo
    while k < hi:
        if (
            al.a_covered[k]
            or _overlaps((al.a_tokens[k].start, al.a_tokens[k].end), src.datelines)
            # In a sentence that quotes, only the quoted words: the attribution around them
            # is often re-worded ("said a mother" → "one mother told the group").
            or (in_quote and not any(a <= al.a_tokens[k].start < b for a, b in quote_segs))
        ):
            k += 1
            continue
        j = k
        while j < hi and not al.a_covered[j]:
            j += 1
        run = list(range(k, j))
        k = j
        while (
            run
            and al.a_tokens[run[0]].norm in STOPWORDS
            and al.a_tokens[run[0]].norm
            not in ("not", "no", "never", "لا", "لم", "لن", "ليس", "دون")
        ):
            run.pop(0)
        while run and al.a_tokens[run[-1]].norm in STOPWORDS:
            run.pop()
        if len(run) < 4:
            continue
        a, b = al.a_tokens[run[0]].start, al.a_tokens[run[-1]].end
        text = src.text[a:b]
        content = [i for i in run if al.a_tokens[i].norm not in STOPWORDS]
        keys = [word_key(al.a_tokens[i].norm) for i in content]
        found = sum(1 for kk in keys if kk in d_keys())
        if keys and found * 2 >= len(keys):
            continue  # re-worded or moved, not left out
        weighty = (
            has_actor_term(text)
            or any(a <= q.span[0] < b for q in src.quantities)
            or _CLAUSE_NEG.search(text) is not None
            or any(
                e.kind in ("person", "organization", "actor") and a <= e.span[0] < b
                for e in src.entities
            )
        )
        if weighty or len(content) >= 5:
            out.append((a, b))
    return out


def _omissions(src: Document, al: Alignment) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    speech = re.compile(
        r"(?i)\b(?:" + "|".join(SPEECH_VERBS) + r"|according\s+to)\b|قال|أكد|أضاف|صرح|بحسب"
    )
    q_spans = [q.span for q in src.quotes]
    items: list[tuple[int, int, int]] = []  # (start, end, sentence position)
    for pos, s in enumerate(src.sentences):
        lo, hi = _sentence_tok(al.a_tokens, s)
        if hi - lo < 3 or is_heading(src, s) or _overlaps(s.span, src.boilerplate):
            continue
        if not _mostly_covered(al.a_tokens, al.a_covered, lo, hi, src):
            items.append((s.start, s.end, pos))
            continue
        # A clause left out of a re-used sentence ("Sarn, a village where troops of the
        # former government killed more than 70 people in 2016, …").
        items += [(a, b, pos) for a, b in _omitted_clauses(src, al, lo, hi)]
    for start, end, pos in items:
        s = Sentence(start, end, 0)
        text = src.text[start:end]
        reasons: list[str] = []
        weight = 1
        if _overlaps(s.span, q_spans):
            reasons.append("quote")
            weight += 3
        if speech.search(text):
            reasons.append("attribution")
            weight += 2
        if has_actor_term(text) or any(
            e.kind == "actor" and _overlaps(e.span, [s.span]) for e in src.entities
        ):
            reasons.append("actor")
            weight += 2
        if any(s.start <= q.span[0] < s.end for q in src.quantities):
            reasons.append("number")
            weight += 2
        if any(s.start <= d.span[0] < s.end for d in src.dates):
            reasons.append("date")
            weight += 1
        if any(e.kind == "place" and s.start <= e.span[0] < s.end for e in src.entities):
            reasons.append("place")
            weight += 1
        out.append(
            {
                "text": text,
                "span": [s.start, s.end],
                "weight": weight,
                "reasons": reasons,
                "_pos": pos,
            }
        )
    out.sort(key=lambda o: (-o["weight"], o["_pos"]))
    for o in out:
        del o["_pos"]
    return out


# ------------------------------------------------------------------------- direction


UNRELATED_BELOW = 0.08


def infer_direction(
    earlier: Document, later: Document, c_later_in_earlier: float, c_earlier_in_later: float
) -> str:
    """Relation of LATER to EARLIER (see docs/sources.md for the rules)."""
    if max(c_later_in_earlier, c_earlier_in_later) < UNRELATED_BELOW:
        return "unrelated"
    if printings_of_one_dispatch(earlier.text, later.text):
        # Two printings of one dispatch: each keeps paragraphs the other lacks.
        return "shared_origin"
    if earlier.date and later.date and later.date < earlier.date:
        return "source_of_derivative"
    if (
        earlier.author
        and later.author
        and not same_speaker(earlier.author, later.author)
        and _mentions_author(later.text, earlier.author)
    ):
        return "derivative_of_source"
    if (
        c_later_in_earlier < 0.5
        and c_earlier_in_later < 0.5
        and not (earlier.author and _mentions_author(later.text, earlier.author))
    ):
        # Partial overlap both ways with neither naming the other: a common third text.
        return "shared_origin"
    if (
        not (earlier.date and later.date)
        and c_earlier_in_later >= 0.8
        and c_later_in_earlier < 0.5
        and not (earlier.author and _mentions_author(later.text, earlier.author))
    ):
        # EARLIER sits almost whole inside LATER, which does not cite it: EARLIER is
        # more likely a cut-down copy of LATER.
        return "source_of_derivative"
    return "derivative_of_source"


# ---------------------------------------------------------------------------- compare


def compare(earlier: Document, later: Document) -> dict[str, Any]:
    """Compare LATER against EARLIER; returns the "Source comparison result" (docs/sources.md)."""
    al = align(earlier.text, later.text)
    c_forward = al.containment
    c_backward = al.source_coverage
    direction = infer_direction(earlier, later, c_forward, c_backward)
    if direction == "source_of_derivative":
        src, der = later, earlier
        al = align(src.text, der.text)
    else:
        src, der = earlier, later
    passages = [
        {"source_span": list(al.a_span(p)), "derivative_span": list(al.b_span(p)), "kind": p.kind}
        for p in al.passages
    ]
    cands = _candidates(src, al)
    verdicts = [_verdict(src, der, al, q, cands) for q in der.quotes]
    changes = _changes(src, der, al) if direction != "unrelated" else []
    additions = _additions(src, der, al, verdicts, changes) if direction != "unrelated" else []
    omissions = _omissions(src, al) if direction != "unrelated" else []
    for v in verdicts:
        v.pop("_negation_inside", None)
    quantities = [
        {"doc": which, **{k: v for k, v in q.to_dict().items() if k != "value"}}
        for which, doc in (("source", src), ("derivative", der))
        for q in doc.quantities
    ]
    return {
        "source": src.meta(),
        "derivative": der.meta(),
        "reuse": {
            "containment": round(al.containment, 4),
            "source_coverage": round(al.source_coverage, 4),
            "passages": passages,
        },
        "direction": direction,
        "quotes": verdicts,
        "additions": additions,
        "omissions": omissions,
        "changes": changes,
        "quantities": quantities,
    }


def summary(result: dict[str, Any]) -> str:
    """A plain-text summary of a comparison result, for people."""
    s, d, r = result["source"], result["derivative"], result["reuse"]
    lines = [
        f"source:     {s['id']}  ({s['words']} words{', ' + s['date'] if s['date'] else ''})",
        f"derivative: {d['id']}  ({d['words']} words{', ' + d['date'] if d['date'] else ''})",
        f"direction:  {result['direction']}",
        f"reuse:      {r['containment']:.0%} of the derivative in {len(r['passages'])} passages; "
        f"{r['source_coverage']:.0%} of the source reused",
    ]
    kinds = Counter(p["kind"] for p in r["passages"])
    if kinds:
        lines.append("            " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    lines.append(f"quotes ({len(result['quotes'])}):")
    for q in result["quotes"]:
        flags = f" [{', '.join(q['flags'])}]" if q["flags"] else ""
        who = q["speaker"] or "-"
        lines.append(
            f"  {q['status']:<13} {_short(q['text'])}  — {who} ({q['speaker_kind']}){flags}"
        )
        if q["omitted"]:
            lines.append(f"                omitted: {' | '.join(q['omitted'])}")
        if q["added"]:
            lines.append(f"                added:   {' | '.join(q['added'])}")
    from dalil.sources.render import flags_in_words

    changes = result.get("changes", [])
    lines.append(f"changes inside re-used sentences ({len(changes)}):")
    for c in changes:
        lines.append(f"  {_short(c['text'])}")
        lines.append(f"                {flags_in_words(c['flags'])}")
    lines.append(f"additions ({len(result['additions'])}):")
    for a in result["additions"]:
        tag = a["kind"] + (f" → {a['attributed_to']}" if a["attributed_to"] else "")
        lines.append(f"  {tag}: {_short(a['text'])}")
    lines.append(f"omissions ({len(result['omissions'])}), heaviest first:")
    for o in result["omissions"][:10]:
        lines.append(f"  w={o['weight']} [{', '.join(o['reasons'])}] {_short(o['text'])}")
    return "\n".join(lines)


def _short(t: str, n: int = 90) -> str:
    t = " ".join(t.split())
    return t if len(t) <= n else t[: n - 1] + "…"


def compare_files(
    earlier: Path, later: Path, *, earlier_date: str | None = None, later_date: str | None = None
) -> dict[str, Any]:
    return compare(
        load_document(earlier, doc_date=earlier_date), load_document(later, doc_date=later_date)
    )


__all__ = ["Document", "analyse", "compare", "compare_files", "load_document", "summary"]
_ = tokens
