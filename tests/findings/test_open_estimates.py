"""Estimates whose interval has no upper end, or that could not be made at all, are kept
and reported honestly ("at least N; upper bound not estimable"), never refused or faked."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

from dalil.core.case import Case
from dalil.errors import InputError
from dalil.report.charts import estimate_intervals
from dalil.services import estimates
from dalil.services.reports import build_report

UNBOUNDED = {"observed": 310, "method": "loglinear", "model": "[12][13][23]", "estimate": 540.4,
             "ci": [410.2, None], "lists": ["A", "B", "C"]}  # fmt: skip
NOT_ESTIMABLE = {"observed": 12, "method": "loglinear", "estimate": None, "ci": [None, None],
                 "lists": ["A", "B"]}  # fmt: skip
BOUNDED = {"observed": 200, "method": "lcmcr", "estimate": 260.0, "ci": [230.0, 320.0]}


def _text(path: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text())).split())


def test_open_interval_and_null_estimate_are_recorded_and_reported(
    any_case: Case, tmp_path: Path
) -> None:
    with any_case.act() as ctx:
        a = estimates.record_estimate(ctx, "Fictional district, four lists", UNBOUNDED)
        b = estimates.record_estimate(ctx, "Fictional village stratum", NOT_ESTIMABLE)
        c = estimates.record_estimate(ctx, "Fictional town, all lists", BOUNDED)
    with any_case.act(write=False) as ctx:
        rows = {r.id: r for r in estimates.estimates(ctx)}
    assert (rows[a].estimate, rows[a].ci_low, rows[a].ci_high) == (540.4, 410.2, None)
    assert (rows[b].estimate, rows[b].ci_low, rows[b].ci_high) == (None, None, None)
    assert (rows[c].ci_low, rows[c].ci_high) == (230.0, 320.0)
    for audience in ("internal", "public"):
        out = tmp_path / f"{audience}.html"
        build_report(any_case, None, audience=audience, fmt="html", out=out)
        text = _text(out)
        assert "540 at least 410 ; upper bound not estimable" in text.replace("410;", "410 ;")
        assert re.search(
            r"Fictional village stratum NOT FOR PUBLICATION no estimate log-linear models 12 "
            r"not estimable —",
            text,
        )
        assert "R-hat was not reported, so convergence cannot be checked" in text
        assert "230 – 320" in text
        assert not re.search(r"\bNone\b(?! recorded)", text) and "nan" not in text.lower().split()


def test_arabic_edition_words_open_intervals(case: Case, tmp_path: Path) -> None:
    with case.act() as ctx:
        estimates.record_estimate(ctx, "Fictional district", UNBOUNDED)
    out = tmp_path / "ar.html"
    build_report(case, None, audience="public", fmt="html", out=out, lang="ar")
    text = _text(out)
    assert "على الأقل" in text and "الحد الأعلى غير قابل للتقدير" in text


@pytest.mark.parametrize(
    ("result", "why"),
    [
        ({"observed": 10, "estimate": float("nan"), "ci": [1, 2]}, "finite number"),
        ({"observed": 10, "estimate": 15, "ci": [20, 12]}, "above ci high"),
        ({"observed": 10, "estimate": 50, "ci": [20, 30]}, "outside its interval"),
        ({"observed": 10, "estimate": None, "ci": [20, None]}, "without an estimate"),
        ({"observed": 10, "estimate": 15, "ci": [12]}, "ci must be [low, high]"),
        ({"observed": "ten", "estimate": 15, "ci": [12, 20]}, "observed"),
        ({"observed": 10, "estimate": "15", "ci": [12, 20]}, "finite number"),
        ([1, 2, 3], "JSON object"),
    ],
)
def test_malformed_estimate_results_refused_nothing_stored(
    case: Case, result: Any, why: str
) -> None:
    with pytest.raises(InputError, match=re.escape(why)), case.act() as ctx:
        estimates.record_estimate(ctx, "Fictional", result)
    with case.act(write=False) as ctx:
        assert estimates.estimates(ctx) == []


def test_chart_draws_an_open_interval_without_inventing_an_upper_end() -> None:
    svg = estimate_intervals(
        [("Fictional A", 540.0, 410.0, None, 310), ("Fictional B", 260.0, 230.0, 320.0, 200)]
    )
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert "540 (≥ 410; no upper bound)" in svg and "260 (230-320)" in svg
