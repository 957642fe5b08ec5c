"""Interface languages: English (source strings) and Arabic (right to left).

The ``.po`` catalogs in this folder are the only translation files; they are compiled in
memory when the app starts, so there is no build step. ``python -m dalil.web.i18n``
lists strings used in templates or code that a catalog lacks.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

HERE = Path(__file__).parent
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "dalil_lang"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own script, for the language switch
    direction: str  # "ltr" or "rtl"


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "ltr"),
    "ar": Language("ar", "العربية", "rtl"),
}


def catalog_path(code: str) -> Path:
    return HERE / f"{code}.po"


def read_catalog(code: str) -> Catalog:
    with catalog_path(code).open("rb") as f:
        return read_po(f, locale=code)


@cache
def translations(code: str) -> gettext.NullTranslations:
    """Compiled translations for *code* (English passes msgids through)."""
    if code not in LANGUAGES:
        code = DEFAULT_LANGUAGE
    path = catalog_path(code)
    if not path.exists():
        return gettext.NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, read_catalog(code))
    buf.seek(0)
    return Translations(buf)


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """``?lang=`` wins, then the cookie, then the browser's Accept-Language, then English."""
    for cand in (query, cookie):
        if cand and cand in LANGUAGES:
            return cand
    if accept:
        for part in accept.split(","):
            tag = part.split(";")[0].strip().lower()[:2]
            if tag in LANGUAGES:
                return tag
    return DEFAULT_LANGUAGE


def extract_messages() -> set[str]:
    """Every msgid used in templates and web code (with Babel's extractors)."""
    from babel.messages.extract import extract_from_dir

    web = HERE.parent
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[str] = set()
    for _fn, _lineno, message, _comments, _ctx in extract_from_dir(
        str(web), method_map=method_map, options_map=options
    ):
        if isinstance(message, tuple):
            found.update(m for m in message if m)
        elif message:
            found.add(message)
    return found


def main() -> None:  # pragma: no cover - developer helper
    used = extract_messages()
    for code in LANGUAGES:
        if code == DEFAULT_LANGUAGE:
            continue
        cat = read_catalog(code)
        missing = sorted(m for m in used if not (cat.get(m) and cat.get(m).string))
        for m in missing:
            print(f"{code}: missing {m!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
