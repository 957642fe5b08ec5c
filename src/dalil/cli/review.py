"""CLI commands of pair review by a team, in ``dalil lists``: ``review-session``, ``pair``,
``undo``, ``decisions`` and the ``blind`` group (blind double review)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option

if TYPE_CHECKING:
    from dalil.services.kernel import Context

VERDICT = click.Choice(["accept", "reject"])
T = TypeVar("T")


def _result(
    case_opts: CaseOptions, as_json: bool, call: Callable[[Context], T], *, write: bool = True
) -> T | None:
    """What every command here does first: *call* the service in one act of the case;
    with --json, print its result and return None (nothing more to say), else return it
    to be said in words."""
    with case_opts.act(write=write) as ctx:
        res = call(ctx)
    if as_json:
        emit_json(res)
        return None
    return res


@click.command("review-session")
@case_options
@click.option("--reason", default=None, help="Why you need the names (asked once per session).")
@click.option("--end", "end_id", type=int, default=None, help="End your review session ID.")
@json_option
def session_cmd(
    case_opts: CaseOptions, reason: str | None, end_id: int | None, as_json: bool
) -> None:
    """Start a review session with a reason (stated once), or end one with --end.

    Within the session, lists pair --session ID shows the names of each pair; every pair
    shown is logged on its own, citing the reason. A session ends after 12 hours."""
    from dalil.services.pair_review import end_review, start_review

    if (reason is None) == (end_id is None):
        raise click.UsageError("give --reason to start a session, or --end ID to end one")
    res = _result(
        case_opts,
        as_json,
        lambda ctx: start_review(ctx, reason or "") if end_id is None else end_review(ctx, end_id),
    )
    if res is None:
        return
    if end_id is None:
        click.echo(f"review session {res['id']} started (ends {res['ends_at']:%Y-%m-%d %H:%M} "
                   f"UTC): use lists pair PAIR --session {res['id']}")  # fmt: skip
    else:
        click.echo(f"review session {res['id']} ended")


def _in_words(f: dict[str, Any]) -> str:
    bf = float(f["bayes_factor"])
    if f["direction"] == "same":
        return f"{bf:.1f}x more likely if the same person"
    if f["direction"] == "different" and bf > 0:
        return f"{1 / bf:.1f}x more likely if different people"
    return "no evidence either way"


@click.command("pair")
@case_options
@click.argument("pair")
@click.option("--session", "session_id", type=int, default=None,
              help="Your review session (lists review-session): show the names, logged.")  # fmt: skip
@json_option
def pair_cmd(case_opts: CaseOptions, pair: str, session_id: int | None, as_json: bool) -> None:
    """One pair field by field, and what drove its score (the latest model's weights)."""
    from dalil.services.pair_review import pair_view

    v = _result(
        case_opts,
        as_json,
        lambda ctx: pair_view(ctx, pair, review_session=session_id),
        write=session_id is not None,
    )
    if v is None:
        return
    keys = ["names", "list", "record", "sex", "age", "birth_year", "date_of_death",
            "place_of_death", "governorate"]  # fmt: skip
    rows = []
    for k in keys:
        if k == "names" and not v["names_shown"]:
            continue
        a, b = v["a"].get(k), v["b"].get(k)
        if k == "names":
            a, b = " ".join((a or {}).values()), " ".join((b or {}).values())
        rows.append({"field": k, "A": a, "B": b})
    click.echo(f"pair {v['pair']}: probability {v['probability']}")
    emit_table(rows, ["field", "A", "B"])
    for f in v["fields"]:
        click.echo(f"  {f['field']:<14} {f['weight']:+6.2f} bits  {f['level']}: {_in_words(f)}")
    if v["decision"]:
        d = v["decision"]
        click.echo(
            f"decided: {d['verdict']} by {d['decided_by']} at {d['decided_at']:%Y-%m-%d %H:%M}"
        )
    if v["blind"]:
        click.echo(f"blind double review: {v['blind']['status']}; your vote: "
                   f"{v['blind']['my_vote'] or 'none yet'}")  # fmt: skip


@click.command("undo")
@case_options
@click.argument("pair")
@click.option("--note", default=None, help="Why (kept, hashed, in the audit log).")
@json_option
def undo_cmd(case_opts: CaseOptions, pair: str, note: str | None, as_json: bool) -> None:
    """Withdraw the decision on PAIR: undecided again, back in the review queue."""
    from dalil.services.pair_review import undo

    res = _result(case_opts, as_json, lambda ctx: undo(ctx, pair, note=note))
    if res is None:
        return
    click.echo(f"pair {res['pair']}: {res['previous']} by {res['previous_by']} undone "
               "(run dalil lists link to apply)")  # fmt: skip


@click.command("decisions")
@case_options
@json_option
def decisions_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """The decisions in force, newest first (who, when, by blind double review or not)."""
    from dalil.services.pair_review import decisions

    rows = _result(case_opts, as_json, decisions, write=False)
    if rows is None:
        return
    emit_table([{**r, "decided_at": f"{r['decided_at']:%Y-%m-%d %H:%M}"} for r in rows],
               ["pair", "verdict", "decided_by", "decided_at", "blind"])  # fmt: skip


# --- blind double review ------------------------------------------------------------------


@click.command("start")
@case_options
@click.argument("pairs", nargs=-1)
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True,
              help="Without PAIRS: this many pairs from the review queue.")  # fmt: skip
