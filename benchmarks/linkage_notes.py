"""Benchmark: place, date, kinship and father's name recovered from free-text notes.

1. Hand-written notes (fictional, in real list forms: typos, blanks, mixed scripts,
   Arabic-Indic digits): ``tests/data/linkage/notes_eval.csv`` (the development set the
   rules were written against) and ``notes_heldout.csv`` (written before it was first
   scored; not tuned on). Per field: precision (right / values extracted) and recall
   (right / values the note states), without and with a gazetteer of the places the
   set names (what a list's own place column gives).
2. Generated lists (``dalil.synth.lists.generate``): for a share of the records that
   have a date and place of death, both are moved into a note written from templates
   in the list's script (some with typos, lower case, Arabic-Indic digits, extra
   clauses) and blanked; ``derive_from_notes`` then fills them back. Reported: how
   many derived values are right, and how many records are *identifiable* (a name,
   a date and a place of death) before and after, against the original lists. The
   baseline in the same run is the lists with the notes not read.

Usage: .venv/bin/python benchmarks/linkage_notes.py [--people N] [--lists K] [--seed S]
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path
from typing import Any

from dalil.linkage.io import derive_from_notes
from dalil.linkage.names import normalize_name
from dalil.linkage.notes import Gazetteer, extract
from dalil.synth.lists import generate

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "linkage"
AR_MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
             "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]  # fmt: skip
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]  # fmt: skip
AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def score_set(path: Path, gazetteer: bool) -> dict[str, tuple[int, int, int]]:
    """field -> (right, extracted, stated)."""
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    places = Gazetteer(r["place"] for r in rows if r["place"]) if gazetteer else None
    out = {k: [0, 0, 0] for k in ("place", "date", "kinship", "father")}
    for r in rows:
        e = extract(r["note"], places=places)
        for k, got in (("place", e.place_of_death), ("date", e.date_of_death),
                       ("father", e.father_name)):  # fmt: skip
            want = r[k]
            out[k][2] += bool(want)
            if got:
                out[k][1] += 1
                out[k][0] += normalize_name(got) == normalize_name(want)
        want_k = {x.strip() for x in r["kinship"].split(";") if x.strip()}
        got_k = set(e.kinship)
        out["kinship"][0] += len(want_k & got_k)
        out["kinship"][1] += len(got_k)
        out["kinship"][2] += len(want_k)
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def _note(rec: dict[str, Any], arabic: bool, rnd: random.Random, other: str) -> str:
    """A note stating *rec*'s date and place of death; some also name *other*, another
    place of the list, as the person's origin, or a birth year (distractors)."""
    y, m, d = [*rec["date_of_death"].split("-"), None, None][:3]
    place = rec["place_of_death"]
    if rnd.random() < 0.15:
        place = place.lower()
    if arabic:
        date = rnd.choice(
            [
                f"{int(d)}/{int(m)}/{y}" if d else f"{m}/{y}",
                f"{int(d)} {AR_MONTHS[int(m) - 1]} {y}" if d else f"{AR_MONTHS[int(m) - 1]} {y}",
                f"{y}-{m}-{d}" if d else f"{y}-{m}",
            ]
        )
        if rnd.random() < 0.4:
            date = date.translate(AR_DIGITS)
        verb = rnd.choice(["قتل", "استشهد", "استشهدت", "توفي", "وجدت جثته"])
        return rnd.choice(
            [
                f"{verb} في {place} بتاريخ {date}",
                f"{verb} على حاجز {place} يوم {date} مع أخيه",
                f"{date} - {verb} قرب {place}",
                f"نازح، {verb} في {place} {date} مع زوجته وابنته",
                f"من أهالي {other}، {verb} في {place} بتاريخ {date}",
                f"من مواليد 1980 {verb} في {place} {date}",
            ]
        )
    date = rnd.choice(
        [
            f"{int(d)}/{int(m)}/{y}" if d else f"{m}/{y}",
            f"{int(d)} {EN_MONTHS[int(m) - 1]} {y}" if d else f"{EN_MONTHS[int(m) - 1]} {y}",
            f"{EN_MONTHS[int(m) - 1][:3]} {int(d)}, {y}" if d else f"{EN_MONTHS[int(m) - 1]} {y}",
        ]
    )
    verb = rnd.choice(["killed", "killd", "shot", "died", "body found"])
    return rnd.choice(
        [
            f"{verb} in {place} on {date}",
            f"{verb} at the checkpoint in {place}, {date}, with his brother",
            f"{date}: {verb} near {place}",
            f"displaced; {verb} in {place} {date} with his wife and two sons",
            f"from {other}. {verb} in {place} on {date}",
            f"born 12/4/1980, {verb} in {place} on {date}",
        ]
    )


