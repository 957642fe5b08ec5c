"""Log-linear models for multiple systems estimation (Poisson GLM).

A hierarchical log-linear model for ``J`` lists writes the expected count of the
capture pattern ``x`` (``x_j = 1`` if on list ``j``) as

    log mu(x) = u + sum_j u_j x_j + sum over interaction terms S of u_S prod_{j in S} x_j

fitted by Poisson maximum likelihood to the ``2**J - 1`` observed cells.  The
unobserved cell (on no list) has ``log mu(0) = u``, so the estimated number of
people on no list is ``exp(u)`` and the total is ``N = n + exp(u)``
(Fienberg 1972; Bishop, Fienberg & Holland 1975; Cormack 1989).

Models are written in bracket notation: ``[12,23]`` (digits are list positions,
1-based, for up to 9 lists) or ``[A*B,B*C]`` (list names joined by ``*``).  Each
bracket term is a generator: it brings in every interaction among its lists.
All main effects are always present.  The interaction of all ``J`` lists can
never be estimated (it is confounded with the unobserved cell).

What is reported follows Rcapture (Baillargeon & Rivest 2007): the Poisson
estimate of ``N``, its standard error ``sqrt(exp(u) + exp(2u) var(u))``, the
deviance and degrees of freedom on the observed cells, AIC and BIC (with ``n``
the number observed), and a profile-likelihood interval for ``N`` from the
multinomial likelihood (Cormack 1992).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import optimize, special, stats

from dalil.errors import InputError

from .data import CaptureTable

Term = frozenset[int]

MAX_SEARCH_LISTS = 6
EXHAUSTIVE_MAX_LISTS = 5


class EstimationError(InputError):
    """The data cannot estimate the requested model (zero margin, no MLE, not identifiable)."""


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class Model:
    """A hierarchical log-linear model: its generators (maximal interaction terms)."""

    n_lists: int
    generators: tuple[Term, ...]

    @staticmethod
    def from_terms(n_lists: int, terms: Iterable[Iterable[int]]) -> Model:
        sets = {frozenset(t) for t in terms if len(frozenset(t)) >= 2}
        maximal = [s for s in sets if not any(s < o for o in sets)]
        covered = set().union(*maximal) if maximal else set()
        gens = maximal + [frozenset([j]) for j in range(n_lists) if j not in covered]
        gens.sort(key=lambda s: (sorted(s), len(s)))
        return Model(n_lists, tuple(gens))

    @property
    def terms(self) -> tuple[Term, ...]:
        """Every interaction term of order >= 2 implied by the generators (hierarchy)."""
        out: set[Term] = set()
        for g in self.generators:
            for r in range(2, len(g) + 1):
                out.update(frozenset(c) for c in itertools.combinations(sorted(g), r))
        return tuple(sorted(out, key=lambda s: (len(s), sorted(s))))

    def label(self, lists: Sequence[str] | None = None) -> str:
        """``[12,23]`` for up to 9 lists; ``[A*B,B*C]`` with names when more or when asked."""
        if lists is None and self.n_lists <= 9:
            parts = ["".join(str(j + 1) for j in sorted(g)) for g in self.generators]
        else:
            names = lists if lists is not None else [f"L{j + 1}" for j in range(self.n_lists)]
            parts = ["*".join(names[j] for j in sorted(g)) for g in self.generators]
        return "[" + ",".join(parts) + "]"

    def __str__(self) -> str:
        return self.label()


def independence(n_lists: int) -> Model:
    return Model.from_terms(n_lists, [])


def parse_model(spec: str, lists: Sequence[str]) -> Model:
    """Parse bracket notation against the table's list names.

    ``[12,23]``: digits are 1-based list positions (up to 9 lists).
    ``[A*B,B*C]``: list names joined by ``*``.  A term that is exactly a list name
    is that list.  Several bracket groups (``[12][23]``) are accepted too.
    """
    s = spec.strip()
    if not s:
        raise InputError("empty model; write e.g. [12,23] or [A*B,B*C]")
    if not (s.startswith("[") and s.endswith("]")):
        raise InputError(f"model {spec!r}: write it in brackets, e.g. [12,23] or [A*B,B*C]")
    body = s.replace("][", ",").strip("[]")
    if "[" in body or "]" in body:
        raise InputError(f"model {spec!r}: unbalanced brackets")
    J = len(lists)
    index = {name: j for j, name in enumerate(lists)}
    terms: list[frozenset[int]] = []
    for raw in body.split(","):
        t = raw.strip()
        if not t:
            raise InputError(f"model {spec!r}: empty term")
        members: list[int] = []
        if "*" in t or t in index:
            for nm in t.split("*"):
                nm = nm.strip()
                if nm not in index:
                    raise InputError(
                        f"model {spec!r}: unknown list {nm!r} (lists: {', '.join(lists)})"
                    )
                members.append(index[nm])
        elif t.isdigit():
            if J > 9:
                raise InputError(
                    f"model {spec!r}: with more than 9 lists write terms with list names "
                    "joined by *"
                )
            for ch in t:
                k = int(ch)
                if not 1 <= k <= J:
                    raise InputError(f"model {spec!r}: list position {k} is not in 1..{J}")
                members.append(k - 1)
        else:
            raise InputError(
                f"model {spec!r}: term {t!r} is neither list positions nor list names "
                f"joined by * (lists: {', '.join(lists)})"
            )
        if len(set(members)) != len(members):
            raise InputError(f"model {spec!r}: term {t!r} names a list twice")
        terms.append(frozenset(members))
    model = Model.from_terms(J, terms)
    if any(len(g) == J for g in model.generators):
        raise EstimationError(
            f"model {spec!r} is not identifiable: the interaction of all {J} lists is "
            "confounded with the number nobody recorded; the largest estimable model "
            "leaves it out"
        )
    return model


def saturated(n_lists: int) -> Model:
    """The largest estimable model: every interaction except the J-way one."""
    return Model.from_terms(n_lists, itertools.combinations(range(n_lists), n_lists - 1))


# --------------------------------------------------------------------------- fitting


@lru_cache(maxsize=16)
def _pattern_bits(n_lists: int) -> np.ndarray:
    cells = np.arange(2**n_lists)
    return np.asarray((cells[:, None] >> np.arange(n_lists)[None, :]) & 1, dtype=float)


@lru_cache(maxsize=4096)
def _term_column(n_lists: int, term: Term) -> np.ndarray:
    x = _pattern_bits(n_lists)
    return np.asarray(np.prod(x[:, sorted(term)], axis=1))


def design_matrix(model: Model) -> np.ndarray:
    """(2**J, 1 + J + len(terms)) design over all cells; row 0 is the unobserved cell."""
    J = model.n_lists
    x = _pattern_bits(J)
    cols = [np.ones(2**J), *(x[:, j] for j in range(J))]
    cols += [_term_column(J, t) for t in model.terms]
    return np.column_stack(cols)


@dataclass
class _Glm:
    beta: np.ndarray
    mu: np.ndarray
    cov: np.ndarray
    deviance: float
    converged: bool
    iterations: int


def _poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2.0 * np.sum(term - (y - mu)))


def _irls(
    X: np.ndarray, y: np.ndarray, beta: np.ndarray | None = None, max_iter: int = 100
) -> _Glm:
    """Poisson log-link IRLS (Fisher scoring), R glm's convergence rule (1e-10 here).

    Not converged (``converged=False``) when a linear predictor runs off to +-700:
    the fit is heading for the boundary, where the MLE does not exist.
    """
    pos = y > 0
    const = float(np.sum(y[pos] * np.log(y[pos])) - y.sum())
    if beta is None:
        mu = y + 0.1
        eta = np.log(mu)
    else:
        eta = X @ beta
        if np.abs(eta).max() > 700:
            return _irls(X, y, None, max_iter)
        mu = np.exp(eta)
    # deviance = 2 * sum(y log(y/mu) - (y - mu)) = 2 * (const - y.eta + sum(mu))
    dev_old = 2.0 * (const - float(y @ eta) + float(mu.sum()))
    converged = False
    it = 0
    b = beta if beta is not None else np.zeros(X.shape[1])
    XT = X.T
    for it in range(1, max_iter + 1):  # noqa: B007
        A = XT @ (X * mu[:, None])
        rhs = XT @ (mu * eta + y - mu)
        try:
            b = np.linalg.solve(A, rhs)
        except np.linalg.LinAlgError:
            break
        eta = X @ b
        if np.abs(eta).max() > 700:
            break
        mu = np.exp(eta)
        dev = 2.0 * (const - float(y @ eta) + float(mu.sum()))
        if abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-10:
            converged = True
            dev_old = dev
            break
        dev_old = dev
    try:
        cov = np.linalg.inv(XT @ (X * mu[:, None]))
    except np.linalg.LinAlgError:
        cov = np.full((X.shape[1], X.shape[1]), np.nan)
    return _Glm(b, mu, cov, max(dev_old, 0.0), converged, it)


def zero_margins(table: CaptureTable, model: Model) -> list[tuple[Term, Term]]:
    """Observed margins of the model's generators that are zero: (generator, lists on).

    A zero margin (nobody on exactly those lists of the generator) sends a parameter
    to minus infinity: the maximum-likelihood estimate does not exist.
    """
    y = table.counts
    cells = np.arange(y.size)
    bad: list[tuple[Term, Term]] = []
    for g in model.generators:
        gmask = sum(1 << j for j in g)
        for r in range(1, len(g) + 1):
            for on in itertools.combinations(sorted(g), r):
                amask = sum(1 << j for j in on)
                if y[(cells & gmask) == amask].sum() == 0:
                    bad.append((g, frozenset(on)))
    return bad


def mle_exists(table: CaptureTable, model: Model) -> bool:
    """Whether the Poisson MLE exists (Haberman 1974): the observed counts must lie in
    the relative interior of the model's marginal cone — some strictly positive table
    has the same sufficient statistics.  Decided exactly by a linear programme."""
    y = table.counts[1:].astype(float)
    if (y > 0).all():
        return True
    X = design_matrix(model)[1:]
    m = y.size
    # variables: m cell values and t; maximise t s.t. X^T v = X^T y, v_i >= t, t <= 1
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_eq = np.hstack([X.T, np.zeros((X.shape[1], 1))])
    b_eq = X.T @ y
    A_ub = np.hstack([-np.eye(m), np.ones((m, 1))])
    b_ub = np.zeros(m)
    bounds = [(0, None)] * m + [(None, 1.0)]
    res = optimize.linprog(
        c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs"
    )
    return bool(res.status == 0 and -res.fun > 1e-9)


def _describe_margin(table: CaptureTable, g: Term, on: Term) -> str:
    names = table.lists
    on_names = " and ".join(f"{j + 1} ({names[j]})" for j in sorted(on))
    off = sorted(set(g) - set(on))
    s = f"nobody is on list{'s' if len(on) > 1 else ''} {on_names}"
    if off:
        s += " without " + " or ".join(f"{j + 1} ({names[j]})" for j in off)
    return s


@dataclass
class LoglinearFit:
    """One fitted model and what Rcapture reports for it."""

    model: Model
    lists: tuple[str, ...]
    observed: int
    estimate: float
    se: float
    deviance: float
    df: int
    aic: float
    bic: float
    n_params: int
    beta: np.ndarray = field(repr=False)
    ci: tuple[float, float | None] | None = None
    ci_level: float = 0.95
    weight: float | None = None
    profile: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    var_u: float | None = None  # variance of the intercept (log of the number unrecorded)

    @property
    def label(self) -> str:
        return self.model.label()

    def row(self) -> dict[str, Any]:
        return {
            "model": self.label,
            "estimate": _r(self.estimate),
            "ci": [_r(self.ci[0]), _r(self.ci[1])] if self.ci else None,
            "aic": _r(self.aic, 3),
            "bic": _r(self.bic, 3),
            "deviance": _r(self.deviance, 3),
            "df": self.df,
            "weight": None if self.weight is None else _r(self.weight, 4),
        }


def _r(x: float | None, nd: int = 1) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def _fit_observed(
    table: CaptureTable, model: Model, X: np.ndarray | None = None
) -> tuple[_Glm, np.ndarray]:
    if X is None:
        X = design_matrix(model)
    Xo = X[1:]
    y = table.counts[1:].astype(float)
    return _irls(Xo, y), Xo


def fit(
    table: CaptureTable,
    model: Model | str,
    *,
    ci: bool = True,
    level: float = 0.95,
    check: bool = True,
) -> LoglinearFit:
    """Fit one log-linear model; raise :class:`EstimationError` when it cannot be estimated."""
    if isinstance(model, str):
        model = parse_model(model, table.lists)
    if model.n_lists != table.n_lists:
        raise InputError(f"model is for {model.n_lists} lists, the table has {table.n_lists}")
    label = model.label()
    if any(len(g) == table.n_lists for g in model.generators):
        raise EstimationError(
            f"model {label} is not identifiable: it contains the interaction of all lists"
        )
    X = design_matrix(model)
    Xo = X[1:]
    rank = np.linalg.matrix_rank(Xo)
    if rank < Xo.shape[1]:
        raise EstimationError(
            f"model {label} is not identifiable: {Xo.shape[1]} parameters, "
            f"only {rank} can be estimated from the observed cells"
        )
    if check:
        bad = zero_margins(table, model)
        if bad:
            g, on = bad[0]
            raise EstimationError(
                f"model {label} cannot be estimated: a needed margin is zero — "
                f"{_describe_margin(table, g, on)}; choose a model without that "
                "interaction or merge lists"
            )
        if not mle_exists(table, model):
            raise EstimationError(
                f"model {label}: the maximum-likelihood estimate does not exist — the "
                "zero cells of the table leave some parameter unbounded; choose a smaller model"
            )
    glm, _ = _fit_observed(table, model, X)
    if not glm.converged or not np.isfinite(glm.beta).all():
        raise EstimationError(
            f"model {label}: the fit did not converge (the maximum-likelihood estimate "
            "may not exist); choose a smaller model"
        )
    result = _summarise(table, model, glm, Xo.shape[1])
    if not math.isfinite(result.estimate) or result.estimate > 1e12:
        raise EstimationError(f"model {label}: the estimate is unbounded; choose a smaller model")
    if ci:
        result.ci, result.profile = profile_interval(
            table, model, X, level=level, start=result.estimate
        )
        result.ci_level = level
    return result


def _summarise(table: CaptureTable, model: Model, glm: _Glm, p: int) -> LoglinearFit:
    n = table.observed
    y = table.counts[1:].astype(float)
    u = float(glm.beta[0])
    n0 = math.exp(u) if u < 700 else math.inf
    var_u = float(glm.cov[0, 0])
    se = math.sqrt(n0 + n0 * n0 * var_u) if math.isfinite(n0) else math.inf
    loglik = float(np.sum(y * np.log(glm.mu) - glm.mu - special.gammaln(y + 1)))
    return LoglinearFit(
        model=model,
        lists=table.lists,
        observed=n,
        estimate=n + n0,
        se=se,
        deviance=max(glm.deviance, 0.0),
        df=int(y.size - p),
        aic=-2 * loglik + 2 * p,
        bic=-2 * loglik + math.log(n) * p,
        n_params=p,
        beta=glm.beta,
        var_u=var_u,
    )


# --------------------------------------------------------------------------- profile likelihood


def profile_interval(
    table: CaptureTable,
    model: Model,
    X: np.ndarray | None = None,
    *,
    level: float = 0.95,
    start: float | None = None,
) -> tuple[tuple[float, float | None], tuple[np.ndarray, np.ndarray]]:
    """Profile-likelihood interval for N from the multinomial likelihood.

    For fixed N the unobserved cell holds ``N - n``; the model is fitted by Poisson
    ML to the completed table, whose fitted total is N, and

        l(N) = log N! - log (N-n)! + sum_c y_c log(mu_c / N)   (constants dropped).

    The interval is ``{N >= n : 2 (max l - l(N)) <= chi2_1(level)}``; its upper end
    is ``None`` when the likelihood stays above the cut-off (unbounded).
    Returns the interval and a grid ``(N, l(N) - max l)`` for plotting.
    """
    if X is None:
        X = design_matrix(model)
    n = table.observed
    y_obs = table.counts.astype(float)
    cache: dict[float, float] = {}
    beta_holder: list[np.ndarray | None] = [None]

    def loglik(N: float) -> float:
        if N in cache:
            return cache[N]
        y = y_obs.copy()
        y[0] = N - n
        g = _irls(X, y, beta_holder[0])
        if not g.converged:
            g = _irls(X, y)
        beta_holder[0] = g.beta
        mu = g.mu
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(y > 0, y * np.log(mu / N), 0.0)
        val = float(special.gammaln(N + 1) - special.gammaln(N - n + 1) + t.sum())
        cache[N] = val
        return val

    s = float(start) if start and math.isfinite(start) else 2.0 * n
    s = max(s, n + 1.0)
    # maximise l(N) over N > n
    hi = max(4 * s, n + 10.0)
    res = optimize.minimize_scalar(
        lambda N: -loglik(N), bounds=(n, hi), method="bounded", options={"xatol": 1e-6 * hi}
    )
    N_hat = float(res.x)
    lmax = -float(res.fun)
    cut = stats.chi2.ppf(level, 1) / 2.0

    def f(N: float) -> float:
        return float(loglik(N) - lmax + cut)

    low = float(n) if f(float(n)) >= 0 else float(optimize.brentq(f, float(n), N_hat, xtol=1e-06))
    upper: float | None = None
    b = N_hat
    step = max(N_hat - n, 1.0)
    for _ in range(60):
        nb = b + step
        if f(nb) < 0:
            upper = optimize.brentq(f, b, nb, xtol=1e-6)
            break
        b = nb
        step *= 2
        if b > 1e10:
            break
    top = upper if upper is not None else b
    grid = np.unique(
        np.concatenate(
            [
                np.linspace(
                    max(float(n), low - 0.3 * (N_hat - low)), top + 0.3 * (top - N_hat), 160
                ),
                [N_hat],
            ]
        )
    )
    grid = grid[grid >= n]
    prof = np.array([loglik(float(N)) - lmax for N in grid])
    return (low, upper), (grid, prof)


# --------------------------------------------------------------------------- search


def hierarchical_models(n_lists: int) -> list[Model]:
    """Every hierarchical model with all main effects and without the J-way term."""
    J = n_lists
    cand: list[Term] = [
        frozenset(c) for r in range(2, J) for c in itertools.combinations(range(J), r)
    ]
    out: list[Model] = []

    def rec(i: int, chosen: set[Term]) -> None:
        if i == len(cand):
            out.append(Model.from_terms(J, chosen))
            return
        t = cand[i]
        rec(i + 1, chosen)
        if len(t) == 2 or all(
            frozenset(s) in chosen for s in itertools.combinations(t, len(t) - 1)
        ):
            chosen.add(t)
            rec(i + 1, chosen)
            chosen.remove(t)

    rec(0, set())
    return out


@dataclass
class SearchResult:
    best: LoglinearFit
    fits: list[LoglinearFit]  # sorted by criterion, best first
    criterion: str
    n_models: int
    n_skipped: int
    exhaustive: bool


def _zero_generators(table: CaptureTable) -> np.ndarray:
    """For every subset of lists (as a bit mask): does its margin have a zero cell with
    at least one list on?  A generator with such a margin has no finite MLE."""
    J = table.n_lists
    y = table.counts
    cells = np.arange(y.size)
    out = np.zeros(2**J, dtype=bool)
    for gmask in range(1, 2**J):
        m = np.bincount(cells & gmask, weights=y, minlength=2**J)
        sub = gmask
        while sub:
            if m[sub] == 0:
                out[gmask] = True
                break
            sub = (sub - 1) & gmask
    return out


def _quick_fit(
    table: CaptureTable, model: Model, zero_gen: np.ndarray | None
) -> LoglinearFit | None:
    """Fit for the search: None when the MLE does not exist or the fit misbehaves."""
    has_zero = zero_gen is not None
    if zero_gen is not None and any(zero_gen[sum(1 << j for j in g)] for g in model.generators):
        return None
    X = design_matrix(model)
    Xo = X[1:]
    glm = _irls(Xo, table.counts[1:].astype(float))
    if not glm.converged or not np.isfinite(glm.beta).all():
        return None
    y = table.counts[1:]
    if has_zero and (glm.mu[y == 0] < 1e-6).any():
        return None  # drifting to the boundary: MLE does not exist
    f = _summarise(table, model, glm, Xo.shape[1])
    if not math.isfinite(f.estimate) or f.estimate > 1e12 or not math.isfinite(f.se):
        return None
    return f


def search(
    table: CaptureTable,
    *,
    criterion: str = "bic",
    top: int = 10,
    level: float = 0.95,
    intervals: int | None = None,
) -> SearchResult:
    """Choose a hierarchical model by AIC or BIC.

    Up to 5 lists every hierarchical model is fitted.  For 6 lists (too many models
    to enumerate) a stepwise search adds and removes single terms, keeping the
    hierarchy, from the independence model until the criterion stops improving.
    Weights are ``exp(-delta/2)`` normalised over the fitted models (Akaike or
    Schwarz weights).  Profile intervals are computed for the ``intervals`` best
    models (default: ``top``).
    """
    crit = criterion.lower()
    if crit not in ("aic", "bic"):
        raise InputError(f"criterion must be aic or bic, not {criterion!r}")
    J = table.n_lists
    if J > MAX_SEARCH_LISTS:
        raise InputError(
            f"automatic model search handles up to {MAX_SEARCH_LISTS} lists; the table has {J}. "
            "Give --model, merge lists, or use --method lcmcr"
        )
    has_zero = bool((table.counts[1:] == 0).any())
    zero_gen = _zero_generators(table) if has_zero else None
    fits: list[LoglinearFit] = []
    skipped = 0
    if J <= EXHAUSTIVE_MAX_LISTS:
        models = hierarchical_models(J)
        for m in models:
            f = _quick_fit(table, m, zero_gen)
            if f is None:
                skipped += 1
            else:
                fits.append(f)
        exhaustive = True
        n_models = len(models)
    else:
        fits, n_models, skipped = _stepwise(table, crit, zero_gen)
        exhaustive = False

    def key(f: LoglinearFit) -> float:
        return f.aic if crit == "aic" else f.bic

    fits.sort(key=lambda f: (key(f), f.n_params))
    # verify existence exactly for the leading models; drop any that fail
    verified: list[LoglinearFit] = []
    for f in fits:
        if len(verified) >= max(top, 1):
            break
        if has_zero and not mle_exists(table, f.model):
            skipped += 1
            continue
        verified.append(f)
    if not verified:
        raise EstimationError(
            "no hierarchical log-linear model has a finite maximum-likelihood estimate for "
            "this table (every model meets a zero margin or empty cells that leave a parameter "
            "unbounded); merge lists or strata, or use --method lcmcr or bma"
        )
    best_val = key(verified[0])
    allw = np.array([math.exp(-(key(f) - best_val) / 2) for f in fits])
    total = allw.sum()
    for f in fits:
        f.weight = math.exp(-(key(f) - best_val) / 2) / total
    shown = verified[: max(top, 1)]
    n_int = top if intervals is None else intervals
    for f in shown[: max(1, n_int)]:
        f.ci, f.profile = profile_interval(table, f.model, level=level, start=f.estimate)
        f.ci_level = level
    return SearchResult(
        best=verified[0],
        fits=shown,
        criterion=crit,
        n_models=n_models,
        n_skipped=skipped,
        exhaustive=exhaustive,
    )


def _stepwise(
    table: CaptureTable, crit: str, zero_gen: np.ndarray | None
) -> tuple[list[LoglinearFit], int, int]:
    J = table.n_lists
    seen: dict[tuple[Term, ...], LoglinearFit | None] = {}

    def score(f: LoglinearFit | None) -> float:
        if f is None:
            return math.inf
        return f.aic if crit == "aic" else f.bic

    def get(m: Model) -> LoglinearFit | None:
        k = tuple(sorted(m.generators, key=lambda s: sorted(s)))
        if k not in seen:
            seen[k] = _quick_fit(table, m, zero_gen)
        return seen[k]

    def neighbours(m: Model) -> list[Model]:
        terms = set(m.terms)
        out = []
        for r in range(2, J):
            for c in itertools.combinations(range(J), r):
                t = frozenset(c)
                if t in terms:
                    if not any(t < o for o in terms):
                        out.append(Model.from_terms(J, terms - {t}))
                elif r == 2 or all(frozenset(s) in terms for s in itertools.combinations(c, r - 1)):
                    out.append(Model.from_terms(J, terms | {t}))
        return out

    starts = [independence(J), Model.from_terms(J, itertools.combinations(range(J), 2))]
    for cur in starts:
        cur_fit = get(cur)
        while True:
            best_m, best_s = None, score(cur_fit)
            for nb in neighbours(cur):
                s = score(get(nb))
                if s < best_s - 1e-9:
                    best_m, best_s = nb, s
            if best_m is None:
                break
            cur, cur_fit = best_m, get(best_m)
    fits = [f for f in seen.values() if f is not None]
    skipped = sum(1 for f in seen.values() if f is None)
    return fits, len(seen), skipped
