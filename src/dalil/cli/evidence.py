"""CLI: evidence add/list/show/get/update/custody, fixity."""

from __future__ import annotations

import sys
from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.display.wording import plural
from dalil.errors import CheckFailed, InputError

EVIDENCE_COLUMNS = ["id", "sha256", "size", "copy_kind", "sensitive", "source_id", "original_name"]


def _progress_printer() -> Any:
    """Progress on stderr for big files, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None
    last: dict[str, int] = {}

    def show(name: str, done: int, total: int) -> None:
        if total < 64 << 20:
            return
        pct = int(done * 100 / total) if total else 100
        if last.get(name) != pct:
            last[name] = pct
            click.echo(f"\r{name}: {pct}% of {total >> 20} MiB", err=True, nl=pct >= 100)

    return show


@click.command("add")
@case_options
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--source", "source_id", type=int, metavar="ID", help="Link to this source.")
@click.option(
    "--working",
    "copy_kind",
    flag_value="working",
    help="A working copy (e.g. a transcript or redacted version).",
)
@click.option(
    "--evidentiary",
    "copy_kind",
    flag_value="evidentiary",
    default=True,
    help="An evidentiary original, as collected (default).",
)
@click.option(
    "--derived-from",
    metavar="SHA256",
    help="The item this one was derived from (SHA-256, prefix or id).",
)
@click.option(
    "--sensitive",
    is_flag=True,
    help="Identifies a protected person (e.g. a testimony): content and name only "
    "for permitted roles, left out of exports unless asked.",
)
@click.option("--notes", help="Open notes.")
@click.option(
    "--graphic",
    is_flag=True,
    help="Shows violence or bodies: blurred and greyscale in the workbench until the "
    "viewer chooses to see it.",
)
@click.option(
    "--no-ocr",
    is_flag=True,
    help="Do not queue OCR of scanned PDFs and images (queued by default; a worker runs "
    "it: dalil serve, or dalil jobs work).",
)
@json_option
def evidence_add(
    case_opts: CaseOptions,
    files: tuple[str, ...],
    source_id: int | None,
    copy_kind: str,
    derived_from: str | None,
    sensitive: bool,
    notes: str | None,
    graphic: bool,
    no_ocr: bool,
    as_json: bool,
) -> None:
    """Add FILES to the evidence vault (hashed, encrypted, stored once per content).

    A web capture (.wacz, .warc, .warc.gz) is checked first and refused, naming the file
    inside it, when damaged or altered (WACZ: every file against datapackage.json, the
    digest file, the signature where signed). It is stored as one evidentiary item; each
    image, video or audio inside becomes a working copy derived from it, and each page's
    text the working copy of a new source (or of --source).

    Symbolic links, folders and special files are refused; only a sanitised display
    name of each file is kept, never its path.
    """
    from dalil.services import captures, evidence
    from dalil.sources.webcapture import is_capture_name

    webs = [f for f in files if is_capture_name(f)]
    plain = [f for f in files if not is_capture_name(f)]
    if webs and copy_kind != "evidentiary":
        raise InputError("a web capture is always evidentiary (its parts become working copies)")
    if webs and derived_from:
        raise InputError("--derived-from does not go with a web capture")
    case = case_opts.open()
    out: list[dict[str, Any]] = []
    try:
        for w in webs:
            r = captures.add_capture(
                case,
                case_opts.user,
                w,
                source_id=source_id,
                sensitive=sensitive,
                notes=notes,
                graphic=graphic,
            )
            out.append({**r["evidence"], "created": True, "web_capture": r})
        if plain:
            results = evidence.add_files(
                case,
                case_opts.user,
                plain,
                source_id=source_id,
                copy_kind=copy_kind,
                derived_from=derived_from,
                sensitive=sensitive,
                notes=notes,
                progress=_progress_printer(),
                ocr=not no_ocr,
                graphic=graphic,
            )
            out += [{**r.data, "stored_new": r.stored_new, "created": r.created} for r in results]
    finally:
        case.close()
    if as_json:
        emit_json(out)
    else:
        for d in out:
            state = "added" if d["created"] else "already held"
            click.echo(f"{state}: {d['id']} {d['sha256']} {d['original_name'] or ''}".rstrip())
            if d.get("web_capture"):
                _echo_capture(d["web_capture"])
            if d.get("ocr_job"):
                click.echo(f"  OCR queued as job {d['ocr_job']} (dalil jobs show {d['ocr_job']})")
            if d.get("media_error"):
                click.echo(f"  media not analysed: {d['media_error']}")


def _echo_capture(r: dict[str, Any]) -> None:
    cap = r["capture"]
    integ = cap["integrity"]
    click.echo(
        f"  web capture ({cap['kind']}): {len(cap['pages'])} page(s), "
        f"{len(cap['media'])} media item(s), {cap['records']} WARC records"
    )
    for p in cap["pages"]:
        click.echo(f"  page {p['url']} captured {p['captured_at'] or '?'}: {p['title'] or ''}")
    if cap["kind"] == "wacz":
        click.echo(
            f"  integrity: {integ['resources_checked']} files match datapackage.json"
            + ("; digest file matches" if integ["digest_file"] else "; no digest file")
        )
        sig = integ.get("signature")
        if sig:
            who = sig["signer"] + (f" {sig['key_sha256'][:16]}…" if sig.get("key_sha256") else "")
            click.echo(f"  signature verified: {who} (identity not checked against trusted roots)")
            if sig.get("time"):
                click.echo(f"  signature dated (RFC 3161) at {sig['time']['gen_time']}")
        else:
            click.echo("  not signed")
    else:
        click.echo("  integrity: WARC record digests checked; a WARC is not signed")
    for s in r["sources"]:
        click.echo(f"  source {s['id']}: {s['title']}")


@click.command("list")
@case_options
@click.option("--source", "source_id", type=int, metavar="ID", help="Only items of this source.")
@click.option("--kind", "copy_kind", help="Only evidentiary or working copies.")
@click.option("--sensitive/--not-sensitive", default=None, help="Only (non-)sensitive items.")
@json_option
def evidence_list(
    case_opts: CaseOptions,
    source_id: int | None,
    copy_kind: str | None,
    sensitive: bool | None,
    as_json: bool,
) -> None:
    """List evidence items (metadata only)."""
    from dalil.services import evidence

    with case_opts.act(write=False) as ctx:
        rows = [
            evidence.item_dict(ctx, i)
            for i in evidence.list_items(
                ctx, source_id=source_id, copy_kind=copy_kind, sensitive=sensitive
            )
        ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, EVIDENCE_COLUMNS)


@click.command("show")
@case_options
@click.argument("item")
@json_option
def evidence_show(case_opts: CaseOptions, item: str, as_json: bool) -> None:
    """Show an item (ITEM: id, SHA-256 or a unique prefix) with its custody ledger."""
    from dalil.services import evidence, kernel, retractions

    with case_opts.act(write=False) as ctx:
        row = evidence.get_item(ctx, item)
        d = evidence.item_dict(ctx, row)
        held = retractions.status(ctx, "evidence", row.id)
        if held is not None:  # only on a retracted item
            d["retraction"] = held
        if ctx.can(kernel.AUDIT_READ):
            d["custody"] = evidence.custody(ctx, row.id)
    if as_json:
        emit_json(d)
        return
    from dalil.display.jsonout import dumps

    for k, v in d.items():
        if k != "custody":
            text = dumps(v, indent=None) if isinstance(v, dict | list) else v
            click.echo(f"{k}: {'' if text is None else text}")
    for e in d.get("custody", []):
        click.echo(f"  custody #{e['seq']} {e['ts']} {e['actor']} {e['action']}")


@click.command("get")
@case_options
@click.argument("item")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write the decrypted file.",
)
@click.option("--force", is_flag=True, help="Overwrite --out if it exists.")
@click.option("--reason", help="Why you need the content (logged).")
@json_option
def evidence_get(
    case_opts: CaseOptions, item: str, out: str, force: bool, reason: str | None, as_json: bool
) -> None:
    """Write the decrypted content of ITEM (id or SHA-256) to --out. Logged."""
    from dalil.services import evidence

    case = case_opts.open()
    try:
        res = evidence.get_to_path(case, case_opts.user, item, out, overwrite=force, reason=reason)
    finally:
        case.close()
    if as_json:
        emit_json(res)
    else:
        click.echo(f"wrote {plural(res['size'], 'byte')} to {res['out']} (sha256 {res['sha256']})")


@click.command("update")
@case_options
@click.argument("item")
@click.option("--source", "source_id", type=int, metavar="ID", help="Link to this source.")
@click.option("--sensitive/--not-sensitive", default=None, help="Mark or unmark as sensitive.")
@click.option("--notes", help="Open notes (empty string clears).")
@click.option(
    "--graphic/--not-graphic",
    default=None,
    help="Mark or unmark as graphic (shown blurred and greyscale until the viewer chooses).",
)
@json_option
def evidence_update(
    case_opts: CaseOptions,
    item: str,
    source_id: int | None,
    sensitive: bool | None,
    notes: str | None,
    graphic: bool | None,
    as_json: bool,
) -> None:
    """Change an item's metadata (its content never changes)."""
    from dalil.services import evidence

    with case_opts.act() as ctx:
        d = evidence.item_dict(
            ctx,
            evidence.update_item(
                ctx, item, source_id=source_id, sensitive=sensitive, notes=notes, graphic=graphic
            ),
        )
    if as_json:
        emit_json(d)
    else:
        click.echo(f"updated evidence {d['id']}")


