"""Charts and map produce valid SVG that reflects the data."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from dalil.display.maps import render_map
from dalil.errors import InputError
from dalil.report.charts import estimate_intervals, killings_by_day_place
from dalil.report.render import render_html, write_report


def test_map_places_points_and_scale() -> None:
    svg = render_map(
        [
            {"kind": "incident", "label": "INC-A", "lat": 10.0, "lon": 20.0, "size": 50},
            {"kind": "incident", "label": "INC-B", "lat": 10.05, "lon": 20.1, "size": 5},
            {"kind": "site", "label": "SITE-1", "lat": 10.02, "lon": 20.03, "size": 1},
        ]
    )
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    circles = root.findall(f"{ns}circle")
    assert len(circles) == 2
    radii = sorted(float(c.get("r", 0)) for c in circles)
    assert radii[1] > radii[0]  # bigger toll, bigger circle
    assert "km" in svg and "SITE-1" in svg
    cx = {c.find(f"{ns}title").text: float(c.get("cx", 0)) for c in circles}  # type: ignore[union-attr]
    assert cx["INC-B"] > cx["INC-A"]  # east is right


def test_map_without_coordinates_says_so() -> None:
    assert "no coordinates" in render_map([])


def test_charts_are_svg() -> None:
    a = killings_by_day_place(
        [("2021-04-14", "Harbour", 3), ("2021-04-15", "Hill", 2)], [("2021-04-14", "I1", 1, 2, 3)]
    )
    b = estimate_intervals([("all", 104.0, 88.0, 131.0, 83)])
    for svg in (a, b):
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg


def test_bad_audience_format_language(snapshot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="audience"):
        render_html(snapshot, "press")
    with pytest.raises(InputError, match="language"):
        render_html(snapshot, "public", "fr")
    with pytest.raises(InputError, match="format"):
        write_report(snapshot, tmp_path / "x.doc", audience="public", fmt="doc")
    assert not list(tmp_path.iterdir())


def _drawn_width(text: str) -> float:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure()
    FigureCanvasAgg(fig)
    t = fig.text(0, 0, text, fontsize=20)
    return float(t.get_window_extent(fig.canvas.get_renderer()).width)  # type: ignore[attr-defined]


@pytest.mark.parametrize("matplotlib_shapes", [True, False])
def test_arabic_chart_text_is_drawn_joined(matplotlib_shapes: bool) -> None:
    """Five bāʾ letters drawn joined take about half the width of five isolated ones, by
    either path: matplotlib's own layout (libraqm), or arabic-reshaper + python-bidi for a
    matplotlib without it (forced here, and drawn through the same renderer)."""
    from dalil.report.charts import MATPLOTLIB_SHAPES, shape

    if matplotlib_shapes and not MATPLOTLIB_SHAPES:
        pytest.skip("this matplotlib does not lay out Arabic itself")
    one = _drawn_width(shape("ب", matplotlib_shapes=matplotlib_shapes))
    five = _drawn_width(shape("ببببب", matplotlib_shapes=matplotlib_shapes))
    assert five < 0.7 * 5 * one


def test_fallback_shaping_joins_letters_and_puts_the_line_in_visual_order() -> None:
    from dalil.report.charts import shape

    shaped = shape("حسب اليوم 2025", matplotlib_shapes=False)
    assert all(not ("\u0600" <= c <= "\u06ff") for c in shaped)  # presentation forms only
    assert shaped.startswith("2025")  # the number, last in reading order, drawn leftmost
    assert shape("Harbour 2025", matplotlib_shapes=False) == "Harbour 2025"


def test_arabic_edition_charts_carry_arabic_labels() -> None:
    rows = [("2021-04-14", "الميناء", 3)]
    incidents = [("2021-04-14", "I1", 1, 2, 3)]
    en = killings_by_day_place(rows, incidents, "en")
    ar = killings_by_day_place(rows, incidents, "ar")
    assert en != ar
    assert estimate_intervals([("all", 104.0, 88.0, None, 83)], "ar") != estimate_intervals(
        [("all", 104.0, 88.0, None, 83)], "en"
    )
