"""A self-contained HTML page showing a comparison side by side.

No scripts, inline CSS only; every piece of document text is HTML-escaped.  Reused
passages are tinted by kind, quotations outlined with their verdict, additions and
omissions marked; the tables underneath list every verdict.
"""

from __future__ import annotations

from html import escape
from itertools import pairwise
from typing import Any

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Naskh Arabic",sans-serif;
margin:0;color:#1d1d1f;background:#fafafa}
header{padding:12px 20px;background:#20303c;color:#fff}
header h1{font-size:18px;margin:0 0 4px}
header p{margin:0;font-size:13px;color:#d7e3ec}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:16px;padding:16px 20px}
.doc{background:#fff;border:1px solid #ccd;border-radius:6px;padding:12px 16px;
white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:plaintext}
.doc h2{font-size:14px;margin:0 0 8px;white-space:normal}
.verbatim{background:#cfe8ff}
.near_verbatim{background:#e2d4f7}
.paraphrase{background:#eef0c7}
.q{outline:2px solid #555;outline-offset:1px;border-radius:2px}
.q-verbatim{outline-color:#2e7d32}
.q-trimmed{outline-color:#ef6c00}
.q-altered{outline-color:#c62828}
.q-not_in_source{outline-color:#ad1457;outline-style:dashed}
.q-misattributed{outline-color:#6a1b9a;outline-style:double}
.add{text-decoration:underline wavy #c62828;text-decoration-thickness:2px}
.add-attributed_to_source{background:#ffd6d6}
.omit{text-decoration:line-through #9e9e9e}
.q-omit{background:#ffcdd2;font-weight:600;text-decoration:line-through #c62828}
.q-add{background:#fff59d;font-weight:600;text-decoration:underline wavy #f57f17}
.chg{border-bottom:2px dashed #6a1b9a}
.legend span{display:inline-block;margin:2px 8px 2px 0;padding:0 6px;border-radius:3px}
section{padding:0 20px 16px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:14px}
th,td{border:1px solid #ccd;padding:4px 8px;text-align:start;vertical-align:top}
th{background:#eef2f5}
.status{font-weight:600}
"""


def _spans_markup(text: str, marks: list[tuple[int, int, str, str]]) -> str:
    """Escape *text* and wrap marked ranges; marks are (start, end, class, title)."""
    # Always balanced: split the text at every boundary and wrap each piece in the
    # spans covering it (outermost = longest).
    points = sorted({0, len(text), *[p for m in marks for p in (m[0], m[1])]})
    out: list[str] = []
    for a, b in pairwise(points):
        if b <= a:
            continue
        active = [m for m in marks if m[0] <= a and b <= m[1]]
        chunk = escape(text[a:b])
        for _s, _e, cls, title in sorted(active, key=lambda m: m[1] - m[0]):
            t = f' title="{escape(title, quote=True)}"' if title else ""
            chunk = f'<span class="{escape(cls, quote=True)}"{t}>{chunk}</span>'
        out.append(chunk)
    return "".join(out)


#: Verdicts and flags in words (for people reading a comparison).
STATUS_WORDS = {
    "verbatim": "quoted word for word",
    "trimmed": "quoted with words left out",
    "altered": "quoted with words changed",
    "not_in_source": "not said in the source",
    "misattributed": "given to another speaker",
}
FLAG_WORDS = {
    "removed_actor": "the perpetrator was left out",
    "removed_negation": "a negation was left out",
    "changed_number": "a figure was changed",
    "removed_number": "a figure was left out",
    "removed_qualifier": "the qualifier of a figure was left out (e.g. 'at least')",
    "removed_place": "a place was left out",
    "removed_date": "a date was left out",
    "changed_speaker": "the speaker was changed",
    "changed_actor": "the perpetrator was changed",
    "removed_actor_qualifier": "what identified the perpetrator was left out",
    "intensified_act": "the act was made more severe (e.g. killed → executed)",
    "removed_hedge": "a hedge was left out (e.g. 'may', 'allegedly')",
}


def mark_runs(text: str, runs: list[str]) -> list[dict[str, Any]]:
    """*text* cut into ``{text, marked}`` parts, the *runs* (in order, each found after the
    previous one) marked: the words a quotation changed, on either side."""
    parts: list[dict[str, Any]] = []
    pos = 0
    for run in runs:
        i = text.find(run, pos) if run else -1
        if i < 0:
            continue
        if i > pos:
            parts.append({"text": text[pos:i], "marked": False})
        parts.append({"text": text[i : i + len(run)], "marked": True})
        pos = i + len(run)
    if pos < len(text):
        parts.append({"text": text[pos:], "marked": False})
    return parts


def flags_in_words(flags: list[str]) -> str:
    return "; ".join(FLAG_WORDS.get(f, f) for f in flags)


def render_html(result: dict[str, Any], source_text: str, derivative_text: str) -> str:
    s, d = result["source"], result["derivative"]
    src_marks: list[tuple[int, int, str, str]] = []
    der_marks: list[tuple[int, int, str, str]] = []
    for p in result["reuse"]["passages"]:
        src_marks.append((*p["source_span"], p["kind"], p["kind"].replace("_", " ")))
        der_marks.append((*p["derivative_span"], p["kind"], p["kind"].replace("_", " ")))
    for q in result["quotes"]:
        title = f"quote: {q['status']}" + (f" ({', '.join(q['flags'])})" if q["flags"] else "")
        der_marks.append((q["span"][0], q["span"][1], f"q q-{q['status']}", title))
    for q in result["quotes"]:
        # Words the derivative put into a quotation that the source does not have.
        pos = q["span"][0]
        for word in q["added"]:
            i = derivative_text.find(word, pos, q["span"][1] + 1)
            if i < 0:
                continue
            der_marks.append((i, i + len(word), "q-add", "changed in the quote"))
            pos = i + len(word)
    for c in result.get("changes", []):
        der_marks.append((c["span"][0], c["span"][1], "chg", flags_in_words(c["flags"])))
    for q in result["quotes"]:
        # Words the derivative left out of (or changed in) a quotation, found in the source
        # next to the quoted text.
        if not q["omitted"] or not q["source_text"]:
            continue
        anchor = source_text.find(q["source_text"][:40])
        pos = max(0, anchor)
        for word in q["omitted"]:
            i = source_text.find(word, pos)
            if i < 0:
                continue
            src_marks.append((i, i + len(word), "q-omit", f"left out of the quote ({q['status']})"))
            pos = i + len(word)
    for a in result["additions"]:
        der_marks.append(
            (a["span"][0], a["span"][1], f"add add-{a['kind']}", f"addition: {a['kind']}")
        )
    for o in result["omissions"]:
        src_marks.append(
            (
                o["span"][0],
                o["span"][1],
                "omit",
                f"omitted (weight {o['weight']}): {', '.join(o['reasons'])}",
            )
        )

    def meta(m: dict[str, Any]) -> str:
        # <bdi> isolates each piece so Arabic titles do not reorder the line.
        bits = [f"<bdi>{escape(str(m['id']))}</bdi>"]
        if m.get("title"):
            bits.append(f"<bdi>{escape(str(m['title']))}</bdi>")
        if m.get("date"):
            bits.append(f"<bdi>{escape(str(m['date']))}</bdi>")
        bits.append(f"<bdi>{int(m['words'])} words</bdi>")
        return " · ".join(bits)

    r = result["reuse"]
    rows_q = "".join(
        "<tr>"
        f"<td class='status'>{escape(STATUS_WORDS.get(q['status'], q['status']))}</td>"
        f"<td dir='auto'>{escape(q['text'])}</td>"
        f"<td><bdi>{escape(q['speaker'] or '—')}</bdi> ({escape(q['speaker_kind'])})</td>"
        f"<td>{escape(q['source_speaker'] or '—')}</td>"
        f"<td dir='auto'>{escape(' | '.join(q['omitted']))}</td>"
        f"<td dir='auto'>{escape(' | '.join(q['added']))}</td>"
        f"<td>{escape(flags_in_words(q['flags']))}</td></tr>"
        for q in result["quotes"]
    )
    rows_c = "".join(
        f"<tr><td>{escape(flags_in_words(c['flags']))}</td><td dir='auto'>{escape(c['text'])}</td>"
        f"<td dir='auto'>{escape(c['source_text'])}</td></tr>"
        for c in result.get("changes", [])
    )
    rows_a = "".join(
        f"<tr><td class='status'>{escape(a['kind'])}</td><td dir='auto'>{escape(a['text'])}</td>"
        f"<td>{escape(a['attributed_to'] or '')}</td></tr>"
        for a in result["additions"]
    )
    rows_o = "".join(
        f"<tr><td>{int(o['weight'])}</td><td>{escape(', '.join(o['reasons']))}</td>"
        f"<td dir='auto'>{escape(o['text'])}</td></tr>"
        for o in result["omissions"]
    )
    rows_n = "".join(
        f"<tr><td>{escape(x['doc'])}</td><td>{escape(x['text'])}</td>"
        f"<td>{'' if x['low'] is None else int(x['low'])}</td>"
        f"<td>{'' if x['high'] is None else int(x['high'])}</td>"
        f"<td>{escape(x['qualifier'])}</td><td>{escape(x['counted'] or '')}</td></tr>"
        for x in result["quantities"]
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dalil — source comparison</title><style>{CSS}</style></head>
<body>
<header><h1>Source comparison — direction: {escape(result["direction"])}</h1>
<p>{r["containment"]:.0%} of the derivative lies in {len(r["passages"])} reused passages;
{r["source_coverage"]:.0%} of the source was reused.</p></header>
<div class="cols" role="main">
<article class="doc" aria-label="source"><h2>Source — {meta(s)}</h2>{_spans_markup(source_text, src_marks)}</article>
<article class="doc" aria-label="derivative"><h2>Derivative — {meta(d)}</h2>{_spans_markup(derivative_text, der_marks)}</article>
</div>
<section class="legend" aria-label="legend"><span class="verbatim">verbatim</span><span class="near_verbatim">near verbatim</span><span class="paraphrase">paraphrase</span><span class="q q-verbatim">quote verbatim</span><span class="q q-trimmed">quote trimmed</span><span class="q q-altered">quote altered</span><span class="q q-not_in_source">quote not in source</span><span class="q q-misattributed">quote misattributed</span><span class="add">addition</span><span class="add add-attributed_to_source">attributed to source</span><span class="omit">omitted</span><span class="q-omit">left out of a quote</span><span class="q-add">changed in a quote</span><span class="chg">changed sentence</span></section>
<section><h2>Quotations in the derivative</h2><table><tr><th>status</th><th>quote</th><th>speaker</th><th>source speaker</th><th>omitted</th><th>added</th><th>flags</th></tr>{rows_q}</table></section>
<section><h2>Changes inside re-used sentences</h2><table><tr><th>what changed</th><th>derivative</th><th>source</th></tr>{rows_c}</table></section>
<section><h2>Additions</h2><table><tr><th>kind</th><th>sentence</th><th>attributed to</th></tr>{rows_a}</table></section>
<section><h2>Omissions (heaviest first)</h2><table><tr><th>weight</th><th>reasons</th><th>sentence</th></tr>{rows_o}</table></section>
<section><h2>Quantities</h2><table><tr><th>doc</th><th>text</th><th>low</th><th>high</th><th>qualifier</th><th>counted</th></tr>{rows_n}</table></section>
</body></html>
"""
