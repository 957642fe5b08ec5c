"""Gibbs sampler kernel for the LCMCR model, written once as plain Python.

The module is compiled by numba when numba is installed; ``lcmcr.py`` also loads
this same file a second time without numba (``_DALIL_PURE``) so the pure-Python
path can be checked to give the *same numbers* as the compiled one.

All randomness comes from a buffer of uniforms in [0, 1) that the caller fills
from ``numpy.random.Generator(PCG64(seed))`` — the same stream on every
platform — and every variate is derived from it here with textbook algorithms
(Box–Muller normals, Marsaglia–Tsang gamma, inversion and Hörmann's BTRD
binomial, multiplication and Hörmann's PTRS Poisson).  Nothing depends on the
number of threads.
"""

from __future__ import annotations

import math

import numpy as np

_PURE = bool(globals().get("_DALIL_PURE", False))

try:
    if _PURE:
        raise ImportError("pure path requested")
    import numba

    jit = numba.njit(cache=True, nogil=True)
    HAVE_NUMBA = True
except ImportError:  # pragma: no cover - exercised by the pure path

    def jit(f):  # type: ignore[no-untyped-def]
        return f

    HAVE_NUMBA = False

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


@jit
def _u01(buf, st):  # type: ignore[no-untyped-def]
    """Next uniform in [0, 1)."""
    p = st[0]
    st[0] = p + 1 if p + 1 < buf.shape[0] else 0
    return buf[p]


@jit
def _upos(buf, st):  # type: ignore[no-untyped-def]
    """Next uniform in (0, 1]."""
    return 1.0 - _u01(buf, st)


@jit
def _normal(buf, st):  # type: ignore[no-untyped-def]
    u1 = _upos(buf, st)
    u2 = _u01(buf, st)
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


@jit
def log_gamma_draw(shape, buf, st):  # type: ignore[no-untyped-def]
    """log of a Gamma(shape, 1) variate (Marsaglia & Tsang 2000), stable for tiny shapes."""
    boost = 0.0
    a = shape
    if a < 1.0:
        boost = math.log(_upos(buf, st)) / a
        a = a + 1.0
    d = a - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(buf, st)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _upos(buf, st)
        if u < 1.0 - 0.0331 * x * x * x * x:
            return math.log(d * v) + boost
        if math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
            return math.log(d * v) + boost


@jit
def gamma_draw_ge1(shape, buf, st):  # type: ignore[no-untyped-def]
    """A Gamma(shape, 1) variate for shape >= 1 (Marsaglia & Tsang 2000), no logs on accept."""
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = _normal(buf, st)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = _upos(buf, st)
        if u < 1.0 - 0.0331 * x * x * x * x:
            return d * v
        if math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
            return d * v


@jit
def _fc(k):  # type: ignore[no-untyped-def]
    """Stirling correction: log k! - [(k+1/2) log(k+1) - (k+1) + log sqrt(2 pi)]."""
    kf = float(k)
    return math.lgamma(kf + 1.0) - ((kf + 0.5) * math.log(kf + 1.0) - (kf + 1.0) + _LOG_SQRT_2PI)


@jit
def _binom_inversion(n, p, buf, st):  # type: ignore[no-untyped-def]
    q = 1.0 - p
    s = p / q
    a = (n + 1) * s
    r0 = math.exp(n * math.log1p(-p))
    while True:
        u = _u01(buf, st)
        k = 0
        r = r0
        ok = True
        while u > r:
            u -= r
            k += 1
            if k > n:
                ok = False
                break
            r *= a / k - s
        if ok:
            return k


@jit
def _binom_btrd(n, p, buf, st):  # type: ignore[no-untyped-def]
    """Hörmann (1993) BTRD, for p <= 1/2 and n p >= 10."""
    m = math.floor((n + 1) * p)
    r = p / (1.0 - p)
    nr = (n + 1) * r
    npq = n * p * (1.0 - p)
    snpq = math.sqrt(npq)
    b = 1.15 + 2.53 * snpq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    alpha = (2.83 + 5.1 / b) * snpq
    vr = 0.92 - 4.2 / b
    urvr = 0.86 * vr
    while True:
        v = _u01(buf, st)
        if v <= urvr:
            u = v / vr - 0.43
            kf = math.floor((2.0 * a / (0.5 - abs(u)) + b) * u + c)
            if 0 <= kf <= n:
                return int(kf)
            continue
        if v >= vr:
            u = _u01(buf, st) - 0.5
        else:
            u = v / vr - 0.93
            u = math.copysign(0.5, u) - u
            v = _u01(buf, st) * vr
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        kf = math.floor((2.0 * a / us + b) * u + c)
        if kf < 0 or kf > n:
            continue
        k = int(kf)
        v = v * alpha / (a / (us * us) + b)
        km = abs(k - m)
        if km <= 15:
            f = 1.0
            if m < k:
                i = m
                while i < k:
                    i += 1
                    f *= nr / i - r
            elif m > k:
                i = k
                while i < m:
                    i += 1
                    v *= nr / i - r
            if v <= f:
                return k
            continue
        if v <= 0.0:
            return k
        v = math.log(v)
        rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5)
        t = -km * km / (2.0 * npq)
        if v < t - rho:
            return k
        if v > t + rho:
            continue
        nm = n - m + 1
        h = (m + 0.5) * math.log((m + 1) / (r * nm)) + _fc(m) + _fc(n - m)
        nk = n - k + 1
        if v <= h + (n + 1) * math.log(nm / nk) + (k + 0.5) * math.log(nk * r / (k + 1)) - _fc(
            k
        ) - _fc(n - k):
            return k


@jit
def binomial(n, p, buf, st):  # type: ignore[no-untyped-def]
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    k = _binom_inversion(n, pp, buf, st) if n * pp < 10.0 else _binom_btrd(n, pp, buf, st)
    return n - k if flip else k


