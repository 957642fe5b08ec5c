"""Cluster review: a split and a merge are decisions that every later run keeps — full
and incremental — through the CLI and the service the web calls (fictional data)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select

from dalil.core.case import Case
from dalil.linkage.incremental import cluster_incremental
from dalil.model.lists import LinkageRun, LinkDecision, ListRecord
from dalil.synth.lists import generate
from dalil.testing import TEST_PASSPHRASE, DalilRunner

NO_PAIRS = pd.DataFrame(columns=["unique_id_l", "unique_id_r", "match_probability"])


def test_an_incremental_run_applies_a_split_of_an_existing_cluster() -> None:
    # cluster "1" holds 1, 3, 2 (in that order); 3 was split off: rejected against 1
    # and 2. The earlier run's links must not vanish with the split: 1 and 2 stay one.
    existing = {"1": "1", "3": "1", "2": "1", "4": "4", "5": "5", "6": "5"}
    prob = dict.fromkeys(existing, 0.95)
    cl = cluster_incremental(existing, prob, [], NO_PAIRS, 0.9,
                             rejected=[("3", "1"), ("3", "2")],
                             accepted=[("4", "6")])  # fmt: skip
    assert cl.cluster_of["1"] == cl.cluster_of["2"] != cl.cluster_of["3"]
    # and a merge (an accepted pair across two existing clusters) joins them
    assert cl.cluster_of["4"] == cl.cluster_of["5"] == cl.cluster_of["6"]


@pytest.fixture
def lists_dir(tmp_path: Path) -> Path:
    generate(150, 3, seed=21, out_dir=tmp_path / "lists")
    return tmp_path / "lists"


def _groups(case: Case) -> dict[int, int | None]:
    with case.act(write=False) as ctx:
        return {r.id: r.person_id for r in ctx.session.scalars(select(ListRecord))}


def _by_person(groups: dict[int, int | None]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for rid, pid in groups.items():
        assert pid is not None
        out.setdefault(pid, []).append(rid)
    return {p: sorted(ids) for p, ids in out.items()}


def test_a_split_and_a_merge_hold_on_full_and_incremental_runs(
    any_case: Case, dalil_env: Callable[..., DalilRunner], lists_dir: Path
) -> None:
    run = dalil_env(DALIL_CASE=str(any_case.root), DALIL_PASSPHRASE=TEST_PASSPHRASE)
    for i, name in ((1, "committee"), (2, "network")):
        assert run("lists", "import", lists_dir / f"list_{i}.csv", "--list", name).exit_code == 0
    run.json("lists", "link")
    people = _by_person(_groups(any_case))
    chained, ids = next((p, i) for p, i in people.items() if len(i) >= 2)
    off = ids[-1]
    # two other victims, each of one record, that a reviewer says are one person
    x, y = [p for p, i in people.items() if len(i) == 1 and p != chained][:2]
    rx, ry = people[x][0], people[y][0]
    res = run.json("lists", "split", str(chained), str(off), "--note", "another man")
    assert res["split_off"] == [off]
    res = run.json("lists", "merge", str(x), str(y), "--note", "same man, two spellings")
    assert res["records"] == sorted([rx, ry]) and res["accepted_pairs"] == 1
    with any_case.act(write=False) as ctx:
        d = ctx.session.scalar(
            select(LinkDecision).where(
                LinkDecision.record_a == min(rx, ry), LinkDecision.record_b == max(rx, ry)
            )
        )
        assert d is not None and d.verdict == "accept" and d.note == "same man, two spellings"

    def holds() -> None:
        g = _groups(any_case)
        assert g[off] != g[ids[0]], "the split did not hold"
        assert len({g[i] for i in ids[:-1]}) == 1
        assert g[rx] == g[ry], "the merge did not hold"

    run.json("lists", "link")
    holds()
    # a list arriving later, linked incrementally: the decisions hold
    before = _groups(any_case)
    assert run("lists", "import", lists_dir / "list_3.csv", "--list", "hospital").exit_code == 0
    inc = run.json("lists", "link", "--incremental")
    assert inc["incremental"] is True
    holds()
    # person ids stay: an existing record is never given a new person, and only those
    # whose victim a new record joined to another victim move (to that victim)
    after = _groups(any_case)
    assert all(after[r] in set(before.values()) for r in before)
    moved = [r for r in before if after[r] != before[r]]
    assert len(moved) <= len(before) // 20, moved
    with any_case.act(write=False) as ctx:
        runs = ctx.session.scalars(select(LinkageRun).order_by(LinkageRun.id)).all()
        # the incremental run reused the latest full run's model as it was
        assert runs[-1].kind == "incremental" and runs[-2].kind == "full"
        assert runs[-1].model == runs[-2].model
    run.json("lists", "link")
    holds()
    # merging back what was split off contradicts the split: refused, nothing stored
    g = _groups(any_case)
    assert g[off] is not None and g[ids[0]] is not None
    before = _decision_count(any_case)
    bad = run("lists", "merge", str(g[ids[0]]), str(g[off]))
    assert bad.exit_code == 2 and "decided different people" in bad.stderr
    assert _decision_count(any_case) == before
    same = run("lists", "merge", str(g[rx]), str(g[rx]))
    assert same.exit_code == 2 and "itself" in same.stderr
    missing = run("lists", "merge", str(g[rx]), "999999")
    assert missing.exit_code != 0 and "999999" in missing.stderr


def _decision_count(case: Case) -> int:
    with case.act(write=False) as ctx:
        return len(ctx.session.scalars(select(LinkDecision)).all())


def test_the_review_queue_orders_by_the_effect_on_the_estimate(
    case: Case, dalil: DalilRunner, lists_dir: Path
) -> None:
    for i, name in ((1, "committee"), (2, "network"), (3, "hospital")):
        assert dalil("lists", "import", lists_dir / f"list_{i}.csv", "--list", name).exit_code == 0
    # a wide review band (0.3 to 0.99), so that the queue holds pairs of every kind
    dalil.json("lists", "link", "--review-low", "0.3", "--threshold", "0.99")
    by_doubt = dalil.json("lists", "review", "--limit", "10000")
    by_effect = dalil.json("lists", "review", "--limit", "10000", "--order", "effect")
    assert len(by_doubt) >= 5 and sorted(x["pair"] for x in by_doubt) == sorted(
        x["pair"] for x in by_effect
    )
    doubt = [abs(x["probability"] - 0.5) for x in by_doubt]
    assert doubt == sorted(doubt)
    expected = [x["effect"]["expected_change"] for x in by_effect]
    assert all(e is not None for e in expected) and expected == sorted(expected, reverse=True)
    assert all(x["effect"]["if"] in ("link", "split") for x in by_effect)
    assert [x["pair"] for x in by_doubt] != [x["pair"] for x in by_effect]
    # the figures are the library's, on the case's records, lists and persons
    from dalil.estimate.review_effect import decision_effects

    with case.act(write=False) as ctx:
        rows = ctx.session.scalars(select(ListRecord)).all()
        list_of = {str(r.id): str(r.list_id) for r in rows}
        person_of = {str(r.id): str(r.person_id) for r in rows if r.person_id is not None}
    top = next(x for x in by_effect if "p" not in x["pair"])
    a, b = top["pair"].split("-")
    (eff,) = decision_effects(list_of, person_of, [(a, b, top["probability"])])
    assert top["effect"]["estimate_change"] == pytest.approx(eff.change, abs=0.01) != 0
    text = dalil("lists", "review", "--order", "effect", "--limit", "3")
    assert text.exit_code == 0 and "effect" in text.stdout and "exp." in text.stdout
    bad = dalil("lists", "review", "--order", "loudest")
    assert bad.exit_code == 2
