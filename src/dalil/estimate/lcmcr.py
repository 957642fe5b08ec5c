"""Latent-class multiple-recapture (LCMCR; Manrique-Vallier 2016).

People belong to latent classes; within a class, lists record people
independently with class-specific probabilities ``lambda[j, k]``.  Class weights
have a truncated Dirichlet-process (stick-breaking) prior with concentration
``alpha ~ Gamma(a_alpha, b_alpha)``; ``lambda[j, k] ~ Beta(1, 1)``; the total N has
the improper prior ``p(N) ∝ 1/N``.  The Gibbs sampler augments the data with the
people on no list: their number ``n0`` is drawn from a negative binomial, and
class memberships are drawn per capture pattern (people with the same pattern
are exchangeable), which makes each iteration cost O(patterns × classes), not
O(people).

Defaults follow the R package LCMCR: K = 10 classes, a_alpha = b_alpha = 0.25,
burn-in 10,000 iterations, 1,000 samples kept at thinning 100.
"""

from __future__ import annotations

import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from dalil.errors import InputError

from . import _lcmcr_kernel as _kernel
from .data import CaptureTable
from .diagnostics import chain_diagnostics

_BUF = 1 << 18
_SAFE = 1 << 16

_pure_module: ModuleType | None = None


def _pure_kernel() -> ModuleType:
    """The same kernel source loaded without numba (slow; for checking)."""
    global _pure_module
    if _pure_module is None:
        path = Path(_kernel.__file__)
        spec = importlib.util.spec_from_file_location("dalil.estimate._lcmcr_kernel_pure", path)
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        mod._DALIL_PURE = True  # type: ignore[attr-defined]
        spec.loader.exec_module(mod)
        _pure_module = mod
    return _pure_module


def _threads() -> int:
    """Threads for chains: $DALIL_THREADS, else the number of CPUs."""
    raw = os.environ.get("DALIL_THREADS", "")
    if raw.strip().isdigit() and int(raw) > 0:
        return int(raw)
    return os.cpu_count() or 1


def numba_available() -> bool:
    return bool(_kernel.HAVE_NUMBA) and os.environ.get("DALIL_NO_NUMBA", "") in ("", "0")


@dataclass
class ChainOutput:
    n: np.ndarray
    alpha: np.ndarray
    kstar: np.ndarray


@dataclass
class LcmcrResult:
    """Posterior of N from one or more chains."""

    observed: int
    lists: tuple[str, ...]
    samples: np.ndarray = field(repr=False)  # (chains, samples) of N
    alpha: np.ndarray = field(repr=False)
    kstar: np.ndarray = field(repr=False)
    settings: dict[str, Any]
    estimate: float
    ci: tuple[float, float]
    ci_level: float
    mean: float
    sd: float
    diagnostics: dict[str, Any]
    warnings: list[str]


