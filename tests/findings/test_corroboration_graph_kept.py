"""The corroboration matrix's derivation graph is built once per content version of
the sources' texts: a later view reads no text (and logs no read); a changed text or
title builds it again. All texts are fictional."""

from __future__ import annotations

from dalil.core import audit
from dalil.core.case import Case
from dalil.services import corroboration, evidence, records

BASE = (
    "Fictional Monitor, 4 April 2025. Fictional Monitor documented the killing of 23 "
    "civilians in the fictional village of Tal Nakhil on 2 April. Witnesses said armed men "
    "entered the market at dawn and opened fire on the crowd. The group asked for an "
    "independent inquiry into the killings in Tal Nakhil. "
) * 6
OTHER = (
    "Fictional Courier, 9 April 2025. Farmers in the fictional valley of Wadi Sahl said "
    "floods destroyed the harvest; the council promised help with seeds and water pumps "
    "before the next season, and schools reopened after the repairs. "
) * 6


def _reads(case: Case) -> int:
    with case.system_session(write=False) as s:
        return len(
            [
                e
                for e in audit.query(s, action="evidence.read", limit=1000)
                if "derivation graph" in str(e.to_dict()["detail"].get("reason"))
            ]
        )


def _source(case: Case, title: str, text: str) -> int:
    with case.act() as ctx:
        sid = int(records.add(ctx, "source", title=title, kind="article").id)
    evidence.add_bytes(case, case.actor(None), text.encode(), name=f"{sid}.txt", source_id=sid,
                       media_type="text/plain; charset=utf-8")  # fmt: skip
    return sid


def test_the_graph_is_kept_by_the_texts_version(case: Case) -> None:
    a = _source(case, "Fictional Monitor", BASE)
    b = _source(case, "Fictional Daily (copy)", "Fictional Daily, 5 April 2025. " + BASE)
    c = _source(case, "Fictional Courier", OTHER)
    with case.act() as ctx:
        cid = corroboration.add_claim(ctx, "toll", "23 killed in Tal Nakhil (fictional)")
        for sid in (a, b, c):
            corroboration.add_carrier(ctx, cid, sid, "B2")
    corroboration._GROUPS.clear()
    with case.act() as ctx:
        first = corroboration.corroboration(ctx)
    assert "derivation graph" in str(first["grouping"])
    assert first["claims"][0]["independent"] == 2  # type: ignore[index]  # a and b: one line
    assert _reads(case) == 1
    with case.act() as ctx:
        again = corroboration.corroboration(ctx)
    assert again == first and _reads(case) == 1  # kept: no text read, no read logged
    # a new title is a new version: built again (and the read logged)
    with case.act() as ctx:
        records.update(ctx, "source", c, title="Fictional Courier (renamed)")
    with case.act() as ctx:
        renamed = corroboration.corroboration(ctx)
    assert _reads(case) == 2 and renamed["claims"][0]["independent"] == 2  # type: ignore[index]
    # a source whose text now repeats another's: the groups change with the texts
    d = _source(case, "Fictional Echo", "Fictional Echo, 6 April 2025. " + BASE)
    with case.act() as ctx:
        corroboration.add_carrier(ctx, cid, d, "C3")
        grown = corroboration.corroboration(ctx)
    assert _reads(case) == 3
    assert grown["claims"][0]["independent"] == 2  # type: ignore[index]  # d joins a and b
