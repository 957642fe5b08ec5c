"""Fictional pages to read with OCR: rendered text at 300 dpi (clean, noisy, skewed) and a
few pages made by hand in the forms real scans take — a statement with a stamp and
handwriting-like marks, a photo with a caption burned in, a mixed Arabic/English page,
a page scanned upside down or on its side. Every text is fictional and says so where
there is room."""

from __future__ import annotations

import io
import math
import random
import subprocess
from dataclasses import dataclass

EN_LINES = [
    "Fictional statement taken on 14 March 2025 in Marjan, a fictional town.",
    "The witness saw armed men enter the street at about seven in the morning.",
    "Twelve civilians were killed near the school; the families buried them the next day.",
    "The witness asked that her name not be published for her safety.",
    "Signed by the interviewer of the Fictional Documentation Centre.",
]
AR_LINES = [
    "إفادة خيالية أخذت يوم ١٤ آذار ٢٠٢٥ في بلدة مرجان الخيالية.",
    "رأت الشاهدة مسلحين يدخلون الشارع نحو الساعة السابعة صباحا.",
    "قتل اثنا عشر مدنيا قرب المدرسة ودفنتهم العائلات في اليوم التالي.",
    "طلبت الشاهدة عدم نشر اسمها حفاظا على سلامتها.",
    "وقعها المحاور في مركز التوثيق الخيالي.",
]


@dataclass
class Page:
    name: str
    language: str  # "en", "ar" or "mixed"
    text: str  # what a perfect reading gives (line by line)
    png: bytes


def _html(lines: list[str], rtl: bool, extra: str = "") -> str:
    d = "rtl" if rtl else "ltr"
    body = "".join(f"<p>{ln}</p>" for ln in lines)
    return (
        f'<html dir="{d}"><head><meta charset="utf-8"><style>@page{{size:A5;margin:15mm}}'
        "body{font-family:'Noto Naskh Arabic','DejaVu Sans';font-size:12pt;line-height:1.6}"
        f"p{{margin:0 0 4mm 0}}</style></head><body>{extra}{body}</body></html>"
    )


def render(html: str, dpi: int = 300) -> bytes:
    """HTML → PDF (WeasyPrint) → PNG of page 1 at *dpi* (pdftoppm)."""
    import weasyprint

    pdf = weasyprint.HTML(string=html).write_pdf()
    out = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-singlefile", "-"],
        input=pdf, capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return bytes(out.stdout)


