"""Sources: add (form or upload), read a stored source's text, compare two texts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any, BinaryIO

from dalil.display.jsonout import jsonable
from dalil.errors import InputError
from dalil.services import evidence, records, sources
from dalil.sources.compare import analyse, compare
from dalil.web.context import Ctx
from dalil.web.handlers import evidence as web_evidence
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
    evidentiary evidence, its extracted text as a working copy)."""
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
                    **values,
                )
            )
        )

    out = await run_with_body(body, work)
    if out.get("ocr_job"):
        from dalil.web.handlers.jobs import poke

        poke(ctx)
    return out


MAX_TEXT = 2_000_000  # characters of a source text shown or compared


def _source_text(ctx: Ctx, raw_id: str) -> tuple[dict[str, Any], str | None]:
    """The source record and its stored text: the working-copy text item derived from
    its file (``source add FILE``), else a text/plain evidentiary item. Reading it is an
    evidence read, checked and logged like a download."""
    source = web_records.get(ctx, "sources", raw_id)
    with ctx.act(write=False) as sc:
        items = [
            jsonable(evidence.item_dict(sc, r))
            for r in evidence.list_items(sc, source_id=source["id"])
        ]
    texts = [i for i in items if str(i.get("media_type") or "").startswith("text/plain")]
    texts.sort(key=lambda i: (i.get("copy_kind") != "working", i.get("id", 0)))
    if not texts:
        return source, None
    _meta, chunks = web_evidence.content(ctx, texts[0]["sha256"])
    data = bytearray()
    for chunk in chunks:
        data += chunk
        if len(data) > 4 * MAX_TEXT:
            break
    return source, bytes(data).decode("utf-8", errors="replace")[:MAX_TEXT]


def source_reading(ctx: Ctx, raw_id: str) -> dict[str, Any]:
    """The source's text cut into plain, quotation and figure segments."""
    source, text = _source_text(ctx, raw_id)
    if text is None:
        return {"source": source, "segments": [], "quotes": [], "quantities": [], "words": 0}
    return {
        "source": source,
        **reading(text, title=source.get("title"), doc_date=_date_or_none(source.get("published"))),
    }


def compare_sources(ctx: Ctx, a: str, b: str) -> dict[str, Any]:
    """Compare the stored texts of sources *a* (earlier) and *b* (later)."""
    sa, ta = _source_text(ctx, a)
    sb, tb = _source_text(ctx, b)
    missing = [s["title"] for s, t in ((sa, ta), (sb, tb)) if t is None]
    if missing:
        raise InputError(f"no text stored for: {'; '.join(missing)} (add the source with a file)")
    assert ta is not None and tb is not None
    return compare_texts(
        ctx,
        {
            "text": ta,
            "title": sa.get("title"),
            "date": sa.get("published"),
            "id": f"source:{sa['id']}",
        },
        {
            "text": tb,
            "title": sb.get("title"),
            "date": sb.get("published"),
            "id": f"source:{sb['id']}",
        },
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
