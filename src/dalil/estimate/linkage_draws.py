"""Carry the record linkage's uncertainty into the estimate.

Multiple systems estimation counts people, and which records are the same person
is itself uncertain: a pair the linkage scored 0.7 is probably one person, but
three times in ten it is two.  Deciding every pair once and estimating from that
single clustering forgets this.  Here the uncertain pairs are **sampled**: in each
draw every uncertain pair is joined with its calibrated match probability (reviewed
decisions are kept as decided, and a rejected pair is never put in one cluster),
the capture histories are tabulated from the clusters of that draw, and the
estimate is made again.  The draws are then combined (Sadinle 2018 argues for
propagating linkage uncertainty this way rather than fixing one clustering):

* **Bayesian methods** (LCMCR, BMA): the posterior draws of N of every clustering
  are pooled, the same number from each, and the pooled median and quantiles
  reported (the posterior averaged over the linkage's uncertainty).
* **Log-linear models**: Rubin's rules on the log of N.  For draw ``d`` the
  estimate is ``q_d = log N_d`` with variance ``U_d`` read off its own interval
  (``((log hi - log lo) / (2 z))**2``); the combined estimate is ``exp(mean q)``, the
  variance ``T = mean U + (1 + 1/D) var(q)``, and the interval
  ``exp(mean q ± t_nu sqrt(T))`` with Rubin's degrees of freedom
  ``nu = (D - 1) (1 + mean U / ((1 + 1/D) var q))**2``.

The interval reported with linkage uncertainty is never narrower than the interval
of the clustering the linkage chose — neither in persons nor relative to its size
(high/low).  The chosen clustering joins none of the uncertain pairs, so it sits in
a tail of the draws and usually has more people and a larger estimate; the combined
interval usually moves away from it and is wider anyway, but where it would come
out narrower it is stretched on the log scale around its centre until it is not
(``linkage.stretched_to_single_width``): uncertainty about who is who adds to the
sampling uncertainty, it never removes any.

Pairs are sampled independently and joined strongest first, so a chain of likely
pairs can join people that no single pair would; joins the linkage made above its
threshold are taken as given (their own, small, uncertainty is not sampled unless
they are passed as pairs).

The input is plain data — record ids with their list, fixed groups, pairs with
probabilities, decisions — so this module works on any linkage; reading them from
a case is the service layer's job.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from dalil.errors import InputError

from .data import CaptureData, CaptureTable, is_unknown

UNKNOWN = "unknown"


@dataclass(frozen=True)
class LinkageInput:
    """What the linkage knows, as plain data.

    ``records``: ``(record_id, list_name)`` for every record.  ``groups``: sets of
    records already taken as one person (joins above the threshold, accepted pairs);
    records in no group are alone.  ``pairs``: uncertain pairs ``(a, b, probability)``
    to sample.  ``accepted`` / ``rejected``: reviewed decisions (kept as decided, also inside a
    group: a record of a group rejected against another of its records stays apart).
    ``strata``: optional stratum value per record (a person takes the most common
    known value among its records; a person with none is of unknown stratum and is
    allocated, see :mod:`dalil.estimate.strata`).
    """

    records: Sequence[tuple[str, str]]
    pairs: Sequence[tuple[str, str, float]] = ()
    groups: Sequence[Sequence[str]] = ()
    accepted: Sequence[tuple[str, str]] = ()
    rejected: Sequence[tuple[str, str]] = ()
    strata: Mapping[str, str] | None = None
    lists: Sequence[str] | None = None  # list order (default: first appearance)

    def list_names(self) -> list[str]:
        if self.lists is not None:
            return list(self.lists)
        seen: dict[str, None] = {}
        for _, name in self.records:
            seen.setdefault(name, None)
        return list(seen)


class _Forest:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.members: list[list[int]] = [[i] for i in range(n)]

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def join(self, a: int, b: int, cannot: Mapping[int, set[int]]) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
        if cannot:
            big = set(self.members[ra])
            if any(cannot.get(m, set()) & big for m in self.members[rb]):
                return False
        self.parent[rb] = ra
        self.members[ra].extend(self.members[rb])
        self.members[rb] = []
        return True

    def labels(self) -> np.ndarray:
        return np.array([self.find(i) for i in range(len(self.parent))], dtype=np.int64)


@dataclass
class _Prepared:
    ids: list[str]
    index: dict[str, int]
    list_of: np.ndarray  # list position of each record
    lists: list[str]
    base: _Forest = field(repr=False)
    cannot: dict[int, set[int]]
    pair_a: np.ndarray
    pair_b: np.ndarray
    pair_p: np.ndarray
    stratum_of: list[str] | None


def _prepare(inp: LinkageInput) -> _Prepared:
    ids = [str(r) for r, _ in inp.records]
    if len(set(ids)) != len(ids):
        raise InputError("linkage draws: a record id is given twice")
    index = {r: i for i, r in enumerate(ids)}
    lists = inp.list_names()
    pos = {name: j for j, name in enumerate(lists)}
    try:
        list_of = np.array([pos[name] for _, name in inp.records], dtype=np.int64)
    except KeyError as e:
        raise InputError(f"linkage draws: record on an unknown list {e.args[0]!r}") from None

    def idx(r: str) -> int:
        try:
            return index[str(r)]
        except KeyError:
            raise InputError(f"linkage draws: unknown record {r!r}") from None

    cannot: dict[int, set[int]] = {}
    for a, b in inp.rejected:
        ia, ib = idx(a), idx(b)
        cannot.setdefault(ia, set()).add(ib)
        cannot.setdefault(ib, set()).add(ia)
    base = _Forest(len(ids))
    for g in inp.groups:
        # a pair rejected since the last link run may lie inside one of its persons: the
        # member that would join it to a record it was rejected against stays apart
        members = [idx(r) for r in g]
        for m in members[1:]:
            base.join(members[0], m, cannot)
    for a, b in inp.accepted:
        base.join(idx(a), idx(b), cannot)
    decided = {frozenset((str(a), str(b))) for a, b in (*inp.accepted, *inp.rejected)}
    rows = []
    for a, b, p in inp.pairs:
        if not 0.0 <= float(p) <= 1.0 or math.isnan(float(p)):
            raise InputError(f"linkage draws: pair {a}–{b} has probability {p}, not in [0, 1]")
        if frozenset((str(a), str(b))) in decided:
            continue
        rows.append((idx(a), idx(b), float(p)))
    rows.sort(key=lambda r: -r[2])  # strongest first, as the linkage joins
    pa = np.array([r[0] for r in rows], dtype=np.int64)
    pb = np.array([r[1] for r in rows], dtype=np.int64)
    pp = np.array([r[2] for r in rows], dtype=float)
    strata = None
    if inp.strata is not None:
        strata = [UNKNOWN if is_unknown(inp.strata.get(r)) else str(inp.strata[r]) for r in ids]
    return _Prepared(ids, index, list_of, lists, base, cannot, pa, pb, pp, strata)


def _copy(f: _Forest) -> _Forest:
    g = _Forest(0)
    g.parent = list(f.parent)
    g.members = [list(m) for m in f.members]
    return g


def _draw_labels(prep: _Prepared, draws: int, seed: int | None) -> Iterator[np.ndarray]:
    rng = np.random.Generator(np.random.PCG64(seed))
    for _ in range(draws):
        f = _copy(prep.base)
        on = rng.random(prep.pair_p.size) < prep.pair_p
        for a, b in zip(prep.pair_a[on], prep.pair_b[on], strict=True):
            f.join(int(a), int(b), prep.cannot)
        yield f.labels()


def clusterings(inp: LinkageInput, draws: int, *, seed: int | None = 0) -> Iterator[dict[str, int]]:
    """``draws`` sampled clusterings: record id → cluster number (a representative)."""
    prep = _prepare(inp)
    for lab in _draw_labels(prep, draws, seed):
        yield {rid: int(lab[i]) for i, rid in enumerate(prep.ids)}


def _tabulate(prep: _Prepared, labels: np.ndarray) -> CaptureData:
    J = len(prep.lists)
    bits = np.zeros(labels.size, dtype=np.int64)
    # pattern of each cluster: OR of its records' list bits
    np.bitwise_or.at(bits, labels, np.left_shift(1, prep.list_of))
    roots = np.unique(labels)
    cells = bits[roots]
    pooled = CaptureTable(tuple(prep.lists), np.bincount(cells, minlength=2**J).astype(np.int64))
    if prep.stratum_of is None:
        return CaptureData(table=pooled)
    values: dict[int, dict[str, int]] = {}
    for i, root in enumerate(labels):
        v = prep.stratum_of[i]
        if v != UNKNOWN:
            d = values.setdefault(int(root), {})
            d[v] = d.get(v, 0) + 1
    per: dict[str, np.ndarray] = {}
    for root, cell in zip(roots, cells, strict=True):
        seen = values.get(int(root))
        v = max(sorted(seen), key=lambda k: seen[k]) if seen else UNKNOWN
        per.setdefault(v, np.zeros(2**J, dtype=np.int64))[cell] += 1
    unknown = per.pop(UNKNOWN, None)
    tables = {k: CaptureTable(tuple(prep.lists), v) for k, v in sorted(per.items())}
    return CaptureData(
        table=pooled,
        strata=tables,
        stratum_columns=("stratum",),
        unknown={} if unknown is None else {(None,): CaptureTable(tuple(prep.lists), unknown)},
        parts={k: (k,) for k in tables},
    )


def single_clustering(inp: LinkageInput) -> CaptureData:
    """Capture data of the clustering the linkage chose: the fixed groups and accepted
    pairs, none of the uncertain pairs."""
    prep = _prepare(inp)
    return _tabulate(prep, prep.base.labels())


def sampled_data(inp: LinkageInput, draws: int, *, seed: int | None = 0) -> Iterator[CaptureData]:
    """Capture data of each sampled clustering."""
    prep = _prepare(inp)
    for lab in _draw_labels(prep, draws, seed):
        yield _tabulate(prep, lab)


# --------------------------------------------------------------------------- combining


def rubin_log(
    estimates: Sequence[float],
    intervals: Sequence[tuple[float, float | None]],
    level: float = 0.95,
) -> tuple[float, tuple[float, float | None], dict[str, float | None]]:
    """Rubin's rules on log N from per-draw estimates and intervals (see module doc)."""
    D = len(estimates)
    if D < 2:
        raise InputError("combining linkage draws needs at least two draws")
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    q = np.log(np.asarray(estimates, dtype=float))
    if any(hi is None for _, hi in intervals):
        unbounded = True
        U = np.array(
            [
                ((np.log(e) - np.log(lo)) / z) ** 2
                for e, (lo, _) in zip(estimates, intervals, strict=True)
            ]
        )
    else:
        unbounded = False
        U = np.array(
            [((np.log(hi) - np.log(lo)) / (2 * z)) ** 2 for lo, hi in intervals]  # type: ignore[arg-type]
        )
    qbar = float(q.mean())
    ubar = float(U.mean())
    B = float(q.var(ddof=1))
    T = ubar + (1 + 1 / D) * B
    if B > 0:
        nu = (D - 1) * (1 + ubar / ((1 + 1 / D) * B)) ** 2
        t = float(stats.t.ppf(1 - (1 - level) / 2, nu))
    else:
        nu = math.inf
        t = z
    lo = math.exp(qbar - t * math.sqrt(T))
    hi = None if unbounded else math.exp(qbar + t * math.sqrt(T))
    info: dict[str, float | None] = {
        "within_variance": round(ubar, 6),
        "between_variance": round(B, 6),
        "total_variance": round(T, 6),
        "df": round(nu, 1) if math.isfinite(nu) else None,
        "between_share": round((1 + 1 / D) * B / T, 3) if T > 0 else 0.0,
    }
    return math.exp(qbar), (lo, hi), info


