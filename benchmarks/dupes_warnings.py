"""Benchmark: duplicate warnings while a victim is typed in (dalil.linkage.similar).

Two sets, reported side by side:

* the hand-written evaluation set ``tests/data/linkage/dupes_eval.json`` (fictional
  names in the forms real lists take: typos, missing parts, Arabic vs Latin spellings,
  kunya and nasab forms, abbreviations, blanks), with probes that are new persons;
* a generated set: ``dalil.synth.lists.generate`` writes fictional lists; the records of
  the first list stand for what the case holds, and every record of the second list is
  typed in as a probe (its true duplicates: the first list's records of the same person).

Each set is scored with the warnings (name keys, aligned units, sex/age/date/place) and
with a baseline that warns on the same normalised full name only; the ratio is printed.
Also the time of one probe against the generated pool.

With ``--service N``, also the service in a real (SQLite) case: N generated list records
imported, then the first check (decrypts every name to build the keys) and later checks
(keys kept in memory), beside the time to decrypt the records alone (the baseline).

Usage: PYTHONPATH=src .venv/bin/python benchmarks/dupes_warnings.py [--people 3000] [--seed 1]
       [--service 5000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from dalil.linkage.fields import parse_age, parse_partial_date, parse_sex
from dalil.linkage.names import normalize_name
from dalil.linkage.similar import (
    LIKELY,
    WARN,
    Pool,
    Probe,
    Scores,
    candidate,
    evaluate,
    record_names,
)
from dalil.synth.lists import generate

EVAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "linkage" / "dupes_eval.json"


def _safe(fn: Any, v: Any) -> Any:
    try:
        return fn(v)
    except ValueError:
        return None


def hand_written() -> tuple[list[dict[str, Any]], list[tuple[Probe, set[str]]]]:
    data = json.loads(EVAL.read_text(encoding="utf-8"))
    probes = [
        (Probe(p["name"], p.get("sex"), p.get("age"), p.get("date"), p.get("place")),
         set(p["expect"]))
        for p in data["probes"]
    ]  # fmt: skip
    return data["existing"], probes


def generated(people: int, seed: int) -> tuple[list[dict[str, Any]], list[tuple[Probe, set[str]]]]:
    res = generate(people, 2, seed=seed)
    truth = res.truth_map()
    (_, first), (_, second) = list(res.lists.items())[:2]
    by_person: dict[str, set[str]] = {}
    existing = []
    for r in first:
        by_person.setdefault(truth[r["record_id"]], set()).add(r["record_id"])
        existing.append({
            "ref": r["record_id"], "names": record_names(r),
            "sex": _safe(parse_sex, r.get("sex")), "age": _safe(parse_age, r.get("age")),
            "date": _safe(parse_partial_date, r.get("date_of_death")),
            "place": r.get("place_of_death"),
        })  # fmt: skip
    probes = []
    for r in second:
        names = record_names(r)
        if not names:
            continue
        probes.append((
            Probe(names[0], _safe(parse_sex, r.get("sex")), _safe(parse_age, r.get("age")),
                  _safe(parse_partial_date, r.get("date_of_death")), r.get("place_of_death")),
            by_person.get(truth[r["record_id"]], set()),
        ))  # fmt: skip
    return existing, probes


def baseline(existing: list[dict[str, Any]], probes: list[tuple[Probe, set[str]]]) -> Scores:
    index: dict[str, set[str]] = {}
    for e in existing:
        for n in e["names"]:
            index.setdefault(normalize_name(n), set()).add(e["ref"])
    w = tw = ex = fd = 0
    for p, t in probes:
        shown = index.get(normalize_name(p.name), set())
        w, tw, ex, fd = w + len(shown), tw + len(shown & t), ex + len(t), fd + len(shown & t)
    return Scores(w, tw, ex, fd)


def report(
    label: str, existing: list[dict[str, Any]], probes: list[tuple[Probe, set[str]]]
) -> None:
    t = time.perf_counter()
    pool = Pool([
        candidate(e["ref"], e["names"], sex=e.get("sex"), age=e.get("age"),
                  date=e.get("date"), place=e.get("place"))
        for e in existing
    ])  # fmt: skip
    build = time.perf_counter() - t
    t = time.perf_counter()
    s = evaluate(pool, probes)
    per_probe = (time.perf_counter() - t) / max(1, len(probes))
    b = baseline(existing, probes)
    dups = sum(1 for _, tr in probes if tr)
    print(f"\n{label}: {len(existing)} held, {len(probes)} probes ({dups} with a true duplicate), "
          f"threshold {WARN}")  # fmt: skip
    print(f"  pool built in {build * 1000:.0f} ms; {per_probe * 1000:.2f} ms per probe")
    print(f"  {'':10}{'warnings':>10}{'precision':>11}{'recall':>9}")
    print(f"  {'dalil':10}{s.warnings:10d}{s.precision:11.3f}{s.recall:9.3f}")
    li = evaluate(pool, probes, threshold=LIKELY)
    print(
        f"  {'likely':10}{li.warnings:10d}{li.precision:11.3f}{li.recall:9.3f}  (score >= {LIKELY})"
    )
    tier_w, tier_t = s.warnings - li.warnings, s.true_warnings - li.true_warnings
    tier_p = tier_t / tier_w if tier_w else 1.0
    print(
        f"  {'possibly':10}{tier_w:10d}{tier_p:11.3f}{'':9}  (the tier alone: {WARN} <= score < {LIKELY})"
    )
    print(f"  {'exact':10}{b.warnings:10d}{b.precision:11.3f}{b.recall:9.3f}")
    ratio = s.recall / b.recall if b.recall else float("inf")
    print(f"  recall ratio dalil/exact-name baseline: {ratio:.2f}")


def service(people: int, seed: int) -> None:
    import csv
    import statistics
    import tempfile

    from sqlalchemy import select

    from dalil.core.case import Case
    from dalil.model.lists import ListRecord
    from dalil.services import duplicates, lists
    from dalil.synth.lists import LIST_COLUMNS

    res = generate(people, 1, seed=seed)
    rows = next(iter(res.lists.values()))
    with tempfile.TemporaryDirectory() as tmp:
        case = Case.init(Path(tmp) / "case", "benchmark passphrase (fictional)", admin="admin")
        path = Path(tmp) / "fictional_list.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=LIST_COLUMNS, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        lists.import_list(case, "admin", path, list_name="Fictional list")
        probes = [names[0] for r in rows[:50] if (names := record_names(r))]
        t = time.perf_counter()
        with case.act() as ctx:
            from dalil.services.lists import _data_context

            for r in ctx.session.scalars(select(ListRecord)):
                ctx.decrypt(r.data_enc, _data_context(r.id))
        decrypt = time.perf_counter() - t
        t = time.perf_counter()
        with case.act() as ctx:
            duplicates.possible_duplicates(ctx, name=probes[0])
        cold = time.perf_counter() - t
        warm = []
        for name in probes[1:]:
            t = time.perf_counter()
            with case.act() as ctx:
                duplicates.possible_duplicates(ctx, name=name)
            warm.append(time.perf_counter() - t)
        case.close()
    n = len(rows)
    print(f"\nservice on SQLite, {n} list records:")
    print(f"  decrypting every record alone (baseline): {decrypt * 1000:.0f} ms")
    print(f"  first check (decrypt + keys): {cold * 1000:.0f} ms "
          f"(ratio to baseline {cold / decrypt:.2f})")  # fmt: skip
    print(f"  later checks (keys in memory): median {statistics.median(warm) * 1000:.1f} ms, "
          f"max {max(warm) * 1000:.1f} ms over {len(warm)} names "
          f"(ratio of median to the first {statistics.median(warm) / cold:.3f})")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--service", type=int, default=0, help="people for the service timing")
    args = ap.parse_args()
    report("hand-written set (tests/data/linkage/dupes_eval.json)", *hand_written())
    report(f"generated set (synth.lists, {args.people} people, seed {args.seed})",
           *generated(args.people, args.seed))  # fmt: skip
    if args.service:
        service(args.service, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
