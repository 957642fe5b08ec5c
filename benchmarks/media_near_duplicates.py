"""Near-duplicate media: recall of transformed copies and false matches between
unrelated images, per Hamming threshold, on generated fictional images.

    python benchmarks/media_near_duplicates.py [--images N]

For N originals: 5 copies each (re-encoded at low quality, resized 0.4–1.5×, cropped
3–10 %, watermarked, recoloured); recall = copies within the threshold of their
original; false-match rate = unrelated pairs (different originals, all pairs) within the
threshold. Baseline: the full-image pHash alone (without the central hash).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

from dalil.media.phash import THRESHOLD, MediaHash, distance, hash_image
from dalil.synth.media_images import TRANSFORMS, jpeg, scene, transform


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--images", type=int, default=200)
    args = ap.parse_args()
    print(f"load: {os.getloadavg()[0]:.2f}")
    originals: list[MediaHash] = []
    copies: list[tuple[int, str, MediaHash]] = []
    t0 = time.perf_counter()
    for i in range(args.images):
        im = scene(1000 + i)
        originals.append(hash_image(jpeg(im)))
        for k in TRANSFORMS:
            copies.append((i, k, hash_image(transform(im, k, seed=i))))
    hashed = args.images * (1 + len(TRANSFORMS))
    dt = time.perf_counter() - t0
    print(f"hashed {hashed} images in {dt:.1f} s ({hashed / dt:.0f}/s, 800x600 JPEG)")
    unrelated = [distance(a, b) for a, b in itertools.combinations(originals, 2)]
    unrelated_full = [
        (a.full ^ b.full).bit_count() for a, b in itertools.combinations(originals, 2)
    ]
    print(f"{'threshold':>9} {'recall':>7} {'false':>8}   baseline(full pHash only): recall false")
    for t in (6, 8, 10, 12, 14, 16):
        rec = sum(distance(originals[i], h) <= t for i, _k, h in copies) / len(copies)
        fm = sum(d <= t for d in unrelated) / len(unrelated)
        rec_b = sum((originals[i].full ^ h.full).bit_count() <= t for i, _k, h in copies) / len(
            copies
        )
        fm_b = sum(d <= t for d in unrelated_full) / len(unrelated_full)
        mark = "  <- THRESHOLD" if t == THRESHOLD else ""
        print(f"{t:9d} {rec:7.3f} {fm:8.4f}   {rec_b:7.3f} {fm_b:8.4f}{mark}")
    print("recall by transform at the threshold:")
    for k in TRANSFORMS:
        sel = [h for i, kk, h in copies if kk == k]
        idx = [i for i, kk, _h in copies if kk == k]
        r = sum(distance(originals[i], h) <= THRESHOLD for i, h in zip(idx, sel, strict=True))
        print(f"  {k:10} {r / len(sel):.3f}")
    print(f"unrelated pairs: {len(unrelated)}")


if __name__ == "__main__":
    main()
