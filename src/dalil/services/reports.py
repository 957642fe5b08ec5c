"""Build a report from a case: permission, snapshot, render, audit."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from dalil.errors import InputError
from dalil.report.fromcase import snapshot
from dalil.report.i18n import LANGS
from dalil.report.render import FORMATS, write_report
from dalil.services.context import oid


def build_report(
    case: Any,
    user: Any,
    *,
    audience: str,
    fmt: str,
    out: Path,
    lang: str = "en",
    title: str | None = None,
    summary: list[str] | None = None,
    fictional: bool = False,
) -> dict[str, Any]:
    """Write the *audience* report of *case* to *out*; log it (with the file's SHA-256)."""
    if audience not in ("internal", "public"):
        raise InputError(f"unknown audience {audience!r}; use internal or public")
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use html or pdf")
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use one of: {', '.join(LANGS)}")
    out = Path(out)
    if not out.parent.is_dir():
        raise InputError(f"folder {out.parent} does not exist")
    # Defaults: the case's own title and summary (case.toml), else the folder name.
    title = title or case.config.title or f"Case report: {Path(case.root).name}"
    if summary is None:
        summary = case.config.summary_paragraphs()
    with case.act(user) as ctx:
        snap = snapshot(ctx, audience, title=title, summary=summary)
        snap.fictional = fictional
        write_report(snap, out, audience=audience, fmt=fmt, lang=lang)
        sha = hashlib.sha256(out.read_bytes()).hexdigest()
        ctx.audit(
            "report.build",
            [oid("report", sha)],
            detail={
                "audience": audience,
                "format": fmt,
                "lang": lang,
                "sha256": sha,
                "acts": len(snap.acts),
                "incidents": len(snap.incidents),
            },
        )
    return {
        "out": str(out),
        "audience": audience,
        "format": fmt,
        "lang": lang,
        "sha256": sha,
        "incidents": len(snap.incidents),
        "acts": len(snap.acts),
        "notes": snap.notes,
    }
