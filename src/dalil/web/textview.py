"""Cut a text into segments for highlighting: plain runs and marked spans (quotations,
figures, reused passages). Spans are character offsets ``[start, end)``; overlapping
marks keep the earlier-starting (then longer) one, so the text is shown exactly once."""

from __future__ import annotations

from typing import Any


def segments(
    text: str,
    marks: list[tuple[int, int, str, str]],
    inner: list[tuple[int, int, str, str]] | None = None,
) -> list[dict[str, Any]]:
    """*marks*: (start, end, kind, note). Returns ``[{kind, text, note, parts}]`` covering
    *text*; a mark overlapping an earlier one keeps only its part after it. ``parts`` cuts each segment again by the *inner* marks (figures inside a
    quotation), as ``[{kind, text, note}]``."""
    out = _cut(text, 0, marks)
    for seg in out:
        lo, hi = seg.pop("start"), seg.pop("end")
        inside = [
            (max(a, lo) - lo, min(b, hi) - lo, k, n)
            for a, b, k, n in inner or []
            if a >= lo and b <= hi
        ]
        seg["parts"] = [
            {k: v for k, v in p.items() if k in ("kind", "text", "note")}
            for p in _cut(seg["text"], 0, inside)
        ]
    return out


def _cut(text: str, base: int, marks: list[tuple[int, int, str, str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pos = 0
    for start, end, kind, note in sorted(marks, key=lambda m: (m[0], -(m[1] - m[0]))):
        start, end = max(start, 0, pos), min(end, len(text))  # overlaps: keep the rest
        if end <= start:
            continue
        if start > pos:
            out.append(
                {"kind": "text", "text": text[pos:start], "note": "", "start": pos, "end": start}
            )
        out.append(
            {"kind": kind, "text": text[start:end], "note": note, "start": start, "end": end}
        )
        pos = end
    if pos < len(text):
        out.append({"kind": "text", "text": text[pos:], "note": "", "start": pos, "end": len(text)})
    return out


def reading(text: str, *, doc_date: Any = None, title: str | None = None) -> dict[str, Any]:
    """Quotations and figures of *text* (source-verification extractors), as segments."""
    from dalil.sources.compare import analyse

    doc = analyse(text, title=title, doc_date=doc_date)
    quotes = [q.to_dict() for q in doc.quotes]
    figures = [q.to_dict() for q in doc.quantities]
    marks = [(q["span"][0], q["span"][1], "quote", str(q.get("speaker") or "")) for q in quotes]
    fig_marks = [
        (
            f["span"][0],
            f["span"][1],
            "figure",
            f"[{f.get('low')}, {'∞' if f.get('high') is None else f.get('high')}]",
        )
        for f in figures
    ]
    return {
        "segments": segments(text, marks, fig_marks),
        "quotes": quotes,
        "quantities": figures,
        "words": len(text.split()),
    }


def comparison_segments(
    result: dict[str, Any], source_text: str, derivative_text: str
) -> dict[str, Any]:
    """The comparison result plus both texts cut at the reused passages."""
    passages = result.get("reuse", {}).get("passages", [])
    src_marks = [(p["source_span"][0], p["source_span"][1], "reused", p["kind"]) for p in passages]
    der_marks = [
        (p["derivative_span"][0], p["derivative_span"][1], "reused", p["kind"]) for p in passages
    ]
    return {
        **result,
        "source_segments": segments(source_text, src_marks),
        "derivative_segments": segments(derivative_text, der_marks),
    }
