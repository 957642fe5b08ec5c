"""A small map as SVG, drawn from coordinates (no tiles, nothing downloaded).

Equirectangular projection scaled by cos(latitude), a kilometre scale bar and a north
arrow. Incidents are circles sized by their best fatality figure; sites are squares.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape


def _nice_km(span_km: float) -> float:
    target = span_km / 4
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        if step >= target:
            return step
    return 1000.0


def render_map(
    points: Sequence[dict[str, object]], *, width: int = 640, height: int = 360, caption: str = ""
) -> str:
    pts = [p for p in points if p.get("lat") is not None and p.get("lon") is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(caption or "map")}">',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f4f1ea" stroke="#999"/>',
    ]
    if not pts:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" font-size="14" fill="#555">no coordinates recorded</text></svg>'
        )
        return "".join(parts)
    lats = [float(p["lat"]) for p in pts]  # type: ignore[arg-type]
    lons = [float(p["lon"]) for p in pts]  # type: ignore[arg-type]
    lat0 = sum(lats) / len(lats)
    k = math.cos(math.radians(lat0))
    xs = [lon * k for lon in lons]
    pad = 60
    minx, maxx, miny, maxy = min(xs), max(xs), min(lats), max(lats)
    spanx, spany = max(maxx - minx, 1e-3), max(maxy - miny, 1e-3)
    scale = min((width - 2 * pad) / spanx, (height - 2 * pad) / spany)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2

    def proj(lat: float, lon: float) -> tuple[float, float]:
        return width / 2 + (lon * k - cx) * scale, height / 2 - (lat - cy) * scale

    # grid
    for i in range(1, 4):
        parts.append(
            f'<line x1="{width * i / 4}" y1="0" x2="{width * i / 4}" y2="{height}" stroke="#e0dccf"/>'
        )
        parts.append(
            f'<line x1="0" y1="{height * i / 4}" x2="{width}" y2="{height * i / 4}" stroke="#e0dccf"/>'
        )
    max_size = (
        max(float(p.get("size") or 1) for p in pts if p.get("kind") == "incident")
        if any(p.get("kind") == "incident" for p in pts)
        else 1.0
    )
    for p in sorted(pts, key=lambda p: -(float(p.get("size") or 1))):
        x, y = proj(float(p["lat"]), float(p["lon"]))  # type: ignore[arg-type]
        label = escape(str(p.get("label", "")))
        if p.get("kind") == "site":
            parts.append(
                f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="#252525"><title>{label}</title></rect>'
            )
            parts.append(
                f'<text x="{x + 9:.1f}" y="{y + 14:.1f}" font-size="10" font-family="DejaVu Sans" fill="#252525">{label}</text>'
            )
        else:
            r = 6 + 18 * math.sqrt(float(p.get("size") or 1) / max_size)
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#8c2d04" fill-opacity="0.55" stroke="#8c2d04"><title>{label}</title></circle>'
            )
            parts.append(
                f'<text x="{x + r + 3:.1f}" y="{y - 2:.1f}" font-size="10" font-family="DejaVu Sans" fill="#5a1d02">{label}</text>'
            )
    # scale bar
    km_per_px = 111.32 / scale  # x units are degrees*cos(lat)
    step = _nice_km(km_per_px * (width - 2 * pad))
    bar = step / km_per_px
    parts.append(
        f'<line x1="20" y1="{height - 20}" x2="{20 + bar:.1f}" y2="{height - 20}" stroke="#000" stroke-width="3"/>'
    )
    parts.append(
        f'<text x="20" y="{height - 26}" font-size="10" font-family="DejaVu Sans">{step:g} km</text>'
    )
    parts.append(
        f'<text x="{width - 24}" y="28" font-size="14" font-family="DejaVu Sans" text-anchor="middle">N</text>'
    )
    parts.append(f'<path d="M {width - 24} 32 l -6 16 l 6 -4 l 6 4 z" fill="#000"/>')
    parts.append("</svg>")
    return "".join(parts)
