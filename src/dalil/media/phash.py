"""Perceptual hashes of images and video keyframes, and near-duplicate matching.

The hash is the 64-bit DCT perceptual hash (pHash) of the ``imagehash`` package, taken
after the EXIF orientation is applied and the image turned to greyscale. Two images are
the *same media* when their hashes differ in at most :data:`THRESHOLD` bits. A second
hash of the central 80 % of the image catches crops that cut up to 10 % from the edges:
a pair matches when either the full or the central hashes (in any combination) are
close. The threshold was chosen on ``benchmarks/media_near_duplicates.py`` (re-encoded,
resized, cropped, watermarked and recoloured copies against unrelated images).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

#: Largest Hamming distance (of 64 bits) between two hashes of the same media.
THRESHOLD = 12


@dataclass(frozen=True)
class MediaHash:
    full: int
    center: int

    def to_hex(self) -> str:
        return f"{self.full:016x}:{self.center:016x}"

    @classmethod
    def from_hex(cls, text: str) -> MediaHash:
        a, b = text.split(":")
        return cls(int(a, 16), int(b, 16))


def _phash(im: object) -> int:
    import imagehash

    return int(str(imagehash.phash(im)), 16)  # type: ignore[arg-type]


def hash_image(data: bytes) -> MediaHash:
    """The hashes of an image file's content."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as im:
        im.draft("L", (512, 512))  # JPEG: decode at reduced size (fast, same hash)
        grey = ImageOps.exif_transpose(im).convert("L")
        w, h = grey.size
        center = grey.crop((int(w * 0.1), int(h * 0.1), int(w * 0.9), int(h * 0.9)))
        return MediaHash(_phash(grey), _phash(center))


def distance(a: MediaHash, b: MediaHash) -> int:
    """The smallest Hamming distance between the two images' hashes."""
    return min(
        (a.full ^ b.full).bit_count(),
        (a.center ^ b.center).bit_count(),
        (a.full ^ b.center).bit_count(),
        (a.center ^ b.full).bit_count(),
    )


def same_media(a: MediaHash, b: MediaHash, threshold: int = THRESHOLD) -> bool:
    return distance(a, b) <= threshold
