"""The candidate pairs dalil scores on DuckDB: the distinct union of the blocking rules,
scored exactly as Splink's own blocking would have them scored.

All records are fictional (generated names and towns).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from dalil.linkage import model as M

MALE = ["Muhammad", "Ahmad", "Khalid", "Umar", "Yusuf", "Sami", "Rami", "Fadi", "Walid", "Nabil"]
FAMILY = ["al-Hasan", "al-Ali", "al-Khatib", "al-Shami", "Darwish", "Mansur", "Haddad", "Nasr"]
PLACES = ["Ain al-Ward", "Tell al-Zahra", "Kafr Rayhan", "Basta"]


def _records(n: int, seed: int = 3) -> list[dict[str, Any]]:
    """*n* fictional people, a third of them listed twice with typos and blanks."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    for i in range(n):
        rec = {
            "record_id": f"A-{i}",
            "list": "a",
            "first_name": rng.choice(MALE),
            "father_name": rng.choice(MALE),
            "family_name": rng.choice(FAMILY),
            "sex": rng.choice("mf"),
            "birth_year": rng.randint(1950, 2010),
            "place_of_death": rng.choice(PLACES),
        }
        out.append(rec)
        if i % 3 == 0:
            dup = dict(rec, record_id=f"B-{i}", list="b")
            k = rng.randrange(4)
            if k == 0:
                dup["father_name"] = ""  # a lineage name left blank
            elif k == 1:
                dup["birth_year"] = None  # the age not known
            elif k == 2:
                dup["first_name"] = dup["first_name"][:-1]  # a letter dropped
            else:
                dup["birth_year"] = int(rec["birth_year"]) + 2
            out.append(dup)
    return out


def test_candidate_pairs_are_each_pair_of_any_rule_once() -> None:
    """With a small budget the rules are refined (birth bands, the rules for records
    lacking a birth year or a lineage name); the SQL gives every pair some rule holds,
    each once, and no other pair: checked against every pair of the records."""
    df = M.prepare(_records(900))
    rules = M.blocking_columns(df, budget=3_000)
    assert any(M.BIRTH_GAP in r for r in rules) and any(M.LINEAGE_GAP in r for r in rules)
    assert sum(M._pairs_under(df, r) for r in rules) > 0
    con = duckdb.connect()
    con.register("frame", df.assign(unique_id=range(len(df))))
    con.execute("CREATE TABLE recs AS SELECT * FROM frame")
    got = con.execute(M.blocked_pairs_sql("recs", rules)).df()
    assert len(got) == len(got.drop_duplicates(["join_key_l", "join_key_r"]))
    assert (got["join_key_l"] < got["join_key_r"]).all()
    all_pairs = np.array(list(itertools.combinations(range(len(df)), 2)))
    i, j = pd.Series(all_pairs[:, 0]), pd.Series(all_pairs[:, 1])
    held = np.zeros(len(all_pairs), dtype=bool)
    for r in rules:
        held |= M.rule_catches(df, r, i, j)
    want = {(int(a), int(b)) for a, b in all_pairs[held]}
    assert (
        set(zip(got["join_key_l"].astype(int), got["join_key_r"].astype(int), strict=True)) == want
    )
    # the rules overlap: summed over rules there are more pairs than distinct ones
    assert sum(int(M.rule_catches(df, r, i, j).sum()) for r in rules) > len(want)


def test_scored_pairs_are_those_of_splinks_own_blocking() -> None:
    """The trained model scores the same pairs with the same probabilities whether the
    candidate pairs come from dalil's SQL (positions as ids) or from Splink's blocking
    rules on the records' own ids; the ids come back as given, smaller id on the left,
    in the order of the records."""
    from splink import Linker

    recs = _records(1500)
    rng = random.Random(5)
    rng.shuffle(recs)
    df = M.prepare(recs)
    res = M.run_linkage(df, review_low=0.3)
    assert len(res.pairs) > 300
    db = M._db_api("duckdb")
    linker = Linker(db.register(df, dataset_display_name="records"), res.model_json,
                    log_level=None)  # fmt: skip
    ref = linker.inference.predict(threshold_match_probability=0.3).as_pandas_dataframe()
    key = ["unique_id_l", "unique_id_r"]
    both = res.pairs.merge(ref[[*key, "match_probability"]], on=key, how="outer", indicator=True)
    assert (both["_merge"] == "both").all()
    assert np.allclose(both["match_probability_x"], both["match_probability_y"], atol=1e-9)
    assert (res.pairs["unique_id_l"] < res.pairs["unique_id_r"]).all()
    pos = {rid: p for p, rid in enumerate(df["unique_id"])}
    a = [
        min(pos[x], pos[y])
        for x, y in zip(res.pairs.unique_id_l, res.pairs.unique_id_r, strict=True)
    ]
    b = [
        max(pos[x], pos[y])
        for x, y in zip(res.pairs.unique_id_l, res.pairs.unique_id_r, strict=True)
    ]
    assert list(zip(a, b, strict=True)) == sorted(zip(a, b, strict=True))
