"""``dalil sources extract``: everything source verification reads from one document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dalil.sources.compare import Document, load_document
from dalil.sources.segment import paragraphs


def extraction(doc: Document) -> dict[str, Any]:
    """The extraction of *doc* as a JSON-ready dict (spans are ``[start, end)``)."""
    return {
        "id": doc.id,
        "title": doc.title,
        "date": doc.date.isoformat() if doc.date else None,
        "words": doc.words,
        "author": doc.author,
        "paragraphs": [{"span": [s, e]} for s, e in paragraphs(doc.text)],
        "sentences": [
            {"span": [s.start, s.end], "paragraph": s.paragraph, "text": doc.text[s.start : s.end]}
            for s in doc.sentences
        ],
        "quotes": [
            {
                "text": q.text,
                "span": list(q.span),
                "segments": [list(x) for x in q.segments],
                "speaker": q.speaker,
                "speaker_kind": q.speaker_kind,
                "attribution_span": list(q.attribution_span) if q.attribution_span else None,
                "unbalanced": q.unbalanced,
            }
            for q in doc.quotes
        ],
        "quantities": [
            {k: v for k, v in q.to_dict().items() if k != "value"} for q in doc.quantities
        ],
        "dates": [d.to_dict() for d in doc.dates],
        "entities": [e.to_dict() for e in doc.entities],
    }


def extract_file(path: Path, doc_date: str | None = None) -> dict[str, Any]:
    return extraction(load_document(path, doc_date=doc_date))
