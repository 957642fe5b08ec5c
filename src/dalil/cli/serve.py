"""CLI commands: ``dalil serve`` (the web workbench and REST API)."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions
from dalil.cli.support import AliasedGroup
from dalil.errors import InputError

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@click.command("serve")
@click.argument("case", required=False, metavar="[CASE]")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but loopback needs --tls-cert/--tls-key.",
)
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port to listen on.",
)
@click.option(
    "--tls-cert",
    type=click.Path(exists=True, dir_okay=False),
    help="PEM certificate: serve HTTPS (session cookies are then marked Secure).",
)
@click.option(
    "--tls-key",
    type=click.Path(exists=True, dir_okay=False),
    help="PEM private key for --tls-cert.",
)
@click.option(
    "--insecure-no-tls",
    is_flag=True,
    help="Allow a non-loopback --host without TLS (only behind a TLS proxy).",
)
@click.option(
    "--passphrase-file",
    type=click.Path(dir_okay=False),
    help="File holding the case passphrase (else $DALIL_PASSPHRASE or a prompt).",
)
@click.option(
    "--case",
    "case_dir",
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="The case folder (else CASE, $DALIL_CASE, or the current folder).",
)
def serve(
    case_dir: str | None,
    passphrase_file: str | None,
    case: str | None,
    host: str,
    port: int,
    tls_cert: str | None,
    tls_key: str | None,
    insecure_no_tls: bool,
) -> None:
    """Serve the case as a web workbench and REST API (/api/v1, OpenAPI at
    /api/v1/openapi.json). Users log in with their case user name and password;
    API clients use tokens from `dalil user token NAME`.

    The passphrase unlocks the case once at start-up (--passphrase-file,
    $DALIL_PASSPHRASE or a prompt); it is never sent over the network.
    """
    import uvicorn

    from dalil.web import create_app

    if bool(tls_cert) != bool(tls_key):
        raise InputError("give both --tls-cert and --tls-key, or neither")
    if host not in LOOPBACK and not tls_cert and not insecure_no_tls:
        raise InputError(
            f"refusing to serve on {host} without TLS: use --tls-cert/--tls-key "
            "(or --insecure-no-tls behind a TLS-terminating proxy)"
        )
    case_opts = CaseOptions(case_dir=case or case_dir, user=None, passphrase_file=passphrase_file)
    opened = case_opts.open()
    # On loopback only loopback host names are answered (no DNS rebinding); elsewhere the
    # TLS certificate (or the proxy in front) names the server.
    hosts = ["127.0.0.1", "localhost", "::1", "[::1]"] if host in LOOPBACK else None
    app = create_app(case=opened, allowed_hosts=hosts)
    scheme = "https" if tls_cert else "http"
    click.echo(
        f"dalil: serving {opened.root} on {scheme}://{host}:{port}/ (Ctrl-C to stop)", err=True
    )
    try:
        uvicorn.run(
            app,
            host=host,
            port=port,
            ssl_certfile=tls_cert,
            ssl_keyfile=tls_key,
            log_level="warning",
            access_log=False,
            server_header=False,
            proxy_headers=False,
        )
    finally:
        opened.close()


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(serve)
