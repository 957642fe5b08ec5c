"""CLI commands of source verification: ``dalil sources extract | compare | graph``.  Thin wrappers over :mod:`dalil.sources` (files) and
:mod:`dalil.services.sources` (sources stored in a case, with permissions and audit)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dalil.cli.caseopts import CaseOptions, case_options
from dalil.cli.support import AliasedGroup, emit_json, emit_table, get_or_create_group, json_option
from dalil.errors import InputError

if TYPE_CHECKING:
    from dalil.sources.compare import Document


def register(cli: AliasedGroup) -> None:
    """Register this module's commands on the root group."""
    group = get_or_create_group(
        cli,
        "source",
        "sources",
        help="Sources (reports, articles, statements): add, list, show, extract, compare, graph.",
    )
    group.add_command(extract_cmd)
    group.add_command(compare_cmd)
    group.add_command(graph_cmd)


def _case_id(ref: str) -> int | None:
    """A case source id (``7`` or ``source:7``) unless *ref* names an existing file."""
    from dalil.services.sources import parse_source_ref

    if Path(ref).exists():
        return None
    return parse_source_ref(ref)


def _load(
    ref: str, doc_date: str | None, ctx: Any = None, reason: str = "sources.extract"
) -> Document:
    from dalil.sources.compare import analyse, load_document
    from dalil.sources.dates import parse_iso_date

    sid = _case_id(ref)
    if sid is None:
        return load_document(Path(ref), doc_date=doc_date)
    from dalil.services.sources import source_document

    doc = source_document(ctx, sid, reason=reason)
    if doc_date:
        doc = analyse(
            doc.text, id=doc.id, title=doc.title, doc_date=parse_iso_date(doc_date, "--date")
        )
    return doc


@click.command("extract")
@click.argument("file")
@click.option(
    "--date",
    "doc_date",
    metavar="YYYY-MM-DD",
    help='Document date; relative dates ("yesterday", "on Friday") resolve against it.',
)
@case_options
@json_option
def extract_cmd(case_opts: CaseOptions, file: str, doc_date: str | None, as_json: bool) -> None:
    """Paragraphs, sentences, quotations with speakers, quantities, dates, places and
    actors found in FILE (.txt, .html, .pdf, .docx) or in a case source (id 7 or
    source:7).  Spans are character offsets [start, end) into the extracted text."""
    from dalil.sources.extract import extraction

    if _case_id(file) is not None:
        with case_opts.act() as ctx:
            result = extraction(_load(file, doc_date, ctx))
    else:
        result = extraction(_load(file, doc_date))
    if as_json:
        emit_json(result)
        return
    click.echo(
        f"{result['id']}: {result['words']} words, {len(result['paragraphs'])} paragraphs, "
        f"{len(result['sentences'])} sentences; date {result['date'] or 'unknown'}"
    )
    click.echo(f"\nquotations ({len(result['quotes'])}):")
    emit_table(
        [
            {"speaker": q["speaker"] or "-", "kind": q["speaker_kind"], "quote": _short(q["text"])}
            for q in result["quotes"]
        ],
        ["kind", "speaker", "quote"],
    )
    click.echo(f"\nquantities ({len(result['quantities'])}):")
    emit_table(result["quantities"], ["text", "low", "high", "qualifier", "counted"])
    click.echo(f"\ndates ({len(result['dates'])}):")
    emit_table(result["dates"], ["text", "value", "precision", "relative"])
    click.echo(f"\nplaces and actors ({len(result['entities'])}):")
    emit_table(result["entities"], ["kind", "text"])


