"""An inverted index held in memory: BM25 ranking, phrases, prefixes, names across scripts.

A :class:`Segment` is built from :class:`Doc` objects and is immutable; an
:class:`Index` is a list of segments where a document in a newer segment replaces the
same key in older ones (so a change costs a small new segment, not a rebuild).
Postings are numpy arrays (compressed sparse rows): for every term the documents it
occurs in, the term frequency and the word positions. :func:`Segment.to_bytes` /
:func:`Segment.from_bytes` give one byte string, which the case service encrypts before
it touches a disk.

Permissions are applied **before ranking**: :meth:`Index.search` takes the set of
access classes the caller may see, and document frequencies, collection size and mean
length (the BM25 statistics) are computed over those documents only, so a document a
caller may not see changes neither which hits they get nor their order.
"""

from __future__ import annotations

import bisect
import html
import json
import math
import struct
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from dalil.search.fold import WORD, analyse, fold, is_arabic, word_name_key
from dalil.search.query import Part

#: BM25 parameters (the usual defaults).
K1 = 1.2
B = 0.75
#: Weights of the ways a query word can match a term.
W_EXACT = 1.0
W_ALTERNATE = 0.9
W_PREFIX = 0.8
W_NAME = 0.6
#: At most this many vocabulary terms stand for one prefix query word.
PREFIX_LIMIT = 200

IntArray = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]


@dataclass
class Doc:
    """One searchable text. ``key`` is unique (``source:5:text``); a hit is ``(kind, ref)``
    and may gather several docs (a source's title and its text); ``access`` names who
    may see it (the service decides what each class means); ``stamp`` changes when the
    text changes; ``weight`` boosts short, telling fields (titles) over long bodies."""

    key: str
    kind: str
    ref: int
    access: str
    stamp: str
    text: str
    weight: float = 1.0


