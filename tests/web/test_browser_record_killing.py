"""Chromium, keyboard only: an investigator records a killing end to end — incident
(picked in English, created in Arabic) → victim typed in Latin script while the case
holds her under an Arabic legal name: the duplicate warning appears as she types and
the suggested person is chosen with the arrow keys → act (type, date as people write
it, method, perpetrator unit and perpetrators as reported) → supporting source with a
locator. Screenshots in test-artifacts/web/record-killing-*. All data fictional."""

from __future__ import annotations

from typing import Any

import pytest

from .test_browser import browser, login, page, pytestmark, server, shot

__all__ = ["browser", "page", "pytestmark", "server"]

HELD = {"en": "نادين سمير العلي", "ar": "رنا وليد الحداد"}  # fictional legal names
TYPED = {"en": "Nadine Samir Alali", "ar": "Rana Walid Hadad"}  # Latin, with a typo


def _active(page: Any) -> str:
    return str(page.evaluate("document.activeElement.id || document.activeElement.tagName"))


def _tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        if _active(page) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id} (at {_active(page)})")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_record_a_killing_by_keyboard_with_a_duplicate_warning(
    page: Any, server: str, seeded: dict[str, Any], lang: str
) -> None:
    r = page.request.post(
        f"{server}/api/v1/persons",
        headers={"Authorization": f"Bearer {seeded['tokens']['investigator']}"},
        data={"pseudonym": f"V-held-{lang}", "roles": ["victim"], "sex": "female",
              "legal_name": HELD[lang]},
    )  # fmt: skip
    assert r.status == 201, r.text()
    held_id = str(r.json()["id"])
    login(page, server, "investigator")
    page.goto(f"{server}/record-killing?lang={lang}")
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _active(page) == "k-inc_id"
    if lang == "en":  # pick the incident: type-ahead in the list
        page.keyboard.type("Fictional raid")
        assert page.input_value("#k-inc_id") == str(seeded["incident"])
        _tab_to(page, "k-vic_id")
    else:  # a new incident
        page.keyboard.press("Tab")
        page.keyboard.type("قتل متخيل عند الطاحونة")
        page.keyboard.press("Tab")
        page.keyboard.type("٨ آذار ٢٠٢٥")
        page.keyboard.press("Tab")
        page.keyboard.type("قرية متخيلة")
        page.keyboard.press("Tab")
    assert _active(page) == "k-vic_id"
    page.keyboard.press("Tab")
    assert _active(page) == "k-vic_name"
    page.keyboard.type(TYPED[lang], delay=20)
    page.keyboard.press("Tab")
    page.keyboard.type(f"V-kbd-{lang}")
    page.keyboard.press("Tab")
    assert _active(page) == "k-vic_sex"
    page.keyboard.press("ArrowDown")  # female
    page.keyboard.press("Tab")
    page.keyboard.type("٣١" if lang == "ar" else "31")
    # The warning appears while typing (debounced call to the API), no submission.
    page.locator("#dupes-heading").wait_for(state="visible", timeout=10_000)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)  # the last debounced check has answered
    assert page.locator(f"#dupes input[value='{held_id}']").count() == 1
    assert HELD[lang] not in page.content()  # named by pseudonym, never by legal name
    assert f"V-held-{lang}" in page.locator("#dupes").inner_text()
    shot(page, f"record-killing-dupes-{lang}")
    page.keyboard.press("Tab")
    assert _active(page) == "check-dupes"
    # past the links to the suggestions, into the radio group ("None of these" checked)
    _tab_to(page, "dupe-none", limit=12)
    for _ in range(10):  # arrow keys choose the suggested person
        if page.evaluate("document.activeElement.value") == held_id:
            break
        page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.checked") is True
    assert page.evaluate("document.activeElement.value") == held_id
    _tab_to(page, "k-act_type", limit=12)  # past the links; "killing" already chosen
    page.keyboard.press("Tab")
    page.keyboard.type("٢٠٢٥-٠٣" if lang == "ar" else "8 March 2025")
    page.keyboard.press("Tab")
    page.keyboard.type("shooting")
    page.keyboard.press("Tab")
    assert _active(page) == "k-act_unit"
    page.keyboard.press("ArrowDown")  # the first unit: Fictional Brigade
    page.keyboard.press("Tab")
    page.keyboard.type("مسلحون متخيلون" if lang == "ar" else "Fictional gunmen")
    page.keyboard.press("Tab")
    assert _active(page) == "k-act_perpetrator_ids"
    page.keyboard.press("ArrowDown")  # the first person listed, named as a perpetrator
    perp = page.evaluate("Array.from(document.activeElement.selectedOptions, o => o.value)")
    assert len(perp) == 1 and perp[0].isdigit(), perp
    page.keyboard.press("Tab")
    assert _active(page) == "k-act_status"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert _active(page) == "k-src_id"
    page.keyboard.press("ArrowDown")  # the first source: Fictional NGO report
    page.keyboard.press("Tab")
    page.keyboard.type("p. 9, para. 2")
    shot(page, f"record-killing-filled-{lang}")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # saves (never the duplicate check)
    assert "/acts/" in page.url and "saved=1" in page.url, page.url
    body = page.content()
    assert f'href="/persons/{held_id}"' in body and f"V-held-{lang}" in body
    assert f"V-kbd-{lang}" not in body  # no new person
    assert ("2025-03" if lang == "ar" else "2025-03-08") in body
    assert "Fictional Brigade" in body and "p. 9, para. 2" in body
    assert ("قتل متخيل عند الطاحونة" if lang == "ar" else "Fictional raid on Qarya") in body
    shot(page, f"record-killing-done-{lang}")
    persons = page.request.get(
        f"{server}/api/v1/persons?limit=500",
        headers={"Authorization": f"Bearer {seeded['tokens']['viewer']}"},
    ).json()
    assert f"V-kbd-{lang}" not in [p["pseudonym"] for p in persons["items"]]
    act_id = page.url.split("/acts/")[1].split("?")[0]
    act = page.request.get(
        f"{server}/api/v1/acts/{act_id}",
        headers={"Authorization": f"Bearer {seeded['tokens']['viewer']}"},
    ).json()
    assert act["perpetrator_ids"] == [int(perp[0])]
    assert not page.console_errors, page.console_errors