def identifiable(recs: list[dict[str, Any]]) -> int:
    names = ("full_name", "first_name", "family_name")
    return sum(
        1
        for r in recs
        if any(r.get(k) for k in names) and r.get("date_of_death") and r.get("place_of_death")
    )


def generated(people: int, lists: int, seed: int, share: float) -> None:
    res = generate(people, lists, seed=seed)
    rnd = random.Random(seed)
    right = wrong = moved = 0
    before = after = original = total = 0
    t_read = 0.0
    for k, (name, rows) in enumerate(res.lists.items()):
        arabic = k % 2 == 0  # odd lists (list_1, list_3, …) are in Arabic script
        recs = [dict(r) for r in rows]
        original += identifiable(recs)
        truth: dict[str, tuple[str, str]] = {}
        places = sorted({r["place_of_death"] for r in recs if r.get("place_of_death")})
        for r in recs:
            r["notes"] = ""
            if r.get("date_of_death") and r.get("place_of_death") and rnd.random() < share:
                truth[r["record_id"]] = (r["date_of_death"], r["place_of_death"])
                r["notes"] = _note(r, arabic, rnd, rnd.choice(places))
                r["date_of_death"] = r["place_of_death"] = ""
        moved += len(truth)
        before += identifiable(recs)
        t0 = time.perf_counter()
        derive_from_notes(recs)
        t_read += time.perf_counter() - t0
        after += identifiable(recs)
        total += len(recs)
        for r in recs:
            if r["record_id"] in truth:
                date, place = truth[r["record_id"]]
                for got, want in ((r.get("date_of_death"), date), (r.get("place_of_death"), place)):
                    if got:
                        ok = normalize_name(str(got)) == normalize_name(want)
                        right += ok
                        wrong += not ok
        print(f"  {name}: {len(recs)} records ({'Arabic' if arabic else 'Latin'} notes), "
              f"{len(truth)} with date and place moved into notes")  # fmt: skip
    print(f"generated: {total} records in {lists} lists, {moved} notes; reading notes "
          f"{t_read:.2f} s ({total / max(t_read, 1e-9):,.0f} records/s)")  # fmt: skip
    print(f"  derived values right: {right} of {right + wrong} "
          f"(precision {right / max(1, right + wrong):.3f}); "
          f"recall {right / max(1, 2 * moved):.3f} of the {2 * moved} values moved")  # fmt: skip
    print(f"  identifiable records (name + date + place of death): original lists {original}; "
          f"notes not read (baseline) {before}; notes read {after} "
          f"(+{after - before}, ratio {after / max(1, before):.3f})")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=3000)
    ap.add_argument("--lists", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--share", type=float, default=0.3)
    a = ap.parse_args()
    for label, path in (("development", DATA / "notes_eval.csv"),
                        ("held-out", DATA / "notes_heldout.csv")):  # fmt: skip
        for gaz in (False, True):
            s = score_set(path, gaz)
            cells = []
            for k, (r, e, t) in s.items():
                cells.append(f"{k} P {r / max(1, e):.2f} R {r / max(1, t):.2f} ({r}/{e}/{t})")
            print(
                f"hand-written {label} ({'with' if gaz else 'no'} gazetteer): " + "; ".join(cells)
            )
    generated(a.people, a.lists, a.seed, a.share)


if __name__ == "__main__":
    main()
