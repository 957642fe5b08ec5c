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
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from dalil.errors import InputError

from . import _lcmcr_kernel as _kernel
from .data import CaptureTable
from .diagnostics import chain_diagnostics, effective_sample_size, split_rhat

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
    estimate: float | None
    ci: tuple[float, float] | None
    ci_level: float
    mean: float
    sd: float
    diagnostics: dict[str, Any]
    warnings: list[str]


class _Chain:
    """One Gibbs chain whose state persists between calls, so a run can be extended."""

    def __init__(
        self,
        table: CaptureTable,
        *,
        K: int,
        a_alpha: float,
        b_alpha: float,
        seed: np.random.SeedSequence,
        pure: bool = False,
    ) -> None:
        self.kern = _pure_kernel() if pure else _kernel
        J = table.n_lists
        cells_idx = np.nonzero(table.counts)[0]
        cells_idx = cells_idx[cells_idx > 0]
        self.cells = ((cells_idx[:, None] >> np.arange(J)[None, :]) & 1).astype(np.int64)
        self.freq = table.counts[cells_idx].astype(np.int64)
        self.n = int(self.freq.sum())
        M = self.cells.shape[0]
        self.a_alpha, self.b_alpha = a_alpha, b_alpha
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.buf = self.rng.random(_BUF)
        self.st = np.zeros(1, dtype=np.int64)
        # initial state: the independence-model total, list-inclusion probabilities at the
        # lists' shares of it, equal class weights, the unobserved spread over the classes
        n_init = _independence_total(table)
        marg = np.clip((self.cells * self.freq[:, None]).sum(axis=0) / n_init, 0.02, 0.98)
        self.lam = np.repeat(marg[:, None], K, axis=1).astype(np.float64).copy()
        self.nu = np.full(K, 1.0 / K)
        self.lognu = np.log(self.nu)
        self.fstate = np.array([1.0])
        self.istate = np.zeros(3, dtype=np.int64)
        self.istate[0] = n_init - self.n
        self.count_mk = np.zeros((M, K), dtype=np.int64)
        self.count0k = np.full(K, (n_init - self.n) // K, dtype=np.int64)
        self.count0k[: (n_init - self.n) % K] += 1
        self.probs = np.zeros(K)
        self.tot = np.zeros(K, dtype=np.int64)

    def advance(self, n_iter: int, thin: int) -> ChainOutput:
        """Run ``n_iter`` iterations; with ``thin > 0`` keep every ``thin``-th draw."""
        keep = n_iter // thin if thin else 0
        out_n = np.zeros(max(keep, 1), dtype=np.int64)
        out_alpha = np.zeros(max(keep, 1))
        out_k = np.zeros(max(keep, 1), dtype=np.int64)
        limit = _BUF - _SAFE
        self.istate[1] = 0
        self.istate[2] = 0
        while self.istate[1] < n_iter:
            if self.st[0] > limit:
                rest = self.buf[self.st[0] :]
                self.buf = np.concatenate([rest, self.rng.random(_BUF - rest.size)])
                self.st[0] = 0
            self.kern.run(
                self.cells,
                self.freq,
                self.n,
                self.a_alpha,
                self.b_alpha,
                self.lam,
                self.nu,
                self.lognu,
                self.fstate,
                self.istate,
                self.count_mk,
                self.count0k,
                self.probs,
                self.tot,
                n_iter,
                thin,
                out_n,
                out_alpha,
                out_k,
                self.buf,
                self.st,
                limit,
            )
        return ChainOutput(out_n[:keep], out_alpha[:keep], out_k[:keep])


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
    """One chain of fixed length: ``burnin`` iterations, then ``samples`` draws."""
    chain = _Chain(table, K=K, a_alpha=a_alpha, b_alpha=b_alpha, seed=seed, pure=pure)
    chain.advance(burnin, 0)
    return chain.advance(samples * thinning, thinning)


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


TARGET_ESS = 1000
TARGET_RHAT = 1.01
MAX_SECONDS = 600.0
MAX_SAMPLES = 50_000
FIRST_BLOCK = 1000
DISAGREE_RHAT = 1.05


def lcmcr(
    table: CaptureTable,
    *,
    K: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    burnin: int = 10_000,
    samples: int | None = None,
    thinning: int = 100,
    chains: int = 2,
    seed: int | None = None,
    level: float = 0.95,
    pure: bool = False,
    target_ess: float = TARGET_ESS,
    target_rhat: float = TARGET_RHAT,
    max_seconds: float | None = MAX_SECONDS,
    max_samples: int = MAX_SAMPLES,
    allow_unconverged: bool = False,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> LcmcrResult:
    """Run ``chains`` independent Gibbs chains and summarise the posterior of N.

    With ``samples=None`` (the default) the chains run until they have converged:
    the effective sample size of N is at least ``target_ess`` and the split R-hat at
    most ``target_rhat``, checked after every block of draws (1,000 per chain, then
    what the effective sample size so far says is missing, at most doubling); draws are
    kept every ``thinning`` iterations after ``burnin``.  When R-hat is above 1.1 the
    first half of the draws is dropped as further burn-in.  The run stops without
    converging at ``max_samples`` draws per chain or after ``max_seconds`` (then the
    run is no longer exactly repeatable from its seed: a warning says so).  With
    ``samples`` given, exactly that many draws per chain are kept (a fixed run).

    ``estimate`` is the posterior median, ``ci`` the equal-tailed ``level`` interval
    of the pooled draws.  When the chains disagree at the end (R-hat above 1.05)
    there is no single number — ``estimate`` and ``ci`` are None and the chains'
    own summaries are in the diagnostics — unless ``allow_unconverged``.
    """
    for nm, v, lo in (
        ("K", K, 2),
        ("burnin", burnin, 0),
        ("samples", 10 if samples is None else samples, 10),
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
    if target_ess <= 0 or target_rhat < 1:
        raise InputError("the convergence targets must be ESS > 0 and R-hat >= 1")
    if max_seconds is not None and max_seconds <= 0:
        raise InputError("--max-seconds must be positive")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
    if seed < 0:
        raise InputError("--seed must be a non-negative integer")
    use_pure = pure or not numba_available()
    seqs = np.random.SeedSequence(seed).spawn(chains)
    t_start = time.monotonic()
    runs = [
        _Chain(table, K=K, a_alpha=a_alpha, b_alpha=b_alpha, seed=s, pure=use_pure) for s in seqs
    ]
    workers = min(chains, _threads())

    def each(fn: Callable[[_Chain], ChainOutput]) -> list[ChainOutput]:
        # chains are independent streams: running them on threads (the compiled kernel
        # releases the GIL) changes the wall time, never the numbers
        if workers > 1 and not use_pure:
            with ThreadPoolExecutor(max_workers=workers) as ex:
                return list(ex.map(fn, runs))
        return [fn(c) for c in runs]

    each(lambda c: c.advance(burnin, 0))
    adaptive = samples is None
    n_parts: list[list[np.ndarray]] = [[] for _ in runs]
    a_parts: list[list[np.ndarray]] = [[] for _ in runs]
    k_parts: list[list[np.ndarray]] = [[] for _ in runs]
    block = FIRST_BLOCK if adaptive else int(samples)  # type: ignore[arg-type]
    start = 0  # draws before this index are treated as further burn-in
    stop = "fixed"
    blocks = 0
    while True:
        n_iter = block * thinning
        outs = each(lambda c: c.advance(n_iter, thinning))  # noqa: B023 (run at once)
        blocks += 1
        for i, o in enumerate(outs):
            n_parts[i].append(o.n)
            a_parts[i].append(o.alpha)
            k_parts[i].append(o.kstar)
        total = sum(p.size for p in n_parts[0])
        if not adaptive:
            break
        N_all = np.vstack([np.concatenate(p) for p in n_parts]).astype(np.float64)
        window = N_all[:, start:]
        rhat = split_rhat(window)
        ess = effective_sample_size(window)
        elapsed = time.monotonic() - t_start
        if progress is not None:
            progress(
                {
                    "draws_per_chain": total,
                    "kept_from": start,
                    "rhat": None if not np.isfinite(rhat) else round(float(rhat), 4),
                    "ess": round(float(ess), 1),
                    "seconds": round(elapsed, 1),
                    "target_ess": target_ess,
                    "target_rhat": target_rhat,
                }
            )
        if np.isfinite(rhat) and rhat <= target_rhat and ess >= target_ess:
            stop = "converged"
            break
        if total >= max_samples:
            stop = "max_samples"
            break
        if max_seconds is not None and elapsed >= max_seconds:
            stop = "time_limit"
            break
        if (not np.isfinite(rhat) or rhat > 1.1) and total - start >= 2 * FIRST_BLOCK:
            start = total // 2
        kept = total - start
        # ESS grows about in proportion to the draws: ask for what the target needs (10%
        # more), at least a first block's worth, at most as many again as are kept
        need = int(np.ceil(kept * 1.1 * target_ess / max(ess, 1.0))) - kept
        block = min(max(FIRST_BLOCK, need), max(kept, FIRST_BLOCK), max_samples - total)
    N = np.vstack([np.concatenate(p)[start:] for p in n_parts]).astype(np.float64)
    alpha = np.vstack([np.concatenate(p)[start:] for p in a_parts])
    kstar = np.vstack([np.concatenate(p)[start:] for p in k_parts])
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
    elapsed = time.monotonic() - t_start
    diag["run"] = {
        "stop": stop,
        "draws_per_chain": int(N.shape[1]),
        "draws_dropped": int(start),
        "iterations_per_chain": int(burnin + (start + N.shape[1]) * thinning),
        "blocks": blocks,
        "target_ess": target_ess if adaptive else None,
        "target_rhat": target_rhat if adaptive else None,
        "max_seconds": max_seconds if adaptive else None,
    }
    if stop == "time_limit":
        warnings.append(
            f"stopped at the time limit ({max_seconds:g} s) before converging (target ESS "
            f"{target_ess:g}, R-hat {target_rhat:g}); the run cannot be repeated exactly "
            "from its seed; raise --max-seconds"
        )
    elif stop == "max_samples":
        warnings.append(
            f"stopped after {total:,} draws per chain without converging (target ESS "
            f"{target_ess:g}, R-hat {target_rhat:g})"
        )
    rhat_final = diag.get("rhat")
    disagree = chains > 1 and (rhat_final is None or rhat_final > DISAGREE_RHAT)
    diag["chains_disagree"] = bool(disagree)
    diag["chain_estimates"] = [
        {
            "chain": i + 1,
            "median": round(float(np.median(c)), 1),
            "low": round(float(np.quantile(c, q)), 1),
            "high": round(float(np.quantile(c, 1 - q)), 1),
        }
        for i, c in enumerate(N)
    ]
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
    estimate: float | None = float(med)
    ci: tuple[float, float] | None = (float(lo), float(hi))
    if disagree:
        chain_meds = ", ".join(f"{c['median']:,.0f}" for c in diag["chain_estimates"])
        if allow_unconverged:
            warnings.append(
                f"the chains disagree (R-hat {rhat_final}; chain medians {chain_meds}): the "
                "pooled figure was asked for anyway and must not be reported as an estimate"
            )
        else:
            warnings.append(
                f"the chains disagree (R-hat {rhat_final}; chain medians {chain_meds}): no "
                "single number; the data cannot settle the estimate under this model, or the "
                "run is too short (--allow-unconverged prints the pooled figure anyway)"
            )
            estimate, ci = None, None
    settings = {
        "K": K,
        "a_alpha": a_alpha,
        "b_alpha": b_alpha,
        "burnin": burnin,
        "samples": None if adaptive else samples,
        "thinning": thinning,
        "chains": chains,
        "seed": seed,
        "engine": "python" if use_pure else "numba",
        "target_ess": target_ess if adaptive else None,
        "target_rhat": target_rhat if adaptive else None,
        "max_seconds": max_seconds if adaptive else None,
        "max_samples": max_samples if adaptive else None,
        "allow_unconverged": allow_unconverged,
    }
    return LcmcrResult(
        observed=table.observed,
        lists=table.lists,
        samples=N,
        alpha=alpha,
        kstar=kstar,
        settings=settings,
        estimate=estimate,
        ci=ci,
        ci_level=level,
        mean=float(flat.mean()),
        sd=float(flat.std(ddof=1)) if flat.size > 1 else 0.0,
        diagnostics=diag,
        warnings=warnings,
    )
