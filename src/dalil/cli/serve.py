"""CLI commands: ``dalil serve`` (the web workbench and REST API)."""

from __future__ import annotations

import click

from dalil.cli.caseopts import CaseOptions, passphrase_file_option
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
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web worker processes (any may serve any request; use PostgreSQL for a team).",
)
@click.option(
    "--job-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 16),
    help="Job worker processes running long work (linkage, reports, exports, fixity).",
)
@click.option(
    "--session-idle",
    default=30,
    show_default=True,
    type=click.IntRange(1, 24 * 60),
    help="Minutes without a request after which a session ends.",
)
@click.option(
    "--session-max",
    default=12,
    show_default=True,
    type=click.IntRange(1, 24 * 30),
    help="Hours after login after which a session ends.",
)
@click.option(
    "--proxy",
    "proxy_ip",
    metavar="IP",
    help="Trust X-Forwarded-For/-Proto from this address (the TLS reverse proxy in front): "
    "client addresses for throttling and Secure cookies follow the proxy's headers.",
)
@click.option(
    "--allowed-host",
    "allowed_host",
    multiple=True,
    metavar="NAME",
    help="A host name the server answers to besides loopback (the public name behind "
    "--proxy); repeat for several.",
)
@passphrase_file_option
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
    workers: int,
    job_workers: int,
    session_idle: int,
    session_max: int,
    proxy_ip: str | None,
    allowed_host: tuple[str, ...],
) -> None:
    """Serve the case as a web workbench and REST API (/api/v1, OpenAPI at
    /api/v1/openapi.json). Users log in with their case user name and password;
    API clients use tokens from `dalil user token NAME`.

    The passphrase unlocks the case once at start-up (--passphrase-file,
    $DALIL_PASSPHRASE or a prompt); it is never sent over the network.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from dalil.services.case_info import refresh_statistics
    from dalil.web.server import ServeOptions
    from dalil.web.server import serve as run_server

    if bool(tls_cert) != bool(tls_key):
        raise InputError("give both --tls-cert and --tls-key, or neither")
    if host not in LOOPBACK and not tls_cert and not insecure_no_tls:
        raise InputError(
            f"refusing to serve on {host} without TLS: use --tls-cert/--tls-key "
            "(or --insecure-no-tls behind a TLS-terminating proxy)"
        )
    case_opts = CaseOptions(case_dir=case or case_dir, user=None, passphrase_file=passphrase_file)
    opened = case_opts.open()
    # On loopback only loopback host names are answered (no DNS rebinding), plus the
    # names given with --allowed-host; elsewhere the TLS certificate (or the proxy in
    # front) names the server.
    hosts: list[str] | None = None
    if host in LOOPBACK:
        hosts = ["127.0.0.1", "localhost", "::1", "[::1]", *allowed_host]
    elif allowed_host:
        hosts = list(allowed_host)
    opts = ServeOptions(
        host=host,
        port=port,
        workers=workers,
        job_workers=job_workers,
        tls_cert=tls_cert,
        tls_key=tls_key,
        allowed_hosts=hosts,
        session_idle=session_idle * 60.0,
        session_max=session_max * 3600.0,
        proxy_headers=proxy_ip is not None,
        forwarded_allow_ips=proxy_ip,
    )
    scheme = "https" if tls_cert else "http"
    try:
        analysed = refresh_statistics(opened)
    except SQLAlchemyError as e:  # the statistics help; serving does not depend on them
        click.echo(f"dalil: note: could not analyse the tables ({type(e).__name__})", err=True)
    else:
        if analysed:
            click.echo(
                f"dalil: analysed {len(analysed)} table(s) whose planner statistics were "
                f"missing or stale: {', '.join(analysed)}",
                err=True,
            )
    if workers > 1 and opened.engine.dialect.name == "sqlite":
        click.echo(
            "dalil: note: several workers on SQLite serve reads together but write one at a "
            "time; use PostgreSQL for a team",
            err=True,
        )
    click.echo(
        f"dalil: serving {opened.root} on {scheme}://{host}:{port}/ with {workers} web and "
        f"{job_workers} job worker(s) (Ctrl-C to stop)",
        err=True,
    )
    try:
        run_server(opened, opts, log=lambda m: click.echo(m, err=True))
    finally:
        opened.close()


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    cli.add_command(serve)