@click.command("compare")
@click.argument("earlier")
@click.argument("later")
@json_option
@click.option(
    "--html",
    "html_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a side-by-side HTML view to this file.",
)
@click.option("--earlier-date", metavar="YYYY-MM-DD", help="Publication date of EARLIER.")
@click.option("--later-date", metavar="YYYY-MM-DD", help="Publication date of LATER.")
@case_options
def compare_cmd(
    case_opts: CaseOptions,
    earlier: str,
    later: str,
    as_json: bool,
    html_out: Path | None,
    earlier_date: str | None,
    later_date: str | None,
) -> None:
    """Compare LATER against EARLIER: reused passages, direction, a verdict for every
    quotation in LATER, additions, omissions and the figures of both.

    EARLIER and LATER are files, or source ids of a case (7 or source:7; the case's
    working text copies are read, which is logged).  Without --json or --html a
    plain-text summary is printed.  Dates come from the options, else from the document
    or source record; with both dates known and LATER the older, the roles are swapped
    (direction source_of_derivative)."""
    from dalil.sources.compare import compare, summary

    if as_json and html_out:
        raise InputError("choose one of --json and --html")
    if _case_id(earlier) is not None or _case_id(later) is not None:
        from dalil.services.sources import compare_sources

        with case_opts.act() as ctx:
            a = _load(earlier, earlier_date, ctx, "sources.compare")
            b = _load(later, later_date, ctx, "sources.compare")
            ids = [i for i in (_case_id(earlier), _case_id(later)) if i is not None]
            result = compare_sources(ctx, a, b, source_ids=ids)
    else:
        a = _load(earlier, earlier_date)
        b = _load(later, later_date)
        result = compare(a, b)
    if html_out is not None:
        from dalil.sources.render import render_html

        by_id = {a.id: a.text, b.id: b.text}
        page = render_html(result, by_id[result["source"]["id"]], by_id[result["derivative"]["id"]])
        try:
            html_out.write_text(page, encoding="utf-8")
        except OSError as e:
            raise InputError(f"{html_out}: cannot write ({e.strerror or 'error'})") from None
        click.echo(f"wrote {html_out}")
        return
    if as_json:
        emit_json(result)
    else:
        click.echo(summary(result))


@click.command("graph")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of documents (.txt, .html, .pdf, .docx); without it, every source of the case.",
)
@click.option(
    "--threshold",
    type=float,
    default=0.1,
    show_default=True,
    help="Containment (share of a document's 5-word shingles found in another) for an edge.",
)
@click.option(
    "--claim",
    "claims",
    multiple=True,
    help="A phrase, quotation or figure; prints the groups of independent sources carrying it. Repeatable.",
)
@case_options
@json_option
def graph_cmd(
    case_opts: CaseOptions,
    folder: Path | None,
    threshold: float,
    claims: tuple[str, ...],
    as_json: bool,
) -> None:
    """Derivation graph over the documents in a folder (--dir) or over every source of a
    case: candidate pairs by MinHash LSH Ensemble (containment, so partial reuse is
    found), verified by exact shingle containment, edges directed by date or containment.
    Files or sources without readable text are skipped and listed (stats.skipped)."""
    if folder is not None:
        from dalil.sources.graph import build_graph, independent_groups, load_dir

        skipped: list[dict[str, str]] = []
        docs = load_dir(folder, skipped=skipped)
        g = build_graph(docs, threshold=threshold)
        texts = {d.id: d.text for d in docs}
        out = g.to_dict()
        out["stats"]["skipped"] = skipped
        if claims:
            out["claims"] = [
                {"claim": c, "independent_groups": independent_groups(g, c, texts)} for c in claims
            ]
    else:
        from dalil.services.sources import graph_sources

        with case_opts.act() as ctx:
            out = graph_sources(ctx, threshold=threshold, claims=claims)
    if as_json:
        emit_json(out)
        return
    click.echo(
        f"{len(out['nodes'])} documents, {len(out['edges'])} edges "
        f"({out['stats']['candidate_pairs']} candidate pairs)"
    )
    for s in out["stats"].get("skipped", []):
        click.echo(f"skipped {s['id']}: {s['reason']}")
    emit_table(
        out["edges"], ["source", "derivative", "containment", "source_coverage", "direction"]
    )
    for c in out.get("claims", []):
        groups = c["independent_groups"]
        click.echo(f"\nclaim {c['claim']!r}: {len(groups)} independent group(s)")
        for i, grp in enumerate(groups, 1):
            click.echo(f"  {i}. {', '.join(grp)}")


def _short(t: str, n: int = 80) -> str:
    t = " ".join(t.split())
    return t if len(t) <= n else t[: n - 1] + "…"
