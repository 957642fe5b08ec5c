"""CLI: capture a web page with headless Chromium into a WACZ (and add it as evidence)."""

from __future__ import annotations

from typing import Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, json_option


@click.command("capture")
@case_options
@click.argument("url")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="The WACZ file to write (must not exist; outside the case folder).",
)
@click.option("--add", "add", is_flag=True, help="Also add the capture to the case as evidence.")
@click.option(
    "--chromium",
    type=click.Path(dir_okay=False),
    help="The Chromium to drive (default: $DALIL_CHROMIUM, else /usr/bin/chromium).",
)
@click.option(
    "--graphic",
    is_flag=True,
    help="With --add: the page shows violence or bodies; the capture and the media in it "
    "are blurred and greyscale in the workbench until the viewer chooses to see them.",
)
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds to load.")
@json_option
def capture_cmd(
    case_opts: CaseOptions,
    url: str,
    out: str,
    add: bool,
    chromium: str | None,
    graphic: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Capture URL with headless Chromium into a WACZ file.

    Saves every response the page loaded (WARC), a full-page screenshot, the DOM as
    rendered, the HAR, the page's URL, time and title, a CDXJ index of the WARC
    (indexes/index.cdx, for replay tools), and the SHA-256 of each file taken at
    collection (datapackage.json). With --add the capture is then checked and added
    like `dalil evidence add FILE.wacz`. Only pages this machine can reach are captured.
    """
    from dalil.sources.browsercapture import capture

    res = capture(url, out, chromium=chromium, timeout_s=timeout)
    d: dict[str, Any] = {"capture": res.to_dict(), "out": out, "evidence": None}
    if add:
        from dalil.services import captures

        case = case_opts.open()
        try:
            r = captures.add_capture(case, case_opts.user, out, graphic=graphic)
        finally:
            case.close()
        d["evidence"] = r["evidence"]
        d["imported"] = {k: r[k] for k in ("sources", "media", "texts")}
    if as_json:
        emit_json(d)
        return
    click.echo(f"captured {res.final_url} at {res.captured_at}: {res.title}")
    click.echo(f"  {res.responses} responses; written to {out} (sha256 {res.wacz_sha256})")
    for path, f in res.files.items():
        click.echo(f"  {f['sha256']}  {path}")
    if d["evidence"]:
        e = d["evidence"]
        click.echo(f"added: {e['id']} {e['sha256']} {e['original_name']}")


def register(cli: AliasedGroup) -> None:
    cli.add_command(capture_cmd)
