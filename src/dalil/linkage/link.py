"""Linking plain list files (no case): read, validate, score, cluster, write."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dalil.display import csvout
from dalil.display.messages import N_, Message
from dalil.linkage.clusters import (
    DEFAULT_SUPPORT,
    Clustering,
    cluster,
    record_attributes,
    record_lists,
)
from dalil.linkage.io import ListFile, load_lists
from dalil.linkage.model import (
    DEFAULT_THRESHOLD,
    FILES_THRESHOLD,
    REVIEW_LOW,
    LinkResult,
    prepare,
    run_linkage,
)


@dataclass
class LinkOutput:
    records: int
    clusters: int
    clustering: Clustering
    result: LinkResult
    files: list[ListFile] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        sizes = pd.Series(list(self.clustering.cluster_of.values())).value_counts()
        return {
            "records": self.records,
            "clusters": self.clusters,
            "linked_records": int(sizes[sizes > 1].sum()) if len(sizes) else 0,
            "largest_cluster": int(sizes.max()) if len(sizes) else 0,
            "pairs_scored": len(self.result.pairs),
            "joins_refused_by_rejections": self.clustering.blocked_joins,
            "incompatible_joins": self.clustering.incompatible_joins,
            "unsupported_joins": self.clustering.unsupported_joins,
            "same_list_joins": self.clustering.same_list_joins,
            "files": [f.report() for f in self.files],
        }


def link_records(
    records: list[dict[str, Any]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    backend: str = "duckdb",
    accepted: Sequence[tuple[str, str]] = (),
    rejected: Sequence[tuple[str, str]] = (),
    progress: Callable[[str], None] | None = None,
    generic_names: bool = False,
    seed: int = 42,
    protected: bool = False,
    cluster_ids: Sequence[str] | None = None,
) -> LinkOutput:
    """Link standard records (dicts with at least ``record_id`` and a name field).

    *cluster_ids*: cluster only these records (all are scored; pairs with the others
    stay in ``result.pairs``, e.g. to propose matches with records a person decides on).
    """
    say = progress or (lambda _m: None)
    say(Message(N_("preparing %(n)s records"), n=len(records)))
    df = prepare(records)
    res = run_linkage(
        df,
        backend=backend,
        labels=accepted,
        review_low=min(REVIEW_LOW, threshold),
        progress=say,
        generic_names=generic_names,
        seed=seed,
        protected=protected,
    )
    say(
        Message(
            N_("clustering %(pairs)s scored pairs at threshold %(threshold)s"),
            pairs=len(res.pairs),
            threshold=float(threshold),
        )
    )
    ids = [str(r["record_id"]) for r in records] if cluster_ids is None else list(cluster_ids)
    cl = cluster(ids, res.pairs, threshold, accepted=accepted, rejected=rejected,
                 attributes=record_attributes(df), support=DEFAULT_SUPPORT,
                 list_of=record_lists(df))  # fmt: skip
    return LinkOutput(
        records=len(ids), clusters=len(set(cl.cluster_of.values())), clustering=cl, result=res
    )


def link_files(
    paths: Sequence[str | Path],
    out: str | Path | None = None,
    *,
    threshold: float = FILES_THRESHOLD,
    backend: str = "duckdb",
    mapping: dict[str, str] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
    progress: Callable[[str], None] | None = None,
) -> LinkOutput:
    """``dalil link``: read *paths*, link across and within them, write *out*."""
    if not 0.0 < threshold <= 1.0:
        from dalil.errors import InputError

        raise InputError(f"--threshold {threshold}: must be in (0, 1]")
    records, files = load_lists(
        paths, mapping=mapping, sheet=sheet, encoding=encoding, strict=strict
    )
    out_obj = link_records(records, threshold=threshold, backend=backend, progress=progress)
    out_obj.files = files
    if out is not None:
        write_clusters(out_obj.clustering, out)
    return out_obj


def write_clusters(cl: Clustering, out: str | Path) -> None:
    path = Path(out)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = csvout.writer(fh)
        w.writerow(["record_id", "cluster_id", "match_probability"])
        for rid, cid in cl.cluster_of.items():
            w.writerow([rid, cid, f"{cl.probability[rid]:.6g}"])
    tmp.replace(path)
