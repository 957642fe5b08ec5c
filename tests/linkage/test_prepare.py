"""prepare() works on each column's distinct values; these tests hold it to the plain
value-by-value definitions it replaced (blanks, whitespace, numbers, missing values)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dalil.linkage import model
from dalil.linkage.model import NAME_PARTS, _col, _map_unique, _split, _split_parts, prepare

_VALUES = st.sampled_from(
    [None, math.nan, "", " ", "\t", "  Ahmad ", "Ahmad", "أحمد", "عبد الرحمن", "al-Hasan",
     "Mohammad Abdulrahman al-Hasan", "محمد بن خالد الحسن", "Sami  Haddad", 0, 7, 1.5, "-"]
)  # fmt: skip


def _plain_col(df: pd.DataFrame, name: str) -> pd.Series:
    """The definition: a value is kept unless missing or its text is blank."""
    if name not in df.columns:
        return pd.Series([None] * len(df), index=df.index, dtype="object")
    col = df[name].astype("object")
    return col.where(col.notna() & (col.astype(str).str.strip() != ""), None)


def _plain_map(series: pd.Series, fn: Any) -> pd.Series:
    values = series.dropna()
    values = values[values.astype(str).str.strip() != ""]
    return series.map({u: fn(str(u)) for u in pd.unique(values)})


def _same(a: pd.Series, b: pd.Series) -> None:
    """Equal value by value, a missing value (None or NaN) only where the other has one."""
    assert len(a) == len(b)
    for x, y in zip(a.tolist(), b.tolist(), strict=True):
        assert (pd.isna(x) and pd.isna(y)) or x == y, (x, y)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, min_size=1, max_size=30))
def test_distinct_value_helpers_agree_with_the_value_by_value_definitions(
    values: list[Any],
) -> None:
    df = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    kept = _col(df, "v")
    _same(kept, _plain_col(df, "v"))
    assert [v is None for v in kept] == [v is None for v in _plain_col(df, "v")]
    for fn in (model._nn, model._pk, model._lk, model._place):
        _same(_map_unique(df["v"], fn), _plain_map(df["v"], fn))
    split = _plain_map(kept, _split)
    for i, part in enumerate(_split_parts(kept)):
        expected = split.map(lambda t, i=i: (t[i] or None) if isinstance(t, tuple) else None)
        assert part.tolist() == expected.tolist()
    assert len(_split_parts(kept)) == len(NAME_PARTS)


def test_col_keeps_values_that_are_not_text_and_drops_blank_text() -> None:
    df = pd.DataFrame({"v": pd.Series([0, " ", "x", None, np.nan, "\u00a0"], dtype=object)})
    assert _col(df, "v").tolist() == [0, None, "x", None, None, None]
    # an unhashable value (a list read from JSON) is judged by its text, as before
    df = pd.DataFrame({"v": pd.Series([["a"], [], " "], dtype=object)})
    assert _col(df, "v").tolist() == [["a"], [], None]


def _plain_split_parts(full: pd.Series) -> list[pd.Series]:
    split = _plain_map(full, _split)
    return [
        split.map(lambda t, i=i: (t[i] or None) if isinstance(t, tuple) else None)
        for i in range(len(NAME_PARTS))
    ]


_TRICKY = [
    {"record_id": 1, "full_name": "Mohammad Abdulrahman al-Hasan", "first_name": " ",
     "age": 30, "date_of_death": "2012-05-01", "place_of_death": "  "},
    {"record_id": "2", "first_name": "محمد", "family_name": "الحسن", "father_name": "",
     "full_name": "محمد بن خالد بن علي الحسن", "locality": "Daraa", "sex": "m"},
    {"record_id": "3", "full_name": "   ", "first_name": "Sami", "postcode": 1234,
     "governorate": "\t"},
    {"record_id": "4", "full_name": "Sami Haddad", "first_name": "Sami",
     "father_name": "Khaled", "grandfather_name": "Ali", "family_name": "Haddad",
     "address": 12, "national_id": " "},
    {"record_id": "5", "full_name": "Sami Haddad", "mother_name": "Huda",
     "birth_date": "1970-01-02", "date_of_death": "2013-02-03"},
]  # fmt: skip


def test_prepared_table_equals_the_value_by_value_one(monkeypatch: Any) -> None:
    """The whole table, on records with blank, whitespace-only, numeric and missing
    values, equals the one made with the plain definitions (dtypes included)."""
    fast = prepare(_TRICKY)
    monkeypatch.setattr(model, "_col", _plain_col)
    monkeypatch.setattr(model, "_map_unique", _plain_map)
    monkeypatch.setattr(model, "_split_parts", _plain_split_parts)
    plain = prepare(_TRICKY)
    pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    # and what it says: record 1's parts come from its full name (its given name is
    # blank), record 2 borrows no father's name (a part column is filled), record 3's
    # blank full name and governorate give nothing
    assert fast.loc[0, ["first_norm", "father_norm", "family_norm"]].tolist() == [
        "mohammad", "abdulrahman", "al hasan",
    ]  # fmt: skip
    assert pd.isna(fast.loc[1, "father_norm"]) and fast.loc[1, "place_key"] == "dr"
    assert fast.loc[2, "first_norm"] == "sami" and pd.isna(fast.loc[2, "family_norm"])
    assert pd.isna(fast.loc[2, "gov_key"]) and pd.isna(fast.loc[3, "national_id"])
