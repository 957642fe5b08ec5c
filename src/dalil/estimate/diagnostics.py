"""Convergence diagnostics for MCMC draws of N: split R-hat, effective sample size, trace.

Split R-hat and the multi-chain effective sample size follow Gelman et al.,
*Bayesian Data Analysis* (3rd ed., §11.4–11.5), with Geyer's initial monotone
sequence to truncate the autocorrelation sum.  Thresholds for the warnings follow
Vehtari et al. (2021): R-hat above 1.01 is a warning sign; we warn above 1.05
(clearly not mixed) and mention values above 1.01; ESS below 400 is too few for
stable 95% interval ends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RHAT_WARN = 1.05
ESS_WARN = 400


def split_rhat(draws: np.ndarray) -> float:
    """Split R-hat of a (chains, draws) array (each chain split in two halves)."""
    x = np.asarray(draws, dtype=float)
    n = x.shape[1] // 2
    if n < 2:
        return float("nan")
    halves = np.vstack([x[:, :n], x[:, -n:]])
    m = halves.shape[0]
    means = halves.mean(axis=1)
    variances = halves.var(axis=1, ddof=1)
    W = variances.mean()
    B = n * means.var(ddof=1) if m > 1 else 0.0
    if W <= 0:
        return 1.0 if B == 0 else float("inf")
    var_plus = (n - 1) / n * W + B / n
    return float(np.sqrt(var_plus / W))


def _autocov(x: np.ndarray) -> np.ndarray:
    n = x.size
    xc = x - x.mean()
    f = np.fft.rfft(xc, n=2 * n)
    ac = np.fft.irfft(f * np.conjugate(f))[:n]
    return np.asarray(ac / n)


def effective_sample_size(draws: np.ndarray) -> float:
    """Multi-chain ESS (BDA3 eq. 11.8) with Geyer's initial monotone sequence."""
    x = np.asarray(draws, dtype=float)
    m, n = x.shape
    if n < 4:
        return float(m * n)
    acov = np.array([_autocov(c) for c in x])
    chain_var = acov[:, 0] * n / (n - 1)
    W = chain_var.mean()
    B_over_n = x.mean(axis=1).var(ddof=1) if m > 1 else 0.0
    var_plus = (n - 1) / n * W + B_over_n
    if var_plus <= 0:
        return float(m * n)
    rho = 1.0 - (W - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    # Geyer: sum pairs while positive, enforce monotone decrease
    total = 0.0
    prev = np.inf
    t = 0
    while t + 1 < n:
        pair = rho[t] + rho[t + 1]
        if pair < 0:
            break
        pair = min(pair, prev)
        total += pair
        prev = pair
        t += 2
    tau = -1.0 + 2.0 * total
    tau = max(tau, 1.0 / np.log10(max(m * n, 10)))
    return float(m * n / tau)


def trace_summary(draws: np.ndarray) -> list[dict[str, Any]]:
    """Per chain, median and 95% interval of the first and second halves."""
    out = []
    for i, c in enumerate(np.asarray(draws, dtype=float)):
        h = c.size // 2
        row: dict[str, Any] = {"chain": i + 1}
        for name, part in (("first_half", c[:h]), ("second_half", c[h:])):
            if part.size:
                lo, med, hi = np.quantile(part, [0.025, 0.5, 0.975])
                row[name] = {
                    "median": round(float(med), 1),
                    "low": round(float(lo), 1),
                    "high": round(float(hi), 1),
                }
        out.append(row)
    return out


def chain_diagnostics(draws: np.ndarray) -> dict[str, Any]:
    """R-hat, ESS, trace summary and human-readable warnings for (chains, draws)."""
    x = np.asarray(draws, dtype=float)
    rhat = split_rhat(x)
    ess = effective_sample_size(x)
    warnings: list[str] = []
    if not np.isfinite(rhat) or rhat > RHAT_WARN:
        warnings.append(
            f"R-hat {rhat:.3f} > {RHAT_WARN}: the chains disagree; run longer (more --burnin "
            "and --samples) or check the data"
        )
    if ess < ESS_WARN:
        warnings.append(
            f"effective sample size {ess:.0f} < {ESS_WARN}: interval ends are unstable; "
            "increase --samples or --thinning"
        )
    return {
        "rhat": round(rhat, 4) if np.isfinite(rhat) else None,
        "ess": round(ess, 1),
        "chains": int(x.shape[0]),
        "draws_per_chain": int(x.shape[1]),
        "trace": trace_summary(x),
        "warnings": warnings,
    }
