"""Fictional images for near-duplicate tests and the benchmark: random scenes (shapes,
gradients, text) and their transformed copies — re-encoded, resized, cropped up to 10 %,
watermarked, recoloured. Deterministic for a seed."""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageEnhance, ImageFont

TRANSFORMS = ("reencode", "resize", "crop", "watermark", "recolour")


def scene(seed: int, size: tuple[int, int] = (800, 600)) -> Image.Image:
    rng = random.Random(seed)
    w, h = size
    base = tuple(rng.randrange(256) for _ in range(3))
    im = Image.new("RGB", size, base)
    d = ImageDraw.Draw(im)
    for _ in range(rng.randrange(6, 14)):
        x0, y0 = rng.randrange(w), rng.randrange(h)
        x1, y1 = x0 + rng.randrange(40, w // 2), y0 + rng.randrange(40, h // 2)
        col = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.choice(("rect", "ellipse", "line"))
        if shape == "rect":
            d.rectangle([x0, y0, x1, y1], fill=col)
        elif shape == "ellipse":
            d.ellipse([x0, y0, x1, y1], fill=col)
        else:
            d.line([x0, y0, x1, y1], fill=col, width=rng.randrange(4, 20))
    return im


def jpeg(im: Image.Image, quality: int = 90) -> bytes:
    buf = io.BytesIO()
    im.convert("RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def transform(im: Image.Image, kind: str, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    w, h = im.size
    if kind == "reencode":
        return jpeg(im, quality=rng.choice((35, 50, 65)))
    if kind == "resize":
        f = rng.choice((0.4, 0.5, 0.75, 1.5))
        return jpeg(im.resize((int(w * f), int(h * f))), quality=80)
    if kind == "crop":
        f = rng.uniform(0.03, 0.10)
        dx, dy = int(w * f * rng.random()), int(h * f * rng.random())
        return jpeg(im.crop((dx, dy, w - (int(w * f) - dx), h - (int(h * f) - dy))), 85)
    if kind == "watermark":
        out = im.copy()
        d = ImageDraw.Draw(out)
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 36)
        d.text((w * 0.05, h * 0.85), "FICTIONAL NEWS AGENCY", font=font, fill=(255, 255, 255))
        d.rectangle([w - 120, 10, w - 10, 60], fill=(200, 0, 0))
        return jpeg(out, 85)
    if kind == "recolour":
        out = ImageEnhance.Color(im).enhance(rng.choice((0.0, 0.4, 1.8)))
        out = ImageEnhance.Brightness(out).enhance(rng.choice((0.8, 1.2)))
        return jpeg(out, 85)
    raise ValueError(kind)