@dataclass
class Segment:
    keys: list[str]
    kinds: list[str]
    refs: I32
    access: list[str]
    stamps: list[str]
    weights: npt.NDArray[np.float32]
    doc_len: I32
    text_blob: bytes
    text_ptr: IntArray
    vocab: list[str]
    post_ptr: IntArray  # n_terms + 1
    post_doc: I32
    post_tf: I32
    pos_ptr: IntArray  # n_postings + 1
    pos: I32
    name_keys: dict[str, list[int]]  # name key -> term ids
    proper: npt.NDArray[np.bool_]  # term mostly written with a capital (a name)
    term_id: dict[str, int] = field(default_factory=dict)
    sorted_vocab: list[str] = field(default_factory=list)
    sorted_ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.term_id:
            self.term_id = {t: i for i, t in enumerate(self.vocab)}
        if not self.sorted_vocab:
            order = sorted(range(len(self.vocab)), key=self.vocab.__getitem__)
            self.sorted_ids = order
            self.sorted_vocab = [self.vocab[i] for i in order]

    @property
    def n_docs(self) -> int:
        return len(self.keys)

    def text(self, i: int) -> str:
        return self.text_blob[int(self.text_ptr[i]) : int(self.text_ptr[i + 1])].decode("utf-8")

    # -- building ----------------------------------------------------------------------

    @classmethod
    def build(cls, docs: Sequence[Doc]) -> Segment:
        vocab: list[str] = []
        term_id: dict[str, int] = {}
        cache: dict[str, tuple[int, int]] = {}
        name_keys: dict[str, set[int]] = {}
        caps: list[int] = []
        seen: list[int] = []
        t_arr, d_arr, p_arr = array("i"), array("i"), array("i")
        doc_len = np.zeros(len(docs), dtype=np.int32)
        texts: list[bytes] = []

        def tid(term: str) -> int:
            i = term_id.get(term)
            if i is None:
                i = term_id[term] = len(vocab)
                vocab.append(term)
                caps.append(0)
                seen.append(0)
            return i

        for d, doc in enumerate(docs):
            texts.append(doc.text.encode("utf-8"))
            n = 0
            for m in WORD.finditer(doc.text):
                w = m.group()
                e = cache.get(w)
                if e is None:
                    primary, alt = analyse(w)
                    if not primary:
                        e = (-1, -1)
                    else:
                        e = (tid(primary), tid(alt) if alt else -1)
                        # names: Arabic words and capitalised Latin words (a query in
                        # either script reaches them through the linkage name key)
                        if w[:1].isupper() or is_arabic(w):
                            k = word_name_key(fold(w))
                            if k:
                                name_keys.setdefault(k, set()).add(e[0])
                    cache[w] = e
                pid, aid = e
                if pid < 0:
                    continue
                t_arr.append(pid)
                d_arr.append(d)
                p_arr.append(n)
                if aid >= 0:
                    t_arr.append(aid)
                    d_arr.append(d)
                    p_arr.append(n)
                seen[pid] += 1
                if w[:1].isupper():
                    caps[pid] += 1
                n += 1
            doc_len[d] = n
        t = np.frombuffer(t_arr, dtype=np.int32) if len(t_arr) else np.zeros(0, np.int32)
        dd = np.frombuffer(d_arr, dtype=np.int32) if len(d_arr) else np.zeros(0, np.int32)
        p = np.frombuffer(p_arr, dtype=np.int32) if len(p_arr) else np.zeros(0, np.int32)
        order = np.lexsort((p, dd, t))
        t, dd, p = t[order], dd[order], p[order]
        if len(t):
            change = np.ones(len(t), dtype=bool)
            change[1:] = (t[1:] != t[:-1]) | (dd[1:] != dd[:-1])
            starts = np.flatnonzero(change)
        else:
            starts = np.zeros(0, dtype=np.int64)
        pos_ptr = np.append(starts, len(t)).astype(np.int64)
        post_term = t[starts]
        post_doc = dd[starts].astype(np.int32)
        post_tf = np.diff(pos_ptr).astype(np.int32)
        post_ptr = np.searchsorted(post_term, np.arange(len(vocab) + 1)).astype(np.int64)
        text_ptr = np.zeros(len(texts) + 1, dtype=np.int64)
        if texts:
            text_ptr[1:] = np.cumsum([len(b) for b in texts])
        seen_a = np.asarray(seen, dtype=np.int64)
        caps_a = np.asarray(caps, dtype=np.int64)
        return cls(
            keys=[d.key for d in docs],
            kinds=[d.kind for d in docs],
            refs=np.asarray([d.ref for d in docs], dtype=np.int32),
            access=[d.access for d in docs],
            stamps=[d.stamp for d in docs],
            weights=np.asarray([d.weight for d in docs], dtype=np.float32),
            doc_len=doc_len,
            text_blob=b"".join(texts),
            text_ptr=text_ptr,
            vocab=vocab,
            post_ptr=post_ptr,
            post_doc=post_doc,
            post_tf=post_tf,
            pos_ptr=pos_ptr,
            pos=p.astype(np.int32),
            name_keys={k: sorted(v) for k, v in name_keys.items()},
            proper=(caps_a * 2 >= np.maximum(seen_a, 1)) & (seen_a > 0),
            term_id=term_id,
        )

    def docs(self) -> list[Doc]:
        return [
            Doc(
                self.keys[i],
                self.kinds[i],
                int(self.refs[i]),
                self.access[i],
                self.stamps[i],
                self.text(i),
                float(self.weights[i]),
            )
            for i in range(self.n_docs)
        ]

    # -- serialising --------------------------------------------------------------------

    _ARRAYS = ("refs", "weights", "doc_len", "text_ptr", "post_ptr", "post_doc", "post_tf")
    _ARRAYS2 = ("pos_ptr", "pos", "proper")

    def to_bytes(self) -> bytes:
        header = {
            "format": "dalil-search-segment",
            "version": 1,
            "keys": self.keys,
            "kinds": self.kinds,
            "access": self.access,
            "stamps": self.stamps,
            "vocab": self.vocab,
            "name_keys": self.name_keys,
            "arrays": [],
        }
        parts: list[bytes] = []
        for name in self._ARRAYS + self._ARRAYS2:
            a = np.ascontiguousarray(getattr(self, name))
            header["arrays"].append([name, a.dtype.str, len(a)])  # type: ignore[attr-defined]
            parts.append(a.tobytes())
        parts.append(self.text_blob)
        head = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return struct.pack(">I", len(head)) + head + b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> Segment:
        (n,) = struct.unpack(">I", data[:4])
        header = json.loads(data[4 : 4 + n].decode("utf-8"))
        if header.get("format") != "dalil-search-segment" or header.get("version") != 1:
            raise ValueError("not a search index segment of a known version")
        off = 4 + n
        arrays: dict[str, Any] = {}
        for name, dtype, length in header["arrays"]:
            dt = np.dtype(dtype)
            arrays[name] = np.frombuffer(data, dtype=dt, count=length, offset=off)
            off += dt.itemsize * length
        return cls(
            keys=header["keys"],
            kinds=header["kinds"],
            access=header["access"],
            stamps=header["stamps"],
            vocab=header["vocab"],
            name_keys={k: list(v) for k, v in header["name_keys"].items()},
            text_blob=bytes(data[off:]),
            **arrays,
        )

    # -- lookups ------------------------------------------------------------------------

    def prefix_terms(self, prefix: str, limit: int = PREFIX_LIMIT) -> list[int]:
        i = bisect.bisect_left(self.sorted_vocab, prefix)
        out = []
        while i < len(self.sorted_vocab) and self.sorted_vocab[i].startswith(prefix):
            out.append(self.sorted_ids[i])
            i += 1
            if len(out) >= limit:
                break
        return out

    def postings(self, term: int) -> tuple[I32, I32]:
        a, b = int(self.post_ptr[term]), int(self.post_ptr[term + 1])
        return self.post_doc[a:b], self.post_tf[a:b]

    def positions(self, term: int, doc: int) -> I32:
        a, b = int(self.post_ptr[term]), int(self.post_ptr[term + 1])
        docs = self.post_doc[a:b]
        j = int(np.searchsorted(docs, doc))
        if j >= len(docs) or docs[j] != doc:
            return np.zeros(0, dtype=np.int32)
        k = a + j
        return self.pos[int(self.pos_ptr[k]) : int(self.pos_ptr[k + 1])]


