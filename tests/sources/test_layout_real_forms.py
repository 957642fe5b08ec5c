"""Layout of real releases: bullets, captions, boilerplate and pull-quotes (invented texts)."""

from __future__ import annotations

from dalil.sources.compare import analyse, compare
from dalil.sources.layout import boilerplate_spans, pull_quotes
from dalil.sources.quotes import extract_quotes
from dalil.sources.segment import paragraphs, sentences

RELEASE = """Fictional Watch

Photo: Mourners in Fictiontown on 2 May 2025. © 2025 A. Person/Fictional Watch

FICTIONTOWN, 4 May 2025 — Gunmen killed nine farmers near Fictiontown on 1 May, Fictional Watch said today.

The authorities should:
- arrest the commander of the checkpoint;
- return the bodies to the families;
- open the road to the coroner.

Justice delayed is justice denied for these families. The killers must be named.
Lea Example, Director, Fictional Watch

Read the full 40-page report here.

About Fictional Watch
Fictional Watch is an invented organisation used in tests.

Media contact: press@example.invalid
"""

DERIVED = """Farmers killed near Fictiontown

Gunmen killed nine farmers near Fictiontown on 1 May, Fictional Watch said.

The group said the authorities should arrest the commander of the checkpoint and return the bodies to the families.

"Justice delayed is justice denied for these families," said Lea Example, the group's director.
"""


def _texts(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in spans]


def test_bullets_and_speaker_lines_are_paragraphs_of_their_own() -> None:
    paras = _texts(RELEASE, paragraphs(RELEASE))
    assert "- return the bodies to the families;" in paras
    assert "Lea Example, Director, Fictional Watch" in paras
    sents = [RELEASE[s.start : s.end] for s in sentences(RELEASE)]
    assert "- open the road to the coroner." in sents


def test_wrapped_prose_lines_stay_together() -> None:
    text = "Headline\n\nGunmen killed nine farmers near the town of Fictiontown\non 1 May, the group said in a report\npublished on Monday."
    assert len(paragraphs(text)) == 2


def test_boilerplate_is_found() -> None:
    found = _texts(RELEASE, boilerplate_spans(RELEASE, paragraphs(RELEASE)))
    assert any(f.startswith("Photo:") for f in found)
    assert "Read the full 40-page report here." in found
    assert "Fictional Watch is an invented organisation used in tests." in found
    assert "Media contact: press@example.invalid" in found
    assert not any("Gunmen killed" in f for f in found)


def test_pull_quote_gets_its_speaker() -> None:
    pq = pull_quotes(RELEASE, paragraphs(RELEASE))
    assert [name for _q, name, _l in pq] == ["Lea Example"]
    quotes = extract_quotes(RELEASE)
    assert any(q.speaker == "Lea Example" and q.text.startswith("Justice delayed") for q in quotes)
    dash = "The arrest shows nobody is above the law. Survivors waited years.\n— Ruth Example, President of the Fictional Forum\n"
    assert [q.speaker for q in extract_quotes(dash)] == ["Ruth Example"]
    byline = "Gunmen killed nine farmers near Fictiontown on Monday night.\nBy Ana Example, Fictional Ledger\n"
    assert extract_quotes(byline) == []


def test_omitted_bullet_is_an_omission_and_boilerplate_is_neither() -> None:
    r = compare(analyse(RELEASE, id="a"), analyse(DERIVED, id="b"))
    omitted = [o["text"] for o in r["omissions"]]
    assert "- open the road to the coroner." in omitted
    assert not any(
        "press@" in o or "invented organisation" in o or "Read the full" in o for o in omitted
    )
    assert not any("Lea Example, Director" in o or o.startswith("Photo") for o in omitted)
    q = r["quotes"][0]
    assert (q["status"], q["speaker"], q["source_speaker"]) == (
        "verbatim",
        "Lea Example",
        "Lea Example",
    )
