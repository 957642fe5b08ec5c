"""Pair review and blind double review from the command line: the same service
functions as the web pages (``dalil lists review-session|pair|undo|decisions|blind``).
Fictional data."""

from __future__ import annotations

from dalil.core.case import Case
from dalil.testing import TEST_PASSPHRASE, DalilRunner


def test_analyst_reviews_decides_and_undoes_from_the_command_line(rcase: Case) -> None:
    run = DalilRunner({"DALIL_CASE": str(rcase.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    pair = run.json("lists", "review", "--limit", "1", "--user", "ana")[0]["pair"]
    sess = run.json("lists", "review-session", "--reason", "fictional review", "--user", "ana")
    view = run.json("lists", "pair", pair, "--session", str(sess["id"]), "--user", "ana")
    assert view["names_shown"] and view["a"]["names"] and view["fields"]
    text = run("lists", "pair", pair, "--user", "ana")
    assert text.exit_code == 0 and " bits " in text.stdout and "more likely if" in text.stdout
    run.json("lists", "decide", pair, "reject", "--user", "ana")
    assert [d["pair"] for d in run.json("lists", "decisions", "--user", "vic")] == [pair]
    undone = run.json("lists", "undo", pair, "--user", "ana")
    assert undone["previous"] == "reject" and run.json("lists", "decisions", "--user", "ana") == []
    r = run("lists", "undo", pair, "--user", "ana")
    assert r.exit_code == 2 and "no decision to undo" in r.stderr
    r = run("lists", "review-session", "--reason", "curious", "--user", "vic")
    assert r.exit_code == 2 and "may not" in r.stderr


def test_blind_double_review_from_the_command_line(rcase: Case) -> None:
    run = DalilRunner({"DALIL_CASE": str(rcase.root), "DALIL_PASSPHRASE": TEST_PASSPHRASE})
    started = run.json("lists", "blind", "start", "--limit", "2", "--user", "ana")["started"]
    assert len(started) == 2
    assert [p["pair"] for p in run.json("lists", "blind", "queue", "--user", "ivy")["to_decide"]] \
        == started  # fmt: skip
    first = run.json("lists", "blind", "vote", started[0], "accept", "--user", "ana")
    assert first["status"] == "open" and "votes" not in first
    second = run.json("lists", "blind", "vote", started[0], "reject", "--user", "ivy")
    assert second["status"] == "disputed"
    (d,) = run.json("lists", "blind", "disputes", "--user", "ida")
    assert d["pair"] == started[0] and d["may_settle"]
    run.json("lists", "blind", "settle", started[0], "reject", "--user", "ida")
    rep = run.json("lists", "blind", "agreement", "--user", "vic")
    assert (rep["decided_by_both"], rep["agreed"], rep["settled_by_third"]) == (1, 0, 1)
    out = run("lists", "blind", "agreement", "--user", "vic").stdout
    assert "percent agreement 0.0%" in out and "Cohen's kappa" in out
