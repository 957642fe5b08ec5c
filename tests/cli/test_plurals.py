"""Counts in CLI output agree in number ("1 checkpoint", "2 checkpoints")."""

from __future__ import annotations

import re
from pathlib import Path

from dalil.core.case import Case
from dalil.display.wording import plural
from dalil.findings.assessment import Aggregate
from dalil.testing import DalilRunner

ONE_PLURAL = re.compile(
    r"(?<![\d.])1 (entries|checkpoints|items|records|blobs|acts|bytes|tokens)\b"
)


def test_plural_agrees_with_the_count() -> None:
    assert plural(1, "checkpoint") == "1 checkpoint"
    assert plural(0, "checkpoint") == "0 checkpoints"
    assert plural(2, "entry", "entries") == "2 entries"
    assert plural(1, "entry", "entries") == "1 entry"


def test_audit_verify_says_1_checkpoint(case: Case, dalil: DalilRunner) -> None:
    out = dalil("audit", "verify").stdout
    m = re.search(r"(\d+) checkpoints?\b", out)
    assert m is not None, out
    assert (m.group(0) == "1 checkpoint") == (m.group(1) == "1")
    assert not ONE_PLURAL.search(out), out


def test_fixity_and_export_say_1_item_1_record(
    case: Case, dalil: DalilRunner, tmp_path: Path
) -> None:
    f = tmp_path / "fictional.txt"
    f.write_text("fictional")
    dalil.json("evidence", "add", str(f))
    outs = [
        dalil("fixity").stdout,
        dalil("evidence", "get", "1", "--out", str(tmp_path / "copy.txt")).stdout,
    ]
    dalil.json("incident", "add", "--title", "Fictional incident", "--date-start", "2025-03")
    outs.append(dalil("export", "json", str(tmp_path / "records.json")).stdout)
    text = "\n".join(outs)
    assert "checked 1 item:" in text
    assert not ONE_PLURAL.search(text), text


def test_aggregate_sentence_says_1_act_assessed() -> None:
    agg = Aggregate(incident=1, assessed=1)
    assert agg.sentence().startswith("1 act assessed;")
