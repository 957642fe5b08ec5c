"""Property: whatever protected values a case holds, the public report never carries them."""

from __future__ import annotations

import copy
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dalil.report.assemble import assemble
from dalil.report.data import CaseSnapshot
from dalil.report.render import render_html

# Distinctive secrets: letters from Latin and Arabic with a marker the report never writes itself.
secret = st.text(alphabet="qxzjkvwQXZJKVWثخذضظغ", min_size=6, max_size=14).map(lambda s: f"ZZ{s}ZZ")


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(values=st.lists(secret, min_size=8, max_size=8, unique=True))
def test_public_report_never_contains_protected_values(
    snapshot: CaseSnapshot, values: list[str]
) -> None:
    snap = copy.deepcopy(snapshot)
    it = iter(values * 100)
    for p in snap.persons.values():
        p.protected_legal_name = next(it)
        p.protected_contact = next(it)
        p.protected_address = next(it)
        p.protected_identity_group = next(it)
        p.protected_notes = next(it)
        if p.role in ("witness", "suspect"):
            p.pseudonym = next(it)
    for s in snap.sites:
        s.access_note = next(it)
        s.protection_note = next(it)
    html = render_html(snap, "public", "en")
    blob = repr(assemble(snap, "public"))
    leaked = [v for v in values if v in html or v in blob]
    assert not leaked
    # the internal edition does carry them (the check is not vacuous)
    assert any(v in render_html(snap, "internal", "en") for v in values)
    assert not re.search(r"ZZ[^Z]+ZZ", html)