@jit
def poisson(lam, buf, st):  # type: ignore[no-untyped-def]
    if lam <= 0.0:
        return 0
    if lam < 10.0:
        enlam = math.exp(-lam)
        x = 0
        prod = 1.0
        while True:
            prod *= _upos(buf, st)
            if prod > enlam:
                x += 1
            else:
                return x
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = _u01(buf, st) - 0.5
        v = _upos(buf, st)
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        kf = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return int(kf)
        if kf < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= (
            -lam + kf * loglam - math.lgamma(kf + 1.0)
        ):
            return int(kf)


@jit
def multinomial(n, probs, out, order, buf, st):  # type: ignore[no-untyped-def]
    """Counts of n draws over len(out) classes with unnormalised probabilities.

    Conditional binomials taken from the most to the least probable class, so the
    draws usually run out before the many near-empty classes (which then cost
    nothing).  ``order`` is scratch space of the same length.
    """
    K = out.shape[0]
    mass = 0.0
    for k in range(K):
        mass += probs[k]
        out[k] = 0
    if K <= 64:
        for k in range(K):  # insertion sort, descending probability
            order[k] = k
            i = k
            while i > 0 and probs[order[i - 1]] < probs[order[i]]:
                tmp = order[i - 1]
                order[i - 1] = order[i]
                order[i] = tmp
                i -= 1
    else:
        srt = np.argsort(-probs)
        for k in range(K):
            order[k] = srt[k]
    rem = n
    for i in range(K - 1):
        if rem == 0:
            return
        k = order[i]
        pk = probs[k] / mass if mass > 0.0 else 1.0
        if pk > 1.0:
            pk = 1.0
        c = binomial(rem, pk, buf, st)
        out[k] = c
        rem -= c
        mass -= probs[k]
    out[order[K - 1]] = rem


@jit
def run(  # type: ignore[no-untyped-def]
    cells,
    freq,
    n_obs,
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
    out_kstar,
    buf,
    st,
    limit,
):
    """Advance one chain by up to ``n_iter - istate[1]`` iterations.

    Returns early (with ``istate[1] < n_iter``) when the uniform buffer position
    passes ``limit``; the caller refills the buffer and calls again.
    State: ``fstate[0]`` alpha; ``istate[0]`` n0 (people on no list),
    ``istate[1]`` iterations done in this phase, ``istate[2]`` samples stored.
    Every ``thin``-th iteration (``thin > 0``) stores N, alpha and the number of
    occupied classes.
    """
    M = cells.shape[0]
    J = cells.shape[1]
    K = lam.shape[1]
    order = np.zeros(K, dtype=np.int64)
    while istate[1] < n_iter:
        if st[0] > limit:
            return
        # 1. latent classes of the observed, drawn per capture pattern
        for m in range(M):
            for k in range(K):
                pr = nu[k]
                for j in range(J):
                    if cells[m, j] == 1:
                        pr *= lam[j, k]
                    else:
                        pr *= 1.0 - lam[j, k]
                probs[k] = pr
            multinomial(freq[m], probs, count_mk[m], order, buf, st)
        # 2. list-inclusion probabilities per class: Beta(1 + on, 1 + off)
        for k in range(K):
            t = count0k[k]
            for m in range(M):
                t += count_mk[m, k]
            tot[k] = t
        for j in range(J):
            for k in range(K):
                on = 0
                for m in range(M):
                    if cells[m, j] == 1:
                        on += count_mk[m, k]
                ga = gamma_draw_ge1(1.0 + on, buf, st)
                gb = gamma_draw_ge1(1.0 + tot[k] - on, buf, st)
                lam[j, k] = ga / (ga + gb)
        # 3. class weights: truncated stick-breaking, in logs
        n_all = n_obs + istate[0]
        acc = 0
        lacc = 0.0
        alpha = fstate[0]
        for k in range(K - 1):
            acc += tot[k]
            la = log_gamma_draw(1.0 + tot[k], buf, st)
            lb = log_gamma_draw(alpha + (n_all - acc), buf, st)
            mx = la if la > lb else lb
            ls = mx + math.log(math.exp(la - mx) + math.exp(lb - mx))
            lognu[k] = la - ls + lacc
            nu[k] = math.exp(lognu[k])
            lacc += lb - ls
        lognu[K - 1] = lacc
        nu[K - 1] = math.exp(lacc)
        # 4. people on no list: n0 ~ NegBin(n, 1 - p0) (prior on N proportional to 1/N)
        p0 = 0.0
        for k in range(K):
            pr = nu[k]
            for j in range(J):
                pr *= 1.0 - lam[j, k]
            probs[k] = pr
            p0 += pr
        if p0 > 1.0 - 1e-12:
            p0 = 1.0 - 1e-12
        g = math.exp(log_gamma_draw(float(n_obs), buf, st))
        mean = g * p0 / (1.0 - p0)
        if mean > 1e13:
            mean = 1e13
        n0 = poisson(mean, buf, st)
        istate[0] = n0
        # 5. their latent classes
        multinomial(n0, probs, count0k, order, buf, st)
        # 6. concentration alpha ~ Gamma(a + K - 1, rate b - log nu_K)
        rate = b_alpha - lognu[K - 1]
        fstate[0] = math.exp(log_gamma_draw(a_alpha + K - 1.0, buf, st)) / rate
        istate[1] += 1
        if thin > 0 and istate[1] % thin == 0:
            s = istate[2]
            out_n[s] = n_obs + n0
            out_alpha[s] = fstate[0]
            occ = 0
            for k in range(K):
                if tot[k] > 0:
                    occ += 1
            out_kstar[s] = occ
            istate[2] = s + 1
