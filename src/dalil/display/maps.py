"""Maps and small plots drawn as inline SVG from coordinates: no tiles, no network, no
script. One module for the web pages and the reports.

Points are projected equirectangularly (longitude scaled by the cosine of the mean
latitude), so relative distances in one region look right. Incidents are circles, sites
are squares; each has a ``<title>`` (tooltip, screen readers). :func:`incident_map` and
:func:`estimate_plot` draw the web's views; :func:`render_map` draws the report's map
(sized by the best fatality figure, with a kilometre scale bar and a north arrow).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 640, 420, 30


def _coords(rec: dict[str, Any]) -> tuple[float, float] | None:
    lat, lon = rec.get("lat", rec.get("latitude")), rec.get("lon", rec.get("longitude"))
    if lat is None or lon is None:
        c = rec.get("coordinates")
        if isinstance(c, dict):
            lat, lon = c.get("latitude", c.get("lat")), c.get("longitude", c.get("lon"))
        elif isinstance(c, list | tuple) and len(c) == 2:
            lat, lon = c
    try:
        la, lo = float(lat), float(lon)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not (-90 <= la <= 90 and -180 <= lo <= 180) or math.isnan(la) or math.isnan(lo):
        return None
    return la, lo


def incident_map(
    incidents: list[dict[str, Any]], sites: list[dict[str, Any]], *, title: str
) -> Markup:
    pts = [("incident", r, c) for r in incidents if (c := _coords(r))]
    pts += [("site", r, c) for r in sites if (c := _coords(r))]
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="group" aria-labelledby="map-title" class="map">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" class="map-bg"/>',
    ]
    if pts:
        lats = [c[0] for _, _, c in pts]
        lons = [c[1] for _, _, c in pts]
        k = math.cos(math.radians(sum(lats) / len(lats)))
        min_x, max_x = min(lons) * k, max(lons) * k
        min_y, max_y = min(lats), max(lats)
        span = max(max_x - min_x, (max_y - min_y), 1e-3)
        scale = min((WIDTH - 2 * PAD) / span, (HEIGHT - 2 * PAD) / span)
        cx, cy = (min_x + max_x) / 2, (min_y + max_y) / 2

        def xy(lat: float, lon: float) -> tuple[float, float]:
            return (WIDTH / 2 + (lon * k - cx) * scale, HEIGHT / 2 - (lat - cy) * scale)

        # Graticule at a round step.
        step = 10 ** math.floor(math.log10(span)) if span > 0 else 1
        lat0 = math.floor((cy - HEIGHT / scale) / step) * step
        while lat0 <= cy + HEIGHT / scale:
            _, y = xy(lat0, 0)
            if 0 <= y <= HEIGHT:
                out.append(
                    f'<line x1="0" y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}" class="map-grid"/>'
                )
                out.append(f'<text x="4" y="{y - 3:.1f}" class="map-label">{lat0:.4g}°</text>')
            lat0 += step
        lon0 = math.floor((cx / k - WIDTH / scale / k) / step) * step
        while lon0 <= cx / k + WIDTH / scale / k:
            x, _ = xy(cy, lon0)
            if 0 <= x <= WIDTH:
                out.append(
                    f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{HEIGHT}" class="map-grid"/>'
                )
                out.append(
                    f'<text x="{x + 3:.1f}" y="{HEIGHT - 4}" class="map-label">{lon0:.4g}°</text>'
                )
            lon0 += step
        for what, rec, (lat, lon) in pts:
            x, y = xy(lat, lon)
            label = escape(str(rec.get("title") or rec.get("name") or rec.get("id")))
            if rec.get("place_name"):
                label += " · " + escape(str(rec["place_name"]))
            href = f"/{'incidents' if what == 'incident' else 'sites'}/{escape(str(rec.get('id')))}"
            shape = (
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" class="map-incident"/>'
                if what == "incident"
                else f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" class="map-site"/>'
            )
            out.append(f'<a href="{href}"><title>{label} ({lat:.5f}, {lon:.5f})</title>{shape}</a>')
    out.append("</svg>")
    return Markup("".join(out))


def estimate_plot(
    result: dict[str, Any], *, title: str, observed_label: str = "observed"
) -> Markup:
    """Estimates of each model as points with their intervals, and the observed count as
    a line: an inline SVG, no script."""
    models = [m for m in result.get("models") or [] if m.get("estimate") is not None][:12]
    if not models and result.get("estimate") is not None:
        models = [
            {
                "model": result.get("model") or result.get("method"),
                "estimate": result["estimate"],
                "ci": result.get("ci"),
            }
        ]
    observed = result.get("observed") or 0
    values = [float(observed)]
    for m in models:
        values.append(float(m["estimate"]))
        values.extend(float(x) for x in (m.get("ci") or []) if x is not None)
    hi = max(values) * 1.1 if values and max(values) > 0 else 1.0
    w, row, left = 640, 28, 150
    h = 40 + row * max(1, len(models))

    def x(v: Any) -> float:
        return left + (w - left - 20) * float(v) / hi

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'aria-labelledby="plot-title" class="plot"><title id="plot-title">{escape(title)}</title>',
        f'<line x1="{x(observed):.1f}" y1="10" x2="{x(observed):.1f}" y2="{h - 20}" class="plot-observed"/>',
        f'<text x="{x(observed) + 3:.1f}" y="{h - 6}" class="map-label">{escape(observed_label)} {observed}</text>',
    ]
    for i, m in enumerate(models):
        y = 25 + i * row
        ci = [c for c in (m.get("ci") or []) if c is not None]
        label = escape(str(m.get("model")))
        out.append(f'<text x="4" y="{y + 4}" class="map-label">{label}</text>')
        if len(ci) == 2:
            out.append(
                f'<line x1="{x(ci[0]):.1f}" y1="{y}" x2="{x(ci[1]):.1f}" y2="{y}" class="plot-ci"/>'
            )
        out.append(
            f'<circle cx="{x(m["estimate"]):.1f}" cy="{y}" r="5" class="plot-point">'
            f"<title>{label}: {float(m['estimate']):.0f}</title></circle>"
        )
    out.append("</svg>")
    return Markup("".join(out))


# --- the report map -----------------------------------------------------------------


def _nice_km(span_km: float) -> float:
    target = span_km / 4
    for step in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500):
        if step >= target:
            return step
    return 1000.0


def render_map(
    points: Sequence[dict[str, Any]], *, width: int = 640, height: int = 360, caption: str = ""
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
    lats = [float(p["lat"]) for p in pts]
    lons = [float(p["lon"]) for p in pts]
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
        x, y = proj(float(p["lat"]), float(p["lon"]))
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
