"""Benchmark: the capture histories the ``/estimates`` page shows, on a case of a
realistic size: counted inside the request (as the page did until it read stored ones)
against the page's read of the histories a ``histories`` job stored.

Builds a SQLite case with ``--lists`` fictional victim lists of ``--records`` linked
records in all (rows written directly: fictional persons ``V-n``, each record's encrypted
row a realistic ~``--row-bytes`` characters of ciphertext), then, in the same run and
the same transaction kind:

* older baseline: the records loaded as whole ORM objects, encrypted row included,
  then counted (the page before it read only the counted columns);
* before (baseline): ``lists.case_histories``, the counted columns only (the page
  before it read stored histories: this work in every request);
* after: ``lists.stored_histories``, what the page reads now (the stored histories and
  whether a change was audited after them), once ``lists.store_histories`` (the job's
  work, timed too) has stored them.

Prints the median of ``--repeat`` calls each with and without a stratum, the ratios, and
checks that all give the same histories.

    python benchmarks/estimates_page.py --records 60000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from _bench import scratch_case


def _before(ctx: Any, strata: tuple[str, ...]) -> tuple[list[str], list[dict[str, Any]]]:
    """The previous read: whole ORM rows, then the same counting."""
    from sqlalchemy import select

    from dalil.model.lists import ListRecord, VictimList
    from dalil.services import retractions
    from dalil.services.lists import _age_group

    in_force = retractions.in_force(
        select(VictimList).order_by(VictimList.id), "list", VictimList.id
    )
    lists = {v.id: v.name for v in ctx.session.scalars(in_force)}
    recs = list(ctx.session.scalars(retractions.list_records_in_force(select(ListRecord))))
    victims: dict[int, list[Any]] = {}
    for r in recs:
        victims.setdefault(r.person_id, []).append(r)
    names = list(lists.values())
    counts: Counter[tuple[Any, ...]] = Counter()
    for rows in victims.values():
        seen = {lists[r.list_id] for r in rows}
        pattern = tuple(int(n in seen) for n in names)
        values = []
        for s in strata:
            if s == "age_group":
                groups = Counter(_age_group(r.age, r.birth_year, r.date_of_death) for r in rows)
                groups.pop("unknown", None)
                values.append(groups.most_common(1)[0][0] if groups else "unknown")
            else:
                c = Counter(getattr(r, s) for r in rows if getattr(r, s))
                values.append(c.most_common(1)[0][0] if c else "unknown")
        counts[(*values, *pattern)] += 1
    out = []
    for key, n in sorted(counts.items(), key=lambda kv: tuple(map(str, kv[0]))):
        row: dict[str, Any] = dict(zip(strata, key[: len(strata)], strict=True))
        row.update(zip(names, key[len(strata) :], strict=True))
        row["count"] = n
        out.append(row)
    return names, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lists", type=int, default=4)
    ap.add_argument("--records", type=int, default=60_000)
    ap.add_argument("--row-bytes", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from sqlalchemy import insert

    from dalil.model.lists import ListRecord, VictimList
    from dalil.model.person import Person
    from dalil.services import lists

    with scratch_case("dalil-estimates-bench-") as (case, _work):
        rng = random.Random(3)
        people = int(args.records / 1.6)
        now = datetime.now(UTC)
        with case.system_session() as s:
            s.execute(insert(Person), [{"pseudonym": f"V-{i}", "roles": ["victim"]}
                                       for i in range(1, people + 1)])  # fmt: skip
            for k in range(args.lists):
                s.add(VictimList(name=f"Fictional list {k}", evidence_sha256="0" * 64,
                                 original_name=f"list{k}.csv", rows_read=0, records=0, report={},
                                 imported_by="admin", imported_at=now))  # fmt: skip
            s.flush()
            blob = "x" * args.row_bytes  # stands for a record's ciphertext (same length)
            rows = []
            for n in range(args.records):
                rows.append({
                    "list_id": 1 + n % args.lists, "record_key": f"r{n}", "row": n,
                    "data_enc": blob, "person_id": rng.randint(1, people),
                    "sex": rng.choice(["female", "male", None]), "age": rng.randint(0, 90),
                    "governorate": rng.choice(["North (fictional)", "South (fictional)"]),
                    "date_of_death": "2025-03-07",
                })  # fmt: skip
            s.execute(insert(ListRecord), rows)
        print(f"case: {args.lists} lists, {args.records:,} linked records of {people:,} victims")
        for strata in ((), ("sex",)):
            older, before, after, job = [], [], [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                with case.act("admin", write=False) as ctx:
                    old = _before(ctx, strata)
                older.append(time.perf_counter() - t)
                t = time.perf_counter()
                with case.act("admin", write=False) as ctx:
                    new = lists.case_histories(ctx, strata)
                before.append(time.perf_counter() - t)
                t = time.perf_counter()
                with case.act("admin") as ctx:
                    lists.store_histories(ctx, strata)
                job.append(time.perf_counter() - t)
                t = time.perf_counter()
                with case.act("admin", write=False) as ctx:
                    held = lists.stored_histories(ctx, strata)
                after.append(time.perf_counter() - t)
                assert old == new, "the two reads gave different histories"
                assert held["state"] == "fresh", held["state"]
                assert (held["lists"], held["rows"]) == new, "the stored histories differ"
            o, b = statistics.median(older), statistics.median(before)
            a, j = statistics.median(after), statistics.median(job)
            what = f"strata {','.join(strata)}" if strata else "no stratum"
            print(f"{what:>12}: whole rows {o * 1000:7.0f} ms; counted in the request "
                  f"(before) {b * 1000:7.0f} ms; stored, read by the page (after) "
                  f"{a * 1000:7.1f} ms, ratio {b / a:.0f}x (vs whole rows {o / a:.0f}x); "
                  f"the job's count and store {j * 1000:7.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
