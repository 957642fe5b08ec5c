"""CLI: audit verify, audit show."""

from __future__ import annotations

import click

from dalil.case_cli import CaseOptions, case_options
from dalil.cli_support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import CheckFailed


@click.command("verify")
@case_options
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True),
    help="Verify with this Ed25519 public key (PEM) instead of the case's "
    "keys/audit_public.pem (e.g. a copy kept elsewhere).",
)
@json_option
def audit_verify(case_opts: CaseOptions, public_key: str | None, as_json: bool) -> None:
    """Verify the hash chain and signed checkpoints of the audit log.

    Needs no passphrase: anyone holding the public key can verify. Exit 1 naming the
    first bad entry when an entry was modified, deleted, inserted, reordered or the
    tail cut after a checkpoint; exit 0 otherwise.
    """
    from pathlib import Path

    from dalil.services import audit_log

    case = case_opts.open(unlock=False)
    try:
        res = audit_log.verify_case(case, Path(public_key) if public_key else None)
    finally:
        case.close()
    d = res.to_dict()
    if as_json:
        emit_json(d)
    elif res.ok:
        click.echo(
            f"audit log ok: {res.entries} entries, {res.checkpoints} checkpoints, "
            f"signed up to #{res.sealed_seq} of #{res.head_seq}"
        )
    if not res.ok:
        raise CheckFailed(f"audit log: {res.reason}")


@click.command("show")
@case_options
@click.option(
    "--object",
    "object_id",
    metavar="ID",
    help="Only entries naming this object id (person:3, evidence:<sha256>, user:alice).",
)
@click.option("--actor", metavar="NAME", help="Only entries by this user.")
@click.option("--action", metavar="A", help="Only this action (person.add) or prefix (person.*).")
@click.option("--limit", type=int, metavar="N", help="Only the newest N matching entries.")
@json_option
def audit_show(
    case_opts: CaseOptions,
    object_id: str | None,
    actor: str | None,
    action: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """Show audit log entries, oldest first."""
    from dalil.services import audit_log

    with case_opts.act(write=False) as ctx:
        rows = audit_log.show(ctx, object_id=object_id, actor=actor, action=action, limit=limit)
    if as_json:
        emit_json(rows)
    else:
        from dalil.cli_support import dumps

        emit_table(
            [
                {
                    **r,
                    "object_ids": " ".join(r["object_ids"]),
                    "detail": dumps(r["detail"], indent=None) if r["detail"] else "",
                }
                for r in rows
            ],
            ["seq", "ts", "actor", "action", "object_ids", "detail"],
        )


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "audit", help="The hash-chained, signed audit log.")
    group.add_command(audit_verify)
    group.add_command(audit_show)