@dataclass
class Alternative:
    term: str
    weight: float


def expand(seg: Segment, part_word: str, prefix: bool) -> list[tuple[int, float]]:
    """Term ids (with weights) of *seg* that one query word matches."""
    primary, alt = analyse(part_word)
    out: dict[int, float] = {}
    if not primary:
        return []
    if prefix:
        f = fold(part_word)
        base = primary if is_arabic(f) else f
        for t in seg.prefix_terms(base):
            out[t] = max(out.get(t, 0.0), W_PREFIX if seg.vocab[t] != primary else W_EXACT)
    i = seg.term_id.get(primary)
    if i is not None:
        out[i] = W_EXACT
    if alt:
        j = seg.term_id.get(alt)
        if j is not None:
            out[j] = max(out.get(j, 0.0), W_ALTERNATE)
    if not prefix:
        k = word_name_key(fold(part_word))
        if k:
            arabic_q = is_arabic(part_word)
            for t in seg.name_keys.get(k, ()):
                if t in out:
                    continue
                target_arabic = is_arabic(seg.vocab[t])
                # Arabic spellings are already folded: the key only crosses scripts from
                # an Arabic query (محمد ≠ محمود), and Latin targets must look like names
                # (mostly capitalised in the texts).
                if target_arabic and arabic_q:
                    continue
                if not target_arabic and not bool(seg.proper[t]):
                    continue
                out[t] = W_NAME
    return list(out.items())


@dataclass
class Hit:
    kind: str
    ref: int
    score: float
    doc_key: str
    stamp: str
    snippet: str
    matched: list[str]


