"""Charts as SVG (matplotlib figures without pyplot): killings by day and place, estimate intervals.

Chart labels are in the report's language, and case content (place names, incident
titles) may be Arabic in either edition. Matplotlib built with libraqm (the wheels of
3.11 and later) joins Arabic letters and orders right-to-left text itself; an older one
draws isolated letters left to right, so there every string drawn goes through
:func:`shape` first: letters in their joined forms (arabic-reshaper), the line in display
order (python-bidi). The SVG holds the text as outlines, so a viewer needs no Arabic font.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.ft2font
from matplotlib.figure import Figure

from dalil.report.i18n import N_, gettext

_ARABIC_RANGES = (
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
)


def _has_arabic(text: str) -> bool:
    return any(lo <= ord(ch) <= hi for ch in text for lo, hi in _ARABIC_RANGES)


#: Whether matplotlib lays out complex text itself (libraqm: shaping and bidi).
MATPLOTLIB_SHAPES = hasattr(matplotlib.ft2font, "__libraqm_version__")


def shape(text: str, *, matplotlib_shapes: bool | None = None) -> str:
    """*text* as matplotlib must be given it: as it is where matplotlib shapes text
    itself (and for Latin-only text); else Arabic letters joined and the line in visual
    order."""
    shapes = MATPLOTLIB_SHAPES if matplotlib_shapes is None else matplotlib_shapes
    if shapes or not _has_arabic(text):
        return text
    import arabic_reshaper
    from bidi import get_display

    return "\n".join(str(get_display(arabic_reshaper.reshape(line))) for line in text.split("\n"))


#: Chart labels (msgids; the report's catalogs translate them).
DAYS_Y = N_("killings documented and assessed")
DAYS_TITLE = N_("Assessed killings by day and place")
FATAL_Y = N_("fatalities (best, low-high)")
FATAL_TITLE = N_("Reported fatalities per incident")
NO_UPPER = N_("no upper bound")
NO_INTERVAL = N_("no interval")
EST_X = N_(
    "victims (dot: estimate; bar: 95% interval, dashed with arrow: no upper bound; "
    "red tick: observed on lists)"
)


def _t(message: str, lang: str) -> str:
    return shape(gettext(message, lang))


# Figures are built without pyplot: no global backend switch, no shared state between
# threads (the web workbench may render reports concurrently).
STYLE: Any = {
    "svg.hashsalt": "dalil",  # deterministic ids
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _fig(**kw: Any) -> Figure:
    with matplotlib.rc_context(STYLE):
        return Figure(**kw)


PALETTE = ["#8c2d04", "#2166ac", "#4d9221", "#762a83", "#b35806", "#01665e"]


def _svg(fig: Figure) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return buf.getvalue()


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def killings_by_day_place(
    rows: Sequence[tuple[str, str, int]],
    incidents: Sequence[tuple[str, str, int | None, int | None, int | None]],
    lang: str = "en",
) -> str:
    """Left: documented (assessed) killings per day, stacked by place. Right: reported
    fatalities per incident with low-high range."""
    fig = _fig(figsize=(8.2, 3.0))
    with matplotlib.rc_context(STYLE):
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    days = sorted({d for d, _, _ in rows})
    places = sorted({p for _, p, _ in rows})
    bottom = [0] * len(days)
    for k, place in enumerate(places):
        vals = [sum(n for d, p, n in rows if d == day and p == place) for day in days]
        ax1.bar(
            days,
            vals,
            bottom=bottom,
            label=shape(place),
            color=PALETTE[k % len(PALETTE)],
            width=0.6,
        )
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax1.set_ylabel(_t(DAYS_Y, lang))
    ax1.set_title(_t(DAYS_TITLE, lang), fontsize=9)
    if places:
        ax1.legend(
            fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=1
        )
    labels = [shape(f"{i}\n{d}") for d, i, *_ in incidents]
    best = [b or 0 for *_, _lo, b, _hi in incidents]
    lo = [(b or 0) - (low if low is not None else (b or 0)) for *_, low, b, _hi in incidents]
    hi = [(high if high is not None else (b or 0)) - (b or 0) for *_, _lo, b, high in incidents]
    ax2.bar(range(len(labels)), best, color="#bdbdbd", width=0.55)
    ax2.errorbar(range(len(labels)), best, yerr=[lo, hi], fmt="o", color="#252525", capsize=4)
    ax2.set_xticks(range(len(labels)), labels, fontsize=7)
    ax2.set_ylabel(_t(FATAL_Y, lang))
    ax2.set_title(_t(FATAL_TITLE, lang), fontsize=9)
    fig.tight_layout()
    return _svg(fig)


def estimate_intervals(
    rows: Sequence[tuple[str, float, float | None, float | None, int]], lang: str = "en"
) -> str:
    """Each estimate with its 95% interval, and the number observed on the lists.

    An interval end that is None (not bounded by the data) is drawn as a dashed bar
    running to the edge of the axis with an arrow head, and labelled "≥ low"/"≤ high"."""
    fig = _fig(figsize=(8.2, 0.6 + 0.55 * max(1, len(rows))))
    with matplotlib.rc_context(STYLE):
        ax = fig.subplots()
    finite = [v for r in rows for v in (r[1], r[2], r[3], r[4]) if v is not None]
    right = max([*finite, 1]) * 1.35
    for k, (_label, est, lo, hi, obs) in enumerate(rows):
        a = lo if lo is not None else 0.0
        b = hi if hi is not None else right
        if lo is not None or hi is not None:
            ax.plot(
                [a, b],
                [k, k],
                color="#2166ac",
                linewidth=3,
                solid_capstyle="butt",
                linestyle="-" if hi is not None and lo is not None else (0, (2, 1)),
            )
        if hi is None and lo is not None:
            ax.plot([b], [k], ">", color="#2166ac", markersize=7)
        ax.plot([est], [k], "o", color="#08306b")
        ax.plot([obs], [k], "|", color="#8c2d04", markersize=14, markeredgewidth=2)
        if lo is not None and hi is not None:
            text, at = f"{est:.0f} ({lo:.0f}-{hi:.0f})", hi
        elif lo is not None:
            text, at = f"{est:.0f} (\u2265 {lo:.0f}; {gettext(NO_UPPER, lang)})", est
        elif hi is not None:
            text, at = f"{est:.0f} (\u2264 {hi:.0f})", hi
        else:
            text, at = f"{est:.0f} ({gettext(NO_INTERVAL, lang)})", est
        ax.annotate(
            shape(text),
            (at, k),
            xytext=(6, -12 if hi is None else -3),
            textcoords="offset points",
            fontsize=8,
        )
    ax.set_yticks(range(len(rows)), [shape(r[0]) for r in rows], fontsize=8)
    ax.set_xlabel(_t(EST_X, lang))
    ax.invert_yaxis()
    ax.set_xlim(left=0, right=right)
    fig.tight_layout()
    return _svg(fig)
