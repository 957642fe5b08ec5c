"""Corpus graph: which documents reuse which, and which sources are independent.

1. Each document → set of hashed word 5-shingles (normalised tokens).
2. MinHash signatures (numpy, 64 permutations) indexed in a datasketch
   ``MinHashLSHEnsemble`` — an index for *containment* ``|Q ∩ X| / |Q|``, because partial
   reuse (a news story built from part of a release) is the usual case and Jaccard
   similarity would miss it.
3. Each document queries the index; candidate pairs are verified with exact shingle
   containment both ways; pairs at or above the threshold become edges.
4. Direction of an edge: by document date when both are known and differ; otherwise the
   document more contained in the other is the derivative; when the two containments are
   within 0.1 of each other and neither document is mostly (≥ 0.8) inside the other, the
   edge is ``shared_origin``.

:func:`independent_groups` then groups the documents that carry a claim by connected
component of this graph: documents linked by reuse (directly or through others) are one
line of reporting, not independent corroboration.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from dalil.errors import InputError
from dalil.sources.quantities import extract_quantities
from dalil.sources.segment import normalise_word, tokens
from dalil.sources.wire import Profile, printings_of_one_dispatch, profile

SHINGLE = 5
NUM_PERM = 64
DEFAULT_THRESHOLD = 0.1
_MASK32 = np.uint64(0xFFFFFFFF)
_WORD = re.compile(r"[\w\u0600-\u06FF][\w\u0600-\u06FF'’\-]*")


@dataclass
class GraphDoc:
    id: str
    text: str
    title: str | None = None
    date: date | None = None


@dataclass
class SourceGraph:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": self.nodes, "edges": self.edges, "stats": self.stats}

    def components(self) -> dict[str, int]:
        """Document id → component number (documents linked by any edge share one)."""
        parent: dict[str, str] = {n["id"]: n["id"] for n in self.nodes}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for e in self.edges:
            ra, rb = find(e["source"]), find(e["derivative"])
            if ra != rb:
                parent[rb] = ra
        roots: dict[str, int] = {}
        return {n["id"]: roots.setdefault(find(n["id"]), len(roots)) for n in self.nodes}


_token_ids: dict[str, int] = {}
_surface_ids: dict[str, int] = {}  # surface word → id of its normalised form


def _tok_id(w: str) -> int:
    tid = _token_ids.get(w)
    if tid is None:
        # Deterministic 32-bit id from the word (FNV-1a), stable across runs.
        h = 0x811C9DC5
        for b in w.encode("utf-8"):
            h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
        tid = h
        if len(_token_ids) < 2_000_000:
            _token_ids[w] = tid
    return tid


def shingle_hashes(text: str, k: int = SHINGLE) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word *k*-shingles of *text*."""
    get = _surface_ids.get
    out_ids: list[int] = []
    for w in _WORD.findall(text):
        tid = get(w)
        if tid is None:
            tid = _tok_id(normalise_word(w))
            if len(_surface_ids) < 2_000_000:
                _surface_ids[w] = tid
        out_ids.append(tid)
    ids = np.array(out_ids, dtype=np.uint64)
    if len(ids) < k:
        if len(ids) == 0:
            return np.zeros(0, dtype=np.uint64)
        k = len(ids)
    h = np.zeros(len(ids) - k + 1, dtype=np.uint64)
    mult = np.uint64(1099511628211)
    with np.errstate(over="ignore"):
        for i in range(k):
            h = h * mult + ids[i : len(ids) - k + 1 + i]
        h = (h ^ (h >> np.uint64(29))) & _MASK32
    return np.unique(h)


