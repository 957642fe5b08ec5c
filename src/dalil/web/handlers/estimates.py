"""Estimates in the web: run one as a job, record a finished one for the report, record a
reason to publish one its gates hold back; every step is a service function
(:mod:`dalil.services.estimates`), the same the command line calls."""

from __future__ import annotations

from typing import Any

from dalil.display.estimate_words import gate_words, method_words, model_words, selection_words
from dalil.display.jsonout import jsonable
from dalil.services import estimates
from dalil.services import kernel as access
from dalil.services.lists import STRATA
from dalil.web.context import N_, Ctx

METHODS = ("loglinear", "lcmcr", "bma", "all")
#: Method codes and list fields (strata) in words, for the form and the settings shown.
WORDS: dict[str, str] = {
    "loglinear": N_("log-linear models"),
    "lcmcr": N_("latent-class model (LCMCR, Bayesian)"),
    "bma": N_("Bayesian model averaging"),
    "all": N_("all three methods, side by side"),
    "sex": N_("Sex"),
    "governorate": N_("Governorate"),
    "place_of_death": N_("Place of death"),
    "date_of_death": N_("Date of death"),
    "age_group": N_("Age group"),
    "proportional": N_("proportional allocation"),
    "impute": N_("multiple imputation"),
}
#: Settings of a run -> labels (msgids), in the order shown.
SETTING_LABELS: dict[str, str] = {
    "method": N_("Method"),
    "strata": N_("Stratum"),
    "lists": N_("Lists"),
    "linkage_draws": N_("Linkage draws"),
    "allocate": N_("People of unknown stratum"),
    "seed": N_("Seed"),
}


def may(ctx: Ctx, permission: str) -> bool:
    return ctx.user is not None and permission in access.permissions_for(ctx.user.role)


def result_view(result: dict[str, Any], lang: str) -> dict[str, Any]:
    """What the pages show of an estimation result, the model choice and the publication
    gates in words in *lang* (the report uses the same words)."""
    pub = result.get("publication") or {}
    diag = result.get("diagnostics") or {}
    return {
        "observed": result.get("observed"),
        "method": result.get("method"),
        "method_words": method_words(result.get("method"), lang),
        "model": result.get("model"),
        "model_words": model_words(result.get("model"), result.get("lists") or [], lang),
        "estimate": result.get("estimate"),
        "ci": result.get("ci") or [None, None],
        "ci_without_linkage": result.get("ci_without_linkage"),
        "linkage": result.get("linkage"),
        "allocated": result.get("allocated"),
        "choice": selection_words(
            result.get("selection"), lang, n_lists=len(result.get("lists") or [])
        ),
        "gates": [gate_words(r, lang) for r in pub.get("reasons") or []],
        "override": pub.get("override"),
        "rhat": diag.get("rhat"),
        "ess": diag.get("ess"),
        "stop": (diag.get("run") or {}).get("stop"),
        "warnings": list(diag.get("warnings") or []),
        "settings": result.get("settings") or (result.get("run") or {}).get("settings"),
    }


def recorded(ctx: Ctx) -> list[dict[str, Any]]:
    """The estimates recorded for the report (what it prints), newest last."""
    with ctx.act(write=False) as sc:
        rows = estimates.estimates(sc)
        out = []
        for r in rows:
            status = estimates.publication_status(r)
            view = result_view({**(r.result or {}), "publication": status}, ctx.lang)
            out.append(
                {
                    "id": r.id,
                    "label": r.label,
                    "note": r.note,
                    "method": r.method,
                    "observed": r.observed,
                    "estimate": r.estimate,
                    "ci": [r.ci_low, r.ci_high],
                    "created_by": r.created_by,
                    "created_at": r.created_at,
                    "run": (r.result or {}).get("run"),
                    "publishable": status["publishable"],
                    "stale": estimates.estimate_staleness(sc, r),
                    "view": view,
                }
            )
    return [dict(jsonable(x)) for x in out]


def run(ctx: Ctx, params: dict[str, Any]) -> dict[str, Any]:
    """Queue an estimate job (settings checked first); the job page follows it."""
    with ctx.act(write=True) as sc:
        row = estimates.submit_estimate(sc, params)
    runner = getattr(ctx.request.app.state, "job_runner", None)
    if runner is not None:
        runner.poke()
    return dict(row)


def record(ctx: Ctx, job_id: int, label: str, note: str | None) -> int:
    with ctx.act(write=True) as sc:
        return estimates.record_job_estimate(sc, job_id, label, note=note or None)


def publish(ctx: Ctx, estimate_id: int, reason: str) -> dict[str, Any]:
    with ctx.act(write=True) as sc:
        return dict(jsonable(estimates.allow_publication(sc, estimate_id, reason)))


def form_choices() -> dict[str, Any]:
    return {
        "methods": METHODS,
        "words": WORDS,
        "setting_labels": SETTING_LABELS,
        "strata": STRATA,
        "defaults": estimates.WEB_DEFAULTS,
        "max_draws": estimates.MAX_LINKAGE_DRAWS,
    }
