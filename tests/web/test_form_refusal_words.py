"""A refused form says why in words of its own next to the field, chosen by the
refusal's message id or code, never by its English words (issue #11, items 8 and 10):
rewording a service's English sentence leaves the form's words as they are. All data
fictional."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from .conftest import USERS, Client

#: (refusal, field it is shown next to, its words in English, in Arabic)
WORDS = {
    "parent_id": ("parent_id", "A unit cannot be its own parent or ancestor.",
                  "لا يمكن أن تكون الوحدة أصلًا لنفسها أو لأحد أصولها."),
    "source_id": ("source_id", "Give either a source or an evidence item (exactly one).",
                  "أدخل مصدرًا أو دليلًا (واحدًا فقط)."),
    "witness": ("subject_id", "A testimony link needs a person tagged witness",
                "ربط الشهادة يحتاج شخصًا موسومًا بأنه شاهد"),
    "pseudonym_taken": ("pseudonym", "Another person already has this pseudonym.",
                        "هذا الاسم المستعار مستخدم لشخص آخر."),
    "required": ("title", "Required.", "مطلوب."),
    "date_end": ("date_end", "The last day is before the first day.",
                 "اليوم الأخير يسبق اليوم الأول."),
    "fatalities_best": ("fatalities_best", "The numbers killed must go lowest ≤ best ≤ highest.",
                        "يجب أن تكون أعداد القتلى: الأدنى ≤ الأفضل ≤ الأعلى."),
}  # fmt: skip


def _post(c: Client, url: str, data: dict[str, Any]) -> Any:
    return c.post(url, data={**data, "csrf_token": c.csrf(url)})


def _version(c: Client, url: str) -> str:
    m = re.search(r'name="version" value="([^"]+)"', c.get(url).text)
    assert m is not None, url
    return m.group(1)


def _refusals(c: Client, app: Any, seeded: dict[str, Any], tag: str) -> dict[str, Any]:
    """Each refusal the form has its own words for, as (url, form data)."""
    from dalil.services import persons, records

    with app.state.case.act(USERS["admin"]) as ctx:
        top = records.add(ctx, "unit", name=f"Fictional top unit {tag}", kind="militia").id
        sub = records.add(
            ctx, "unit", name=f"Fictional sub unit {tag}", kind="militia", parent_id=top
        ).id
        iid = records.add(ctx, "incident", title=f"Fictional incident {tag}").id
        persons.add_person(ctx, pseudonym=f"P-taken-{tag}")
    edit = f"/units/{top}/edit"
    return {
        "parent_id": (edit, {"name": f"Fictional top unit {tag}", "kind": "militia",
                             "parent_id": str(sub), "version": _version(c, edit)}),
        "source_id": ("/provenance/new", {"subject_kind": "incident", "subject_id": str(iid),
                                          "role": "supports"}),
        "witness": ("/provenance/new", {"subject_kind": "incident", "subject_id": str(iid),
                                        "role": "testimony_of",
                                        "source_id": str(seeded["source"])}),
        "pseudonym_taken": ("/persons/new", {"pseudonym": f"P-taken-{tag}"}),
        "required": ("/incidents/new", {"title": " ", "place_name": "Qarya (fictional)"}),
        "date_end": ("/incidents/new", {"title": "Fictional raid", "date_start": "2025-03-08",
                                        "date_end": "2025-03-01"}),
        "fatalities_best": ("/incidents/new", {"title": "Fictional raid", "fatalities_low": "9",
                                               "fatalities_best": "3"}),
    }  # fmt: skip


def _shown(html: str, field: str) -> str | None:
    m = re.search(rf'<span class="error[^"]*" id="err-{field}"[^>]*>(.*?)</span>', html, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", m.group(1))).split()) if m else None


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_each_refusal_with_words_of_its_own_is_shown_next_to_its_field(
    make_client: Any, app: Any, seeded: dict[str, Any], lang: str
) -> None:
    c = make_client()
    c.get(f"/login?lang={lang}")
    c.login("investigator")
    wrong = {}
    for key, (url, data) in _refusals(c, app, seeded, f"{lang}-own").items():
        field, en, ar = WORDS[key]
        r = _post(c, url, data)
        shown = _shown(r.text, field)
        if (
            r.status_code != 422
            or shown is None
            or not shown.startswith(en if lang == "en" else ar)
        ):
            wrong[key] = (r.status_code, shown)
    assert not wrong, wrong


def test_rewording_a_refusal_in_english_keeps_the_forms_words(
    make_client: Any, app: Any, seeded: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The services' English sentences changed (same parameters): the form still shows
    the refusal next to its field in its own words, and a stale edit is still said to be
    one (409)."""
    from dalil.services import persons, records

    monkeypatch.setattr(records, "UNIT_CYCLE", "unit %(unit)s loops back to unit %(parent)s")
    monkeypatch.setattr(
        records, "ONE_OF_EVIDENCE_OR_SOURCE", "link: give one of a source or an item"
    )
    monkeypatch.setattr(persons, "PSEUDONYM_TAKEN", "pseudonym %(pseudonym)s: in use")
    monkeypatch.setattr(records, "FIELD_NEEDED", "give %(kind)s a %(field)s")
    monkeypatch.setattr(
        records,
        "STALE_EDIT",
        "%(kind)s %(id)s: edited by %(who)s meanwhile (%(fields)s); not saved",
    )
    c = make_client()
    c.login("investigator")
    cases = _refusals(c, app, seeded, "reworded")
    wrong = {}
    for key in ("parent_id", "source_id", "pseudonym_taken", "required"):
        url, data = cases[key]
        field, en, _ar = WORDS[key]
        r = _post(c, url, data)
        if r.status_code != 422 or _shown(r.text, field) != en:
            wrong[key] = (r.status_code, _shown(r.text, field))
    assert not wrong, wrong
    with app.state.case.act(USERS["admin"]) as ctx:
        iid = records.add(ctx, "incident", title="Fictional incident, stale").id
    r = _post(
        c,
        f"/incidents/{iid}/edit",
        {"title": "Fictional incident, edited", "version": "2000-01-01T00:00:00+00:00"},
    )
    assert r.status_code == 409 and "changed by someone else" in r.text, r.text[-2000:]
