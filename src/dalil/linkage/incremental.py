"""Incremental linkage: a new list joins the clusters of an earlier run.

A full run trains the model on all records and scores every blocked pair. When a list
arrives later, :func:`link_new_records` keeps the earlier run's trained model and its
clusters and scores only the pairs that involve a new record — new against existing
(Splink's ``predict_between``) and new against new (``predict_within``) — with the
same blocking rules. Term frequencies are recomputed on all records (a count per
name key), as a full run would. Clustering then starts from the existing clusters
(each held together at its recorded probability) and adds the new pairs at or above
the threshold, strongest first, with reviewers' decisions applied as in a full run:
an accepted pair is a link, a rejected pair never ends in one cluster.

What differs from a full relink: the model is not retrained (the new list's records
do not move the m and u probabilities, nor the prior), and pairs between two existing
records are not scored again, so an existing cluster is never split by the new data —
only joined (a new record that links two existing clusters merges them, as in a full
run). Reviewers' decisions are applied to existing clusters too: a rejected pair inside
one cuts it (a split), an accepted pair across two joins them (a merge). ``benchmarks/linkage_incremental.py`` measures the difference.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import Any

import pandas as pd

from dalil.display.messages import N_, Message
from dalil.linkage.clusters import Clustering, cluster, record_attributes, record_lists
from dalil.linkage.model import REVIEW_LOW, LinkResult, _db_api, _empty_pairs, prepare


def _tf_columns(model: dict[str, Any]) -> list[str]:
    cols: set[str] = set()
    for comp in model.get("comparisons", []):
        for level in comp.get("comparison_levels", []):
            if level.get("tf_adjustment_column"):
                cols.add(str(level["tf_adjustment_column"]))
    return sorted(cols)


_FEATURES = ("first_key", "father_key", "grandfather_key", "family_key", "mother_key",
             "birth_year", "birth_date", "dod", "place_key", "gov_key", "sex", "national_id",
             "address_norm", "postcode")  # fmt: skip


def fields_not_in_model(new: pd.DataFrame, model: dict[str, Any]) -> list[str]:
    """Feature columns the *new* prepared records carry (in 1 % or more of them) that
    no comparison of *model* reads: evidence an incremental run cannot use."""
    import re

    used: set[str] = set()
    for comp in model.get("comparisons", []):
        for level in comp.get("comparison_levels", []):
            used.update(re.findall(r"(\w+)_[lr]\b", str(level.get("sql_condition", ""))))
    return [
        c for c in _FEATURES
        if c in new.columns and new[c].notna().mean() >= 0.01 and c not in used
    ]  # fmt: skip


def score_new_records(
    existing: list[dict[str, Any]],
    new: list[dict[str, Any]],
    model: dict[str, Any],
    *,
    review_low: float = REVIEW_LOW,
    protected: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LinkResult:
    """Score the pairs involving a *new* record with an earlier run's trained *model*
    (``LinkResult.model_json``): new x existing and new x new; DuckDB in-process."""
    from splink import Linker

    say = progress or (lambda _m: None)
    if not new:
        return LinkResult(pairs=_empty_pairs(), n_records=len(existing), model_json=model)
    logging.getLogger("splink").setLevel(logging.ERROR)
    say(
        Message(
            N_("preparing %(old)s existing and %(new)s new records"),
            old=len(existing),
            new=len(new),
        )
    )
    df_all = prepare(existing + new)
    new_ids = {str(r["record_id"]) for r in new}
    is_new = df_all["unique_id"].isin(new_ids)
    db = _db_api("duckdb", protected)
    sdf_all = db.register(df_all, dataset_display_name="records")
    linker = Linker(sdf_all, model, log_level=None)
    for col in _tf_columns(model):
        linker.table_management.compute_tf_table(col)
    sdf_new = db.register(df_all[is_new].reset_index(drop=True), dataset_display_name="new")
    frames = []
    if (~is_new).any():
        say(Message(N_("scoring new records against existing ones")))
        sdf_old = db.register(df_all[~is_new].reset_index(drop=True), dataset_display_name="old")
        frames.append(
            linker.inference.predict_between(
                sdf_old, sdf_new, threshold_match_probability=review_low, warning_mode="never"
            ).as_pandas_dataframe()  # type: ignore[no-untyped-call]
        )
    say(Message(N_("scoring new records against each other")))
    frames.append(
        linker.inference.predict_within(
            sdf_new, threshold_match_probability=review_low, warning_mode="never"
        ).as_pandas_dataframe()  # type: ignore[no-untyped-call]
    )
    with contextlib.suppress(Exception):
        db.delete_tables_created_by_splink_from_db()
    cols = ["unique_id_l", "unique_id_r", "match_probability", "match_weight"]
    pairs = pd.concat([f[cols] for f in frames], ignore_index=True)
    out = LinkResult(pairs=pairs, n_records=len(df_all), model_json=model,
                     attributes=record_attributes(df_all),
                     lists=record_lists(df_all))  # fmt: skip
    out.unused_fields = fields_not_in_model(df_all[is_new], model)
    return out


def cluster_incremental(
    existing_clusters: Mapping[str, str],
    existing_probability: Mapping[str, float],
    new_ids: Sequence[str],
    pairs: pd.DataFrame,
    threshold: float,
    *,
    accepted: Sequence[tuple[str, str]] = (),
    rejected: Sequence[tuple[str, str]] = (),
    attributes: dict[str, tuple[str | None, int | None, str | None]] | None = None,
    lists: dict[str, str] | None = None,
) -> Clustering:
    """Existing clusters (record -> cluster id, with each cluster's probability) plus
    *new_ids*, joined by the new *pairs* at or above *threshold*, with the cluster-level
    checks on *attributes* (``LinkResult.attributes`` of :func:`score_new_records`) and,
    with *lists* (``LinkResult.lists``), the check of one record per list."""
    members: dict[str, list[str]] = {}
    for rid, cid in existing_clusters.items():
        members.setdefault(cid, []).append(rid)
    cannot: dict[str, set[str]] = {}
    for a, b in rejected:
        cannot.setdefault(a, set()).add(b)
        cannot.setdefault(b, set()).add(a)
    held = [
        (a, b, float(existing_probability.get(b, 1.0)))
        for ms in members.values()
        for part in _apart(ms, cannot)
        for a, b in pairwise(part)
    ]
    # an existing cluster holds whatever its probability (an earlier run kept it, or
    # reviewers decided it): its links are kept, never refused by the checks
    ids = [*existing_clusters, *new_ids]
    cl = cluster(ids, pairs, threshold, accepted=accepted, rejected=rejected,
                 attributes=attributes or None, kept=held, list_of=lists or None)  # fmt: skip
    return cl


def _apart(members: Sequence[str], cannot: Mapping[str, set[str]]) -> list[list[str]]:
    """An existing cluster cut where reviewers rejected a pair inside it since the run
    that made it (a split): each member joins the first part holding none of the records
    it was rejected against. Without the cut the cluster's held links, chained in any
    order, would be blocked at the rejected pairs and break the cluster into pieces."""
    parts: list[list[str]] = []
    for m in sorted(members, key=lambda x: (len(x), x)):
        bad = cannot.get(m, set())
        part = next((p for p in parts if not bad.intersection(p)), None)
        if part is None:
            parts.append([m])
        else:
            part.append(m)
    return parts


def explain_pairs(
    records: list[dict[str, Any]],
    ids: Sequence[str],
    model: dict[str, Any],
    *,
    protected: bool = False,
) -> list[dict[str, Any]]:
    """Every pair among the records *ids* scored by *model*, field by field.

    Returns one dict per pair (``a``, ``b``, ``probability``, ``match_weight``,
    ``fields``): each field is a comparison with the level the pair reached
    (``same key``, ``2 years apart`` …, or ``missing``) and its weight in bits (log2
    Bayes factor, term-frequency adjustment included; positive for a match). *records*
    are all records (term frequencies are counted on them); no value of a record is
    returned.
    """
    return explain_groups(records, [ids], model, protected=protected)


def _ordered(a: str, b: str) -> bool:
    """Whether (a, b) is the pair's canonical order (numeric ids by value)."""
    return (int(a), b) < (int(b), a) if a.isdigit() and b.isdigit() else a < b


def explain_groups(
    records: list[dict[str, Any]],
    groups: Sequence[Sequence[str]],
    model: dict[str, Any],
    *,
    protected: bool = False,
) -> list[dict[str, Any]]:
    """Every pair within each group of record ids scored by *model*, field by field,
    in one scoring session (as :func:`explain_pairs`, which is one group): what a
    linkage run keeps so that viewing a pair or a cluster is a read. A pair in two
    groups is returned once; groups may overlap (a record in its cluster and in a
    review pair)."""
    from splink import Linker

    groups = [sorted({str(i) for i in g}) for g in groups]
    groups = [g for g in groups if len(g) > 1]
    if not groups:
        return []
    logging.getLogger("splink").setLevel(logging.ERROR)
    df_all = prepare(records)
    settings = dict(model)
    settings["retain_intermediate_calculation_columns"] = True
    # the comparison levels (gamma_*) are returned only with the matching columns; no
    # value of a record leaves this function
    settings["retain_matching_columns"] = True
    db = _db_api("duckdb", protected)
    sdf_all = db.register(df_all, dataset_display_name="records")
    linker = Linker(sdf_all, settings, log_level=None)
    for col in _tf_columns(model):
        linker.table_management.compute_tf_table(col)
    # one copy of a record per group it is in (ids "<id>@<group>"), compared only
    # within its group; term frequencies come from all records, registered above
    pos = pd.Series(range(len(df_all)), index=df_all["unique_id"].astype(str))
    rows, tags, grp = [], [], []
    for k, g in enumerate(groups):
        for rid in g:
            if rid in pos.index:
                rows.append(int(pos[rid]))
                tags.append(f"{rid}@{k}")
                grp.append(str(k))
    part = df_all.iloc[rows].reset_index(drop=True)
    part["unique_id"] = pd.array(tags, dtype="string")
    part["explain_group"] = pd.array(grp, dtype="string")
    sdf = db.register(part, dataset_display_name="groups")
    scored = linker.inference.predict_within(
        sdf,
        blocking_rules_to_generate_predictions=["l.explain_group = r.explain_group"],
        warning_mode="never",
    ).as_pandas_dataframe()  # type: ignore[no-untyped-call]
    with contextlib.suppress(Exception):
        db.delete_tables_created_by_splink_from_db()
    comps = model.get("comparisons", [])
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for row in scored.to_dict("records"):
        a = str(row["unique_id_l"]).rsplit("@", 1)[0]
        b = str(row["unique_id_r"]).rsplit("@", 1)[0]
        if not _ordered(a, b):
            a, b = b, a
        if (a, b) in out:
            continue
        fields = []
        for comp in comps:
            name = str(comp["output_column_name"])
            gamma = int(row.get(f"gamma_{name}", -1))
            if gamma == -1:
                fields.append({"field": name, "level": "missing", "weight": 0.0})
                continue
            # Splink numbers the non-null levels from the last (0) to the first
            levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
            level = levels[len(levels) - 1 - gamma] if 0 <= gamma < len(levels) else {}
            weight = float(row.get(f"mw_{name}") or 0.0)
            weight += float(row.get(f"mw_tf_adj_{name}") or 0.0)
            fields.append({"field": name, "level": str(level.get("label_for_charts", "")),
                           "weight": round(weight, 2)})  # fmt: skip
        out[(a, b)] = {"a": a, "b": b, "probability": round(float(row["match_probability"]), 6),
                       "match_weight": round(float(row["match_weight"]), 2), "fields": fields}  # fmt: skip
    return list(out.values())