class Index:
    """Segments, newest last; a key in a newer segment hides it in older ones."""

    def __init__(self, segments: Iterable[Segment] = (), removed: Iterable[str] = ()) -> None:
        self.segments: list[Segment] = list(segments)
        self.removed: set[str] = set(removed)
        self._live: list[npt.NDArray[np.bool_]] = []
        self._hit_id: list[npt.NDArray[np.int64]] = []
        self._hit_keys: list[tuple[str, int]] = []
        self._refresh()

    def _refresh(self) -> None:
        newer: set[str] = set(self.removed)
        live: list[npt.NDArray[np.bool_]] = []
        for seg in reversed(self.segments):
            mask = np.fromiter((k not in newer for k in seg.keys), dtype=bool, count=seg.n_docs)
            newer.update(seg.keys)
            live.append(mask)
        self._live = list(reversed(live))
        keys: dict[tuple[str, int], int] = {}
        self._hit_id = []
        for seg in self.segments:
            ids = np.empty(seg.n_docs, dtype=np.int64)
            for i in range(seg.n_docs):
                k = (seg.kinds[i], int(seg.refs[i]))
                ids[i] = keys.setdefault(k, len(keys))
            self._hit_id.append(ids)
        self._hit_keys = list(keys)
        self._mask_cache: dict[Any, list[npt.NDArray[np.bool_]]] = {}
        self._norm_cache: dict[tuple[int, float], npt.NDArray[np.float64]] = {}

    def _norm(self, s: int, avgdl: float) -> npt.NDArray[np.float64]:
        key = (s, round(avgdl, 6))
        v = self._norm_cache.get(key)
        if v is None:
            seg = self.segments[s]
            v = K1 * (1 - B + B * seg.doc_len.astype(np.float64) / avgdl)
            if len(self._norm_cache) > 64:
                self._norm_cache.clear()
            self._norm_cache[key] = v
        return v

    def add(self, segment: Segment, removed: Iterable[str] = ()) -> None:
        """A new segment (replacing its keys), and keys deleted altogether."""
        self.removed = (self.removed | set(removed)) - set(segment.keys)
        self.segments.append(segment)
        self._refresh()

    def stamps(self) -> dict[str, str]:
        """Live key -> stamp."""
        out: dict[str, str] = {}
        for seg, live in zip(self.segments, self._live, strict=True):
            for i in np.flatnonzero(live):
                out[seg.keys[i]] = seg.stamps[i]
        return out

    @property
    def n_docs(self) -> int:
        return int(sum(int(m.sum()) for m in self._live))

    def compact(self) -> Index:
        """One segment holding every live document (rebuilt from the stored texts)."""
        docs = []
        for seg, live in zip(self.segments, self._live, strict=True):
            for i in np.flatnonzero(live):
                docs.append(
                    Doc(
                        seg.keys[i],
                        seg.kinds[i],
                        int(seg.refs[i]),
                        seg.access[i],
                        seg.stamps[i],
                        seg.text(int(i)),
                        float(seg.weights[i]),
                    )
                )
        return Index([Segment.build(docs)])

    # -- searching ----------------------------------------------------------------------

    def search(
        self,
        parts: Sequence[Part],
        allowed: set[str],
        *,
        kinds: set[str] | None = None,
        hidden: frozenset[tuple[str, int]] = frozenset(),
        limit: int = 20,
        offset: int = 0,
        snippet_chars: int = 200,
    ) -> tuple[int, list[Hit]]:
        """``(number of hits, one page of hits)``; all parts must match (AND). Documents
        of the records in *hidden* (``(kind, ref)`` pairs) are left out."""
        if not parts:
            return 0, []
        masks = self._masks(
            frozenset(allowed), frozenset(kinds) if kinds is not None else None, hidden
        )
        n_allowed = sum(int(m.sum()) for m in masks)
        if n_allowed == 0:
            return 0, []
        total_len = sum(
            int(seg.doc_len[m].sum()) for seg, m in zip(self.segments, masks, strict=True)
        )
        avgdl = max(total_len / n_allowed, 1.0)
        # Expand every query word per segment, then document frequencies over the
        # allowed documents of all segments (BM25 statistics after the permission filter).
        expanded: list[list[list[list[tuple[int, float]]]]] = []  # seg -> part -> word -> alts
        for seg in self.segments:
            expanded.append(
                [[expand(seg, w, p.prefix and j == len(p.words) - 1) for j, w in enumerate(p.words)]
                 for p in parts]
            )  # fmt: skip
        term_df: dict[str, int] = {}
        for s, seg in enumerate(self.segments):
            for t in {t for part_alts in expanded[s] for wa in part_alts for t, _w in wa}:
                docs, _tf = seg.postings(t)
                term = seg.vocab[t]
                term_df[term] = term_df.get(term, 0) + int(masks[s][docs].sum())
        # Terms found only in documents the caller may not see are dropped (they would
        # otherwise show up in highlights and expansions).
        expanded = [
            [[[(t, w) for t, w in word_alts if term_df[seg.vocab[t]] > 0]
              for word_alts in part_alts]
             for part_alts in expanded[s]]
            for s, seg in enumerate(self.segments)
        ]  # fmt: skip
        per_doc: list[tuple[int, npt.NDArray[np.int64], npt.NDArray[np.float64]]] = []
        matched: dict[int, set[str]] = {}
        matched_ids: dict[int, list[int]] = {}
        for s, seg in enumerate(self.segments):
            if not masks[s].any():
                continue
            total = np.zeros(seg.n_docs, dtype=np.float64)
            all_ok = masks[s].copy()
            norm = self._norm(s, avgdl)
            for pi, part in enumerate(parts):
                part_score = np.zeros(seg.n_docs, dtype=np.float64)
                word_ok = []
                for wi in range(len(part.words)):
                    wscore = np.zeros(seg.n_docs, dtype=np.float64)
                    for t, w in expanded[s][pi][wi]:
                        docs, tf = seg.postings(t)
                        n_t = term_df[seg.vocab[t]]
                        idf = math.log(1 + (n_allowed - n_t + 0.5) / (n_t + 0.5))
                        tfv = tf.astype(np.float64)
                        sc = w * idf * tfv * (K1 + 1) / (tfv + norm[docs])
                        wscore[docs] = np.maximum(wscore[docs], sc)
                    word_ok.append(wscore > 0)
                    part_score += wscore
                ok = masks[s].copy()
                for m in word_ok:
                    ok &= m
                if part.phrase and len(part.words) > 1:
                    alts = [[t for t, _ in expanded[s][pi][wi]] for wi in range(len(part.words))]
                    keep = np.zeros(seg.n_docs, dtype=bool)
                    keep[_phrase_docs(seg, alts)] = True
                    ok &= keep
                all_ok &= ok
                total += part_score
            idx = np.flatnonzero(all_ok)
            if not len(idx):
                continue
            per_doc.append((s, idx, total[idx] * seg.weights[idx]))
            matched_ids[s] = sorted({t for part in expanded[s] for alts in part for t, _ in alts})
            matched[s] = {seg.vocab[t] for t in matched_ids[s]}
        if not per_doc:
            return 0, []
        # sum the documents of each hit (kind, ref) with numpy, then rank the hits
        hid = np.concatenate([self._hit_id[s][idx] for s, idx, _ in per_doc])
        sc = np.concatenate([v for _s, _i, v in per_doc])
        sums = np.bincount(hid, weights=sc, minlength=len(self._hit_keys))
        hits_present = np.unique(hid)
        order = hits_present[np.lexsort((hits_present, -sums[hits_present]))]
        page_ids = order[offset : offset + limit]
        out = []
        for h in page_ids:
            best: tuple[float, int, int] | None = None
            for s, idx, v in per_doc:
                sel = np.flatnonzero(self._hit_id[s][idx] == h)
                if len(sel):
                    j = int(sel[np.argmax(v[sel])])
                    if best is None or float(v[j]) > best[0]:
                        best = (float(v[j]), s, int(idx[j]))
            assert best is not None
            _score, s, d = best
            seg = self.segments[s]
            kind, ref = self._hit_keys[int(h)]
            terms = matched[s]
            first = min(
                (int(ps[0]) for t in matched_ids[s] if len(ps := seg.positions(t, d))),
                default=0,
            )
            out.append(
                Hit(
                    kind=kind,
                    ref=ref,
                    score=round(float(sums[h]), 4),
                    doc_key=seg.keys[d],
                    stamp=seg.stamps[d],
                    snippet=snippet(seg.text(d), terms, snippet_chars, near_word=first),
                    matched=sorted(terms),
                )
            )
        return len(order), out

    def _masks(
        self,
        allowed: frozenset[str],
        kinds: frozenset[str] | None,
        hidden: frozenset[tuple[str, int]] = frozenset(),
    ) -> list[npt.NDArray[np.bool_]]:
        key = (allowed, kinds, hidden)
        cached = self._mask_cache.get(key)
        if cached is not None:
            return cached
        masks = []
        for seg, live in zip(self.segments, self._live, strict=True):
            ok = live & np.fromiter((a in allowed for a in seg.access), bool, seg.n_docs)
            if kinds is not None:
                ok &= np.fromiter((k in kinds for k in seg.kinds), bool, seg.n_docs)
            if hidden:
                ok &= np.fromiter(
                    ((k, int(r)) not in hidden for k, r in zip(seg.kinds, seg.refs, strict=True)),
                    bool,
                    seg.n_docs,
                )
            masks.append(ok)
        if len(self._mask_cache) > 32:
            self._mask_cache.clear()
        self._mask_cache[key] = masks
        return masks


