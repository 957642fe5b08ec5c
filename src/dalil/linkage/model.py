"""The Splink linkage model: features, comparisons, blocking, training and prediction.

The records of all input lists are stacked into one table and deduplicated as a whole
(Splink ``link_type="dedupe_only"``), which links records across lists *and* finds
duplicates inside one list. See docs/linkage.md ("Method") for the reasoning.
"""

from __future__ import annotations

import contextlib
import logging
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from dalil.display.messages import N_, Message
from dalil.linkage.bound import WeightBound, weight_bound_sql
from dalil.linkage.fields import place_key
from dalil.linkage.names import long_key, normalize_name, part_key, split_full_name

DEFAULT_THRESHOLD = 0.9
#: ``dalil link`` (files, no review queue): with the support of joins a lower threshold
#: gave a higher F1 at every size measured (docs/linkage.md, "Support of a join")
FILES_THRESHOLD = 0.5
TRAIN_SAMPLE = 300_000
EM_MAX_PAIRS: float | None = 5e5
REVIEW_LOW = 0.3

# feature columns the model can use (a comparison is built only if present)
NAME_PARTS = ("first", "father", "grandfather", "family")
#: In a blocking rule, not a column to agree on but a condition: one of the two records
#: lacks the father's or the family name. Such a record is held by no rule on the
#: lineage; a rule on the given name and place for it alone stays small at scale.
LINEAGE_GAP = "lineage_gap"
#: Likewise: one of the two records has no birth year (no age, year or date given). A
#: rule refined by the birth bands loses such pairs; the same rule restricted to them
#: keeps them (:func:`blocking_columns`).
BIRTH_GAP = "birth_gap"
#: the condition columns of blocking rules (a rule holds at most one)
GAPS = (LINEAGE_GAP, BIRTH_GAP)


@lru_cache(maxsize=500_000)
def _pk(text: str) -> str | None:
    return part_key(text) or None


@lru_cache(maxsize=500_000)
def _lk(text: str) -> str | None:
    return long_key(text) or None


@lru_cache(maxsize=500_000)
def _nn(text: str) -> str | None:
    return normalize_name(text).replace("-", " ") or None


@lru_cache(maxsize=200_000)
def _split(text: str) -> tuple[str, str, str, str]:
    p = split_full_name(text)
    return p.first, p.father, p.grandfather, p.family


@lru_cache(maxsize=100_000)
def _place(text: str) -> str | None:
    return place_key(text)


def _s(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def _distinct(series: pd.Series) -> tuple[Any, list[str | None]]:
    """*series* as codes into its distinct values' texts (``str(value)``; None for a
    value whose text is blank), code -1 for a missing value."""
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)
    texts = [text if (text := str(u)).strip() else None for u in uniques]
    return codes, texts


def _map_unique(series: pd.Series, fn: Callable[[str], Any]) -> pd.Series:
    """Apply *fn* once per distinct non-blank value (names repeat a lot in lists); a
    missing or blank value gives NaN. An object column."""
    codes, texts = _distinct(series)
    results = np.empty(len(texts) + 1, dtype=object)
    results[-1] = np.nan  # code -1: missing
    for j, t in enumerate(texts):
        results[j] = np.nan if t is None else fn(t)
    return pd.Series(results[codes], index=series.index, dtype=object)


def _split_parts(full: pd.Series) -> list[pd.Series]:
    """The four name parts (:data:`NAME_PARTS`) split from each full name, None where
    the name is missing or blank or the split gives no such part; each distinct name
    is split once."""
    codes, texts = _distinct(full)
    split = [None if t is None else _split(t) for t in texts]
    out = []
    for i in range(len(NAME_PARTS)):
        values = np.array([*(p and (p[i] or None) for p in split), None], dtype=object)
        out.append(pd.Series(values[codes], index=full.index, dtype=object))
    return out


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        return pd.Series([None] * len(df), index=df.index, dtype="object")
    col = df[name].astype("object")
    return col.where(_filled(col), None)


def _filled(col: pd.Series) -> Any:
    """Where *col* holds a value whose text is not blank (``str(v).strip()``), as a
    boolean array; the text of each distinct value is looked at once."""
    filled = col.notna().to_numpy()
    try:
        codes, uniques = pd.factorize(col.to_numpy(), use_na_sentinel=True)
    except TypeError:  # an unhashable value (a list from JSON): value by value
        return filled & (col.astype(str).str.strip() != "").to_numpy()
    blank = np.fromiter((not str(u).strip() for u in uniques), dtype=bool, count=len(uniques))
    blank = np.append(blank, True)  # code -1: missing
    result: Any = filled & ~blank[codes]
    return result