def pooled_draws(
    per_draw: Sequence[np.ndarray], level: float = 0.95, *, take: int = 4000, seed: int = 0
) -> tuple[float, tuple[float, float], np.ndarray]:
    """Pool posterior draws of N, the same number from each clustering."""
    if not per_draw:
        raise InputError("no posterior draws to pool")
    rng = np.random.Generator(np.random.PCG64(seed))
    n = min(take, min(d.size for d in per_draw))
    parts = [d if d.size == n else rng.choice(d, size=n, replace=False) for d in per_draw]
    pool = np.concatenate(parts)
    q = (1 - level) / 2
    lo, med, hi = np.quantile(pool, [q, 0.5, 1 - q])
    return float(med), (float(lo), float(hi)), pool


def at_least_as_wide(
    combined: tuple[float, float | None],
    single: tuple[float | None, float | None] | None,
    center: float,
    floor: float,
) -> tuple[tuple[float, float | None], bool]:
    """``combined``, stretched on the log scale around ``center`` if need be so that it is
    neither narrower nor relatively narrower (high/low) than ``single``; the lower end
    never below ``floor`` (people observed).  Returns the interval and whether it was
    stretched."""
    if single is None:
        return combined, False
    lo_c, hi_c = combined
    lo_s, hi_s = single
    if lo_s is None:
        return combined, False
    if hi_s is None:
        return (lo_c, None), hi_c is not None
    if hi_c is None:
        return combined, False
    width = hi_s - lo_s
    ratio = math.log(hi_s / lo_s)

    def ok(lo: float, hi: float) -> bool:
        return hi - lo >= width - 1e-9 and math.log(hi / lo) >= ratio - 1e-12

    if ok(lo_c, hi_c):
        return combined, False

    def at(k: float) -> tuple[float, float]:
        lo = max(center * (lo_c / center) ** k, floor)
        return lo, center * (hi_c / center) ** k

    k_lo, k_hi = 1.0, 2.0
    while not ok(*at(k_hi)) and k_hi < 1e6:
        k_lo, k_hi = k_hi, k_hi * 2
    for _ in range(60):
        mid = (k_lo + k_hi) / 2
        if ok(*at(mid)):
            k_hi = mid
        else:
            k_lo = mid
    return at(k_hi), True


