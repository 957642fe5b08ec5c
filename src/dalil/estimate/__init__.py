"""Casualty estimation by multiple systems estimation (capture–recapture).

Log-linear models (:mod:`.loglinear`), the latent-class model LCMCR
(:mod:`.lcmcr`) and Bayesian model averaging over decomposable graphical models
(:mod:`.bma`), with strata and a sensitivity table across methods.  The entry
point :func:`estimate` mirrors the ``dalil estimate`` command; see
``docs/estimation.md``.
"""

from __future__ import annotations

from .api import EstimateResult, estimate
from .bma import bma
from .data import CaptureData, CaptureTable, read_capture_csv
from .lcmcr import lcmcr
from .loglinear import EstimationError, fit, parse_model, search

__all__ = [
    "CaptureData",
    "CaptureTable",
    "EstimateResult",
    "EstimationError",
    "bma",
    "estimate",
    "fit",
    "lcmcr",
    "parse_model",
    "read_capture_csv",
    "search",
]