def _phrase_docs(seg: Segment, alts: list[list[int]]) -> npt.NDArray[np.int64]:
    """Documents where the words (each: any of its term ids) stand next to each other,
    in order: (document, position - offset) pairs intersected across the words."""
    common: npt.NDArray[np.int64] | None = None
    for wi, terms in enumerate(alts):
        parts = []
        for t in terms:
            a, b = int(seg.post_ptr[t]), int(seg.post_ptr[t + 1])
            if a == b:
                continue
            docs = np.repeat(seg.post_doc[a:b].astype(np.int64), seg.post_tf[a:b])
            pos = seg.pos[int(seg.pos_ptr[a]) : int(seg.pos_ptr[b])].astype(np.int64) - wi
            parts.append((docs << 32) | (pos & 0xFFFFFFFF))
        keys = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        common = keys if common is None else np.intersect1d(common, keys, assume_unique=True)
        if not len(common):
            break
    if common is None or not len(common):
        return np.zeros(0, dtype=np.int64)
    return np.unique(common >> 32)


def snippet(text: str, terms: set[str], width: int = 200, *, near_word: int | None = None) -> str:
    """An HTML-escaped extract of *text* around the words that match *terms*, each match
    wrapped in ``<mark>``; the densest window of about *width* characters. With
    *near_word* (the index of the first matching word, from the postings) only the text
    around that word is examined."""
    if near_word is not None and len(text) > 4 * width:
        start = 0
        for i, m in enumerate(WORD.finditer(text)):
            if i >= near_word:
                start = m.start()
                break
        lo = max(0, start - width)
        hi = min(len(text), start + 2 * width)
        inner = snippet(text[lo:hi], terms, width)
        inner = inner.removeprefix("…").removesuffix("…")
        return ("…" if lo > 0 else "") + inner + ("…" if hi < len(text) else "")
    spans = []
    for m in WORD.finditer(text):
        primary, alt = analyse(m.group())
        if primary in terms or (alt is not None and alt in terms):
            spans.append((m.start(), m.end()))
    if not spans:
        cut = text[:width]
        return html.escape(" ".join(cut.split())) + ("…" if len(text) > width else "")
    best, best_n = 0, 0
    j = 0
    for i in range(len(spans)):
        while spans[i][1] - spans[j][0] > width:
            j += 1
        if i - j + 1 > best_n:
            best, best_n = j, i - j + 1
    start = spans[best][0]
    lo = max(0, start - width // 4)
    if lo:
        sp = text.rfind(" ", 0, lo + 1)
        lo = sp + 1 if sp >= 0 and lo - sp < 30 else lo
    hi = min(len(text), lo + width)
    if hi < len(text):
        sp = text.find(" ", hi)
        hi = sp if 0 <= sp - hi < 30 else hi
    out = []
    cur = lo
    for a, b in spans:
        if a < lo or b > hi:
            continue
        out.append(html.escape(text[cur:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        cur = b
    out.append(html.escape(text[cur:hi]))
    body = " ".join("".join(out).split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")
