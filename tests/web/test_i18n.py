"""The interface in English and Arabic: complete catalogs, lang/dir, data direction."""

from __future__ import annotations

from typing import Any

import pytest

from dalil.display import i18n

from .conftest import Client


def test_every_string_in_use_has_an_arabic_translation() -> None:
    used = i18n.extract_messages()
    assert len(used) > 100  # the extractor really found the templates' strings
    cat = i18n.read_catalog("ar")
    missing = sorted(m for m in used if cat.get(m) is None or not cat.get(m).string)
    assert not missing, f"untranslated into Arabic: {missing}"


def test_every_catalog_msgid_is_translated_and_keeps_its_placeholders() -> None:
    import re

    for code in i18n.LANGUAGES:
        cat = i18n.read_catalog(code)
        for msg in cat:
            if not msg.id:
                continue
            assert msg.string, f"{code}: empty translation for {msg.id!r}"
            want = sorted(re.findall(r"%\(\w+\)s", str(msg.id)))
            assert sorted(re.findall(r"%\(\w+\)s", str(msg.string))) == want, (code, msg.id)


def test_no_english_left_in_the_arabic_translations() -> None:
    cat = i18n.read_catalog("ar")
    for msg in cat:
        if msg.id and msg.id not in ("SHA-256",):
            assert any("\u0600" <= ch <= "\u06ff" for ch in str(msg.string)), msg.id


@pytest.mark.parametrize(("query", "lang", "direction"), [("en", "en", "ltr"), ("ar", "ar", "rtl")])
def test_lang_and_dir_follow_the_chosen_language(
    client: Client, query: str, lang: str, direction: str
) -> None:
    r = client.get(f"/login?lang={query}")
    assert f'<html lang="{lang}" dir="{direction}">' in r.text


def test_language_choice_sticks_in_a_cookie(client: Client) -> None:
    client.get("/login?lang=ar")
    client.login("viewer")
    r = client.get("/persons")
    assert 'dir="rtl"' in r.text and "الأشخاص" in r.text
    r = client.get("/persons?lang=en")
    assert 'dir="ltr"' in r.text and "Persons" in r.text


def test_accept_language_is_a_fallback_only() -> None:
    assert i18n.pick_language(None, None, "ar-SY,ar;q=0.9,en;q=0.5") == "ar"
    assert i18n.pick_language(None, "en", "ar") == "en"
    assert i18n.pick_language("xx", None, None) == "en"


def test_every_page_has_a_language_switch(client: Client, seeded: dict[str, Any]) -> None:
    assert 'class="lang-switch"' in client.get("/login").text
    client.login("admin")
    for url in [
        "/",
        "/persons",
        f"/persons/{seeded['person']}",
        "/users",
        "/evidence/upload",
        "/sources/new",
    ]:
        html = client.get(url).text
        assert (
            'class="lang-switch"' in html and 'hreflang="ar"' in html and 'hreflang="en"' in html
        ), url


def test_arabic_and_latin_data_are_isolated_for_bidi(client: Client) -> None:
    client.login("viewer")
    html = client.get("/persons?lang=ar").text
    assert '<bdi dir="auto">شاهد-٢</bdi>' in html
    assert '<bdi dir="auto">W-1</bdi>' in html


def test_stylesheet_uses_logical_properties_only() -> None:
    import re
    from pathlib import Path

    import dalil.web

    css = (Path(dalil.web.__file__).parent / "static" / "app.css").read_text()
    physical = re.findall(
        r"(?<![-\w])(margin|padding|border)-(left|right)\b|(?<![-\w])(left|right)\s*:|text-align:\s*(left|right)|float:\s*(left|right)",
        css,
    )
    assert not physical, physical