def _run_chain(
    table: CaptureTable,
    *,
    K: int,
    a_alpha: float,
    b_alpha: float,
    burnin: int,
    samples: int,
    thinning: int,
    seed: np.random.SeedSequence,
    pure: bool = False,
) -> ChainOutput:
    kern = _pure_kernel() if pure else _kernel
    J = table.n_lists
    cells_idx = np.nonzero(table.counts)[0]
    cells_idx = cells_idx[cells_idx > 0]
    cells = ((cells_idx[:, None] >> np.arange(J)[None, :]) & 1).astype(np.int64)
    freq = table.counts[cells_idx].astype(np.int64)
    n = int(freq.sum())
    M = cells.shape[0]
    rng = np.random.Generator(np.random.PCG64(seed))
    buf = rng.random(_BUF)
    st = np.zeros(1, dtype=np.int64)
    # initial state: the independence-model total, list-inclusion probabilities at the
    # lists' shares of it, equal class weights, the unobserved spread over the classes
    n_init = _independence_total(table)
    marg = np.clip((cells * freq[:, None]).sum(axis=0) / n_init, 0.02, 0.98)
    lam = np.repeat(marg[:, None], K, axis=1).astype(np.float64).copy()
    nu = np.full(K, 1.0 / K)
    lognu = np.log(nu)
    fstate = np.array([1.0])
    istate = np.zeros(3, dtype=np.int64)
    istate[0] = n_init - n
    count_mk = np.zeros((M, K), dtype=np.int64)
    count0k = np.full(K, (n_init - n) // K, dtype=np.int64)
    count0k[: (n_init - n) % K] += 1
    probs = np.zeros(K)
    tot = np.zeros(K, dtype=np.int64)
    out_n = np.zeros(samples, dtype=np.int64)
    out_alpha = np.zeros(samples)
    out_k = np.zeros(samples, dtype=np.int64)
    dummy_i = np.zeros(1, dtype=np.int64)
    dummy_f = np.zeros(1)
    limit = _BUF - _SAFE
    for n_iter, thin in ((burnin, 0), (samples * thinning, thinning)):
        istate[1] = 0
        while istate[1] < n_iter:
            if st[0] > limit:
                rest = buf[st[0] :]
                buf = np.concatenate([rest, rng.random(_BUF - rest.size)])
                st[0] = 0
            if thin:
                kern.run(
                    cells,
                    freq,
                    n,
                    a_alpha,
                    b_alpha,
                    lam,
                    nu,
                    lognu,
                    fstate,
                    istate,
                    count_mk,
                    count0k,
                    probs,
                    tot,
                    n_iter,
                    thin,
                    out_n,
                    out_alpha,
                    out_k,
                    buf,
                    st,
                    limit,
                )
            else:
                kern.run(
                    cells,
                    freq,
                    n,
                    a_alpha,
                    b_alpha,
                    lam,
                    nu,
                    lognu,
                    fstate,
                    istate,
                    count_mk,
                    count0k,
                    probs,
                    tot,
                    n_iter,
                    0,
                    dummy_i,
                    dummy_f,
                    dummy_i,
                    buf,
                    st,
                    limit,
                )
    return ChainOutput(out_n, out_alpha, out_k)


def _independence_total(table: CaptureTable) -> int:
    """Starting value for N: the independence log-linear estimate (observed if it fails)."""
    from .loglinear import fit, independence

    try:
        est = fit(table, independence(table.n_lists), ci=False, check=False).estimate
    except InputError:
        return table.observed
    if not np.isfinite(est):
        return table.observed
    return int(min(max(round(est), table.observed), 20 * table.observed))


def lcmcr(
    table: CaptureTable,
    *,
    K: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    burnin: int = 10_000,
    samples: int = 1_000,
    thinning: int = 100,
    chains: int = 2,
    seed: int | None = None,
    level: float = 0.95,
    pure: bool = False,
) -> LcmcrResult:
    """Run ``chains`` independent Gibbs chains and summarise the posterior of N.

    ``estimate`` is the posterior median, ``ci`` the equal-tailed ``level``
    interval of the pooled draws.  With ``seed=None`` a seed is drawn and reported
    in ``settings`` so the run can be repeated exactly.
    """
    for nm, v, lo in (
        ("K", K, 2),
        ("burnin", burnin, 0),
        ("samples", samples, 10),
        ("thinning", thinning, 1),
        ("chains", chains, 1),
    ):
        if int(v) != v or v < lo:
            raise InputError(f"--{nm} must be a whole number >= {lo}, got {v}")
    if K > 1000:
        raise InputError("--K must be at most 1000")
    if a_alpha <= 0 or b_alpha <= 0:
        raise InputError("a_alpha and b_alpha must be positive")
    if not 0 < level < 1:
        raise InputError("the interval level must be between 0 and 1")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    if seed < 0:
        raise InputError("--seed must be a non-negative integer")
    use_pure = pure or not numba_available()
    seqs = np.random.SeedSequence(seed).spawn(chains)

    def one(s: np.random.SeedSequence) -> ChainOutput:
        return _run_chain(
            table,
            K=K,
            a_alpha=a_alpha,
            b_alpha=b_alpha,
            burnin=burnin,
            samples=samples,
            thinning=thinning,
            seed=s,
            pure=use_pure,
        )

    workers = min(chains, _threads())
    if workers > 1 and not use_pure:
        # chains are independent streams: running them on threads (the compiled kernel
        # releases the GIL) changes the wall time, never the numbers
        with ThreadPoolExecutor(max_workers=workers) as ex:
            outs = list(ex.map(one, seqs))
    else:
        outs = [one(s) for s in seqs]
    N = np.vstack([o.n for o in outs]).astype(np.float64)
    alpha = np.vstack([o.alpha for o in outs])
    kstar = np.vstack([o.kstar for o in outs])
    flat = N.ravel()
    q = (1 - level) / 2
    lo, med, hi = np.quantile(flat, [q, 0.5, 1 - q])
    diag = chain_diagnostics(N)
    diag["k_star_mean"] = round(float(kstar.mean()), 2)
    diag["k_star_max"] = int(kstar.max())
    diag["alpha_median"] = round(float(np.median(alpha)), 4)
    warnings = list(diag.pop("warnings"))
    full = float((kstar >= K).mean())
    diag["k_star_at_K"] = round(full, 3)
    if full > 0.25:
        warnings.append(
            f"all {K} latent classes were occupied in {full:.0%} of the draws: the truncation "
            "K may be too small; rerun with a larger --K"
        )
    if med > 20 * table.observed:
        warnings.append(
            "the posterior puts N above 20 times the number observed: the lists carry little "
            "information about the people none of them recorded"
        )
    settings = {
        "K": K,
        "a_alpha": a_alpha,
        "b_alpha": b_alpha,
        "burnin": burnin,
        "samples": samples,
        "thinning": thinning,
        "chains": chains,
        "seed": seed,
        "engine": "python" if use_pure else "numba",
    }
    return LcmcrResult(
        observed=table.observed,
        lists=table.lists,
        samples=N,
        alpha=alpha,
        kstar=kstar,
        settings=settings,
        estimate=float(med),
        ci=(float(lo), float(hi)),
        ci_level=level,
        mean=float(flat.mean()),
        sd=float(flat.std(ddof=1)) if flat.size > 1 else 0.0,
        diagnostics=diag,
        warnings=warnings,
    )
