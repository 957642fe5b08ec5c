"""`dalil link` and `dalil synth lists` end to end on files (no case)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from dalil.linkage.clusters import pairwise_scores
from dalil.synth.lists import SynthLists
from dalil.testing import DalilRunner


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_link_on_generated_lists_recovers_the_truth(
    run: DalilRunner, small_lists: tuple[Path, SynthLists], tmp_path: Path
) -> None:
    """Measured when written: F1 0.954 (precision 0.948, recall 0.961) at 0.9."""
    folder, truth = small_lists
    files = sorted(folder.glob("list_*.csv"))
    out = tmp_path / "clusters.csv"
    r = run("link", *files, "--out", out, "--quiet", "--json")
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)
    rows = _read(out)
    assert list(rows[0]) == ["record_id", "cluster_id", "match_probability"]
    assert len(rows) == summary["records"] == len(truth.truth)
    scores = pairwise_scores({x["record_id"]: x["cluster_id"] for x in rows}, truth.truth_map())
    assert scores["f1"] >= 0.92, scores
    assert scores["precision"] >= 0.92 and scores["recall"] >= 0.9
    # every probability is in (threshold, 1], singletons exactly 1.0
    sizes: dict[str, int] = {}
    for x in rows:
        sizes[x["cluster_id"]] = sizes.get(x["cluster_id"], 0) + 1
    for x in rows:
        p = float(x["match_probability"])
        assert 0.5 <= p <= 1.0  # the default threshold
        if sizes[x["cluster_id"]] == 1:
            assert p == 1.0
            assert x["cluster_id"] == x["record_id"]


def test_link_across_scripts_on_a_tiny_example(
    run: DalilRunner, data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c.csv"
    r = run("link", data / "committee.csv", data / "network.csv", "--out", out, "-q")
    assert r.exit_code == 0, r.stderr
    cl = {x["record_id"]: x["cluster_id"] for x in _read(out)}
    assert cl["c1"] == cl["n1"]  # محمد خالد أحمد الحسن ~ Mohamed Khaled al-Hassan
    assert cl["c3"] == cl["n2"]  # عبد الرحمن يوسف الخطيب ~ Abdulrahman Yousef Al Khatib
    assert cl["c2"] != cl["n4"] and cl["c4"] != cl["n4"]


def test_a_namesake_in_the_same_list_is_not_chained_in_but_a_listed_twice_record_is(
    run: DalilRunner, data: Path, tmp_path: Path
) -> None:
    """Hand-written lists: g1 (no birth year) matches two men of one name in the morgue
    list; they are eight years apart, so only one of them may join it. m3 and m4 are one
    man entered twice in that list, and stay together with his NGO record."""
    out = tmp_path / "c.csv"
    r = run("link", data / "morgue.csv", data / "ngo.csv", "--out", out, "--json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["same_list_joins"] == 1
    cl = {x["record_id"]: x["cluster_id"] for x in _read(out)}
    groups: dict[str, set[str]] = {}
    for rid, cid in cl.items():
        groups.setdefault(cid, set()).add(rid)
    assert sorted(map(sorted, groups.values())) == [
        ["g1", "m1"], ["g2", "m3", "m4"], ["g3", "m5"], ["g5"], ["m2"], ["m6"]
    ]  # fmt: skip


def test_link_reports_repairs_on_stderr_and_strict_fails(
    run: DalilRunner, data: Path, tmp_path: Path
) -> None:
    out = tmp_path / "c.csv"
    r = run("link", data / "bad_dates.csv", data / "network.csv", "--out", out)
    assert r.exit_code == 0
    assert "bad_dates.csv: row 2, column 'date_of_death': repaired" in r.stderr
    assert "Sami" not in r.stderr
    r = run("link", data / "bad_dates.csv", "--out", out, "--strict")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: bad_dates.csv: row 2, column 'date_of_death'")


def test_link_bad_input_exits_2_with_one_line(run: DalilRunner, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.csv"
    (tmp_path / "damaged.csv").write_bytes(b"record_id,full_name\nw1,Sami\x81\x02\n")
    for args, fragment in [
        ((data / "dup_ids.csv",), "duplicated record id"),
        ((data / "no_name.csv",), "missing required column"),
        ((tmp_path / "damaged.csv",), "not valid UTF-8"),
        ((data / "committee.csv", "--map", "x=nickname"), "unknown field"),
        ((data / "committee.csv", "--threshold", "1.5"), "--threshold"),
        ((tmp_path / "absent.csv",), "no such file"),
    ]:
        r = run("link", *args, "--out", out)
        assert r.exit_code == 2, (args, r.stdout)
        assert fragment in r.stderr, (fragment, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    assert not out.exists()  # nothing written on failure


def test_synth_lists_writes_lists_and_truth_apart(run: DalilRunner, tmp_path: Path) -> None:
    info = run.json("synth", "lists", "--people", 120, "--lists", 3, "--seed", 5,
                    "--out", tmp_path / "s")  # fmt: skip
    names = sorted(p.name for p in (tmp_path / "s").iterdir())
    assert names == ["list_1.csv", "list_2.csv", "list_3.csv", "people.csv", "truth.csv"]
    truth = _read(tmp_path / "s" / "truth.csv")
    assert len(truth) == info["records"]
    for f in ("list_1.csv", "list_2.csv", "list_3.csv"):
        assert "person_id" not in _read(tmp_path / "s" / f)[0]
    again = run.json("synth", "lists", "--people", 120, "--lists", 3, "--seed", 5,
                     "--out", tmp_path / "t")  # fmt: skip
    assert again["lists"] == info["lists"]
    assert (tmp_path / "s" / "list_2.csv").read_bytes() == (
        tmp_path / "t" / "list_2.csv"
    ).read_bytes()


def test_accepted_pairs_train_the_model_and_are_linked(
    small_lists: tuple[Path, SynthLists],
) -> None:
    from dalil.linkage.io import load_lists
    from dalil.linkage.link import link_records

    folder, truth = small_lists
    recs, _ = load_lists(sorted(folder.glob("list_*.csv")))
    groups: dict[str, list[str]] = {}
    for rid, pid in truth.truth_map().items():
        groups.setdefault(pid, []).append(rid)
    accepted = [(v[0], v[1]) for v in groups.values() if len(v) >= 2][:30]
    out = link_records(recs, accepted=accepted)
    assert all(out.clustering.cluster_of[a] == out.clustering.cluster_of[b] for a, b in accepted)
    scores = pairwise_scores(out.clustering.cluster_of, truth.truth_map())
    assert scores["f1"] >= 0.92, scores
