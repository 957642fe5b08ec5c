"""OCR quality and speed: character error rate (CER) in English and Arabic on generated
fictional pages rendered at 300 dpi (clean, with salt-and-pepper noise, skewed 2.5°),
and on hand-made pages in the forms real scans take (stamp and handwriting-like marks,
mixed Arabic/English, pages turned 90° and 180°, a photo with a caption burned in).

    python benchmarks/ocr_quality.py [--per-language N]

CER = edit distance / reference length, after Unicode NFKC and whitespace collapsed
(Arabic diacritics removed on both sides). Pages per minute is wall-clock over all pages
(one Tesseract process at a time). The baseline row is the same pages read with English
only (what an English-default OCR setup gives).
"""

from __future__ import annotations

import argparse
import os
import re
import time
import unicodedata

from rapidfuzz.distance import Levenshtein

from dalil.ocr.engine import ocr_image
from dalil.synth import ocr_pages


def norm(t: str) -> str:
    t = unicodedata.normalize("NFKC", t)
    t = re.sub("[\u064b-\u0652\u0640]", "", t)
    return " ".join(t.split())


def cer(ref: str, hyp: str) -> float:
    r, h = norm(ref), norm(hyp)
    return Levenshtein.distance(r, h) / max(len(r), 1)


def read(png: bytes, langs: str) -> tuple[str, float]:
    pages = ocr_image(png, langs)
    text = "\n".join(p.text for p in pages)
    conf = pages[0].confidence if pages else 0.0
    return text, conf


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-language", type=int, default=3)
    args = ap.parse_args()
    gen = ocr_pages.generated(args.per_language)
    hand = ocr_pages.hand_made()
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average) before the run")
    rows: dict[tuple[str, str, str], list[float]] = {}
    n_pages = 0
    t0 = time.perf_counter()
    for cond, page in gen:
        for langs in ("ara+eng", "eng"):
            text, _conf = read(page.png, langs)
            rows.setdefault(("generated", f"{page.language} {cond}", langs), []).append(
                cer(page.text, text)
            )
            if langs == "ara+eng":
                n_pages += 1
    elapsed_gen = time.perf_counter() - t0
    t1 = time.perf_counter()
    for page in hand:
        text, conf = read(page.png, "ara+eng")
        rows.setdefault(("hand-made", page.name, "ara+eng"), []).append(cer(page.text, text))
        rows.setdefault(("hand-made", page.name, "confidence"), []).append(conf)
    elapsed_hand = time.perf_counter() - t1
    print(f"{'set':10} {'pages':32} {'languages':10} {'CER':>6}  n")
    for (s, name, langs), vals in rows.items():
        if langs == "confidence":
            continue
        mean = sum(vals) / len(vals)
        extra = ""
        if (s, name, "confidence") in rows:
            extra = f"  (confidence {rows[(s, name, 'confidence')][0]:.0f})"
        print(f"{s:10} {name:32} {langs:10} {mean:6.3f}  {len(vals)}{extra}")
    # the speed: ara+eng readings only (the eng baseline ran interleaved, so time both)
    ppm = 2 * n_pages / elapsed_gen * 60
    print(f"speed: {ppm:.1f} pages/min over {2 * n_pages} readings of generated pages "
          f"(A5, 300 dpi); hand-made: {len(hand) / elapsed_hand * 60:.1f} pages/min")  # fmt: skip
    print(f"load: {os.getloadavg()[0]:.2f} after the run")


if __name__ == "__main__":
    main()
