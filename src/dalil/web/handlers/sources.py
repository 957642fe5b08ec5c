"""Sources: add (form or upload), read a stored source's text, compare two texts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any, BinaryIO

from dalil.display.jsonout import jsonable
from dalil.errors import InputError
from dalil.services import records, sources
from dalil.sources.compare import analyse, compare
from dalil.web.context import Ctx
from dalil.web.handlers import records as web_records
from dalil.web.handlers.evidence import run_with_body
from dalil.web.textview import comparison_segments, reading


def _date_or_none(value: Any) -> date | None:
    """A ``datetime.date`` from an ISO day, else None (months and years stay undated)."""

    try:
        return date.fromisoformat(str(value)) if value and len(str(value)) == 10 else None
    except ValueError:
        return None


def add_source(ctx: Ctx, fields: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in fields.items() if v not in (None, "")}
    with ctx.act(write=True) as sc:
        return dict(jsonable(records.add(sc, "source", **values)))


async def add_source_upload(
    ctx: Ctx,
    body: AsyncIterator[bytes],
    *,
    name: str,
    fields: dict[str, Any],
    sensitive: bool,
) -> dict[str, Any]:
    """A Source from an uploaded document (``sources.add_source_stream``: the original as
    evidentiary evidence; a ``source_text`` job, ``text_job``, then keeps its extracted
    text as a working copy)."""
    actor = ctx.actor
    values = {k: v for k, v in fields.items() if v not in (None, "")}

    def work(reader: BinaryIO) -> dict[str, Any]:
        return dict(
            jsonable(
                sources.add_source_stream(
                    ctx.case,
                    actor,
                    reader,
                    name=name,
                    sensitive=sensitive,
                    capture={"uploaded_via": "web"},
                    text_job=True,  # the text is extracted by a job, never in the request
                    **values,
                )
            )
        )

    out = await run_with_body(body, work)
    if out.get("text_job"):
        out["text_job_url"] = f"/api/v1/jobs/{out['text_job']}"
    if out.get("ocr_job") or out.get("text_job"):
        from dalil.web.handlers.jobs import poke

        poke(ctx)
    return out


MAX_TEXT = 2_000_000  # characters of a source text shown


def _source_id(raw_id: str) -> int:
    ident = web_records.parse_id("sources", raw_id)
    assert isinstance(ident, int)
    return ident


def text_job(ctx: Ctx, raw_id: str) -> dict[str, Any] | None:
    """The source's newest text-extraction job (``sources.text_job``), or None."""
    with ctx.act(write=False) as sc:
        return sources.text_job(sc, _source_id(raw_id))


def source_reading(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """The source's text cut into plain, quotation and figure segments: the text the
    service reads (``sources.source_text``, audited as an evidence read, as
    ``dalil source extract`` does); empty when the source has no readable text."""
    source = web_records.get(ctx, "sources", raw_id)
    try:
        with ctx.act(write=True) as sc:
            text, _record = sources.source_text(sc, _source_id(raw_id), reason="sources.reading")
    except InputError:  # no file, or none whose text can be read
        return {"source": source, "segments": [], "quotes": [], "quantities": [], "words": 0}
    return {
        "source": source,
        **reading(
            text[:MAX_TEXT],
            title=source.get("title"),
            doc_date=_date_or_none(source.get("published")),
        ),
    }


def compare_sources(ctx: Ctx, a: str, b: str) -> dict[str, Any]:
    """Compare the stored texts of sources *a* (earlier) and *b* (later): the service's
    comparison (``dalil source compare A B``: the same reads and audit entries), plus the
    segments of both texts cut at the reused passages."""
    ids = [_source_id(a), _source_id(b)]
    with ctx.act(write=True) as sc:
        docs = [sources.source_document(sc, i, reason="sources.compare") for i in ids]
        result = sources.compare_sources(sc, docs[0], docs[1], source_ids=ids)
    by_id = {d.id: d.text for d in docs}
    return dict(
        jsonable(
            comparison_segments(
                result, by_id[result["source"]["id"]], by_id[result["derivative"]["id"]]
            )
        )
    )


def compare_texts(ctx: Ctx, earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """Compare two texts (the `dalil sources compare` result, plus highlighted segments).
    Pure analysis of what the user supplied: nothing is read from or written to the case."""
    ctx.actor  # noqa: B018 - signed in
    docs = [
        analyse(
            d["text"],
            id=str(d.get("id") or name),
            title=d.get("title"),
            doc_date=_date_or_none(d.get("date")),
        )
        for name, d in (("earlier", earlier), ("later", later))
    ]
    result = compare(docs[0], docs[1])
    swapped = result["direction"] == "source_of_derivative"
    src_text, der_text = (
        (later["text"], earlier["text"]) if swapped else (earlier["text"], later["text"])
    )
    return dict(jsonable(comparison_segments(result, src_text, der_text)))
