"""Interface languages: English (source strings) and Arabic (right to left).

The ``.po`` catalogs in this folder are the only translation files; they are compiled in
memory when the app starts, so there is no build step. ``python -m dalil.display.i18n``
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
    """Every msgid used in the web's templates and code, in the reports' labels, and the
    messages marked ``N_`` in the services and libraries (job log lines; with Babel's
    extractors)."""
    from babel.messages.extract import extract, extract_from_dir

    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found: set[str] = set()
    # The web pages and their templates, and the reports' labels (report/i18n.py).
    for part in ("web", "report"):
        for _fn, _lineno, message, _comments, _ctx in extract_from_dir(
            str(HERE.parents[1] / part), method_map=method_map, options_map=options
        ):
            if isinstance(message, tuple):
                found.update(m for m in message if m)
            elif message:
                found.add(message)
    # Messages put into words when shown (job log lines and errors: display/messages.py),
    # marked N_ in the services and libraries that write them.
    for part in ("services", "linkage", "estimate", "display", "sources", "core", "findings"):
        for _fn, _lineno, message, _comments, _ctx in extract_from_dir(
            str(HERE.parents[1] / part), method_map=[("**.py", "python")], keywords={"N_": None}
        ):
            if isinstance(message, str) and message:
                found.add(message)
    # and the one table reader, a module of its own (dalil/tabular.py)
    with open(HERE.parents[1] / "tabular.py", "rb") as f:
        for _lineno, message, _comments, _ctx in extract("python", f, keywords={"N_": None}):
            if isinstance(message, str) and message:
                found.add(message)
    return found


def update_catalogs(new: dict[str, dict[str, str]] | None = None) -> dict[str, list[str]]:
    """Bring every catalog in line with the strings in use (developer tool).

    Adds missing msgids (English: msgstr = msgid; other languages: from *new* if given,
    else empty so the completeness test fails), drops msgids no longer used, writes the
    ``.po`` files sorted. Returns, per language, the msgids still untranslated.
    """
    from babel.messages.pofile import write_po

    used = extract_messages()
    missing: dict[str, list[str]] = {}
    for code in LANGUAGES:
        old = read_catalog(code) if catalog_path(code).exists() else Catalog(locale=code)
        cat = Catalog(
            locale=code,
            project="dalil",
            version="1",
            copyright_holder="dalil contributors",
            charset="utf-8",
            fuzzy=False,
        )
        for msgid in sorted(used):
            prev = old.get(msgid)
            text = prev.string if prev is not None and prev.string else ""
            if code == DEFAULT_LANGUAGE:
                text = msgid
            elif not text and new and msgid in new.get(code, {}):
                text = new[code][msgid]
            cat.add(msgid, text, flags=("python-format",) if "%(" in msgid else ())
        missing[code] = [m for m in sorted(used) if not cat.get(m).string]  # type: ignore[union-attr]
        with catalog_path(code).open("wb") as f:
            write_po(f, cat, width=100, omit_header=False, sort_output=True)
    translations.cache_clear()
    return missing


def main() -> None:  # pragma: no cover - developer helper
    """``python -m dalil.display.i18n``: update the catalogs and list what lacks a translation."""
    for code, msgs in update_catalogs().items():
        for m in msgs:
            print(f"{code}: missing {m!r}")


if __name__ == "__main__":  # pragma: no cover
    main()
