"""Report labels, translated with the gettext catalogs of :mod:`dalil.display.i18n` (the
one translation system of the web and the reports: English msgids, Arabic in ``ar.po``).
Case content (titles, notes) stays as recorded."""

from __future__ import annotations

from dalil.display.i18n import translations

LANGS = ("en", "ar")


def N_(message: str) -> str:
    """Mark *message* for the catalogs (translated later, by :func:`translator`)."""
    return message


#: Report label keys (used by the report template as ``t.key``) and their English text.
MESSAGES: dict[str, str] = {
    "internal_report": N_("Internal report — restricted to the investigation team"),
    "public_report": N_("Public report"),
    "fictional": N_("FICTIONAL CASE — synthetic demo data; no real person, place or event."),
    "generated": N_("Generated"),
    "contents": N_("Contents"),
    "summary": N_("Summary"),
    "timeline": N_("Timeline"),
    "incidents": N_("Incidents"),
    "acts": N_("Killings assessed, element by element"),
    "aggregates": N_("Assessment per incident"),
    "estimates": N_("Estimated number of victims"),
    "corroboration": N_("Corroboration of key claims"),
    "sites": N_("Burial and crime sites"),
    "units": N_("Units"),
    "suspects": N_("Suspects linked to acts through units (leads, not findings)"),
    "witnesses": N_("Witnesses"),
    "evidence": N_("Evidence cited"),
    "notes": N_("Limits of this report"),
    "map": N_("Map of incidents and sites"),
    "map_note": N_("Circles: incidents (area by best fatality figure); squares: sites."),
    "chart_days": N_("Killings by day and place; reported fatalities per incident"),
    "chart_estimates": N_("Estimates with 95% intervals"),
    "id": N_("Id"),
    "date": N_("Date"),
    "place": N_("Place"),
    "event": N_("Event"),
    "actor": N_("Alleged perpetrator"),
    "fatalities": N_("Fatalities low / best / high"),
    "precision": N_("Precision (date, place)"),
    "victim": N_("Victim"),
    "element": N_("Element"),
    "finding": N_("Finding"),
    "status": N_("Status"),
    "signed": N_("signed off by a second legal analyst"),
    "draft": N_("draft — not yet reviewed"),
    "suggested": N_("Suggested qualifications (for the legal team to decide; not a conclusion)"),
    "attack": N_("Widespread or systematic attack (incident level)"),
    "method": N_("Method"),
    "observed": N_("Observed"),
    "estimate": N_("Estimate"),
    "not_estimable": N_("not estimable"),
    "at_least": N_("at least"),
    "at_most": N_("at most"),
    "upper_not_estimable": N_("upper bound not estimable"),
    "lower_not_estimable": N_("lower bound not estimable"),
    "interval_not_estimable": N_("interval not estimable"),
    "interval": N_("95% interval"),
    "not_for_publication": N_("NOT FOR PUBLICATION"),
    "publication_allowed": N_("Published despite its gates; reason recorded by"),
    "lists": N_("Lists"),
    "claim": N_("Claim"),
    "groups": N_("Independent origins"),
    "contra": N_("Contradicted by"),
    "grades": N_("Admiralty grades (reliability A-F, credibility 1-6)"),
    "site_status": N_("Status history"),
    "bodies": N_("Bodies estimated / recovered / identified"),
    "access": N_("Access"),
    "protection": N_("Protection"),
    "identified_victims": N_("Identified victims"),
    "parent": N_("Under"),
    "party": N_("Party"),
    "unit": N_("Unit"),
    "rank": N_("Rank"),
    "person": N_("Person"),
    "acts_col": N_("Acts"),
    "sources": N_("Sources"),
    "kind": N_("Kind"),
    "title": N_("Title"),
    "label": N_("Citation"),
    "assessors": N_("Assessed by / reviewed by"),
    "none": N_("None recorded."),
    "public_note": N_(
        "Protected information (identities of witnesses and victims, contacts, addresses, team members, suspects' names, exact site coordinates, access and protection notes) is omitted from this public edition. Witnesses are numbered."
    ),
    "grouping": N_("Grouping"),
    "civilian_targeting": N_("civilians targeted"),
    "low": N_("low"),
    "best": N_("best"),
    "high": N_("high"),
    "comma": N_(", "),
    "best_grade": N_("best grade"),
    "suggested_credibility": N_("suggested credibility"),
    "cites": N_("Evidence"),
}

#: Elements of the legal assessment, as the Arabic edition names them (the English
#: edition keeps the label the findings give).
ELEMENTS: dict[str, str] = {
    "civilian": N_("Civilian or hors de combat"),
    "deliberate": N_("Deliberate"),
    "identity": N_("Targeted for identity"),
    "party": N_("Perpetrator linked to a party"),
    "nexus": N_("Nexus to an armed conflict"),
    "attack": N_("Widespread or systematic attack"),
}
QUALIFICATIONS = (
    N_("War crime of murder"),
    N_("Murder as a crime against humanity"),
    N_("Persecution as a crime against humanity"),
)
FINDINGS = (
    N_("established"),
    N_("likely"),
    N_("insufficient"),
    N_("contradicted"),
    N_("not assessed"),
)


#: Codes whose word is not the code itself (site kinds, place precisions).
CODE_WORDS: dict[str, str] = {
    "burial": N_("burial site"),
    "mass_grave": N_("mass grave"),
    "crime_scene": N_("crime scene"),
    "locality": N_("town or village"),
}


def word(code: object, lang: str) -> str:
    """A code or vocabulary word of the case (an event type, a precision, a status, a
    site kind) in *lang*; a dash for nothing; anything the catalogs do not hold (case
    content) as it is."""
    if code is None or code == "":
        return "–"
    text = str(code)
    return gettext(CODE_WORDS.get(text, text), lang)


def translator(lang: str) -> dict[str, str]:
    """The report labels in *lang*."""
    if lang not in LANGS:
        raise ValueError(lang)
    t = translations(lang)
    return {k: t.gettext(v) for k, v in MESSAGES.items()}


def gettext(message: str, lang: str) -> str:
    """*message* (a finding, a qualification, an element) in *lang*."""
    return translations(lang).gettext(message) if lang in LANGS else message


def element_label(element: str, label: str, lang: str) -> str:
    """The name of an element of the assessment: the findings' *label* in English."""
    if lang == "en" or element not in ELEMENTS:
        return label
    return gettext(ELEMENTS[element], lang)


def aggregate_sentence(a: dict[str, object], lang: str) -> str:
    if lang != "ar":
        return str(a["sentence"])
    return gettext(
        N_(
            "%(assessed)s acts assessed; %(deliberate)s deliberate; %(identity)s targeted the victim for identity; %(unlawful)s unlawful"
        ),
        lang,
    ) % {k: a[k] for k in ("assessed", "deliberate", "identity", "unlawful")}
