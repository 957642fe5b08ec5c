"""Corroboration grouping and grading; site status history; unit hierarchy and suspects."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.errors import Conflict, InputError
from dalil.findings.corroboration import Carrier, Claim, groups_from_graph, matrix, parse_grade
from dalil.findings.sites import StatusChange, check_transition
from dalil.findings.units import (
    ActAttribution,
    Membership,
    UnitRecord,
    check_parent,
    suspects_for_acts,
)


def test_rewrites_of_one_release_are_one_origin_not_corroboration() -> None:
    claims = [Claim("C1", "toll", "more than 100 killed")]
    carriers = [
        Carrier("C1", "NGO", "B", 2),
        Carrier("C1", "NEWS1", "C", 3),
        Carrier("C1", "NEWS2", "C", 3),
    ]
    groups = groups_from_graph(["NGO", "NEWS1", "NEWS2"], {"NEWS1": ["NGO"], "NEWS2": ["NEWS1"]})
    m = matrix(claims, carriers, groups=groups)
    row = m["claims"][0]  # type: ignore[index]
    assert row["independent"] == 1
    assert row["status"] == "single origin (repeated)"
    assert row["suggested_credibility"] == 2
    assert row["best_grade"] == "B2"
    assert "derivation graph" in m["grouping"]  # type: ignore[operator]


def test_two_independent_origins_confirm_and_contradiction_marks_contested() -> None:
    claims = [Claim("C1", "attribution", "militia X"), Claim("C2", "method", "shooting")]
    carriers = [
        Carrier("C1", "NGO", "B", 2),
        Carrier("C1", "WIT", "C", 2),
        Carrier("C2", "NGO", "B", 2),
        Carrier("C2", "GOV", "D", 4, stance="contradicts"),
    ]
    m = matrix(claims, carriers)
    r1, r2 = m["claims"]  # type: ignore[misc]
    assert r1["independent"] == 2 and r1["suggested_credibility"] == 1
    assert r2["status"] == "contested" and r2["suggested_credibility"] == 4
    assert "not available" in m["grouping"]  # type: ignore[operator]


def test_admiralty_grades_parse_and_reject() -> None:
    assert parse_grade("b2") == ("B", 2)
    for bad in ("G1", "A7", "AA", "B"):
        with pytest.raises(InputError):
            parse_grade(bad)


def test_site_status_only_moves_forward() -> None:
    h = [StatusChange("reported", date(2025, 3, 9), "inv")]
    check_transition(h, "secured", date(2025, 3, 20))  # skipping a step is allowed
    with pytest.raises(Conflict, match="only moves forward"):
        check_transition(h, "reported", date(2025, 3, 20))
    with pytest.raises(InputError, match="before the previous"):
        check_transition(h, "located", date(2025, 3, 1))
    with pytest.raises(InputError, match="unknown site status"):
        check_transition(h, "buried", date(2025, 3, 20))


def test_unit_cycle_refused_and_suspects_follow_hierarchy_and_dates() -> None:
    units = {
        "BDE": UnitRecord("BDE", "Brigade"),
        "BN": UnitRecord("BN", "Battalion", parent="BDE"),
    }
    with pytest.raises(Conflict, match="cycle"):
        check_parent(units, "BDE", "BN")
    mem = [
        Membership("P1", "BN", "captain", start=date(2024, 1, 1), evidence=("EV-M1",)),
        Membership("P2", "BN", "private", end=date(2024, 12, 31)),
        Membership("P3", "BDE", "brigade commander", start=date(2020, 1, 1)),
        Membership("P4", "BDE", "clerk", start=date(2020, 1, 1)),
    ]
    att = [ActAttribution("ACT-1", "BDE", date(2025, 3, 7), ("EV-A1",))]
    links = suspects_for_acts(units, mem, att)
    assert [(x.person, x.via_unit, x.basis) for x in links] == [
        ("P1", "BN", "member"),
        ("P3", "BDE", "member"),
        ("P4", "BDE", "member"),
    ]
    assert links[0].evidence == ["EV-A1", "EV-M1"]
    # attributed to the battalion: the brigade's commander is a command lead, its clerk is not
    links = suspects_for_acts(units, mem, [ActAttribution("ACT-2", "BN", date(2025, 3, 7))])
    assert [(x.person, x.basis) for x in links] == [("P1", "member"), ("P3", "command")]


@given(
    edges=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=12),
    carried=st.sets(st.integers(0, 7), min_size=1),
)
def test_independent_groups_partition_the_carriers_and_never_exceed_them(
    edges: list[tuple[int, int]], carried: set[int]
) -> None:
    ids = [f"S{i}" for i in range(8)]
    derivations: dict[str, list[str]] = {}
    for a, b in edges:
        if a != b:
            derivations.setdefault(f"S{a}", []).append(f"S{b}")
    groups = groups_from_graph(ids, derivations)
    assert sorted(s for g in groups for s in g) == ids  # a partition of the sources
    m = matrix(
        [Claim("C", "toll", "x")], [Carrier("C", f"S{i}", "B", 2) for i in carried], groups=groups
    )
    row = m["claims"][0]  # type: ignore[index]
    flat = sorted(s for g in row["independent_groups"] for s in g)
    assert flat == sorted(f"S{i}" for i in carried)
    assert 1 <= row["independent"] <= len(carried)
    # linked sources never count as two origins
    for a, b in edges:
        if a in carried and b in carried and a != b:
            assert any({f"S{a}", f"S{b}"} <= set(g) for g in row["independent_groups"])


@given(
    st.lists(st.sampled_from(["reported", "located", "secured", "exhumed"]), min_size=1, max_size=8)
)
def test_site_history_accepted_only_when_strictly_forward(statuses: list[str]) -> None:
    order = ["reported", "located", "secured", "exhumed"]
    history: list[StatusChange] = []
    for k, s in enumerate(statuses):
        ok = not history or order.index(s) > order.index(history[-1].status)
        try:
            check_transition(history, s, date(2021, 5, 1 + k))
        except Conflict:
            assert not ok
        else:
            assert ok
            history.append(StatusChange(s, date(2021, 5, 1 + k), "inv"))
    assert [order.index(h.status) for h in history] == sorted(
        {order.index(h.status) for h in history}
    )
