"""CLI: ``dalil backup OUT`` and ``dalil restore ARCHIVE [DIR]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from dalil.cli.caseopts import CaseOptions, case_options, resolve_passphrase
from dalil.cli.support import AliasedGroup, emit_json, json_option
from dalil.errors import CheckFailed, InputError

_WORDS = {
    "records": "records",
    "evidence": "evidence",
    "verify": "checking the archive",
    "restore": "restoring records",
}


class _Progress:
    """One line on stderr, rewritten at most twice a second (only on a terminal)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet or not sys.stderr.isatty()
        self.last = 0.0
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if phase == self.phase and now - self.last < 0.5 and done < total:
            return
        self.last, self.phase = now, phase
        pct = f"{100 * done / total:5.1f}%" if total else "     "
        unit = "" if phase in ("records", "restore") else " bytes"
        click.echo(f"\r{_WORDS.get(phase, phase)}: {pct} ({done:,}{unit})   ", nl=False, err=True)

    def end(self) -> None:
        if not self.quiet and self.phase:
            click.echo("", err=True)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
@case_options
@click.option("--quiet", is_flag=True, help="Do not show progress.")
@json_option
def backup_cmd(case_opts: CaseOptions, out: str, quiet: bool, as_json: bool) -> None:
    """Write one encrypted, self-verifying backup archive of the case to OUT.

    It holds every record (in a portable form: restore it on SQLite or PostgreSQL), every
    evidence file, the key files (the data key only wrapped by the passphrase), the audit
    log and its signed head, and a manifest of hashes. It is taken from one consistent
    snapshot, so the server may keep running. Only the case passphrase opens it.
    Needs keys.manage (admin); logged as case.backup with the archive's SHA-256.
    """
    from dalil.services import backup

    case = case_opts.open()
    prog = _Progress(quiet or as_json)
    try:
        summary = backup.backup(case, case_opts.user, Path(out), progress=prog)
    finally:
        prog.end()
        case.close()
    if as_json:
        emit_json(summary)
        return
    head = summary["audit_head"] or {}
    click.echo(
        f"backup written: {summary['archive']} ({summary['size']:,} bytes, "
        f"{summary['records']:,} records, {summary['blobs']:,} evidence files, "
        f"audit head #{head.get('seq', 0)})"
    )
    click.echo(f"sha256 {summary['sha256']}")


@click.command("restore")
@click.argument("archive_path", metavar="ARCHIVE", type=click.Path(dir_okay=False, exists=True))
@click.argument("dest", metavar="[DIR]", required=False, type=click.Path(file_okay=False))
@click.option(
    "--database",
    metavar="URL",
    help="Restore the records into this EMPTY PostgreSQL database (default: SQLite in DIR).",
)
@click.option(
    "--check",
    is_flag=True,
    help="After restoring, prove continuity: audit verify, the signed head and record "
    "counts equal the archive's, fixity of every evidence file. Exit 1 if any differs.",
)
@click.option(
    "--verify-only",
    is_flag=True,
    help="Only read and check the whole archive (no DIR needed); nothing is written.",
)
@click.option(
    "--accept-rollback",
    metavar="REASON",
    help="Restore over a case even though the archive is older than the case's witness "
    "file (a rollback); the reason is logged (case.rollback_accepted).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False),
    help="File holding the passphrase the case had when the backup was made "
    "(else $DALIL_PASSPHRASE or a prompt).",
)
@click.option(
    "--user", metavar="NAME", help="Who accepts a rollback (else $DALIL_USER, else the admin)."
)
@click.option("--quiet", is_flag=True, help="Do not show progress.")
@json_option
def restore_cmd(
    archive_path: str,
    dest: str | None,
    database: str | None,
    check: bool,
    verify_only: bool,
    accept_rollback: str | None,
    passphrase_file: str | None,
    user: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Restore a backup ARCHIVE into DIR: a new folder, or the same case's folder.

    The whole archive is read and checked first: a damaged or altered archive is
    refused before anything is written. Restoring an archive older than the case in
    DIR is a rollback (the case's witness file records later audit entries): refused
    unless --accept-rollback gives a reason, which is logged.
    """
    from dalil.services import backup

    if dest is None and not verify_only:
        raise InputError("give DIR to restore into (or --verify-only)")
    passphrase = resolve_passphrase(passphrase_file)
    prog = _Progress(quiet or as_json)
    result: dict[str, object] = {}
    try:
        if verify_only:
            manifest = backup.verify_archive(Path(archive_path), passphrase, progress=prog)
            result = {
                "ok": True,
                "records": sum(manifest["counts"].values()),
                "blobs": manifest["blobs"],
                "audit_head": manifest["audit_head"],
                "created": manifest["header"].get("created"),
            }
        else:
            assert dest is not None
            result = backup.restore(
                Path(archive_path),
                Path(dest),
                passphrase,
                database=database,
                accept_rollback=accept_rollback,
                user=user,
                progress=prog,
            )
            if check:
                manifest = backup.verify_archive(Path(archive_path), passphrase)
                result["check"] = backup.check(Path(dest), passphrase, manifest, user)
    finally:
        prog.end()
    if as_json:
        emit_json(result)
    elif verify_only:
        click.echo(
            f"archive ok: {result['records']:,} records, {result['blobs']:,} evidence files, "
            f"made {result['created']}"
        )
    else:
        click.echo(f"restored into {result['case']} ({result['records']:,} records)")
        if result.get("rollback"):
            click.echo("rollback accepted and logged (case.rollback_accepted)")
        c = result.get("check")
        if isinstance(c, dict) and c["ok"]:
            click.echo(
                f"check ok: audit log verifies ({c['audit']['entries']} entries), signed "
                f"head #{c['signed_head']['seq']} equal, record counts equal, fixity "
                f"{c['fixity']['intact']} of {c['fixity']['checked']} intact"
            )
    c = result.get("check")
    if isinstance(c, dict) and not c["ok"]:
        raise CheckFailed("restore check: " + "; ".join(c["problems"]))


def register(cli: AliasedGroup) -> None:
    cli.add_command(backup_cmd)
    cli.add_command(restore_cmd)
