"""Publication gates: when an estimate must not be published as it stands.

An estimate is marked **not for publication** when any of these holds (each
reason is one line a reader can act on):

* a Bayesian run did not converge: R-hat above 1.05, or an effective sample size
  of N below 400 (LCMCR);
* the chains disagree and no single number was printed;
* the methods disagree by more than 25% of their median (``--method all``);
* the chosen log-linear model carries less than half of the BIC/AIC weight (other
  models, with other answers, fit almost as well);
* no estimate at all (a stratum could not be estimated, or every method failed).

The same gates apply to every stratum of a stratified estimate.  A legal or admin
user may record a reason to publish anyway; that decision is the case's (audited
there), not this module's.  Input is the result's JSON shape (``to_dict()``).
"""

from __future__ import annotations

from typing import Any

RHAT_MAX = 1.05
ESS_MIN = 400
SPREAD_MAX = 0.25
WEIGHT_MIN = 0.5


def _one(d: dict[str, Any], where: str = "") -> list[str]:
    diag = d.get("diagnostics") or {}
    out: list[str] = []
    pre = f"{where}: " if where else ""
    method = d.get("method")
    if method == "lcmcr" or "rhat" in diag:
        rhat = diag.get("rhat")
        ess = diag.get("ess")
        if rhat is None:
            out.append(f"{pre}R-hat not reported: convergence cannot be checked")
        elif rhat > RHAT_MAX:
            out.append(f"{pre}R-hat {rhat:.3f} > {RHAT_MAX}: the chains have not converged")
        if ess is not None and ess < ESS_MIN:
            out.append(f"{pre}effective sample size {ess:.0f} < {ESS_MIN}")
    if diag.get("chains_disagree"):
        out.append(f"{pre}the chains disagree; no single number")
    spread = diag.get("spread")
    if spread is not None and spread > SPREAD_MAX:
        out.append(
            f"{pre}the methods disagree by {spread:.0%} of their median (> {SPREAD_MAX:.0%})"
        )
    sel = d.get("selection") or {}
    models = d.get("models") or []
    if method == "loglinear" and sel.get("rule") in ("bic", "aic") and models:
        w = models[0].get("weight")
        if w is not None and w < WEIGHT_MIN:
            out.append(
                f"{pre}the chosen model carries {w:.0%} of the {sel['rule'].upper()} weight "
                f"(< {WEIGHT_MIN:.0%})"
            )
    if d.get("estimate", 0) is None:
        out.append(f"{pre}no estimate")
    return out


def gates(result: dict[str, Any]) -> dict[str, Any]:
    """``{"ok": bool, "reasons": [...]}`` for an estimate in its JSON shape."""
    reasons = _one(result)
    diag = result.get("diagnostics") or {}
    for row in diag.get("sensitivity", []) or []:
        reasons += [f"{row['method']}: {r}" for r in row.get("gates") or []]
    for row in diag.get("strata", []) or []:
        # the name as written, in quotation marks (not repr: no backslashes shown)
        reasons += [f"stratum “{row['stratum']}”: {r}" for r in row.get("gates") or []]
    seen: set[str] = set()
    unique = [r for r in reasons if not (r in seen or seen.add(r))]  # type: ignore[func-returns-value]
    return {"ok": not unique, "reasons": unique}
