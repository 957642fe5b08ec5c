"""CLI: ``dalil evidence metadata|similar|same-media|analyse`` (media evidence)."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option


@click.command("metadata")
@case_options
@click.argument("item")
@click.option("--reveal-gps", is_flag=True, help="Show the position (needs --reason; logged).")
@click.option("--reason", help="Why you need the position (logged).")
@json_option
def metadata_cmd(
    case_opts: CaseOptions, item: str, reveal_gps: bool, reason: str | None, as_json: bool
) -> None:
    """Embedded metadata of a photo, audio or video (EXIF, XMP, IPTC, container, C2PA)
    and consistency flags. The position (GPS) is protected: only roles that may reveal
    protected fields see it, with --reveal-gps and a reason."""
    from dalil.services import media

    with case_opts.act() as ctx:
        out = media.metadata(ctx, item, reveal_gps=reveal_gps, reason=reason)
    if as_json:
        emit_json(out)
        return
    for k, v in out["summary"].items():
        click.echo(f"{k}: {v}")
    for f in out["flags"]:
        click.echo(f"FLAG {f['flag']}: {f['message']}")


@click.command("similar")
@case_options
@click.argument("item")
@click.option(
    "--threshold", type=click.IntRange(0, 64), help="Most differing bits of 64 (default 12)."
)
@json_option
def similar_cmd(case_opts: CaseOptions, item: str, threshold: int | None, as_json: bool) -> None:
    """Items that show the same photo or video as ITEM (re-encoded, resized, cropped,
    watermarked or recoloured copies), by perceptual hash, closest first."""
    from dalil.services import media

    with case_opts.act(write=False) as ctx:
        rows = media.similar(ctx, item, threshold=threshold)
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["id", "distance", "status", "sha256"])


@click.command("same-media")
@case_options
@click.option(
    "--status",
    type=click.Choice(["pending", "accepted", "rejected", "all"]),
    default="pending",
    show_default=True,
    help="Which pairs to list.",
)
@json_option
def same_media_cmd(case_opts: CaseOptions, status: str, as_json: bool) -> None:
    """The "same media?" review queue: pairs of items whose hashes are close."""
    from dalil.services import media

    with case_opts.act(write=False) as ctx:
        rows = media.review_queue(ctx, status=None if status == "all" else status)
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["a", "b", "distance", "status", "decided_by", "reason"])


@click.command("same-media-decide")
@case_options
@click.argument("a", type=int)
@click.argument("b", type=int)
@click.argument("verdict", type=click.Choice(["accept", "reject"]))
@click.option("--reason", help="Why (kept with the decision).")
@json_option
def decide_cmd(
    case_opts: CaseOptions, a: int, b: int, verdict: str, reason: str | None, as_json: bool
) -> None:
    """Decide whether items A and B are the same media (logged: evidence.same_media)."""
    from dalil.services import media

    with case_opts.act() as ctx:
        out = media.decide(ctx, a, b, verdict, reason=reason)
    if as_json:
        emit_json(out)
    else:
        click.echo(f"items {out['a']} and {out['b']}: {out['status']}")


@click.command("analyse")
@case_options
@click.argument("item")
@json_option
def analyse_cmd(case_opts: CaseOptions, item: str, as_json: bool) -> None:
    """Read ITEM's media metadata, keyframes and hash again (done at ingest already)."""
    from dalil.services import media

    case = case_opts.open()
    try:
        out = media.analyse(case, case_opts.user, item)
    finally:
        case.close()
    if as_json:
        emit_json(out)
    else:
        click.echo(
            f"item {out['item']}: {len(out['fields'])} fields, {len(out['keyframes'])} "
            f"keyframes, {out['possible_duplicates']} possible duplicate(s) queued"
        )


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "evidence", help="The evidence vault.")
    for cmd in (metadata_cmd, similar_cmd, same_media_cmd, decide_cmd, analyse_cmd):
        group.add_command(cmd)