# --------------------------------------------------------------------------- estimating


def combine_estimates(
    results: Sequence[Any], method: str, level: float, seed: int
) -> tuple[float, tuple[float | None, float | None], str, dict[str, Any]]:
    """Combine estimates of the same method over several completed data sets (linkage
    draws, imputations): pooled posterior draws for LCMCR and BMA, Rubin's rules on
    log N for log-linear models.  Returns (estimate, interval, how, details)."""
    if method in ("lcmcr", "bma"):
        per = [np.asarray(r.draws, dtype=float) for r in results if r.draws is not None]
        est, ci_b, pool = pooled_draws(per, level, seed=seed % (2**32))
        how = "pooled posterior draws, the same number from each data set"
        return est, ci_b, how, {"sd": float(pool.std(ddof=1))}
    ests = [float(r.estimate) for r in results]
    cis = [(float(r.ci[0]), None if r.ci[1] is None else float(r.ci[1])) for r in results]
    est, ci_r, rubin = rubin_log(ests, cis, level)
    return est, ci_r, "Rubin's rules on log N", {"rubin": rubin}


def estimate_with_linkage(
    inp: LinkageInput,
    *,
    draws: int = 20,
    method: str = "loglinear",
    seed: int | None = None,
    level: float = 0.95,
    progress: Callable[[dict[str, Any]], None] | None = None,
    **kw: Any,
) -> Any:
    """Estimate from the chosen clustering and from ``draws`` sampled clusterings, and
    combine (see the module doc).  Returns an ``EstimateResult`` whose ``estimate``
    and ``ci`` carry the linkage's uncertainty, with ``ci_without_linkage`` the
    interval of the chosen clustering and ``linkage`` what was done."""
    from .api import estimate

    method = method.lower()
    if method == "all":
        raise InputError("--linkage-draws works with one method at a time; choose --method")
    if int(draws) != draws or draws < 2:
        raise InputError(f"--linkage-draws must be a whole number >= 2, got {draws}")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    prep = _prepare(inp)
    single = estimate(single_clustering(inp), method=method, seed=seed, level=level, **kw)
    results = []
    failed: list[str] = []
    people = []
    for d, data in enumerate(sampled_data(inp, draws, seed=seed)):
        sub = int(np.random.SeedSequence([seed, 1, d]).generate_state(1)[0])
        people.append(data.table.observed)
        try:
            # only the chosen model's interval is needed from each draw
            r = estimate(data, method=method, seed=sub, level=level, **{**kw, "top": 1})
        except InputError as e:
            failed.append(f"draw {d + 1}: {e}")
            continue
        if r.estimate is None:
            failed.append(f"draw {d + 1}: no estimate ({'; '.join(r.warnings[-1:])})")
        else:
            results.append(r)
        if progress is not None:
            progress({"draw": d + 1, "draws": draws, "failed": len(failed)})
    info: dict[str, Any] = {
        "draws": draws,
        "draws_used": len(results),
        "draws_failed": failed,
        "uncertain_pairs": int(prep.pair_p.size),
        "expected_joins": round(float(prep.pair_p.sum()), 1),
        "seed": seed,
        "people_without_linkage": single.observed,
        "people": {
            "min": int(min(people)),
            "median": float(np.median(people)),
            "max": int(max(people)),
        },
        "estimate_without_linkage": single.to_dict()["estimate"],
        "ci_without_linkage": single.to_dict()["ci"],
    }
    warnings = list(single.warnings)
    est: float | None
    ci: tuple[float | None, float | None] | None
    se: float | None = None
    if len(results) < 2:
        warnings.append(
            f"only {len(results)} of {draws} sampled clusterings could be estimated: no "
            "interval with linkage uncertainty"
        )
        est, ci = None, None
        info["combined"] = None
    else:
        est, ci, how, extra = combine_estimates(results, method, level, seed)
        info["combined"] = how
        se = extra.pop("sd", None)
        info.update(extra)
    if results:
        ests = [float(r.estimate) for r in results if r.estimate is not None]
        info["estimates"] = {
            "min": round(min(ests), 1),
            "median": round(float(np.median(ests)), 1),
            "max": round(max(ests), 1),
        }
        if method == "loglinear":
            models: dict[str, int] = {}
            for r in results:
                models[str(r.model)] = models.get(str(r.model), 0) + 1
            info["models"] = models
    if ci is not None and est is not None:
        info["ci_combined"] = [None if x is None else round(float(x), 1) for x in ci]
        ci, widened = at_least_as_wide(
            (float(ci[0]), None if ci[1] is None else float(ci[1])),  # type: ignore[arg-type]
            single.ci,
            float(est),
            float(min(people)),
        )
        info["stretched_to_single_width"] = widened
        if widened:
            se = None  # the spread of the draws no longer describes the interval
    if failed:
        warnings.append(f"{len(failed)} of {draws} sampled clusterings could not be estimated")
    diag = dict(single.diagnostics)
    diag["warnings"] = warnings
    out = type(single)(
        observed=single.observed,
        method=single.method,
        model=single.model,
        estimate=est,
        ci=ci,
        ci_level=level,
        se=se,
        lists=single.lists,
        diagnostics=diag,
        models=single.models,
        details=single.details,
        selection=single.selection,
        draws=None,
        ci_without_linkage=single.ci,
        linkage=info,
        allocated=single.allocated,
    )
    return out
