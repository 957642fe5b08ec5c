"""People whose stratum is unknown: allocated to the known strata, never a stratum.

A victim no list recorded a governorate for is still a victim of one of the
governorates.  Estimating "unknown" as a stratum of its own would treat those
people as a separate population (with its own, tiny, capture table), and the
estimate of the unrecorded in the real strata would miss them.  Instead they are
allocated, by one of two stated methods:

* **proportional** (default): the people with an unknown stratum and a given
  capture pattern are shared among the strata in proportion to the known people
  *with the same capture pattern* — what the other lists say: a pattern that
  includes a regional list points to that region.  Where nobody known has that
  pattern, in proportion to the strata's sizes.  Whole people, by largest
  remainder; deterministic.
* **impute** (multiple imputation): each unknown person's stratum is drawn from the
  same proportions with a Dirichlet prior (half a person per stratum), ``M`` times
  (``imputations``); every imputed data set is estimated and the estimates are
  combined like linkage draws (Rubin's rules on log N for log-linear models, pooled
  posterior draws for LCMCR and BMA), so the interval carries the allocation's
  uncertainty too.

With several stratum columns, a partly known stratum (``north / ?``) is shared only
among the strata that agree with the known part.  The result says how many people
were allocated, to which strata, and how.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from dalil.errors import InputError

from .data import CaptureData, CaptureTable, StratumKey

METHODS = ("proportional", "impute")
PRIOR = 0.5


def _candidates(data: CaptureData, key: StratumKey) -> list[str]:
    return [
        name
        for name, parts in data.parts.items()
        if all(k is None or k == p for k, p in zip(key, parts, strict=True))
    ]


def _weights(data: CaptureData, names: list[str], cell: int) -> np.ndarray:
    assert data.strata is not None
    same = np.array([data.strata[n].counts[cell] for n in names], dtype=float)
    if same.sum() > 0:
        return same
    size = np.array([data.strata[n].observed for n in names], dtype=float)
    return size if size.sum() > 0 else np.ones(len(names))


def _largest_remainder(m: int, w: np.ndarray) -> np.ndarray:
    share = m * w / w.sum()
    out = np.floor(share).astype(np.int64)
    rest = m - int(out.sum())
    order = np.argsort(-(share - out), kind="stable")
    out[order[:rest]] += 1
    return np.asarray(out, dtype=np.int64)


def _check(data: CaptureData) -> None:
    if not data.strata:
        raise InputError(
            f"the stratum of all {data.table.observed} people is unknown: nothing to allocate "
            "them to; estimate without --strata"
        )
    for key in data.unknown:
        if not _candidates(data, key):
            shown = " / ".join("?" if k is None else k for k in key)
            raise InputError(f"no known stratum matches {shown!r}: cannot allocate those people")


def _apply(data: CaptureData, add: dict[str, np.ndarray]) -> CaptureData:
    assert data.strata is not None
    lists = data.table.lists
    per = {
        name: CaptureTable(lists, t.counts + add.get(name, 0)) for name, t in data.strata.items()
    }
    return replace(data, strata=per, unknown={})


def allocate(
    data: CaptureData, *, method: str = "proportional", imputations: int = 10, seed: int = 0
) -> tuple[list[CaptureData], dict[str, Any]]:
    """Allocate the people of unknown stratum; returns the completed data sets (one for
    ``proportional``, ``imputations`` for ``impute``) and a report for the output."""
    method = method.lower()
    if method not in METHODS:
        raise InputError(f"allocation must be one of {', '.join(METHODS)}, not {method!r}")
    if not data.unknown:
        return [data], {}
    _check(data)
    J = data.table.n_lists
    people = data.unknown_people
    report: dict[str, Any] = {
        "method": method,
        "people": people,
        "share": round(people / data.table.observed, 4),
        "basis": "known people with the same capture pattern (else the strata's sizes)",
    }
    if method == "proportional":
        add: dict[str, np.ndarray] = {}
        for key, t in data.unknown.items():
            names = _candidates(data, key)
            for cell in np.nonzero(t.counts)[0]:
                alloc = _largest_remainder(int(t.counts[cell]), _weights(data, names, int(cell)))
                for name, k in zip(names, alloc, strict=True):
                    if k:
                        add.setdefault(name, np.zeros(2**J, dtype=np.int64))[cell] += k
        report["to_strata"] = {n: int(v.sum()) for n, v in sorted(add.items())}
        return [_apply(data, add)], report
    if int(imputations) != imputations or imputations < 2:
        raise InputError(f"--imputations must be a whole number >= 2, got {imputations}")
    rng = np.random.Generator(np.random.PCG64(seed))
    out = []
    totals: dict[str, list[int]] = {}
    for _ in range(imputations):
        add = {}
        for key, t in data.unknown.items():
            names = _candidates(data, key)
            for cell in np.nonzero(t.counts)[0]:
                p = rng.dirichlet(_weights(data, names, int(cell)) + PRIOR)
                alloc = rng.multinomial(int(t.counts[cell]), p)
                for name, k in zip(names, alloc, strict=True):
                    if k:
                        add.setdefault(name, np.zeros(2**J, dtype=np.int64))[cell] += k
        for n in data.strata or {}:
            totals.setdefault(n, []).append(int(add[n].sum()) if n in add else 0)
        out.append(_apply(data, add))
    report["imputations"] = imputations
    report["seed"] = seed
    report["to_strata"] = {n: round(float(np.mean(v)), 1) for n, v in sorted(totals.items())}
    return out, report
