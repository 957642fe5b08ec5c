"""The exact pre-filter of candidate pairs (dalil.linkage.bound): a bound of each pair's
match weight from cheap tests is never below the weight Splink gives the pair, so the
pairs scored at or above a threshold are the same with and without the pre-filter.

All records are fictional (generated lists).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dalil.linkage import bound as B
from dalil.linkage import model as M
from dalil.linkage.io import load_lists
from dalil.synth.lists import generate


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Five generated lists (900 fictional people, the design of the scale benchmark's
    seed 7) prepared and a model trained on them."""
    out: Path = tmp_path_factory.mktemp("bound")
    generate(900, 5, seed=4, out_dir=out, design_seed=7)
    records, _ = load_lists(sorted(out.glob("list_*.csv")))
    df = M.prepare(records)
    return df, M.train_model(df)


@pytest.mark.parametrize("threshold", [0.01, 0.3, 0.5, 0.9])
def test_prefilter_keeps_exactly_the_pairs_scored_above_the_threshold(
    trained: tuple[pd.DataFrame, dict[str, Any]], threshold: float
) -> None:
    df, model = trained
    rules = M.blocking_columns(df, budget=20_000)  # refined rules, as at scale
    plain = M.score_pairs(df, model, review_low=threshold, rules=rules)
    fast = M.score_pairs(df, model, review_low=threshold, rules=rules, prefilter=True)
    assert len(plain.pairs) > 50
    pd.testing.assert_frame_equal(plain.pairs, fast.pairs)


def test_bound_is_never_below_the_weight_and_drops_most_pairs(
    trained: tuple[pd.DataFrame, dict[str, Any]],
) -> None:
    """Every candidate pair scored without a threshold: the bound is at least Splink's
    match weight (also on the pairs whose fuzzy levels hold), and most pairs far below
    the threshold are dropped."""
    from splink import Linker

    df, model = trained
    rules = M.blocking_columns(df, budget=20_000)
    db = M._db_api("duckdb")
    con = db._con
    con.register("frame", df.assign(unique_id=range(len(df))))
    con.execute("CREATE TABLE dalil_records AS SELECT * FROM frame")
    sdf = db.register("dalil_records", dataset_display_name="records")
    fresh = Linker(sdf, M.settings(df, rules=rules), log_level=None).misc.save_model_to_json()
    linker = Linker(sdf, M._carry_parameters(model, fresh), log_level=None)
    bound = B.weight_bound_sql(linker.misc.save_model_to_json(), 0.3)
    assert bound is not None and bound.tf_columns == ("first_key",)
    assert "levenshtein" not in bound.sql.lower()
    con.execute(M._bound_table_sql(con, linker, df, "dalil_records", rules, bound))
    con.execute("CREATE TABLE pairs AS " + M.blocked_pairs_sql("dalil_records", rules))
    linker.table_management.register_blocked_pairs_for_predict(
        db.table_to_splink_dataframe("pairs", "pairs")
    )
    scored = linker.inference.predict().as_pandas_dataframe()
    sides = ", ".join(f'{s}."{c}" AS "{c}_{s}"' for c in bound.columns for s in ("l", "r"))
    bounds = con.execute(
        f"SELECT p.join_key_l AS a, p.join_key_r AS b, {bound.sql} AS bound FROM "
        f"(SELECT join_key_l, join_key_r, {sides} FROM pairs "
        "JOIN dalil_bound_records AS l ON l.unique_id = join_key_l "
        "JOIN dalil_bound_records AS r ON r.unique_id = join_key_r) AS p"
    ).df()
    both = scored.merge(
        bounds, left_on=["unique_id_l", "unique_id_r"], right_on=["a", "b"], validate="1:1"
    )
    assert len(both) == len(scored) == len(bounds) > 1000
    assert (both["bound"] >= both["match_weight"] - 1e-9).all()
    # pairs in a fuzzy level (keys one edit apart) are among them: the bound holds there
    fuzzy = both["match_weight"] < both["bound"] - 1e-6
    assert fuzzy.any()
    low = both["match_weight"] < bound.cut - 5
    dropped = both["bound"] < bound.cut
    assert dropped[low].mean() > 0.5
    assert not (dropped & (both["match_weight"] >= bound.cut)).any()


def _relaxed(sql: str) -> str:
    return str(B.relax(B._parse(sql)).sql(dialect="duckdb"))


def test_relax_replaces_edit_distances_by_length_differences() -> None:
    got = _relaxed(
        "a_l = a_r OR (least(length(a_l), length(a_r)) >= 4 AND levenshtein(a_l, a_r) <= 1)"
    )
    assert "LEVENSHTEIN" not in got.upper()
    assert "ABS(LENGTH(a_l) - LENGTH(a_r)) <= 1" in got
    assert _relaxed("a_l = a_r") == "a_l = a_r"
    # anything else expensive, or an edit distance under NOT, gives TRUE
    assert _relaxed("jaro_winkler_similarity(a_l, a_r) > 0.9") == "TRUE"
    assert _relaxed("NOT levenshtein(a_l, a_r) <= 1") == "TRUE"
    assert _relaxed("levenshtein(a_l, a_r) >= 2") == "TRUE"


def test_length_difference_never_exceeds_duckdb_edit_distance() -> None:
    """The relaxation's premise, on DuckDB: lengths and edit distance count code
    points (Arabic letters, combining marks, Latin)."""
    import duckdb

    words = ["سامي", "سام", "Sami", "e\u0301", "e", "", "لا", "ﻻ", "طه", "Taha"]
    con = duckdb.connect()
    pairs = [(a, b) for a in words for b in words]
    rows = con.execute(
        "SELECT levenshtein(a, b) AS d, abs(length(a) - length(b)) AS n FROM "
        "(SELECT unnest($1) AS a, unnest($2) AS b)",
        [[a for a, _ in pairs], [b for _, b in pairs]],
    ).fetchall()
    assert all(n <= d for d, n in rows)
    assert np.mean([n == d for d, n in rows]) < 1  # not trivially equal
