"""CLI: ``dalil evidence ocr ITEM`` and ``dalil evidence transcript ITEM``."""

from __future__ import annotations

import sys

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, get_or_create_group, json_option


@click.command("ocr")
@case_options
@click.argument("item")
@click.option(
    "--lang",
    "languages",
    metavar="LANGS",
    help="Tesseract languages joined by + (default ara+eng).",
)
@click.option(
    "--background",
    is_flag=True,
    help="Queue it as a job (a worker runs it: dalil serve, or dalil jobs work).",
)
@json_option
def ocr_cmd(
    case_opts: CaseOptions, item: str, languages: str | None, background: bool, as_json: bool
) -> None:
    """OCR a scanned PDF or an image (JPEG, PNG, TIFF …) into a working copy of its text.

    The original is untouched; the engine, version, languages and each page's confidence
    are kept in the custody record (evidence.ocr). The text is then searchable and, for a
    source's file, used as the source's text."""
    from dalil.services import ocr

    if background:
        with case_opts.act() as ctx:
            job = ocr.submit_ocr(ctx, item, languages=languages)
        if as_json:
            emit_json(job)
        else:
            click.echo(f"queued OCR job {job['id']} (dalil jobs show {job['id']})")
        return

    def progress(done: int, total: int) -> None:
        if not as_json:
            click.echo(f"\rpage {done} of {total}", nl=done == total, err=True)

    case = case_opts.open()
    try:
        out = ocr.run_ocr(case, case_opts.user, item, languages=languages, progress=progress)
    finally:
        case.close()
    if as_json:
        emit_json(out)
        return
    o = out["ocr"]
    click.echo(
        f"OCR of item {out['item']['id']}: {len(o['pages'])} page(s), mean confidence "
        f"{o['mean_confidence']} ({o['engine']} {o['version']}, {o['languages']}); "
        f"text stored as item {out['text']['id']}"
    )


@click.command("transcript")
@case_options
@click.argument("item")
@click.option(
    "--set",
    "new_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Store this UTF-8 text file as the corrected transcript (a new version).",
)
@click.option("--note", help="What you corrected (kept with the version).")
@click.option("--reason", default="read transcript", help="Why you read it (logged).")
@json_option
def transcript_cmd(
    case_opts: CaseOptions,
    item: str,
    new_file: str | None,
    note: str | None,
    reason: str,
    as_json: bool,
) -> None:
    """Print the newest transcript of ITEM (OCR or corrected) and its versions, or store
    a corrected one with --set FILE (each correction is a new version with its author)."""
    from dalil.errors import InputError
    from dalil.services import ocr

    if new_file:
        try:
            with open(new_file, encoding="utf-8") as fh:
                text = fh.read()
        except UnicodeDecodeError:
            raise InputError(f"{new_file}: not UTF-8 text") from None
        case = case_opts.open()
        try:
            out = ocr.correct_transcript(case, case_opts.user, item, text, note=note)
        finally:
            case.close()
        if as_json:
            emit_json(out)
        else:
            click.echo(f"stored version {out['version']} of the transcript of item {item}")
        return
    with case_opts.act() as ctx:
        out = ocr.transcript(ctx, item, reason=reason)
    if as_json:
        emit_json(out)
        return
    for v in out["versions"]:
        conf = f", confidence {v['confidence']}" if v["confidence"] is not None else ""
        click.echo(f"# version {v['version']}: {v['kind']} by {v['author']}{conf}", err=True)
    sys.stdout.write(out["text"])


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "evidence", help="The evidence vault.")
    group.add_command(ocr_cmd)
    group.add_command(transcript_cmd)