class _MinHasher:
    def __init__(self, num_perm: int = NUM_PERM, seed: int = 7) -> None:
        rng = np.random.RandomState(seed)
        self.a = (rng.randint(1, 1 << 30, size=num_perm, dtype=np.int64) * 2 + 1).astype(np.uint64)
        self.b = rng.randint(0, 1 << 31, size=num_perm, dtype=np.int64).astype(np.uint64)
        self.num_perm = num_perm

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        if len(hashes) == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint64)
        with np.errstate(over="ignore"):
            # Affine hashing modulo 2^32 with odd multipliers (datasketch's "affine32").
            v = (np.outer(hashes, self.a) + self.b) & _MASK32
        sig: np.ndarray = v.min(axis=0)
        return sig


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Share of shingles of *a* that are in *b* (both sorted unique arrays)."""
    if len(a) == 0:
        return 0.0
    return float(len(np.intersect1d(a, b, assume_unique=True)) / len(a))


def build_graph(
    docs: Sequence[GraphDoc],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = NUM_PERM,
    num_part: int = 16,
) -> SourceGraph:
    """The derivation graph of *docs* (see module docstring)."""
    from datasketch import MinHash, MinHashLSHEnsemble

    if not 0 < threshold <= 1:
        raise InputError(f"--threshold must be in (0, 1], not {threshold}")
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise InputError("document ids must be unique")
    t0 = time.perf_counter()
    hasher = _MinHasher(num_perm)
    shingles = [shingle_hashes(d.text) for d in docs]
    perms = (hasher.a, hasher.b)
    sigs = [
        MinHash(
            num_perm=num_perm, hashvalues=hasher.signature(s), scheme="affine32", permutations=perms
        )
        for s in shingles
    ]
    t1 = time.perf_counter()
    lsh = MinHashLSHEnsemble(threshold=threshold, num_perm=num_perm, num_part=num_part)
    entries = [(i, sigs[i], max(1, len(shingles[i]))) for i in range(len(docs)) if len(shingles[i])]
    if entries:
        lsh.index(entries)
    t2 = time.perf_counter()
    pairs: set[tuple[int, int]] = set()
    if entries:
        for i in range(len(docs)):
            if not len(shingles[i]):
                continue
            for j in lsh.query(sigs[i], len(shingles[i])):
                if j != i:
                    pairs.add((min(i, j), max(i, j)))
    t3 = time.perf_counter()
    edges: list[dict[str, Any]] = []
    profiles: dict[str, Profile] = {}

    def profile_of(d: GraphDoc) -> Profile:
        if d.id not in profiles:
            profiles[d.id] = profile(d.text)
        return profiles[d.id]

    for i, j in sorted(pairs):
        c_ij = containment(shingles[i], shingles[j])  # share of i inside j
        c_ji = containment(shingles[j], shingles[i])
        if max(c_ij, c_ji) < threshold:
            continue
        edges.append(_edge(docs[i], docs[j], c_ij, c_ji, profile_of))
    _explain_by_third(edges, {d.id: i for i, d in enumerate(docs)}, shingles)
    t4 = time.perf_counter()
    nodes = [
        {
            "id": d.id,
            "title": d.title,
            "date": d.date.isoformat() if d.date else None,
            "words": sum(1 for _ in _WORD.finditer(d.text)),
        }
        for d in docs
    ]
    stats = {
        "documents": len(docs),
        "candidate_pairs": len(pairs),
        "edges": len(edges),
        "threshold": threshold,
        "num_perm": num_perm,
        "seconds": {
            "minhash": round(t1 - t0, 3),
            "index": round(t2 - t1, 3),
            "query": round(t3 - t2, 3),
            "verify": round(t4 - t3, 3),
        },
    }
    return SourceGraph(nodes, edges, stats)


def _explain_by_third(
    edges: list[dict[str, Any]], index: Mapping[str, int], shingles: Sequence[np.ndarray]
) -> None:
    """Mark an edge ``shared_origin`` when the text its two ends share is (≥ 80 %) also in
    a third document both of them are linked to as derivatives: they copy a common source
    rather than each other."""
    parents: dict[str, set[str]] = {}
    for e in edges:
        if e["direction"] == "derivative_of_source":
            parents.setdefault(e["derivative"], set()).add(e["source"])
    for e in edges:
        common = (parents.get(e["source"], set()) & parents.get(e["derivative"], set())) - {
            e["source"],
            e["derivative"],
        }
        if not common:
            continue
        shared = np.intersect1d(
            shingles[index[e["source"]]], shingles[index[e["derivative"]]], assume_unique=True
        )
        if not len(shared):
            continue
        for z in sorted(common):
            if containment(shared, shingles[index[z]]) >= 0.8:
                e["direction"] = "shared_origin"
                e["via"] = z
                break


def _edge(
    a: GraphDoc,
    b: GraphDoc,
    c_ab: float,
    c_ba: float,
    profiles: Callable[[GraphDoc], Profile] | None = None,
) -> dict[str, Any]:
    """Edge between *a* and *b*; c_ab = share of a inside b."""
    direction = "derivative_of_source"
    if (
        profiles is not None
        and min(c_ab, c_ba) >= 0.5
        and printings_of_one_dispatch(a.text, b.text, profiles=(profiles(a), profiles(b)))
    ):
        # Two printings of one dispatch, each with paragraphs the other lacks: neither
        # copies the other (dates say only which was printed first).
        first_a = not (a.date and b.date and b.date < a.date)
        src, der, c_der, c_src = (a, b, c_ba, c_ab) if first_a else (b, a, c_ab, c_ba)
        direction, basis = "shared_origin", "paragraphs"
    elif a.date and b.date and a.date != b.date:
        src, der, c_der, c_src = (a, b, c_ba, c_ab) if a.date < b.date else (b, a, c_ab, c_ba)
        basis = "date"
    elif abs(c_ab - c_ba) < 0.1 and max(c_ab, c_ba) < 0.8:
        src, der, c_der, c_src = a, b, c_ba, c_ab
        direction, basis = "shared_origin", "containment"
    elif c_ba >= c_ab:
        src, der, c_der, c_src = a, b, c_ba, c_ab  # b more inside a → b derives from a
        basis = "containment"
    else:
        src, der, c_der, c_src = b, a, c_ab, c_ba
        basis = "containment"
    return {
        "source": src.id,
        "derivative": der.id,
        "containment": round(c_der, 4),
        "source_coverage": round(c_src, 4),
        "direction": direction,
        "basis": basis,
    }


@dataclass
class Claim:
    """A claim to look for: a phrase or quotation (``kind="phrase"``) or a figure
    (``kind="quantity"``: carried when a document states the same interval)."""

    text: str
    kind: str = "auto"


def _carries(claim: Claim, text: str) -> bool:
    kind = claim.kind
    cq = extract_quantities(claim.text)
    if kind == "auto":
        words = len(_WORD.findall(claim.text))
        kind = "quantity" if cq and words <= 5 else "phrase"
    if kind == "quantity":
        if not cq:
            raise InputError(f"claim {claim.text!r} has no figure in it")
        want = (cq[0].low, cq[0].high)
        return any((q.low, q.high) == want for q in extract_quantities(text))
    needle = [t.norm for t in tokens(claim.text)]
    if not needle:
        raise InputError("the claim is empty")
    hay = [t.norm for t in tokens(text)]
    n = len(needle)
    first = needle[0]
    return any(hay[i : i + n] == needle for i in range(len(hay) - n + 1) if hay[i] == first)


def independent_groups(
    graph: SourceGraph, claim: str | Claim, texts: Mapping[str, str]
) -> list[list[str]]:
    """Groups of mutually independent sources carrying *claim*.

    *graph* is from :func:`build_graph`; *texts* maps each document id to its text.
    A document carries a phrase claim when the claim's normalised words occur in it in
    order, and a figure claim ("more than 100", "32") when it states the same interval.
    Documents carrying the claim are grouped by connected component of *graph*: each
    returned group is one line of reporting (documents reusing each other, directly or
    via others); different groups are independent of each other as far as text reuse
    shows.  Groups are lists of ids sorted by (date, id); the list is sorted by size,
    largest first.
    """
    c = claim if isinstance(claim, Claim) else Claim(claim)
    comp = graph.components()
    dates = {n["id"]: n.get("date") or "" for n in graph.nodes}
    groups: dict[int, list[str]] = {}
    for doc_id, text in texts.items():
        if doc_id not in comp:
            raise InputError(f"document {doc_id!r} is not in the graph")
        if _carries(c, text):
            groups.setdefault(comp[doc_id], []).append(doc_id)
    out = [sorted(g, key=lambda i: (dates[i], i)) for g in groups.values()]
    out.sort(key=lambda g: (-len(g), g[0]))
    return out


def load_dir(
    folder: Path,
    *,
    pattern: Iterable[str] = ("*.txt", "*.html", "*.htm", "*.pdf", "*.docx"),
    skipped: list[dict[str, str]] | None = None,
) -> list[GraphDoc]:
    """Every supported file directly in *folder* (sorted by name), text-extracted.

    A file that cannot be read (empty, binary, scanned PDF …) is left out and, when
    *skipped* is given, listed there with the reason; without *skipped* it raises.
    """
    from dalil.sources.dates import guess_document_date
    from dalil.sources.text import extract_text

    if not folder.is_dir():
        raise InputError(f"{folder}: not a directory")
    files = sorted({p for pat in pattern for p in folder.glob(pat) if p.is_file()})
    if not files:
        raise InputError(f"{folder}: no .txt/.html/.pdf/.docx files")
    docs: list[GraphDoc] = []
    for p in files:
        try:
            ex = extract_text(p)
        except InputError as e:
            if skipped is None:
                raise
            skipped.append({"id": p.name, "reason": str(e)})
            continue
        d = ex.published or guess_document_date(ex.text)
        docs.append(GraphDoc(p.name, ex.text, ex.title, date.fromisoformat(d) if d else None))
    if not docs:
        raise InputError(f"{folder}: none of the {len(files)} files has readable text")
    return docs
