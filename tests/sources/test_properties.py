"""Properties of compare that must hold for any document (Hypothesis over generated
fictional releases)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.sources.compare import analyse, compare
from dalil.synth.documents import generate

_seeds = st.integers(min_value=0, max_value=10_000)


def _release(seed: int) -> str:
    files, truth = generate(1, seed, words=250)
    return files[truth["sources"][0]["id"]]


@settings(max_examples=15, deadline=None)
@given(_seeds)
def test_a_document_compared_with_itself_is_all_verbatim(seed: int) -> None:
    text = _release(seed)
    r = compare(analyse(text, id="a"), analyse(text, id="b"))
    assert r["reuse"]["containment"] == 1.0 and r["reuse"]["source_coverage"] == 1.0
    assert r["additions"] == [] and r["omissions"] == []
    assert len(r["quotes"]) == len(analyse(text).quotes)
    assert all(q["status"] == "verbatim" and q["flags"] == [] for q in r["quotes"])


@settings(max_examples=15, deadline=None)
@given(_seeds, st.integers(min_value=2, max_value=9))
def test_changing_any_figure_in_a_copy_is_always_caught(seed: int, delta: int) -> None:
    """Changing one number (by any amount) in a verbatim copy makes its sentence an
    addition — figures are compared as values, never by similarity."""
    text = _release(seed)
    nums = [m for m in re.finditer(r"(?<=more than )\d+|(?<=investigated )\d+", text)]
    m = nums[seed % len(nums)]
    changed = text[: m.start()] + str(int(m.group()) * delta) + text[m.end() :]
    r = compare(analyse(text, id="a"), analyse(changed, id="b"))
    assert any(a["span"][0] <= m.start() < a["span"][1] for a in r["additions"]), r["additions"]


@settings(max_examples=15, deadline=None)
@given(_seeds)
def test_dropping_not_from_a_copy_is_always_caught(seed: int) -> None:
    text = (
        _release(seed)
        + "\n\nThe fictional council did not order the evacuation of the harbour district.\n"
    )
    i = text.rindex(" not ")
    changed = text[:i] + text[i + 4 :]
    r = compare(analyse(text, id="a"), analyse(changed, id="b"))
    assert any("did order the evacuation" in a["text"] for a in r["additions"])
