"""Element and sign-off rules, qualifications and aggregates (pure logic)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dalil.errors import Conflict, InputError
from dalil.findings.assessment import (
    ACT_ELEMENTS,
    FINDINGS,
    ElementFinding,
    SignOff,
    aggregate,
    check_sign_off,
    current_findings,
    normalise_element,
    sign_off_status,
    suggest_qualifications,
    validate_finding,
)

T0 = datetime(2026, 3, 1, 12, 0)


def full(
    assessor: str = "ana", finding: str = "established", at: datetime = T0
) -> list[ElementFinding]:
    return [ElementFinding(e, finding, ("EV-1",), assessor, at=at) for e in ACT_ELEMENTS]


def test_established_without_evidence_is_refused_with_reason() -> None:
    with pytest.raises(InputError, match="without evidence"):
        validate_finding("deliberate", "established", [])
    with pytest.raises(InputError, match="without evidence"):
        validate_finding("deliberate", "established", ["  "])


def test_likely_and_insufficient_may_be_recorded_without_evidence() -> None:
    assert validate_finding("deliberate", "likely", []) == "likely"
    assert validate_finding("identity", "Insufficient", []) == "insufficient"


def test_unknown_finding_and_element_are_refused() -> None:
    with pytest.raises(InputError, match="unknown finding"):
        validate_finding("civilian", "proven", ["EV-1"])
    with pytest.raises(InputError, match="unknown element"):
        normalise_element("motive")


def test_attack_element_belongs_to_the_incident_not_the_act() -> None:
    with pytest.raises(InputError, match="once per incident"):
        normalise_element("attack", level="act")
    assert normalise_element("widespread", level="incident") == "attack"
    with pytest.raises(InputError, match="per act"):
        normalise_element("deliberate", level="incident")


def test_assessor_cannot_sign_their_own_assessment() -> None:
    history = full("ana")
    with pytest.raises(Conflict, match="cannot sign off"):
        check_sign_off("ana", history)


def test_anyone_who_assessed_any_element_cannot_sign() -> None:
    history = full("ana")
    history.append(ElementFinding("identity", "likely", (), "bea", at=T0))
    with pytest.raises(Conflict):
        check_sign_off("bea", history)
    check_sign_off("carl", history)  # a third analyst may


def test_incomplete_assessment_cannot_be_signed() -> None:
    history = full("ana")[:2]
    with pytest.raises(Conflict, match="not yet assessed"):
        check_sign_off("bea", history)
    with pytest.raises(Conflict, match="nothing to sign"):
        check_sign_off("bea", [])


def test_change_after_sign_off_needs_a_fresh_review() -> None:
    history = full("ana")
    signed = [SignOff("bea", T0 + timedelta(hours=1))]
    assert sign_off_status(history, signed) == "signed"
    history.append(ElementFinding("deliberate", "likely", (), "ana", at=T0 + timedelta(hours=2)))
    assert sign_off_status(history, signed) == "draft"
    assert sign_off_status([], signed) == "unassessed"


def test_qualifications_are_suggestions_that_need_every_element() -> None:
    cur = current_findings(full("ana"))
    q = {x.key: x for x in suggest_qualifications(cur)}
    assert set(q) == {"war_crime_murder"}  # no incident-level attack yet: no CAH suggestion
    assert q["war_crime_murder"].strength == "supported"
    assert q["war_crime_murder"].to_dict()["suggestion"] is True
    inc = {"attack": ElementFinding("attack", "likely", ("EV-9",), "ana", at=T0)}
    q2 = {x.key: x for x in suggest_qualifications(cur, inc)}
    assert set(q2) == {"war_crime_murder", "cah_murder", "cah_persecution"}
    assert q2["cah_persecution"].strength == "possible"
    assert "EV-9" in q2["cah_murder"].evidence
    cur["civilian"] = ElementFinding("civilian", "contradicted", ("EV-2",), "ana", at=T0)
    assert suggest_qualifications(cur, inc) == []


def test_aggregate_counts_established_and_likely_separately() -> None:
    acts = {
        "A1": full("ana"),
        "A2": full("ana", "likely"),
        "A3": [],
        "A4": [*full("ana")[:-1], ElementFinding("nexus", "contradicted", ("EV-3",), "ana", at=T0)],
    }
    agg = aggregate("I1", acts, {"A1": [SignOff("bea", T0 + timedelta(hours=1))]})
    assert (agg.acts, agg.assessed, agg.signed) == (4, 3, 1)
    assert agg.deliberate == 2 and agg.deliberate_likely == 1
    assert agg.identity == 2 and agg.identity_likely == 1
    assert agg.unlawful == 1 and agg.unlawful_likely == 1
    assert agg.sentence().startswith(
        "3 acts assessed; 2 deliberate; 2 identity-targeted; 1 unlawful"
    )
    signed = aggregate(
        "I1", acts, {"A1": [SignOff("bea", T0 + timedelta(hours=1))]}, signed_only=True
    )
    assert signed.assessed == 1 and signed.unlawful == 1


@given(
    st.lists(st.tuples(st.sampled_from(list(ACT_ELEMENTS)), st.sampled_from(FINDINGS)), max_size=30)
)
def test_aggregate_never_counts_more_than_assessed(items: list[tuple[str, str]]) -> None:
    acts = {
        f"A{i}": [ElementFinding(e, f, ("EV",), "ana", at=T0) for e, f in items[i::3]]
        for i in range(3)
    }
    agg = aggregate("I", acts)
    assert 0 <= agg.deliberate + agg.deliberate_likely <= agg.assessed <= agg.acts
    assert 0 <= agg.unlawful + agg.unlawful_likely <= agg.assessed
    assert agg.unlawful <= agg.deliberate