@json_option
def blind_start_cmd(
    case_opts: CaseOptions, pairs: tuple[str, ...], limit: int, as_json: bool
) -> None:
    """Put PAIRS (or the first pairs of the review queue) in blind double review."""
    from dalil.services.blind_review import start

    res = _result(case_opts, as_json, lambda ctx: start(ctx, list(pairs) or None, limit=limit))
    if res is None:
        return
    click.echo(f"{len(res['started'])} pairs in blind double review"
               + (f"; left as they were: {', '.join(res['skipped'])}" if res["skipped"] else ""))  # fmt: skip


@click.command("queue")
@case_options
@json_option
def blind_queue_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Your pairs to decide blind, and those waiting for the second reviewer."""
    from dalil.services.blind_review import queue

    res = _result(case_opts, as_json, queue, write=False)
    if res is None:
        return
    click.echo("to decide: " + (", ".join(p["pair"] for p in res["to_decide"]) or "none"))
    click.echo("waiting for the second reviewer: "
               + (", ".join(f"{p['pair']} ({p['my_vote']})" for p in res["waiting"]) or "none"))  # fmt: skip


@click.command("vote")
@case_options
@click.argument("pair")
@click.argument("verdict", type=VERDICT)
@json_option
def blind_vote_cmd(case_opts: CaseOptions, pair: str, verdict: str, as_json: bool) -> None:
    """Your blind decision on PAIR (the other reviewer's shows once both decided)."""
    from dalil.services.blind_review import vote

    res = _result(case_opts, as_json, lambda ctx: vote(ctx, pair, verdict))
    if res is None:
        return
    if res["status"] == "open":
        click.echo(f"pair {res['pair']}: your decision is recorded; the result shows once "
                   "the second reviewer has decided")  # fmt: skip
    else:
        click.echo(f"pair {res['pair']}: {res['status']} ("
                   + ", ".join(f"{v['reviewer']}: {v['verdict']}" for v in res["votes"]) + ")")  # fmt: skip


@click.command("disputes")
@case_options
@json_option
def blind_disputes_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Pairs the two blind reviewers decided differently (for a third reviewer)."""
    from dalil.services.blind_review import disputes

    rows = _result(case_opts, as_json, disputes, write=False)
    if rows is None:
        return
    emit_table([{"pair": r["pair"], "votes": ", ".join(f"{v['reviewer']}: {v['verdict']}"
                                                       for v in r["votes"]),
                 "you may settle": r["may_settle"]} for r in rows],
               ["pair", "votes", "you may settle"])  # fmt: skip


@click.command("settle")
@case_options
@click.argument("pair")
@click.argument("verdict", type=VERDICT)
@click.option("--note", default=None, help="Why (kept with the decision).")
@json_option
def blind_settle_cmd(
    case_opts: CaseOptions, pair: str, verdict: str, note: str | None, as_json: bool
) -> None:
    """Settle a disagreement as the third reviewer (not one of the two blind ones)."""
    from dalil.services.blind_review import settle

    res = _result(case_opts, as_json, lambda ctx: settle(ctx, pair, verdict, note=note))
    if res is None:
        return
    click.echo(f"pair {res['pair']}: settled, {res['verdict']} (run dalil lists link to apply)")


@click.command("agreement")
@case_options
@json_option
def blind_agreement_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """How often the two blind reviewers agreed: counts, percent agreement and Cohen's
    kappa (first decision on each pair against the second)."""
    from dalil.services.blind_review import agreement

    res = _result(case_opts, as_json, agreement, write=False)
    if res is None:
        return
    click.echo(f"decided by both: {res['decided_by_both']}; agreed {res['agreed']}, "
               f"disagreed {res['disagreed']} ({res['settled_by_third']} settled by a third, "
               f"{res['awaiting_third']} waiting); open: {res['open']}")  # fmt: skip
    if res["decided_by_both"]:
        kappa = res["cohen_kappa"] if res["cohen_kappa"] is not None else "undefined"
        click.echo(f"percent agreement {res['percent_agreement']}%; Cohen's kappa {kappa}")
        for r in res["by_reviewers"]:
            click.echo(f"  {' + '.join(r['reviewers'])}: {r['agreed']}/{r['pairs']} "
                       f"({r['percent_agreement']}%)")  # fmt: skip


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "list", "lists", help="Victim lists.")
    for cmd in (session_cmd, pair_cmd, undo_cmd, decisions_cmd):
        group.add_command(cmd)
    blind = AliasedGroup(name="blind", help="Blind double review of list pairs.")
    for cmd in (blind_start_cmd, blind_queue_cmd, blind_vote_cmd, blind_disputes_cmd,
                blind_settle_cmd, blind_agreement_cmd):  # fmt: skip
        blind.add_command(cmd)
    group.add_command(blind)
