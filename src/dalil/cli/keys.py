"""CLI: ``dalil keys split`` and ``dalil keys recover`` (key recovery shares)."""

from __future__ import annotations

import click

from dalil.cli.caseopts import (
    CaseOptions,
    case_dir_option,
    case_options,
    read_secret_file,
    user_option,
)
from dalil.cli.support import AliasedGroup, emit_json, get_or_create_group, json_option
from dalil.errors import InputError


@click.command("split")
@case_options
@click.option(
    "--shares",
    type=click.IntRange(2, 16),
    required=True,
    help="How many recovery shares to make (2-16).",
)
@click.option(
    "--threshold",
    type=click.IntRange(2, 16),
    required=True,
    help="How many shares together recover the key (2 to --shares).",
)
@json_option
def keys_split(case_opts: CaseOptions, shares: int, threshold: int, as_json: bool) -> None:
    """Cut the case data key into recovery shares: any THRESHOLD of the SHARES set a new
    passphrase with `dalil keys recover` if the passphrase is lost; fewer reveal nothing.

    Each share is 33 words with a checksum (SLIP-39). Print or write each on paper and
    give it to a different trusted person (see the threat model); never keep them
    together or next to the case. Needs the passphrase and keys.manage (admin); logged
    as keys.split (the counts, never a share). --json prints {"shares": [...], ...}.
    """
    from dalil.services import keys as key_services

    case = case_opts.open()
    try:
        out = key_services.split_key(
            case, case_opts.user, case_opts.passphrase(), shares=shares, threshold=threshold
        )
    finally:
        case.close()
    if as_json:
        emit_json(out)
        return
    words: list[str] = out["shares"]  # type: ignore[assignment]
    for i, share in enumerate(words, 1):
        click.echo(
            f"# dalil recovery share {i} of {shares} (any {threshold} recover the case key; "
            f"key id {out['key_id']}, split {out['split_id']})"
        )
        w = share.split()
        for j in range(0, len(w), 11):
            click.echo(" ".join(w[j : j + 11]))
        click.echo("")


@click.command("recover")
@click.option(
    "--share-file",
    "share_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False),
    help="A file holding one recovery share (repeat for each share; # lines are ignored).",
)
@click.option(
    "--new-passphrase-file",
    type=click.Path(dir_okay=False),
    help="File holding the new passphrase (else a prompt, asked twice).",
)
@case_dir_option
@user_option
@json_option
def keys_recover(
    share_files: tuple[str, ...],
    new_passphrase_file: str | None,
    case_dir: str | None,
    user: str | None,
    as_json: bool,
) -> None:
    """Set a new case passphrase from recovery shares (when the passphrase is lost).

    Give at least the threshold number of shares, one --share-file each. A mistyped word
    is caught by the share's checksum and named with its file. The old passphrase stops
    working. Logged as keys.recover.
    """
    import sys

    from dalil.services import keys as key_services
    from dalil.services.kernel import find_case_dir
    from dalil.services.keys import normalise_share

    shares = []
    for f in share_files:
        text = read_secret_file(f, "share")
        shares.append((f"share file {f}", normalise_share(text)))
    if new_passphrase_file:
        new = read_secret_file(new_passphrase_file, "new passphrase")
    elif sys.stdin is not None and sys.stdin.isatty():
        new = click.prompt("New passphrase", hide_input=True, confirmation_prompt=True, err=True)
    else:
        raise InputError("no new passphrase: use --new-passphrase-file FILE or a terminal")
    out = key_services.recover_key(find_case_dir(case_dir), user, shares, new)
    if as_json:
        emit_json(out)
    else:
        click.echo(f"recovered: a new passphrase is set (key id {out['key_id']})")


def register(cli: AliasedGroup) -> None:
    g = get_or_create_group(
        cli, "keys", "key", help="The case key: recovery shares (split, recover)."
    )
    g.add_command(keys_split)
    g.add_command(keys_recover)