def prepare(
    records: Iterable[dict[str, Any]] | pd.DataFrame, reference_year: int | None = None
) -> pd.DataFrame:
    """Turn standard records into the feature table Splink compares.

    Name parts come from the part columns when given, else from splitting
    ``full_name``; when some part columns are given and blank, only the given and
    family names are borrowed from the split. Each part gets a normal form
    (``*_norm``), a coarse key (``*_key``) and a long-vowel key (``*_long``). Every
    distinct value is processed once.
    """
    src = records if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    if src.empty:
        return pd.DataFrame()
    src = src.reset_index(drop=True)
    parts = {k: _col(src, f"{k}_name") for k in NAME_PARTS}
    full = _col(src, "full_name")
    any_part = pd.concat([p.notna() for p in parts.values()], axis=1).any(axis=1)
    all_parts = pd.concat([p.notna() for p in parts.values()], axis=1).all(axis=1)
    need = full.notna() & ~all_parts
    if need.any():
        for k, from_split in zip(NAME_PARTS, _split_parts(full.where(need, None)), strict=True):
            if k in ("first", "family"):
                parts[k] = parts[k].where(parts[k].notna(), from_split)
            else:
                parts[k] = parts[k].where(any_part | parts[k].notna(), from_split)
    out = pd.DataFrame({"unique_id": src["record_id"].astype(str)})
    out["list"] = _col(src, "list")
    for k, v in parts.items():
        out[f"{k}_norm"] = _map_unique(v, _nn)
        out[f"{k}_key"] = _map_unique(v, _pk)
        out[f"{k}_long"] = _map_unique(v, _lk)
    out["mother_key"] = _map_unique(_col(src, "mother_name"), _pk)
    dod = _col(src, "date_of_death")
    bdate = _col(src, "birth_date")
    by = pd.to_numeric(bdate.str[:4] if bdate.notna().any() else bdate, errors="coerce")
    by = by.fillna(pd.to_numeric(_col(src, "birth_year"), errors="coerce"))
    death_year = pd.to_numeric(dod.str[:4] if dod.notna().any() else dod, errors="coerce")
    if reference_year is not None:
        death_year = death_year.fillna(reference_year)
    elif death_year.notna().any():
        # an age without a date of death: the year most of its list died in (a list
        # records one event or period), else that of all lists
        lists = _col(src, "list").fillna("")
        modal = death_year.groupby(lists).agg(
            lambda s: s.mode().iloc[0] if s.notna().any() else None
        )
        death_year = death_year.fillna(lists.map(modal)).fillna(death_year.mode().iloc[0])
    by = by.fillna(death_year - pd.to_numeric(_col(src, "age"), errors="coerce"))
    out["birth_year"] = pd.array(by.round(), dtype="Int64")
    # two overlapping 5-year bands for blocking: years up to 2 apart (an age rounded,
    # a year mistyped) share at least one of them
    out["birth_band_a"] = pd.array((by.round() // 5), dtype="Int64")
    out["birth_band_b"] = pd.array(((by.round() + 2) // 5), dtype="Int64")
    out["birth_date"] = bdate
    out["dod"] = dod
    place = _col(src, "place_of_death")
    place = place.where(place.notna(), _col(src, "locality"))
    out["place_key"] = _map_unique(place, _place)
    out["gov_key"] = _map_unique(_col(src, "governorate"), _place)
    out["sex"] = _col(src, "sex")
    out["national_id"] = _col(src, "national_id")
    out["address_norm"] = _map_unique(_col(src, "address"), _nn)
    out["postcode"] = _col(src, "postcode")
    # a record lacking the father's or the family name (of those the lists carry): no
    # lineage blocking rule holds it, so the rules of LINEAGE_GAP do
    gap = pd.Series(False, index=out.index)
    for k in ("father_key", "family_key"):
        if _present(out, k):
            gap |= out[k].isna()
    out[LINEAGE_GAP] = gap.astype("int8")
    out[BIRTH_GAP] = out["birth_year"].isna().astype("int8")
    for c in out.columns:
        if c not in ("birth_year", "birth_band_a", "birth_band_b", *GAPS):
            out[c] = out[c].astype("string")
            out[c] = out[c].where(out[c].str.len() > 0, pd.NA)
    for k in ("father", "grandfather", "family"):
        # the key less one final h (فرح / Farah): compared as a column, not by a regular
        # expression on each side of every candidate pair (see _close)
        out[f"{k}_key_h"] = out[f"{k}_key"].str.replace(r"h$", "", regex=True)
    return out


# --------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------


def _present(df: pd.DataFrame, col: str, min_share: float = 0.01) -> bool:
    return col in df.columns and df[col].notna().mean() >= min_share


def _name_comparison(part: str, tf: bool) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    key = f"{part}_key"
    exact_key = cll.ExactMatchLevel(key)
    if tf:
        exact_key = cll.ExactMatchLevel(key, term_frequency_adjustments=True)
    return cl.CustomComparison(
        output_column_name=f"{part}_name",
        comparison_levels=[
            cll.NullLevel(key),
            cll.ExactMatchLevel(f"{part}_norm").configure(label_for_charts="same spelling"),
            cll.ExactMatchLevel(f"{part}_long").configure(label_for_charts="same long key"),
            exact_key.configure(label_for_charts="same key"),
            # an edit on a 2-3 letter key is another name (Sami/Rami, Umar/Marwan):
            # fuzzy levels apply to longer keys only
            cll.CustomLevel(
                f"least(length({key}_l), length({key}_r)) >= 4 "
                f"AND levenshtein({key}_l, {key}_r) <= 1",
                "key 1 edit apart (keys of 4+ letters)",
            ),
            cll.CustomLevel(
                f"least(length({key}_l), length({key}_r)) >= 6 "
                f"AND levenshtein({key}_l, {key}_r) <= 2",
                "key 2 edits apart (keys of 6+ letters)",
            ),
            # a typo in a short name (Rtmi, Fai, Umfr) is rarely another name by one
            # inserted or dropped letter; its own level lets training weigh it
            cll.CustomLevel(
                f"abs(length({key}_l) - length({key}_r)) = 1 "
                f"AND levenshtein({key}_l, {key}_r) <= 1",
                "short key, one letter more or less",
            ),
            cll.ElseLevel(),
        ],
    )


def _close(part: str) -> str:
    """Keys equal, one edit apart (keys of 4+ letters), or equal but for a final h that
    one spelling keeps and the other drops (فرح / Farah, طه / Taha); one changed letter
    in a 2-3 letter key is often another name (Sami / Rami)."""
    k = f"{part}_key"
    return (
        f"({k}_l = {k}_r OR (least(length({k}_l), length({k}_r)) >= 4 "
        f"AND levenshtein({k}_l, {k}_r) <= 1) "
        f"OR {k}_h_l = {k}_h_r)"
    )


def _near(part: str) -> str:
    """Close, or a short key with one letter more or less (بال for باسل, a dropped
    letter; but also عباس / باسل, two names): a level of its own, weighed by training."""
    k = f"{part}_key"
    return (
        f"({_close(part)} OR (abs(length({k}_l) - length({k}_r)) = 1 "
        f"AND levenshtein({k}_l, {k}_r) <= 1))"
    )


def _shifted_lineage() -> str:
    """One record's father is the other's grandfather, the first having no grandfather.

    A full name written without the father's name ("Yusuf Hasan al-Khatib" for Yusuf
    son of Ali son of Hasan) is read as given, father, family: the grandfather lands in
    the father's place.
    """
    return (
        "((grandfather_key_l IS NULL AND father_key_l = grandfather_key_r) "
        "OR (grandfather_key_r IS NULL AND father_key_r = grandfather_key_l))"
    )


def _lineage_comparison(df: pd.DataFrame) -> Any | None:
    """Father's, grandfather's and family name compared *together*.

    Siblings share all three; compared separately, their agreements would be counted as
    independent evidence three times over and outweigh a different given name. One
    comparison with joint levels lets random sampling measure how often unrelated
    pairs share a lineage (siblings and cousins included).
    """
    has = [p for p in ("father", "grandfather", "family") if _present(df, f"{p}_key")]
    if not has:
        return None
    if "family" not in has or "father" not in has:
        return _name_comparison(has[0], tf=has[0] == "family")
    levels: list[tuple[str, str]] = []
    if "grandfather" in has:
        levels.append(
            (
                "father_key_l = father_key_r AND grandfather_key_l = grandfather_key_r "
                "AND family_key_l = family_key_r",
                "father, grandfather and family agree",
            )
        )
        levels.append(
            (
                f"{_close('father')} AND {_close('grandfather')} AND {_close('family')}",
                "father, grandfather and family close",
            )
        )
    levels += [
        ("father_key_l = father_key_r AND family_key_l = family_key_r",
         "father and family agree"),
        (f"{_close('father')} AND {_close('family')}", "father and family close"),
        (f"{_near('father')} AND {_near('family')}",
         "father and family close, a letter more or less"),
    ]  # fmt: skip
    if "grandfather" in has:
        levels.append(
            (
                f"{_near('family')} AND {_shifted_lineage()}",
                "family close, one's father is the other's grandfather",
            )
        )
    levels += [
        ("father_key_l = father_key_r AND (family_key_l IS NULL OR family_key_r IS NULL)",
         "father agrees, family missing"),
        ("family_key_l = family_key_r AND (father_key_l IS NULL OR father_key_r IS NULL)",
         "family agrees, father missing"),
        (f"{_close('family')}", "family close, father differs"),
        (f"{_close('father')}", "father close, family differs"),
    ]  # fmt: skip
    return _custom(
        "lineage",
        "(father_key_l IS NULL AND family_key_l IS NULL) "
        "OR (father_key_r IS NULL AND family_key_r IS NULL)",
        levels,
    )


def _custom(name: str, null_sql: str, levels: list[tuple[str, str]]) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=name,
        comparison_levels=[
            cll.CustomLevel(null_sql, "null").configure(is_null_level=True),
            *[cll.CustomLevel(sql, label) for sql, label in levels],
            cll.ElseLevel(),
        ],
    )


def _mother_comparison(df: pd.DataFrame) -> Any:
    """The mother's name, counted only when the father's and family names do not both agree.

    Siblings share their mother as they share their lineage: where father and family
    agree (the lineage comparison has counted that), a shared mother is mostly the
    same household again, not new evidence of the same person; counted on its own it
    linked brothers (random sampling measures a shared mother among all pairs, 1 in
    55, not among pairs of one household). Such pairs get the neutral "missing" level.
    """
    null = "mother_key_l IS NULL OR mother_key_r IS NULL"
    if _present(df, "father_key") and _present(df, "family_key"):
        null += " OR (father_key_l = father_key_r AND family_key_l = family_key_r)"
    return _custom("mother_key", null, [("mother_key_l = mother_key_r", "same mother's name")])


def _several_lists(df: pd.DataFrame) -> bool:
    return "list" in df.columns and df["list"].nunique(dropna=True) > 1


def comparisons(df: pd.DataFrame, *, generic_names: bool = False) -> list[Any]:
    """The comparisons for the columns present in *df*.

    ``generic_names=True`` gives the baseline of the benchmark: plain Jaro-Winkler on the
    raw normalised name parts, no keys, no term frequencies.
    """
    import splink.comparison_library as cl

    comps: list[Any] = []
    if generic_names:
        for part in NAME_PARTS:
            if _present(df, f"{part}_key"):
                comps.append(cl.JaroWinklerAtThresholds(f"{part}_norm", [0.95, 0.88]))
    else:
        if _present(df, "first_key"):
            comps.append(_name_comparison("first", tf=True))
        lineage = _lineage_comparison(df)
        if lineage is not None:
            comps.append(lineage)
    if _present(df, "mother_key"):
        comps.append(_mother_comparison(df))
    if _several_lists(df):
        comps.append(
            _custom(
                "source_list",
                "list_l IS NULL OR list_r IS NULL",
                [("list_l = list_r", "same list (a duplicate inside one list)")],
            )
        )
    if _present(df, "birth_year"):
        comps.append(
            _custom(
                "birth_year",
                "birth_year_l IS NULL OR birth_year_r IS NULL",
                [
                    (
                        "birth_date_l IS NOT NULL AND birth_date_l = birth_date_r "
                        "AND length(birth_date_l) = 10",
                        "same birth date",
                    ),
                    ("birth_year_l = birth_year_r", "same birth year"),
                    ("abs(birth_year_l - birth_year_r) <= 1", "birth years ±1"),
                    ("abs(birth_year_l - birth_year_r) <= 3", "birth years ±3"),
                    ("abs(birth_year_l - birth_year_r) <= 8", "birth years ±8"),
                ],
            )
        )
    if _present(df, "dod"):
        comps.append(
            _custom(
                "date_of_death",
                "dod_l IS NULL OR dod_r IS NULL",
                [
                    ("dod_l = dod_r AND length(dod_l) = 10", "same day"),
                    (
                        "dod_l = substr(dod_r, 1, length(dod_l)) "
                        "OR dod_r = substr(dod_l, 1, length(dod_r))",
                        "compatible (one date less precise)",
                    ),
                    ("substr(dod_l, 1, 7) = substr(dod_r, 1, 7)", "same month"),
                    ("substr(dod_l, 1, 4) = substr(dod_r, 1, 4)", "same year"),
                ],
            )
        )
    if _present(df, "place_key") and _present(df, "gov_key"):
        # Governorates are compared only where a place is missing, and only their
        # agreement counts: lists name them in different languages (a translated
        # district name shares no key with the Arabic one), so different governorate
        # keys beside a missing place are no evidence either way.
        comps.append(
            _custom(
                "place",
                "(place_key_l IS NULL OR place_key_r IS NULL) "
                "AND (gov_key_l IS NULL OR gov_key_r IS NULL OR gov_key_l <> gov_key_r)",
                [
                    ("place_key_l = place_key_r", "same place"),
                    ("levenshtein(place_key_l, place_key_r) <= 1", "place 1 edit apart"),
                    ("gov_key_l = gov_key_r", "same governorate"),
                ],
            )
        )
    elif _present(df, "place_key"):
        comps.append(cl.LevenshteinAtThresholds("place_key", [1]))
    elif _present(df, "gov_key"):
        comps.append(cl.ExactMatch("gov_key"))
    if _present(df, "sex"):
        comps.append(cl.ExactMatch("sex"))
    if _present(df, "national_id"):
        comps.append(cl.LevenshteinAtThresholds("national_id", [1, 2]))
    if _present(df, "address_norm"):
        comps.append(cl.LevenshteinAtThresholds("address_norm", [1, 3]))
    if _present(df, "postcode"):
        comps.append(cl.LevenshteinAtThresholds("postcode", [1]))
    return comps


BLOCKING_CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("first_key", "family_key"),
    ("first_key", "father_key"),
    ("father_key", "family_key"),
    ("first_key", "birth_year"),
    ("family_key", "birth_year"),
    ("father_key", "grandfather_key"),
    ("first_key", "place_key"),
    ("national_id",),
    ("postcode", "birth_date"),
    ("first_key", "postcode"),
    ("family_key", "postcode"),
    ("birth_date", "family_key"),
    ("birth_date", "first_key"),
    # for a record lacking the father's or the family name (see LINEAGE_GAP)
    ("first_key", "place_key", LINEAGE_GAP),
    # the same with the given name mistyped: the lineage name it has, and the place
    ("father_key", "place_key", LINEAGE_GAP),
    ("family_key", "place_key", LINEAGE_GAP),
)
_REFINE = ("birth_band_a", "birth_band_b", "birth_year", "father_key", "family_key", "first_key",
           "place_key", "grandfather_key", "mother_key", "sex")  # fmt: skip
_BANDS = {"birth_band_a", "birth_band_b"}


def _pairs_under(df: pd.DataFrame, cols: Sequence[str], codes: dict[str, Any] | None = None) -> int:
    """Number of pairs the blocking rule on *cols* generates (records with all set)."""
    import numpy as np

    codes = {} if codes is None else codes
    key = np.zeros(len(df), dtype=np.int64)
    mask = np.ones(len(df), dtype=bool)
    for c in cols:
        if c in GAPS:
            continue
        if c not in codes:
            codes[c] = pd.factorize(df[c], use_na_sentinel=True)
        col_codes, uniques = codes[c]
        mask &= col_codes >= 0
        key = key * (len(uniques) + 1) + col_codes
    gaps = [c for c in cols if c in GAPS]
    if gaps:
        # pairs of a block with at least one record lacking the field: all pairs less
        # those of two records that have it
        blocks = pd.DataFrame({"k": key[mask], "gap": df[gaps[0]].to_numpy()[mask] > 0})
        g = blocks.groupby("k")["gap"].agg(["size", "sum"])
        n_all = g["size"].to_numpy(dtype=np.int64)
        n_whole = n_all - g["sum"].to_numpy(dtype=np.int64)
        return int((n_all * (n_all - 1) // 2).sum() - (n_whole * (n_whole - 1) // 2).sum())
    _, counts = np.unique(key[mask], return_counts=True)
    return int((counts.astype(np.int64) * (counts - 1) // 2).sum())


def rule_catches(df: pd.DataFrame, cols: Sequence[str], i: pd.Series, j: pd.Series) -> Any:
    """Whether the blocking rule on *cols* makes a candidate of each pair of rows
    (*i*, *j*: positions in *df*), as a boolean array (benchmarks and tests)."""
    import numpy as np

    a, b = i.to_numpy(), j.to_numpy()
    out = np.ones(len(a), dtype=bool)
    for c in cols:
        if c in GAPS:
            gap = df[c].to_numpy() > 0
            out &= gap[a] | gap[b]
            continue
        codes, _ = pd.factorize(df[c], use_na_sentinel=True)
        out &= (codes[a] >= 0) & (codes[a] == codes[b])
    return out


def blocking_columns(df: pd.DataFrame, budget: int | None = None) -> list[tuple[str, ...]]:
    """The blocking rules (as column tuples) for *df*, within a budget of pairs per rule.

    Several rules on keys, so that a pair missed by one (a typo, a missing part) is
    caught by another. A rule whose blocks would give more than *budget* pairs (default
    ``max(2e6, 10 × records)``: large lists where common names make huge blocks) is
    replaced by all its refinements with one more column (birth year, father, family,
    given name, place, grandfather, sex) that fit the budget; when the birth bands are
    among them, the rule restricted to pairs in which one record has no birth year
    (:data:`BIRTH_GAP`, refined the same way if it does not fit) keeps the pairs the
    bands drop. Rules whose columns are absent are left out. The date of death is never a blocking column:
    in a massacre it takes a handful of values.
    """
    n = len(df)
    budget = budget or int(max(2e6, 10 * n))
    codes: dict[str, Any] = {}
    chosen: list[tuple[str, ...]] = []
    has_gap = {g: g in df.columns and bool(df[g].any()) for g in GAPS}
    todo = list(BLOCKING_CANDIDATES)
    while todo:
        cols = todo.pop(0)
        if not all(_present(df, c) for c in cols) or any(
            g in cols and not has_gap[g] for g in GAPS
        ):
            continue
        if any(set(c) <= set(cols) for c in chosen):
            continue  # already covered by a chosen rule (a rule for records lacking a
            # lineage name, when the rule for all records fits)
        if _pairs_under(df, cols, codes) <= budget:
            chosen.append(cols)
            continue
        banded = False
        for extra in _REFINE:
            if extra in cols or not _present(df, extra):
                continue
            if BIRTH_GAP in cols and extra in (*_BANDS, "birth_year"):
                continue  # one record of each pair has no birth year
            finer = (*cols, extra)
            if any(set(c) <= set(finer) for c in chosen):
                continue  # already covered by a chosen rule
            if extra == "birth_year" and all((*cols, b) in chosen for b in _BANDS):
                continue  # the two birth bands hold every pair of equal years
            if _pairs_under(df, finer, codes) <= budget:
                chosen.append(finer)
                banded |= extra in _BANDS
        if banded and not any(g in cols for g in GAPS):
            # the birth bands drop every pair in which one record has no birth year
            # (an age or a year left blank): the same rule for those pairs alone
            todo.append((*cols, BIRTH_GAP))
    if not chosen and n * (n - 1) // 2 > budget:
        # Never fall back to comparing every pair: 22,000 records are 242 million pairs
        # (the database engine once reached 18.8 GiB and crashed). Say what would help.
        from dalil.errors import InputError

        missing = [label for col, label in _SUGGEST if not _present(df, col)]
        add = ", ".join(missing) if missing else "fields whose values tell people apart"
        raise InputError(
            f"linkage: no blocking rule fits {n} records within {budget} pairs (the names "
            f"alone make blocks too large); add {add} to the lists"
        )
    return chosen


#: Fields that make blocking rules possible, as a user would name them.
_SUGGEST = (
    ("family_key", "family name"),
    ("father_key", "father's name"),
    ("birth_year", "year of birth"),
    ("place_key", "place"),
    ("grandfather_key", "grandfather's name"),
    ("sex", "sex"),
)


def blocking_rules(df: pd.DataFrame, columns: Sequence[Sequence[str]] | None = None) -> list[Any]:
    """Splink's blocking rules for *columns* (default: :func:`blocking_columns` of *df*)."""
    from splink import block_on

    rules: list[Any] = []
    for cols in blocking_columns(df) if columns is None else columns:
        gaps = [c for c in cols if c in GAPS]
        if not gaps:
            rules.append(block_on(*cols))
            continue
        rules.append(_rule_condition(cols))
    return rules


def _rule_condition(cols: Sequence[str]) -> str:
    agree = " AND ".join(f"l.{c} = r.{c}" for c in cols if c not in GAPS)
    gaps = [c for c in cols if c in GAPS]
    return agree + (f" AND (l.{gaps[0]} = 1 OR r.{gaps[0]} = 1)" if gaps else "")


def blocked_pairs_sql(
    table: str,
    rules: Sequence[Sequence[str]],
    bound: WeightBound | None = None,
    columns: Sequence[str] = (),
) -> str:
    """SQL for the distinct candidate pairs of *rules* over *table* (DuckDB).

    *table* has an integer ``unique_id`` (the record's position). Each rule's pairs are
    generated by an equi-join and the union is made distinct once on one integer key per
    pair. Splink's own blocking instead keeps each pair once by testing, for every pair
    of a rule, that no earlier rule holds it (``NOT (rule 1 OR rule 2 …)``): with the
    40-odd refined rules of a large input that test costs several times the joins
    themselves. The pairs are the same.

    With *bound* (:func:`dalil.linkage.bound.weight_bound_sql`), each rule keeps only
    the pairs whose bound of the match weight reaches the cut: those that scoring could
    keep. The bound reads *columns* of both records (as ``column_l``, ``column_r``).
    """
    width = "4294967296"  # 2**32: record positions fit, the pair's key fits in 64 bits

    def rule_sql(cols: Sequence[str]) -> str:
        key = f"l.unique_id * {width} + r.unique_id AS k"
        join = (
            f"FROM {table} AS l JOIN {table} AS r ON {_rule_condition(cols)} "
            "WHERE l.unique_id < r.unique_id"
        )
        if bound is None:
            return f"SELECT {key} {join}"
        sides = ", ".join(f'{s}."{c}" AS "{c}_{s}"' for c in columns for s in ("l", "r"))
        return f"SELECT k FROM (SELECT {key}, {sides} {join}) WHERE {bound.condition()}"

    joins = " UNION ALL ".join(rule_sql(cols) for cols in rules)
    return (
        f"SELECT '0' AS match_key, k // {width} AS join_key_l, k % {width} AS join_key_r "
        f"FROM (SELECT DISTINCT k FROM ({joins}))"
    )


def settings(
    df: pd.DataFrame,
    *,
    generic_names: bool = False,
    rules: Sequence[Sequence[str]] | None = None,
) -> Any:
    """Splink's settings for *df*; *rules*: the blocking columns, if already chosen
    (:func:`blocking_columns` takes seconds on a million records)."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(df, generic_names=generic_names),
        blocking_rules_to_generate_predictions=blocking_rules(df, rules),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        max_iterations=15,
        em_convergence=0.001,
    )


# --------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------


@dataclass
class LinkResult:
    """Scored pairs above *review_low* and the model's trained parameters."""

    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_probability, match_weight
    n_records: int
    model_json: dict[str, Any] = field(default_factory=dict)
    #: record id -> (sex, birth year, national id), for the cluster-level checks
    attributes: dict[str, tuple[str | None, int | None, str | None]] = field(default_factory=dict)
    #: record id -> the list it came from, for the check of one record per list a cluster
    lists: dict[str, str] = field(default_factory=dict)
    #: (incremental runs) fields the new records carry that the model does not compare
    unused_fields: list[str] = field(default_factory=list)


def _db_api(backend: str, protected: bool = False, n_records: int = 0) -> Any:
    if backend == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        con.execute("SET enable_progress_bar = false")
        if protected:
            # decrypted names must never reach the disk: no spilling to temp files
            con.execute("SET temp_directory = ''")
        return DuckDBAPI(connection=con)
    if backend == "spark":
        from dalil.linkage.spark import splink_api

        return splink_api(n_records)
    raise ValueError(f"unknown backend {backend!r}")


def _training_rule_groups(df: pd.DataFrame) -> list[list[tuple[str, ...]]]:
    """EM blocking rules in groups; the first rule of a group that trains is used.

    A comparison is not trained under a rule that uses its columns, so three groups:
    the first fixes the given and family names (training dates, places, sex), the
    second the given name and birth year (training the lineage), the third the lineage
    or dates (training the given name).
    """
    g1 = [("first_key", "family_key"), ("first_key", "father_key"), ("first_key", "postcode")]
    g2 = [("first_key", "birth_year"), ("first_key", "dod"), ("first_key", "place_key"),
          ("first_key", "birth_date"), ("national_id",)]  # fmt: skip
    # not father + family: that block is full of siblings, whom EM would take for matches
    g3 = [("birth_year", "dod"), ("birth_year", "place_key"), ("birth_date",), ("postcode",),
          ("family_key", "birth_year"), ("birth_year",)]  # fmt: skip
    return [[r for r in g if all(_present(df, c) for c in r)] for g in (g1, g2, g3)]


def _regularise(
    model: dict[str, Any], floor_m: float = 0.002, floor_u: float = 1e-6
) -> dict[str, Any]:
    """Fill untrained m values with a decreasing prior and keep every m, u away from 0.

    EM on clean inputs drives some m to 0 (a disagreement "never" seen among matches),
    which makes one disagreement veto any link (a weight of -250 bits); a real list
    has typos in every field, so no level is allowed to be certain.
    """
    lam = model.get("probability_two_random_records_match") or 0.0
    # no deterministic match found (tiny inputs): fall back to a small prior
    model["probability_two_random_records_match"] = min(max(float(lam), 1e-6), 0.5)
    for comp in model["comparisons"]:
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        k = len(levels)
        prior = [0.9 * (0.5**i) for i in range(k - 1)] + [0.05]
        for i, lv in enumerate(levels):
            m_missing = lv.get("m_probability") is None
            u_missing = lv.get("u_probability") is None
            if m_missing and u_missing:
                # never observed at all: neutral evidence
                lv["m_probability"] = lv["u_probability"] = 0.01
            elif m_missing:
                lv["m_probability"] = min(prior[i], float(lv["u_probability"]))
            elif u_missing:
                lv["u_probability"] = floor_u * 10  # never seen among random pairs
        for key, floor in (("m_probability", floor_m), ("u_probability", floor_u)):
            vals = [max(float(lv[key]), floor) for lv in levels]
            total = sum(vals)
            for lv, v in zip(levels, vals, strict=True):
                lv[key] = v / total
    return model


#: Fixed prior for an exact identifier level (same national id, same full birth date)
#: that training left without an m or u: the share of true matches, both values
#: present, whose values are written the same.
IDENTIFIER_M = 0.9


def _collision_rate(values: pd.Series) -> float:
    """Probability that two random records, both with a value, share it (≥ 1 / n²)."""
    v = values.dropna()
    n = len(v)
    if n < 2:
        return 1.0
    counts = v.value_counts().to_numpy(dtype="float64")
    return max(float((counts * (counts - 1)).sum()) / (n * (n - 1)), 1.0 / (n * n))


def _identifier_levels(df: pd.DataFrame) -> list[tuple[str, str, float, float]]:
    """(comparison, level label, share of the comparison's pairs, collision rate)."""
    out: list[tuple[str, str, float, float]] = []
    if _present(df, "national_id"):
        out.append(("national_id", "Exact match on national_id", 1.0,
                    _collision_rate(df["national_id"])))  # fmt: skip
    if _present(df, "birth_year") and "birth_date" in df.columns:
        full = df["birth_date"].where(df["birth_date"].str.len() == 10)
        with_year = int(df["birth_year"].notna().sum())
        if full.notna().sum() >= 2 and with_year:
            share = (float(full.notna().sum()) / with_year) ** 2
            out.append(("birth_year", "same birth date", share, _collision_rate(full)))
    return out


def identifier_priors(model: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """Give exact identifiers their strength when training left them untrained.

    An exact national id or full birth date shared by two records is strong evidence,
    but a level observed neither among the random pairs (u) nor in the EM sample (m)
    — ids carried by one list only, full dates rare — would get a neutral weight.
    Such a level (m or u missing) gets a fixed prior: m = :data:`IDENTIFIER_M` and u =
    the rate at which two random records share a value (from the data's value
    counts), both times the share of compared pairs where the level can occur; the
    other levels of the comparison keep their proportions. The weight is then
    log2(0.9 / collision rate): about +33 bits for unique ten-digit ids among 10^5
    records, +14 bits for birth dates among a population spread over 60 years.
    """
    fixes = {(c, lab): (share, rate) for c, lab, share, rate in _identifier_levels(df)}
    for comp in model.get("comparisons", []):
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for lv in levels:
            key = (comp.get("output_column_name"), lv.get("label_for_charts"))
            if key not in fixes:
                continue
            if lv.get("m_probability") is not None and lv.get("u_probability") is not None:
                continue  # trained
            share, rate = fixes[key]
            new = {"m_probability": share * IDENTIFIER_M, "u_probability": share * rate}
            others = [o for o in levels if o is not lv]
            for k, value in new.items():
                rest = sum(float(o.get(k) or 0.0) for o in others)
                for o in others:
                    if o.get(k) is not None and rest > 0:
                        o[k] = float(o[k]) * (1.0 - value) / rest
                lv[k] = value
    return model


def _carry_parameters(trained: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    fresh["probability_two_random_records_match"] = trained["probability_two_random_records_match"]
    for ct, cf in zip(trained["comparisons"], fresh["comparisons"], strict=True):
        for lt, lf in zip(ct["comparison_levels"], cf["comparison_levels"], strict=True):
            for key in ("m_probability", "u_probability"):
                if key in lt:
                    lf[key] = lt[key]
    return fresh


def run_linkage(
    df: pd.DataFrame,
    *,
    backend: str = "duckdb",
    labels: Sequence[tuple[str, str]] = (),
    review_low: float = REVIEW_LOW,
    seed: int = 42,
    generic_names: bool = False,
    progress: Callable[[str], None] | None = None,
    protected: bool = False,
    prefilter: bool = False,
) -> LinkResult:
    """Train the model on *df* (unsupervised, plus m from accepted *labels*) and score
    every blocked pair, returning those with probability ≥ *review_low*.

    *protected* (records decrypted from a case): DuckDB may not spill to temp files, so
    names never reach the disk in plain text (a run that does not fit in memory fails
    instead); Spark is refused for such records for the same reason.

    *prefilter* (DuckDB): drop the candidate pairs whose bound of the match weight is
    below *review_low* before they are scored (:mod:`dalil.linkage.bound`); the pairs
    returned are the same without it. Off by default: at 229,590 records computing the
    bound cost more CPU than the scoring it saved (docs/linkage.md, "How the candidate
    pairs are made").
    """
    if len(df) < 2:
        return LinkResult(pairs=_empty_pairs(), n_records=len(df))
    if protected and backend != "duckdb":
        from dalil.errors import InputError

        raise InputError(
            "--backend spark is not available for case records: Spark writes "
            "shuffle files to disk, which would hold victims' names unencrypted"
        )
    rules = blocking_columns(df)
    trained = train_model(
        df, labels=labels, seed=seed, generic_names=generic_names, progress=progress,
        protected=protected, rules=rules,
    )  # fmt: skip
    return score_pairs(
        df, trained, backend=backend, review_low=review_low, generic_names=generic_names,
        progress=progress, protected=protected, prefilter=prefilter, rules=rules,
    )  # fmt: skip


def train_model(
    df: pd.DataFrame,
    *,
    labels: Sequence[tuple[str, str]] = (),
    seed: int = 42,
    generic_names: bool = False,
    progress: Callable[[str], None] | None = None,
    protected: bool = False,
    rules: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The trained model (Splink's JSON) for *df*: trained on DuckDB in-process, on a
    sample of :data:`TRAIN_SAMPLE` records when the input is larger."""
    from splink import Linker, block_on
    from splink.internals.exceptions import SplinkException

    say = progress or (lambda _m: None)
    n = len(df)
    n_train = min(n, TRAIN_SAMPLE)
    logging.getLogger("splink").setLevel(logging.ERROR)
    train_df = df.sample(n=TRAIN_SAMPLE, random_state=seed) if n > TRAIN_SAMPLE else df
    db = _db_api("duckdb", protected)
    sdf = db.register(train_df, dataset_display_name="records")
    linker = Linker(sdf, settings(df, generic_names=generic_names, rules=rules), log_level=None)
    say(Message(N_("training on %(n)s records (u by random sampling)"), n=n))
    deterministic: list[Any] = []
    det_cols: tuple[tuple[str, ...], ...] = (
        ("first_key", "father_key", "family_key", "birth_year"),
        ("first_key", "father_key", "family_key", "dod"),
        ("first_key", "family_key", "birth_date"),
        ("national_id",),
    )
    for cols in det_cols:
        if all(_present(df, c) for c in cols):
            deterministic.append(block_on(*cols))
    if deterministic:
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    max_pairs = min(2e6, max(5e4, n_train * 20.0))
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for step, group in enumerate(_training_rule_groups(df), start=1):
        for cols in group:
            say(
                Message(
                    N_("estimating the match weights, pass %(n)s (pairs agreeing on %(k)s fields)"),
                    n=step,
                    k=len(cols),
                )
            )
            snapshot = linker.misc.save_model_to_json()
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*cols),
                    estimate_without_term_frequencies=True,
                    max_pairs=EM_MAX_PAIRS if n_train > 50_000 else None,
                )
                break
            except (ValueError, SplinkException) as e:
                # EM can degenerate on small or very clean inputs (a level's m
                # underflows). A failed session leaves the linker's settings altered,
                # so the model is rebuilt from the snapshot and the next rule is tried.
                del e  # its text is Splink's (SQL, values): not for the log
                say(Message(N_("this pass did not converge; trying other pairs")))
                linker = Linker(sdf, snapshot, log_level=None)
    in_training = set(train_df["unique_id"].astype(str))
    labels = [(a, b) for a, b in labels if a in in_training and b in in_training]
    if labels:
        say(Message(N_("m probabilities from %(n)s accepted pairs"), n=len(labels)))
        lab = pd.DataFrame(
            {
                "source_dataset_l": "records",
                "unique_id_l": [a for a, _ in labels],
                "source_dataset_r": "records",
                "unique_id_r": [b for _, b in labels],
            }
        )
        if len(lab) >= 5:
            lab_sdf = db.register(lab, dataset_display_name="labels")
            linker.training.estimate_m_from_pairwise_labels(lab_sdf)  # type: ignore[no-untyped-call]
    model = identifier_priors(linker.misc.save_model_to_json(), df)
    linker = Linker(sdf, _regularise(model), log_level=None)
    trained: dict[str, Any] = linker.misc.save_model_to_json()
    with contextlib.suppress(Exception):
        db.delete_tables_created_by_splink_from_db()
    return trained


def score_pairs(
    df: pd.DataFrame,
    trained: dict[str, Any],
    *,
    backend: str = "duckdb",
    review_low: float = REVIEW_LOW,
    generic_names: bool = False,
    progress: Callable[[str], None] | None = None,
    protected: bool = False,
    prefilter: bool = False,
    rules: Sequence[Sequence[str]] | None = None,
) -> LinkResult:
    """Score every blocked pair of *df* with the *trained* model on *backend*, keeping
    those with probability ≥ *review_low* (see :func:`run_linkage`)."""
    from splink import Linker

    say = progress or (lambda _m: None)
    n = len(df)
    logging.getLogger("splink").setLevel(logging.ERROR)
    rules = blocking_columns(df) if rules is None else rules
    db = _db_api(backend, protected, len(df))
    ids = df["unique_id"].astype(str).to_numpy()
    if backend == "spark":
        from dalil.linkage.spark import records_frame, scratch_dir

        say(Message(N_("Spark writes its temporary files (they hold the names) to %(dir)s"),
                    dir=str(scratch_dir())))  # fmt: skip
        sdf = db.register(records_frame(db, df), dataset_display_name="records")
    else:
        # scored with the record's position as its id: the joins of blocking and
        # scoring run on integers, and the ids are put back on the scored pairs; a
        # table, not a view of the frame, since every blocking rule reads it
        db._con.register("dalil_records_frame", df.assign(unique_id=range(n)))
        db._con.execute("CREATE TABLE dalil_records AS SELECT * FROM dalil_records_frame")
        db._con.unregister("dalil_records_frame")
        sdf = db.register("dalil_records", dataset_display_name="records")
    # SQL in a saved model is written in the training dialect: build the settings
    # afresh for this backend and carry the trained parameters over, level by level.
    fresh = Linker(
        sdf, settings(df, generic_names=generic_names, rules=rules), log_level=None
    ).misc.save_model_to_json()
    linker = Linker(sdf, _carry_parameters(trained, fresh), log_level=None)
    say(Message(N_("scoring the blocked pairs")))
    if backend == "duckdb":
        _register_blocked_pairs(
            db, linker, df, sdf.physical_name, rules,
            review_low if prefilter else None,
        )  # fmt: skip
    pred = linker.inference.predict(threshold_match_probability=review_low)
    pairs = _scored_pairs(pred, spark=backend == "spark")
    if backend == "duckdb":
        pairs = _with_record_ids(pairs, ids)
    model = linker.misc.save_model_to_json()
    with contextlib.suppress(Exception):
        db.delete_tables_created_by_splink_from_db()
    return LinkResult(pairs=pairs, n_records=n, model_json=model)


def _register_blocked_pairs(
    db: Any,
    linker: Any,
    df: pd.DataFrame,
    table: str,
    rules: Sequence[Sequence[str]],
    cut: float | None,
) -> None:
    """Make the distinct candidate pairs of *rules* (DuckDB) and register them as the
    pairs Splink scores; with *cut*, only the pairs whose bound of the match weight
    reaches that probability (:mod:`dalil.linkage.bound`)."""
    con = db._con
    bound = None
    if cut is not None:
        bound = weight_bound_sql(linker.misc.save_model_to_json(), cut)
    if bound is None:
        con.execute("CREATE TABLE dalil_blocked_pairs AS " + blocked_pairs_sql(table, rules))
    else:
        con.execute(_bound_table_sql(con, linker, df, table, rules, bound))
        con.unregister("dalil_bound_frame")
        con.execute(
            "CREATE TABLE dalil_blocked_pairs AS "
            + blocked_pairs_sql("dalil_bound_records", rules, bound=bound, columns=bound.columns)
        )
        con.execute("DROP TABLE dalil_bound_records")
    linker.table_management.register_blocked_pairs_for_predict(
        db.table_to_splink_dataframe("dalil_blocked_pairs", "dalil_blocked_pairs")
    )


def _bound_table_sql(
    con: Any,
    linker: Any,
    df: pd.DataFrame,
    table: str,
    rules: Sequence[Sequence[str]],
    bound: WeightBound,
) -> str:
    """SQL creating ``dalil_bound_records``: per record (by position), the columns the
    blocking rules join on and the bound reads, small: text compared only for equality
    as integer codes of one dictionary (equal codes exactly where the texts are equal,
    null where the text is), the lengths the bound reads (``x__len``: Python's and
    DuckDB's ``length`` both count code points) and the term frequencies Splink's
    scoring reads, from Splink's own tables (computed once here, reused by scoring)."""
    import numpy as np

    rule_cols = {c for r in rules for c in r}
    codes = [
        c
        for c in sorted(rule_cols | set(bound.code_columns))
        if c in df.columns
        and (c in bound.code_columns or c not in bound.columns)
        and not pd.api.types.is_numeric_dtype(df[c])
    ]
    frame: dict[str, Any] = {"unique_id": np.arange(len(df), dtype=np.int64)}
    if codes:
        stacked = pd.concat([df[c].astype("object") for c in codes], ignore_index=True)
        all_codes, _ = pd.factorize(stacked, use_na_sentinel=True)
        for i, c in enumerate(codes):
            part = all_codes[i * len(df) : (i + 1) * len(df)]
            arr = pd.array(part, dtype="Int32")
            arr[part < 0] = pd.NA
            frame[c] = arr
    for c in bound.length_columns:
        frame[f"{c}__len"] = pd.array(df[c].str.len(), dtype="Int32")
    con.register("dalil_bound_frame", pd.DataFrame(frame))
    raw = sorted(c for c in (rule_cols | set(bound.columns)) if c in df.columns and c not in frame)
    tfs = {c: linker.table_management.compute_tf_table(c).physical_name for c in bound.tf_columns}
    select = ["f.*", *(f'd."{c}"' for c in raw), *(f'{t}."tf_{c}"' for c, t in tfs.items())]
    joins = "".join(f' LEFT JOIN {t} ON d."{c}" = {t}."{c}"' for c, t in tfs.items())
    return (
        f"CREATE TABLE dalil_bound_records AS SELECT {', '.join(select)} "
        f"FROM dalil_bound_frame AS f JOIN {table} AS d ON d.unique_id = f.unique_id{joins}"
    )


def _scored_pairs(pred: Any, *, spark: bool) -> pd.DataFrame:
    """The four columns of the scored pairs as pandas; on Spark they are selected before
    the pairs are collected (the whole table has every comparison's columns)."""
    cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    if spark:
        out: pd.DataFrame = pred.as_spark_dataframe().select(*cols).toPandas()
        return out
    out = pred.as_pandas_dataframe()[cols]
    return out


def _with_record_ids(pairs: pd.DataFrame, ids: Any) -> pd.DataFrame:
    """Scored pairs of record positions with the records' ids put back, the smaller id
    (as text) on the left as Splink's own blocking orders them, in the order of the
    records (the database returns them in whatever order its threads finish; the
    clustering breaks ties of probability by that order, so it is made the same on
    every run)."""
    import numpy as np

    a = pairs["unique_id_l"].to_numpy(dtype="int64")
    b = pairs["unique_id_r"].to_numpy(dtype="int64")
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    left, right = ids[a], ids[b]
    swap = left > right
    return pd.DataFrame(
        {
            "unique_id_l": np.where(swap, right, left),
            "unique_id_r": np.where(swap, left, right),
            "match_probability": pairs["match_probability"].to_numpy()[order],
            "match_weight": pairs["match_weight"].to_numpy()[order],
        }
    )


def _empty_pairs() -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id_l": [], "unique_id_r": [], "match_probability": [], "match_weight": []}
    )


def stderr_progress(msg: str) -> None:
    print(f"[dalil link] {msg}", file=sys.stderr, flush=True)
