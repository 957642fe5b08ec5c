"""Case-wide search at scale: 10,000 sources of about 800 words (half Arabic, half
English, fictional, Zipf-distributed vocabulary) plus 100,000 persons (pseudonym and
notes open, legal name protected), through the same index the service uses.

    python benchmarks/search_scale.py [--sources N] [--persons N] [--queries N]

Prints: index build time (what an index rebuilt at every unlock would cost each time),
size of the encrypted index and time to encrypt+write and read+decrypt+load it (what
the chosen design costs a new process), query latency p50/p95 over a mix (single words
in both scripts, two-word AND, phrases, prefixes, a name across scripts) as a viewer
(open fields only) and as an investigator (open + content + protected), and the
process's peak memory. Ratio line: query p95 against the 200 ms target.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from dalil.search.index import Doc, Index, Segment
from dalil.search.query import parse
from dalil.synth.lists import FAMILY, FEMALE, MALE

AR_STEMS = ["قتل", "مدني", "شاهد", "مقبر", "جماع", "مسلح", "بلد", "مدرس", "عائل", "تحقيق",
            "منظم", "تقرير", "ضحاي", "هجوم", "قصف", "مستشفى", "شارع", "بيت", "طفل", "امرأ"]  # fmt: skip
AR_FIX = ["", "ال", "و", "وال", "ب", "بال"]
AR_END = ["", "ة", "ات", "ون", "ين", "ي"]
EN_WORDS = ["the", "of", "and", "to", "in", "a", "was", "were", "said", "that", "killed", "civilians", "witness", "grave", "town", "militia", "group", "report", "village", "house", "family", "men", "women", "children", "shot", "buried", "street", "school", "hospital", "attack", "fighters", "government", "inquiry", "evidence", "names", "list", "victims", "morning", "night", "brigade", "checkpoint", "convoy", "bodies", "statement"]  # fmt: skip


def vocab(rng: random.Random, n: int = 30000) -> tuple[list[str], list[str]]:
    ar = {rng.choice(AR_FIX) + s + rng.choice(AR_END) for s in AR_STEMS for _ in range(40)}
    syll = ["ka", "ra", "mi", "lo", "sa", "te", "nu", "di", "ba", "zo", "qa", "fi"]
    en = set(EN_WORDS)
    while len(en) < n // 2:
        en.add("".join(rng.choice(syll) for _ in range(rng.randrange(2, 5))))
    ar_l = sorted(ar)
    while len(ar_l) < n // 2:
        ar_l.append(
            "".join(rng.choice("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") for _ in range(rng.randrange(3, 7)))
        )
    return sorted(en), ar_l


def zipf_text(rng: random.Random, words: list[str], n: int, weights: list[float]) -> str:
    return " ".join(rng.choices(words, weights=weights, k=n))


def corpus(n_sources: int, n_persons: int, seed: int = 5) -> list[Doc]:
    rng = random.Random(seed)
    en, ar = vocab(rng)
    w_en = [1 / (i + 1) for i in range(len(en))]
    w_ar = [1 / (i + 1) for i in range(len(ar))]
    names = [x for _a, x in MALE + FEMALE]
    names_ar = [a for a, _x in MALE + FEMALE]
    fam = [x for _a, x in FAMILY]
    fam_ar = [a for a, _x in FAMILY]
    docs: list[Doc] = []
    for i in range(n_sources):
        arabic = i % 2 == 0
        body = zipf_text(rng, ar if arabic else en, 800, w_ar if arabic else w_en)
        who = (rng.choice(names_ar) + " " + rng.choice(fam_ar)) if arabic else (
            rng.choice(names) + " " + rng.choice(fam))  # fmt: skip
        body += " " + who
        docs.append(Doc(f"source:{i}", "source", i, "open", "1", f"Fictional report {i}", 2.0))
        docs.append(Doc(f"source:{i}:text", "source", i, "content", "1", body))
    for p in range(n_persons):
        docs.append(Doc(f"person:{p}", "person", p, "open", "1", f"V-{p} fictional victim"))
        legal = (rng.choice(names_ar) + " " + rng.choice(fam_ar)) if p % 2 else (
            rng.choice(names) + " " + rng.choice(fam))  # fmt: skip
        docs.append(Doc(f"person:{p}:names", "person", p, "protected", "1", legal, 1.5))
    return docs


QUERIES = [
    "killed civilians", "witness", '"mass grave"', "kill*", "convoy checkpoint", "قتل",
    "المقبرة", "مدرسة", "شاه*", "محمد", "Muhammad", "Fictional report 42", "hospital attack",
    '"the militia"', "عائلة", "Hasan", "school", "بيت طفل",
]  # fmt: skip


def main() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    ap = argparse.ArgumentParser()
    ap.add_argument("--sources", type=int, default=10_000)
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f}")
    t0 = time.perf_counter()
    docs = corpus(args.sources, args.persons)
    words = sum(len(d.text.split()) for d in docs)
    print(f"corpus: {len(docs)} documents, {words:,} words (generated in "
          f"{time.perf_counter() - t0:.1f} s)")  # fmt: skip
    t0 = time.perf_counter()
    seg = Segment.build(docs)
    build = time.perf_counter() - t0
    print(f"build (= rebuild at every unlock): {build:.1f} s; vocabulary {len(seg.vocab):,}, "
          f"postings {len(seg.post_doc):,}, positions {len(seg.pos):,}")  # fmt: skip
    del docs
    key = AESGCM.generate_key(256)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "seg.bin"
        t0 = time.perf_counter()
        nonce = secrets.token_bytes(12)
        path.write_bytes(nonce + AESGCM(key).encrypt(nonce, seg.to_bytes(), b"bench"))
        save = time.perf_counter() - t0
        size = path.stat().st_size
        t0 = time.perf_counter()
        blob = path.read_bytes()
        loaded = Segment.from_bytes(AESGCM(key).decrypt(blob[:12], blob[12:], b"bench"))
        load = time.perf_counter() - t0
    print(f"encrypted index: {size / 1e6:.0f} MB; encrypt+write {save:.1f} s; "
          f"read+decrypt+load {load:.1f} s")  # fmt: skip
    ix = Index([loaded])
    del seg
    roles = {"viewer": {"open"}, "investigator": {"open", "content", "sensitive", "protected"}}
    rng = random.Random(3)
    for role, allowed in roles.items():
        lat = []
        for _ in range(args.queries):
            q = rng.choice(QUERIES)
            t0 = time.perf_counter()
            ix.search(parse(q), allowed, limit=20)
            lat.append((time.perf_counter() - t0) * 1000)
        lat.sort()
        p50 = statistics.median(lat)
        p95 = lat[int(len(lat) * 0.95) - 1]
        print(f"query as {role:12}: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {lat[-1]:6.1f} ms"
              f"  (p95 / 200 ms target = {p95 / 200:.2f})")  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MB")
    print(f"load: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
