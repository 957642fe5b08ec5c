"""Generate docs/cli.md from the commands' own ``--help`` (``make docs``).

``python -m dalil.docs_cli > docs/cli.md``. ``undocumented()`` lists commands and
options without help text; tests/cli/test_docs_cli.py fails when docs/cli.md is stale
or anything is undocumented.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

WIDTH = 100

HEADER = """# dalil command reference

Generated from `--help` by `python -m dalil.docs_cli` (`make docs`); do not edit by hand.
Every command that produces data takes `--json`. Exit codes: 0 ok, 1 a check failed
(fixity, audit verify), 2 usage or input error (one line on stderr).

Commands that work on a case take `--case DIR` (else `$DALIL_CASE`, else the current
folder), `--user NAME` (else `$DALIL_USER`, else the case admin) and `--passphrase-file F`
(else `$DALIL_PASSPHRASE`, else a hidden prompt on a terminal).
"""


def walk(
    cmd: click.Command, path: list[str], parent: click.Context | None = None
) -> Iterator[tuple[list[str], click.Command, click.Context]]:
    # The command's own context_settings (the root's help_option_names=["-h", "--help"],
    # inherited by every subcommand), as when the CLI runs; click caches each command's
    # help option, so rendering without them gave different text before and after a run.
    ctx = click.Context(
        cmd,
        info_name=path[-1],
        parent=parent,
        **{"terminal_width": WIDTH, "max_content_width": WIDTH, **cmd.context_settings},
    )
    yield path, cmd, ctx
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.list_commands(ctx)):
            sub = cmd.get_command(ctx, name)
            if sub is not None and not getattr(sub, "hidden", False):
                yield from walk(sub, [*path, name], ctx)


def render() -> str:
    from dalil.cli.app import cli

    parts = [HEADER]
    toc = []
    body = []
    for path, cmd, ctx in walk(cli, ["dalil"]):
        title = " ".join(path)
        anchor = "-".join(path)
        toc.append(f"{'  ' * (len(path) - 1)}- [`{title}`](#{anchor})")
        body.append(f"\n## {title}\n\n```text\n{cmd.get_help(ctx).rstrip()}\n```\n")
    parts.append("\n".join(toc) + "\n")
    parts.extend(body)
    return "".join(parts)


def undocumented() -> list[str]:
    """Commands without a help text and options/arguments without help."""
    from dalil.cli.app import cli

    missing = []
    for path, cmd, _ctx in walk(cli, ["dalil"]):
        title = " ".join(path)
        if not (cmd.help or cmd.short_help):
            missing.append(f"{title}: no help text")
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.help and "--help" not in p.opts:
                missing.append(f"{title} {'/'.join(p.opts)}: no help text")
    return missing


def main() -> None:
    click.echo(render(), nl=False)


if __name__ == "__main__":
    main()
