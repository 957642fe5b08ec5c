"""CLI: audit verify, audit head, audit show, audit timestamp."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.display.wording import plural
from dalil.errors import CheckFailed


@click.command("verify")
@case_options
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True),
    help="Verify with this Ed25519 public key (PEM) instead of the case's "
    "keys/audit_public.pem (e.g. a copy kept elsewhere).",
)
@click.option(
    "--witness",
    type=click.Path(dir_okay=False, exists=True),
    help="Check the log against this signed head (the JSON printed by `dalil audit head "
    "--json` and kept elsewhere) instead of the case's keys/audit_head.json.",
)
@json_option
def audit_verify(
    case_opts: CaseOptions, public_key: str | None, witness: str | None, as_json: bool
) -> None:
    """Verify the hash chain and signed checkpoints of the audit log.

    Needs no passphrase: anyone holding the public key can verify. Exit 1 naming the
    first bad entry when an entry was modified, deleted, inserted, reordered or the
    tail cut after a checkpoint; exit 0 otherwise.

    The log is also checked against the witness file keys/audit_head.json (the newest
    signed head, written outside the database after every change), so a tail cut
    together with its checkpoints, or the database restored from an older copy, is
    caught too. Someone who replaces the case folder's keys/ as well can still roll
    back: keep `dalil audit head --json` somewhere else and pass it with --witness.
    """
    import json
    from pathlib import Path

    from dalil.services import audit as audit_log

    case = case_opts.open(unlock=False)
    try:
        wpath = Path(witness) if witness else case.witness_path
        res = audit_log.verify_case(case, Path(public_key) if public_key else None, wpath)
    finally:
        case.close()
    wseq: int | None = None
    if wpath.exists():
        try:
            wseq = int(json.loads(wpath.read_text(encoding="utf-8"))["seq"])
        except (OSError, ValueError, KeyError, TypeError):
            wseq = None
    d = res.to_dict()
    d["witness"] = {"path": str(wpath), "seq": wseq} if wpath.exists() else None
    if as_json:
        emit_json(d)
    elif res.ok:
        click.echo(
            f"audit log ok: {plural(res.entries, 'entry', 'entries')}, "
            f"{plural(res.checkpoints, 'checkpoint')}, "
            f"signed up to #{res.sealed_seq} of #{res.head_seq}"
        )
        if res.timestamps or res.timestamps_queued:
            click.echo(
                f"timestamps: {plural(res.timestamps, 'RFC 3161 token')} verified"
                + (
                    f", {res.timestamps_queued} queued (no TSA reached yet)"
                    if res.timestamps_queued
                    else ""
                )
            )
        if wseq is not None:
            click.echo(f"witness {wpath}: agrees (signed head at #{wseq})")
        else:
            click.echo(f"witness: none at {wpath} (not checked)")
    if not res.ok:
        raise CheckFailed(f"audit log: {res.reason}")


@click.command("head")
@case_options
@click.option(
    "--public-key",
    type=click.Path(dir_okay=False, exists=True),
    help="Check the signature with this Ed25519 public key (PEM) instead of the case's.",
)
@json_option
def audit_head(case_opts: CaseOptions, public_key: str | None, as_json: bool) -> None:
    """Print the newest signed head of the audit log (seq, head hash, signature).

    Record it outside the case folder (a notebook, an email to a colleague, a file on
    another machine): whoever replaces the whole folder, database and witness file
    included, cannot make an older log agree with it. Later, check the log against it
    with `dalil audit verify --witness FILE` (FILE holding this command's --json output).
    Needs no passphrase.
    """
    from pathlib import Path

    from dalil.services import audit as audit_log

    case = case_opts.open(unlock=False)
    try:
        d = audit_log.head(case, Path(public_key) if public_key else None)
    finally:
        case.close()
    if as_json:
        emit_json(d)
    else:
        click.echo(f"seq:         {d['seq']}")
        click.echo(f"head hash:   {d['head_hash']}")
        click.echo(f"signed at:   {d['ts']}")
        click.echo(f"key:         {d['key_fingerprint']}")
        click.echo(f"signature:   {d['signature']}")


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
    from dalil.services import audit as audit_log

    with case_opts.act(write=False) as ctx:
        rows = audit_log.show(ctx, object_id=object_id, actor=actor, action=action, limit=limit)
    if as_json:
        emit_json(rows)
    else:
        from dalil.display.jsonout import dumps

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


@click.command("timestamp")
@case_options
@click.option(
    "--tsa",
    "tsa_url",
    metavar="URL",
    help="The RFC 3161 timestamping authority (default: $DALIL_TSA_URL).",
)
@click.option(
    "--tsa-ca",
    type=click.Path(dir_okay=False),
    metavar="PEM",
    help="The TSA's CA certificate (PEM), kept with each token to verify it "
    "(default: $DALIL_TSA_CA).",
)
@json_option
def audit_timestamp(
    case_opts: CaseOptions, tsa_url: str | None, tsa_ca: str | None, as_json: bool
) -> None:
    """Get a trusted timestamp (RFC 3161) over the signed head of the audit log.

    Records an audit.timestamp entry naming the evidence added since the previous
    request, signs the head and asks the TSA for a token over it (one request). A TSA
    that cannot be reached leaves the request queued: it is sent, with any other queued
    request, the next time this command runs. A token is kept only if it verifies
    against --tsa-ca; `dalil audit verify` checks every kept token again. Exit 0 when
    every request was stamped or queued.
    """
    from dalil.services import timestamps

    case = case_opts.open()
    try:
        out = timestamps.request(case, case_opts.user, tsa_url, tsa_ca)
    finally:
        case.close()
    if as_json:
        emit_json([o.to_dict() for o in out])
        return
    for o in out:
        if o.status == "stamped":
            click.echo(f"entry #{o.seq}: timestamped by {o.tsa} at {o.gen_time}")
        else:
            click.echo(f"entry #{o.seq}: queued ({o.error}); run this command again later")


def register(cli: AliasedGroup) -> None:
    group = get_or_create_group(cli, "audit", help="The hash-chained, signed audit log.")
    group.add_command(audit_verify)
    group.add_command(audit_head)
    group.add_command(audit_show)
    group.add_command(audit_timestamp)