@click.command("custody")
@case_options
@click.argument("item")
@json_option
def evidence_custody(case_opts: CaseOptions, item: str, as_json: bool) -> None:
    """The custody ledger of ITEM: every add, get, export and fixity check."""
    from dalil.services import evidence

    with case_opts.act(write=False) as ctx:
        rows = evidence.custody(ctx, item)
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["seq", "ts", "actor", "action"])


@click.command("fixity")
@case_options
@json_option
def fixity_cmd(case_opts: CaseOptions, as_json: bool) -> None:
    """Re-verify every evidence blob (decrypt and re-hash).

    Exit 1 naming every missing or corrupt item; 0 when all hold. Blobs without a
    record (left by an interrupted ingest) are listed as unreferenced, not as errors.
    """
    from dalil.services import evidence

    case = case_opts.open()
    try:
        rep = evidence.fixity(case, case_opts.user)
    finally:
        case.close()
    if as_json:
        emit_json(rep.to_dict())
    else:
        click.echo(
            f"checked {plural(rep.checked, 'item')}: {rep.ok} intact, {len(rep.missing)} missing, "
            f"{len(rep.corrupt)} corrupt, {plural(len(rep.unreferenced), 'unreferenced blob')}"
        )
    if not rep.passed:
        parts = [f"missing {s}" for s in rep.missing] + [f"corrupt {s}" for s in rep.corrupt]
        raise CheckFailed("fixity: " + "; ".join(parts))


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "evidence", help="The evidence vault.")
    for cmd in (
        evidence_add,
        evidence_list,
        evidence_show,
        evidence_get,
        evidence_update,
        evidence_custody,
    ):
        group.add_command(cmd)
    cli.add_command(fixity_cmd)
