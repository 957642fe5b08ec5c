"""One translation system: the reports' labels come from the gettext catalogs the web
uses (src/dalil/display/i18n/*.po), not from a table of their own."""

from __future__ import annotations

from dalil.display.i18n import extract_messages, read_catalog
from dalil.report import i18n


def test_every_report_label_is_an_arabic_catalog_entry() -> None:
    ar = read_catalog("ar")
    arabic = i18n.translator("ar")
    assert i18n.translator("en") == i18n.MESSAGES
    for key, msgid in i18n.MESSAGES.items():
        entry = ar.get(msgid)
        assert entry is not None and entry.string, msgid
        assert arabic[key] == entry.string != msgid


def test_findings_elements_and_the_aggregate_sentence_translate_through_the_catalog() -> None:
    ar = read_catalog("ar")
    for msgid in (*i18n.FINDINGS, *i18n.QUALIFICATIONS, *i18n.ELEMENTS.values()):
        assert i18n.gettext(msgid, "ar") == ar.get(msgid).string  # type: ignore[union-attr]
    a = {"sentence": "x", "assessed": 3, "deliberate": 2, "identity": 1, "unlawful": 2}
    assert i18n.aggregate_sentence(a, "en") == "x"
    assert i18n.aggregate_sentence(a, "ar").startswith("3 أفعال مُقيَّمة")


def test_the_catalog_tool_keeps_the_report_strings() -> None:
    """``python -m dalil.display.i18n`` drops msgids no longer used: it must see these."""
    used = extract_messages()
    assert set(i18n.MESSAGES.values()) <= used
    assert set(i18n.FINDINGS) <= used