def degrade(png: bytes, *, noise: float = 0.0, skew: float = 0.0, seed: int = 7) -> bytes:
    """Salt-and-pepper *noise* (share of pixels), a *skew* in degrees, a grey cast."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    with Image.open(io.BytesIO(png)) as im:
        a = np.asarray(im.convert("L"), dtype=np.uint8).copy()
    if noise:
        mask = rng.random(a.shape) < noise
        a[mask] = rng.choice(np.array([0, 255], dtype=np.uint8), size=int(mask.sum()))
        a = np.clip(a.astype(np.int16) - 25, 0, 255).astype(np.uint8)
    im2 = Image.fromarray(a)
    if skew:
        im2 = im2.rotate(skew, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    buf = io.BytesIO()
    im2.save(buf, format="PNG")
    return buf.getvalue()


def generated(n_per_language: int = 3, seed: int = 11) -> list[tuple[str, Page]]:
    """``(condition, page)`` for English and Arabic pages, clean / noise / skew."""
    rng = random.Random(seed)
    out = []
    for lang, pool in (("en", EN_LINES), ("ar", AR_LINES)):
        for i in range(n_per_language):
            lines = rng.sample(pool, k=4)
            png = render(_html(lines, rtl=lang == "ar"))
            text = "\n".join(lines)
            out.append(("clean", Page(f"{lang}-{i}", lang, text, png)))
            out.append(("noise", Page(f"{lang}-{i}-noise", lang, text, degrade(png, noise=0.02))))
            out.append(("skew", Page(f"{lang}-{i}-skew", lang, text, degrade(png, skew=2.5))))
    return out


def _stamp_svg() -> str:
    return (
        '<svg width="150" height="150" style="position:absolute;right:20mm;top:60mm;'
        'opacity:0.55"><circle cx="75" cy="75" r="68" fill="none" stroke="#1b3a8a" '
        'stroke-width="5"/><circle cx="75" cy="75" r="52" fill="none" stroke="#1b3a8a" '
        'stroke-width="2"/><text x="75" y="70" font-size="13" text-anchor="middle" '
        'fill="#1b3a8a">FICTIONAL</text><text x="75" y="90" font-size="13" '
        'text-anchor="middle" fill="#1b3a8a">RECEIVED</text></svg>'
    )


def _scribble_svg() -> str:
    pts = " ".join(f"{20 + i * 6},{40 + 12 * math.sin(i / 2.0) + (i % 3) * 3}" for i in range(40))
    return (
        '<svg width="300" height="90" style="position:absolute;left:18mm;bottom:25mm">'
        f'<polyline points="{pts}" fill="none" stroke="#222" stroke-width="3"/>'
        '<path d="M30 75 C 80 20, 120 95, 180 50 S 260 30, 280 70" fill="none" '
        'stroke="#333" stroke-width="2.5"/></svg>'
    )


def hand_made() -> list[Page]:
    """Pages in the forms real scans take (all fictional)."""
    pages = []
    lines = EN_LINES[:4]
    html = _html(lines, rtl=False, extra=_stamp_svg() + _scribble_svg())
    pages.append(Page("statement-stamp-signature", "en", "\n".join(lines),
                      degrade(render(html), noise=0.01, skew=1.2)))  # fmt: skip
    ar = AR_LINES[:4]
    html = _html(ar, rtl=True, extra=_stamp_svg() + _scribble_svg())
    pages.append(Page("statement-ar-stamp-signature", "ar", "\n".join(ar),
                      degrade(render(html), noise=0.01, skew=-1.0)))  # fmt: skip
    mixed = [AR_LINES[0], EN_LINES[1], AR_LINES[2], EN_LINES[3]]
    html = _html(mixed, rtl=True)
    pages.append(Page("mixed-ar-en", "mixed", "\n".join(mixed), render(html)))
    pages.append(Page("rotated-180", "en", "\n".join(EN_LINES[:3]),
                      _turn(render(_html(EN_LINES[:3], rtl=False)), 180)))  # fmt: skip
    pages.append(Page("rotated-90", "ar", "\n".join(AR_LINES[:3]),
                      _turn(render(_html(AR_LINES[:3], rtl=True)), 90)))  # fmt: skip
    pages.append(_photo_with_caption())
    return pages


def _turn(png: bytes, degrees: int) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        out = im.rotate(degrees, expand=True)
        buf = io.BytesIO()
        out.save(buf, format="PNG")
    return buf.getvalue()


def _photo_with_caption() -> Page:
    """A 'photo' (a gradient with shapes) with a caption burned in, saved as JPEG."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    h, w = 900, 1400
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([(x * 180 // w + 40), (y * 120 // h + 60), (x + y) * 100 // (w + h) + 80], -1)
    im = Image.fromarray(img.astype(np.uint8), "RGB")
    d = ImageDraw.Draw(im)
    d.rectangle([200, 250, 700, 650], fill=(90, 70, 60))
    d.ellipse([850, 200, 1200, 550], fill=(200, 190, 120))
    caption = "Fictional town square, 7 March 2025"
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 44)
    d.rectangle([0, 780, w, 900], fill=(0, 0, 0))
    d.text((40, 805), caption, font=font, fill=(255, 255, 255))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=85)
    return Page("photo-caption", "en", caption, buf.getvalue())


def image_only_pdf(png: bytes) -> bytes:
    """A PDF holding only the page image (as a scanner makes it)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        buf = io.BytesIO()
        im.convert("RGB").save(buf, format="PDF", resolution=300.0)
    return buf.getvalue()
