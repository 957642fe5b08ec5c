"""Render a report as HTML (Jinja2) or PDF (WeasyPrint), in English or Arabic (RTL)."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from dalil.display.estimate_words import gate_words, method_words
from dalil.display.maps import render_map
from dalil.display.messages import Message, in_words
from dalil.errors import InputError
from dalil.report.assemble import AUDIENCES, assemble
from dalil.report.charts import data_uri, estimate_intervals, killings_by_day_place
from dalil.report.data import CaseSnapshot
from dalil.report.i18n import LANGS, aggregate_sentence, element_label, gettext, translator, word

FORMATS = ("html", "pdf")

_env = Environment(
    loader=PackageLoader("dalil.report", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _cites(labels: list[str]) -> str:
    return "[" + ", ".join(labels) + "]" if labels else ""


_env.filters["cites"] = _cites
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


def _dir(text: object) -> str:
    """``ltr`` or ``rtl`` for a piece of case content, so that an English title keeps its
    punctuation in place inside the Arabic edition (and Arabic content inside the English one)."""
    return "rtl" if _ARABIC.search(str(text)) else "ltr"


_env.filters["dir"] = _dir


def render_html(
    snap: CaseSnapshot, audience: str, lang: str = "en", *, generated: datetime | None = None
) -> str:
    if audience not in AUDIENCES:
        raise InputError(f"unknown audience {audience!r}; use internal or public")
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; use one of: {', '.join(LANGS)}")
    ctx = assemble(snap, audience, generated=generated)
    # the report's limits raised as message ids: in the report's language
    notes: Any = ctx["notes"]
    ctx["notes"] = [
        in_words(n.msgid, n.to_json()["p"], lang) if isinstance(n, Message) else n for n in notes
    ]
    cd: Any = ctx["chart_data"]
    charts = {
        "days": data_uri(killings_by_day_place(cd["acts_by_day_place"], cd["incidents"], lang))
        if cd["acts_by_day_place"] or cd["incidents"]
        else None,
        "estimates": data_uri(estimate_intervals(cd["estimates"], lang))
        if cd["estimates"]
        else None,
    }
    t = translator(lang)
    return _env.get_template("report.html").render(
        **ctx,
        t=t,
        lang=lang,
        dir="rtl" if lang == "ar" else "ltr",
        charts=charts,
        map_svg=render_map(ctx["points"], caption=t["map"]),  # type: ignore[arg-type]
        finding_label=lambda f: gettext(f, lang),
        element_label=lambda e, label: element_label(e, label, lang),
        qual_label=lambda q: gettext(q, lang),
        agg_sentence=lambda a: aggregate_sentence(a, lang),
        gate_words=lambda g: gate_words(g, lang),
        # a code or vocabulary word (event types, precisions, statuses) in the edition's
        # language; case content passes through unchanged
        w=lambda code: word(code, lang),
        method_words=lambda m: method_words(m, lang),
    )


def html_to_pdf(html: str, out: Path) -> None:
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(Path(__file__).parent / "templates")).write_pdf(str(out))


def write_report(
    snap: CaseSnapshot,
    out: Path,
    *,
    audience: str,
    fmt: str,
    lang: str = "en",
    generated: datetime | None = None,
) -> Path:
    """Write the report atomically (temp file in the same folder, then rename)."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; use html or pdf")
    html = render_html(snap, audience, lang, generated=generated)
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise InputError(f"{out.parent}: no such folder")
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=f".{fmt}", dir=str(out.parent or "."))
    os.close(fd)
    try:
        if fmt == "html":
            Path(tmp).write_text(html, encoding="utf-8")
        else:
            html_to_pdf(html, Path(tmp))
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
