"""CLI: ``dalil estimate`` — multiple systems estimation from overlapping lists."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import InputError


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:,.0f}"
    return str(x)


def _ci(ci: Any) -> str:
    if not ci:
        return "—"
    lo, hi = ci
    return f"{_fmt(lo)}–{_fmt(hi) if hi is not None else '∞'}"


def _print_human(d: dict[str, Any]) -> None:
    click.echo(f"lists: {', '.join(d['lists'])}")
    click.echo(f"observed: {d['observed']:,}")
    click.echo(f"method: {d['method']}" + (f"   model: {d['model']}" if d["model"] else ""))
    chosen = d.get("selection")
    if chosen and chosen.get("rule") != "given":
        click.echo(f"model chosen by: {chosen['rule']} — {chosen['reason']}")
    click.echo(
        f"estimate: {_fmt(d['estimate'])}   {d['ci_level']:.0%} interval: {_ci(d['ci'])}"
        + (f"   SE: {_fmt(d['se'])}" if d["se"] is not None else "")
    )
    link = d.get("linkage")
    if link:
        click.echo(
            f"with linkage uncertainty: {link['draws_used']} sampled clusterings of "
            f"{link['uncertain_pairs']:,} uncertain pairs ({link.get('combined') or 'not combined'})"
        )
        click.echo(
            f"without: estimate {_fmt(link['estimate_without_linkage'])}   "
            f"interval {_ci(d.get('ci_without_linkage'))}   (the clustering the linkage chose, "
            f"{link['people_without_linkage']:,} people; sampled: "
            f"{link['people']['min']:,}–{link['people']['max']:,})"
        )
    alloc = d.get("allocated")
    if alloc:
        shares = ", ".join(f"{k} {v:,}" for k, v in alloc.get("to_strata", {}).items())
        extra = f", {alloc['imputations']} imputations" if alloc.get("imputations") else ""
        click.echo(
            f"allocated: {alloc['people']:,} people of unknown stratum ({alloc['share']:.0%}) "
            f"by {alloc['method']}{extra}: {shares}"
        )
    diag = d["diagnostics"]
    if d["method"] == "lcmcr" and "rhat" in diag:
        click.echo(
            f"R-hat: {diag.get('rhat')}   ESS: {diag.get('ess')}   seed: {diag['settings']['seed']}"
        )
        run = diag.get("run") or {}
        if run:
            stop = {
                "converged": "converged",
                "fixed": "fixed length",
                "time_limit": "stopped at the time limit",
                "max_samples": "stopped at the draw limit",
            }.get(run.get("stop", ""), run.get("stop", ""))
            click.echo(
                f"draws: {run['draws_per_chain']:,} per chain × {diag.get('chains')} chains "
                f"({stop}; {run['iterations_per_chain']:,} iterations per chain)"
            )
        if diag.get("chains_disagree"):
            click.echo("")
            emit_table(
                [
                    {**c, "median": _fmt(c["median"]), "interval": _ci((c["low"], c["high"]))}
                    for c in diag.get("chain_estimates", [])
                ],
                ["chain", "median", "interval"],
            )
    elif diag.get("seed") is not None:
        click.echo(f"seed: {diag['seed']}")
    if "sensitivity" in diag:
        click.echo("")
        emit_table(
            [
                {
                    **r,
                    "estimate": _fmt(r.get("estimate")),
                    "interval": _ci(r.get("ci")),
                    "note": r.get("error", ""),
                }
                for r in diag["sensitivity"]
            ],
            ["method", "model", "estimate", "interval", "note"],
        )
    if "strata" in diag:
        click.echo("")
        emit_table(
            [
                {
                    **r,
                    "estimate": _fmt(r.get("estimate")),
                    "interval": _ci(r.get("ci")),
                    "note": r.get("error", ""),
                }
                for r in diag["strata"]
            ],
            ["stratum", "observed", "model", "estimate", "interval", "note"],
        )
    if chosen and chosen.get("steps"):
        click.echo("")
        emit_table(
            [
                {
                    "step": i,
                    "added": s["added"] or "(stop)",
                    "on both": "" if s["on_both"] is None else s["on_both"],
                    "expected": "" if s["expected"] is None else f"{s['expected']:,.1f}",
                    "p": "" if s["p_value"] is None else f"{s['p_value']:.3g}",
                    "refused": ", ".join(f"{r['term']} ({r['why']})" for r in s.get("refused", [])),
                }
                for i, s in enumerate(chosen["steps"], 1)
            ],
            ["step", "added", "on both", "expected", "p", "refused"],
        )
    if d["models"] and "sensitivity" not in diag:
        click.echo("")
        emit_table(
            [
                {
                    **m,
                    "estimate": _fmt(m["estimate"]),
                    "interval": _ci(m["ci"]),
                    "weight": "" if m["weight"] is None else f"{m['weight']:.3f}",
                    "deviance": "" if m["deviance"] is None else m["deviance"],
                    "bic": "" if m["bic"] is None else m["bic"],
                }
                for m in d["models"]
            ],
            ["model", "estimate", "interval", "deviance", "df", "bic", "weight"],
        )
    sys.stdout.flush()
    for w in diag.get("warnings", []):
        click.echo(f"warning: {w}", err=True)


@click.command(name="estimate")
@click.argument(
    "file", required=False, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path)
)
@click.option(
    "--method",
    type=click.Choice(["loglinear", "lcmcr", "bma", "all"]),
    default="loglinear",
    show_default=True,
    help="loglinear: Poisson log-linear models; lcmcr: latent classes (Bayesian); "
    "bma: averaging over decomposable graphical models; all: every method "
    "side by side (sensitivity).",
)
@click.option(
    "--model",
    default=None,
    metavar="SPEC",
    help='Log-linear model in bracket notation: "[12,23]" (list positions) or '
    '"[A*B,B*C]" (list names). Without it, the best model is searched.',
)
@click.option(
    "--criterion",
    type=click.Choice(["auto", "bic", "aic", "stepwise"]),
    default="auto",
    show_default=True,
    help="How the log-linear model is chosen: bic/aic compare every hierarchical model; "
    "stepwise adds two-way interactions while significant (Chan, Silverman & Vincent "
    "2021); auto uses the BIC search where the table is dense and stepwise where it "
    "is sparse (many lists, pairs of lists sharing few people, empty patterns).",
)
@click.option(
    "--p-threshold",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.02,
    show_default=True,
    help="Stepwise rule: a two-way interaction is added only if its p-value is below this.",
)
@click.option(
    "--top",
    type=click.IntRange(1, 100),
    default=10,
    show_default=True,
    help="How many models to list.",
)
@click.option(
    "--K",
    "--k",
    "K",
    type=click.IntRange(2, 1000),
    default=10,
    show_default=True,
    help="LCMCR: truncation (maximum number of latent classes).",
)
@click.option(
    "--a-alpha",
    type=click.FloatRange(min=0, min_open=True),
    default=0.25,
    show_default=True,
    help="LCMCR: Gamma prior shape of the concentration.",
)
@click.option(
    "--b-alpha",
    type=click.FloatRange(min=0, min_open=True),
    default=0.25,
    show_default=True,
    help="LCMCR: Gamma prior rate of the concentration.",
)
@click.option(
    "--burnin",
    type=click.IntRange(0),
    default=10_000,
    show_default=True,
    help="LCMCR: iterations discarded per chain.",
)
@click.option(
    "--samples",
    type=click.IntRange(10),
    default=None,
    help="LCMCR: draws kept per chain, a fixed run [default: run until converged, "
    "see --target-ess].",
)
@click.option(
    "--target-ess",
    type=click.FloatRange(min=1),
    default=1000,
    show_default=True,
    help="LCMCR: run until the effective sample size of N reaches this...",
)
@click.option(
    "--target-rhat",
    type=click.FloatRange(min=1),
    default=1.01,
    show_default=True,
    help="LCMCR: ...and the split R-hat across chains is at most this.",
)
@click.option(
    "--max-seconds",
    type=click.FloatRange(min=0, min_open=True),
    default=600,
    show_default=True,
    help="LCMCR: stop at this time even if not converged (reported with a warning).",
)
@click.option(
    "--allow-unconverged",
    is_flag=True,
    help="LCMCR: print the pooled figure even when the chains disagree "
    "(otherwise there is no single number).",
)
@click.option(
    "--iterations",
    type=click.IntRange(10),
    default=None,
    help="LCMCR: iterations after burn-in per chain (= samples × thinning); "
    "an alternative to --samples.",
)
@click.option(
    "--thinning",
    type=click.IntRange(1),
    default=100,
    show_default=True,
    help="LCMCR: keep every n-th iteration.",
)
@click.option(
    "--chains",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="LCMCR: independent chains (R-hat needs 2 or more).",
)
@click.option(
    "--seed",
    type=click.IntRange(0),
    default=None,
    help="Random seed (LCMCR); same seed, same result. Reported when not given.",
)
@click.option(
    "--delta",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="BMA: hyper-Dirichlet prior count per cell [default: 2^-lists].",
)
@click.option(
    "--strata",
    default=None,
    metavar="COLUMN[,COLUMN]",
    help="Estimate each stratum separately and combine the totals "
    "(a column of FILE, or a case stratum).",
)
@click.option(
    "--lists",
    "list_cols",
    default=None,
    metavar="A,B,C",
    help="The list columns (default: every column except count and strata); "
    "with a case, the lists to use.",
)
@click.option(
    "--allocate",
    type=click.Choice(["proportional", "impute"]),
    default="proportional",
    show_default=True,
    help="With --strata: how people of unknown stratum are allocated to the known strata "
    "(proportional to known people with the same capture pattern, or multiple imputation).",
)
@click.option(
    "--imputations",
    type=click.IntRange(2, 200),
    default=10,
    show_default=True,
    help="With --allocate impute: how many imputed data sets are estimated and combined.",
)
@click.option(
    "--linkage-draws",
    type=click.IntRange(0, 1000),
    default=0,
    show_default=True,
    help="With a case: also estimate from N clusterings sampled from the match "
    "probabilities of the uncertain pairs (reviewed decisions kept) and report the "
    "interval with and without the linkage's uncertainty.",
)
@click.option(
    "--level",
    type=click.FloatRange(0.5, 0.999),
    default=0.95,
    show_default=True,
    help="Interval level.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the posterior / profile likelihood plot (.svg or .png).",
)
@click.option(
    "--plot-models",
    "plot_models_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the model / method / stratum comparison plot (.svg or .png).",
)
@case_options
@json_option
def estimate_cmd(
    case_opts: CaseOptions,
    file: Path | None,
    method: str,
    model: str | None,
    criterion: str,
    p_threshold: float,
    top: int,
    K: int,
    a_alpha: float,
    b_alpha: float,
    burnin: int,
    samples: int | None,
    target_ess: float,
    target_rhat: float,
    max_seconds: float,
    allow_unconverged: bool,
    iterations: int | None,
    thinning: int,
    chains: int,
    seed: int | None,
    delta: float | None,
    strata: str | None,
    list_cols: str | None,
    allocate: str,
    imputations: int,
    linkage_draws: int,
    level: float,
    plot_path: Path | None,
    plot_models_path: Path | None,
    as_json: bool,
) -> None:
    """Estimate how many people were killed, including those no list recorded.

    FILE is a CSV with one 0/1 column per list and a `count` column (one row per
    capture pattern), or one row per unique victim without `count`; `-` reads
    standard input. Without FILE, the linked victim lists of the case are used
    (`--case DIR`, else $DALIL_CASE, else the current folder; run `dalil lists link`
    first); then --strata takes sex, governorate, place_of_death, date_of_death or
    age_group. Prints the
    estimate, its interval and the models compared; `--json` prints the stable
    shape documented in docs/estimation.md.

    \b
    Examples:
      dalil estimate lists.csv
      dalil estimate lists.csv --model "[12,23]"
      dalil estimate lists.csv --method lcmcr --seed 1
      dalil estimate lists.csv --method all --seed 1 --plot-models sens.svg
      dalil estimate victims.csv --strata governorate --method bma
      dalil estimate --case mycase --strata governorate
    """
    from dalil.estimate import plots, read_capture_csv

    if samples is not None and iterations is not None:
        raise InputError("give --samples or --iterations, not both")
    if iterations is not None:
        samples = max(10, iterations // thinning)
    for p in (plot_path, plot_models_path):
        if p is not None and p.suffix.lower() not in plots.FORMATS:
            raise InputError(f"{p}: plots are written as .svg or .png")
    source: Any = file
    if linkage_draws and file is not None:
        raise InputError("--linkage-draws needs a case (the linkage's pairs), not FILE")
    if linkage_draws == 1:
        raise InputError("--linkage-draws must be 0 (off) or at least 2")
    if file is None:
        from dalil.services.estimates import case_estimate_input

        with case_opts.act(write=False) as ctx:
            source = case_estimate_input(
                ctx, strata=strata, lists=list_cols, linkage_draws=linkage_draws
            )
        strata = list_cols = None
    elif case_opts.case_dir is not None:
        raise InputError("give FILE or --case, not both")
    elif str(file) == "-":
        source = read_capture_csv("<stdin>", text=sys.stdin.read(), strata=strata, lists=list_cols)
        strata = list_cols = None
    kw: dict[str, Any] = dict(
        method=method,
        model=model,
        criterion=criterion,
        p_threshold=p_threshold,
        top=top,
        K=K,
        a_alpha=a_alpha,
        b_alpha=b_alpha,
        burnin=burnin,
        samples=samples,
        thinning=thinning,
        chains=chains,
        seed=seed,
        target_ess=target_ess,
        target_rhat=target_rhat,
        max_seconds=max_seconds,
        allow_unconverged=allow_unconverged,
        delta=delta,
        level=level,
        allocate=allocate,
        imputations=imputations,
    )
    from dalil.services.estimates import compute_estimate

    if file is not None:
        kw.update(strata=strata, lists=list_cols)
    result = compute_estimate(source, linkage_draws=linkage_draws, **kw)
    if plot_path is not None:
        plots.plot_posterior(result, plot_path)
    if plot_models_path is not None:
        plots.plot_models(result, plot_models_path)
    d = result.to_dict()
    if as_json:
        emit_json(d)
    else:
        _print_human(d)


@click.command("estimate-add")
@case_options
@click.argument("result", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--label", required=True, help="What was estimated, e.g. 'Marjan, 14-15 April, four lists'."
)
@click.option(
    "--evidence", multiple=True, metavar="ID", help="Evidence (the lists) behind it; repeat."
)
@click.option("--note", help="Note shown with the estimate.")
@json_option
def estimate_add(
    case_opts: CaseOptions,
    result: Path,
    label: str,
    evidence: tuple[str, ...],
    note: str | None,
    as_json: bool,
) -> None:
    """Keep a `dalil estimate --json` result in the case for reports.

    A null estimate (not estimable) or an interval without an upper end (unbounded
    profile likelihood) is kept as such and reported as "not estimable" or "at least N;
    upper bound not estimable".
    """
    from dalil.services import estimates

    try:
        data = json.loads(result.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(
            f"{result}: not a JSON estimation result ({e.__class__.__name__})"
        ) from None
    with case_opts.act() as ctx:
        rid = estimates.record_estimate(ctx, label, data, evidence=list(evidence), note=note)
    emit_json({"id": rid}) if as_json else click.echo(f"estimate {rid} recorded")


@click.command("estimates")
@case_options
@json_option
def estimate_list(case_opts: CaseOptions, as_json: bool) -> None:
    """List the estimates recorded for reports, with their publication status.

    `publication` is `ok` (passes the gates), `NOT FOR PUBLICATION` (see `reasons`; a
    legal or admin user may record a reason with `dalil finding estimate-publish ID`) or
    `allowed by NAME`. The report prints the same rows. `stale` counts the persons,
    lists and list records retracted and restored since the estimate was computed: if
    not 0, run it again.
    """
    from dalil.display.jsonout import jsonable
    from dalil.services import estimates

    with case_opts.act(write=False) as ctx:
        rows: list[dict[str, Any]] = []
        for e in estimates.estimates(ctx):
            st = estimates.publication_status(e)
            rows.append(
                {
                    "id": e.id,
                    "label": e.label,
                    "method": e.method,
                    "observed": e.observed,
                    "estimate": e.estimate,
                    "ci": [e.ci_low, e.ci_high],
                    "recorded_by": e.created_by,
                    "recorded_at": e.created_at,
                    "job": ((e.result or {}).get("run") or {}).get("job"),
                    "publication": st,
                    "stale": estimates.estimate_staleness(ctx, e),
                }
            )
    if as_json:
        emit_json(jsonable(rows))
        return
    emit_table(
        [
            {
                **r,
                "estimate": _fmt(r["estimate"]),
                "interval": _ci(r["ci"]),
                "publication": (
                    "ok"
                    if r["publication"]["ok"]
                    else f"allowed by {r['publication']['override']['by']}"
                    if r["publication"]["override"]
                    else "NOT FOR PUBLICATION"
                ),
            }
            for r in rows
        ],
        ["id", "label", "method", "observed", "estimate", "interval", "recorded_by", "publication"],
    )
    for r in rows:
        if not r["publication"]["ok"]:
            for reason in r["publication"]["reasons"]:
                click.echo(f"  {r['id']}: {reason}")
        if r["stale"]["retracted"] or r["stale"]["restored"]:
            click.echo(
                f"  {r['id']}: computed before {r['stale']['retracted']} records were "
                f"retracted and {r['stale']['restored']} restored; run it again"
            )


@click.command("estimate-publish")
@case_options
@click.argument("estimate_id", type=int)
@click.option(
    "--reason",
    required=True,
    help="Why this estimate may be published although its gates mark it not for publication.",
)
@json_option
def estimate_publish(case_opts: CaseOptions, estimate_id: int, reason: str, as_json: bool) -> None:
    """Record a reason to publish a recorded estimate marked "not for publication".

    An estimate whose chains did not converge (R-hat > 1.05, effective sample size
    < 400), whose methods disagree by more than 25%, or whose chosen log-linear model
    carries less than half the weight is marked "not for publication" in reports. A
    legal or admin user may record why it may be published anyway (logged
    `estimate.publish`); the report then shows the reason, who gave it and when, beside
    the gates.
    """
    from dalil.services import estimates

    with case_opts.act() as ctx:
        status = estimates.allow_publication(ctx, estimate_id, reason)
    if as_json:
        emit_json(status)
    else:
        click.echo(f"estimate {estimate_id} may be published; reason recorded")


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(estimate_cmd)
    finding = get_or_create_group(
        cli, "finding", "findings", help="Findings helpers: stored estimates for reports."
    )
    finding.add_command(estimate_add)
    finding.add_command(estimate_publish)
    finding.add_command(estimate_list)
