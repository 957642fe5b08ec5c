"""A report's limits ("names are shown by pseudonym", assessments withheld) are written in
the report's language: the notes are message ids translated through the catalogues, not
English sentences inside an Arabic report (issue #11). Fictional demo data."""

from __future__ import annotations

from copy import deepcopy

from dalil.display.messages import N_, Message
from dalil.report.data import CaseSnapshot
from dalil.report.render import render_html

from .conftest import FIXED

PSEUDONYMS = N_("Names are shown by pseudonym: this user may not reveal protected fields.")


def test_the_notes_of_a_report_are_in_its_language(snapshot: CaseSnapshot) -> None:
    snap = deepcopy(snapshot)
    snap.notes = [Message(PSEUDONYMS)]
    en = render_html(snap, "internal", "en", generated=FIXED)
    ar = render_html(snap, "internal", "ar", generated=FIXED)
    assert PSEUDONYMS in en
    assert PSEUDONYMS not in ar
    assert "تظهر الأسماء بالأسماء المستعارة" in ar


def test_the_withheld_assessments_note_is_in_the_reports_language(
    snapshot: CaseSnapshot,
) -> None:
    en = render_html(snapshot, "public", "en", generated=FIXED)
    ar = render_html(snapshot, "public", "ar", generated=FIXED)
    sentence = "not yet signed off by a second legal analyst are not published in this edition"
    assert sentence in en  # the demo case has assessments waiting for a second analyst
    assert sentence not in ar
    assert "لم يوقّعها بعدُ محلل قانوني ثانٍ" in ar
