"""Arabic and Latin personal names: normalisation, particles, comparable keys, splitting.

The key (:func:`name_key`) is a *consonant skeleton* designed for Arabic names written
either in Arabic script or in one of the many Latin transliterations in use (English,
French, Levantine colloquial, ISO/DMG-like with diacritics). Both scripts are mapped
onto one small Latin consonant alphabet:

* short vowels are not written in Arabic script and are written arbitrarily in Latin
  (Mohammad / Muhammad / Mohamed) — so all vowels are dropped, and so are the Arabic
  long-vowel letters (ا و ي ى) and the Latin w/y inside a word. A word-initial
  و / ي / w / y is kept (Walid, Yusuf), because it is a consonant there;
* ʿayn and hamza (ع ء أ إ آ ؤ ئ, Latin ' ʿ ʾ) are dropped — Latin spellings mostly omit them;
* letters that transliterations confuse share one symbol: ح/ه → h, ت/ط → t, س/ص → s,
  د/ض/ذ → d, ظ/ز → z, ق/ك → k, ث → t (th), خ → x (kh), غ → g (gh), ش → c (sh/ch);
  Latin q/c/k → k, dh → d, th → t, ph → f, p → b, v → f, dj → j, g/gh → g (غ; the
  Egyptian g for ج, as in Gamal, is not followed);
* a word-final ة / ه and a Latin word-final -ah / -eh lose the h
  (Fatima / Fatimah / Fatmeh / فاطمة);
* doubled letters collapse (shadda is not written; Latin doubles at will), which also
  absorbs the assimilated article (Nureddin / Nur ad-Din / نور الدين);
* the definite article (al-, el-, ال) is removed, and the compound ʿAbd al-… is keyed as
  ``bd`` + the key of its second part (Abdulrahman / Abd al-Rahman / Abdel Rahman /
  Abdurrahman / عبد الرحمن all give ``bdrhmn``);
* common abbreviations are expanded (Mhd, Mohd, Md, م. → Muhammad).

The key is deliberately coarse: it is used for blocking and as one level of a
comparison, next to exact and fuzzy levels. Distinct names can share a key (a
*collision*); the benchmark ``benchmarks/linkage_names.py`` measures how often.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --------------------------------------------------------------------------------------
# Arabic-script normalisation
# --------------------------------------------------------------------------------------

_AR_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_AR_CHAR_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ى": "ي",
        "ی": "ي",  # Persian yeh
        "ې": "ي",
        "ۍ": "ي",
        "ک": "ك",  # Persian keheh
        "ڪ": "ك",
        "ە": "ه",
        "ۀ": "ه",
        "ة": "ه",
        "ؤ": "و",
        "ئ": "ي",
        # Arabic-Indic and Persian (extended) digits
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "،": ",",
        "؛": ";",
    }
)
_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def has_arabic(text: str) -> bool:
    """True if *text* contains any Arabic-script character."""
    return bool(_ARABIC_LETTER.search(text))


def normalize_digits(text: str) -> str:
    """Arabic-Indic (٠-٩) and Persian (۰-۹) digits to ASCII digits."""
    return text.translate(
        {**{0x0660 + i: str(i) for i in range(10)}, **{0x06F0 + i: str(i) for i in range(10)}}
    )


def normalize_arabic(text: str, *, fold_ta_marbuta: bool = True) -> str:
    """Normalise Arabic script for comparison.

    Removes diacritics (harakat, tanwin, shadda, sukun, superscript alef) and tatweel;
    folds alef forms (أ إ آ ٱ) to ا, alef maqsura ى to ي, hamza carriers ؤ ئ to و ي,
    ta marbuta ة to ه (unless *fold_ta_marbuta* is false), Persian forms ک ی to ك ي;
    converts Arabic-Indic and Persian digits to ASCII; collapses whitespace. Persian
    letters without an Arabic counterpart (پ چ گ ژ) are kept as they are.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _AR_DIACRITICS.sub("", text).replace(_TATWEEL, "")
    if not fold_ta_marbuta:
        text = text.replace("ة", "\0")
    text = text.translate(_AR_CHAR_MAP)
    if not fold_ta_marbuta:
        text = text.replace("\0", "ة")
    return " ".join(text.split())


def normalize_latin(text: str) -> str:
    """Lower-case Latin text without accents or ʿayn/hamza marks; hyphens kept."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    text = re.sub("[\u02bb\u02bc\u02be\u02bf\u2018\u2019\u0060\u00b4'\"]", "", text)
    text = re.sub(r"[^a-z0-9\-\s.]", " ", text)
    return " ".join(text.split())


def normalize_name(text: str | None) -> str:
    """A display-independent normal form of a name in either script (or mixed)."""
    if not text:
        return ""
    text = normalize_arabic(str(text))
    if has_arabic(text):
        text = re.sub(r"[^\w\s\-]", " ", text)
        # Latin parts of a mixed string still need folding
        return " ".join(normalize_latin(t) if not has_arabic(t) else t for t in text.split())
    return normalize_latin(text)


# --------------------------------------------------------------------------------------
# Tokens, particles and compounds
# --------------------------------------------------------------------------------------

_LATIN_ARTICLES = {"al", "el", "il", "ul", "al-", "el-"}
# sun-letter assimilated article forms: ad-, ar-, as-, ash-, at-, az-, an-, ad-dh ...
_LATIN_ARTICLE_PREFIX = re.compile(
    r"^(?:al|el|il|ul|a[dnrstz]|ash|ath|adh|az|e[dnrstz]|esh)-(?=\w)"
)
_AR_ARTICLE_PREFIX = re.compile(r"^(?:ال|وال|بال)(?=\w\w)")
_LATIN_ABD = {"abd", "abdul", "abdel", "abdal", "abdil", "abdol", "abdu", "abdo", "abed"}
_LATIN_ABU = {"abu", "abou", "abo", "abi"}
_LATIN_FILIAL = {"bin", "ibn", "ben", "bint", "bent", "ould", "walad"}
_AR_FILIAL = {"بن", "ابن", "بنت"}
_AR_ABU = {"ابو", "ابي", "ابا"}
_LATIN_SECOND_PART = {
    "din", "deen", "dine", "eddin", "eddine", "uddin", "ud-din", "ad-din", "al-din",
    "el-din", "ed-din", "allah", "allh", "ullah", "ollah",
}  # fmt: skip
_AR_SECOND_PART = {"الدين", "الله"}
_ABBREVIATIONS = {
    "mhd": "muhammad",
    "mohd": "muhammad",
    "muhd": "muhammad",
    "md": "muhammad",
    "mhmd": "muhammad",
    "m.": "muhammad",
    "mhd.": "muhammad",
    "م.": "محمد",
    "م": "محمد",
    "مح": "محمد",
}


def tokens(text: str | None) -> list[str]:
    """Normalised name tokens, abbreviations expanded, article tokens kept (``al``)."""
    norm = normalize_name(text)
    out: list[str] = []
    for raw in norm.replace("_", " ").split():
        tok = raw.strip(".-") if raw not in _ABBREVIATIONS else raw
        if not tok:
            continue
        out.append(_ABBREVIATIONS.get(tok, _ABBREVIATIONS.get(raw, tok)))
    return out


def name_units(text: str | None) -> list[str]:
    """Group tokens into name units: compounds joined with a space, particles attached.

    ``"Abd al-Rahman bin Khaled al Hasan"`` → ``["abd al-rahman", "khaled", "al hasan"]``.
    Filial particles (bin/ibn/bint, بن/ابن/بنت) are markers between units and are dropped;
    ``Abu …`` and ``Abd …`` take the next token; ``… al-Din`` / ``… Allah`` join the
    previous token; a bare article (``al``, ``el``, ``ال`` written apart) joins the next.
    """
    toks = tokens(text)
    units: list[str] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in _LATIN_FILIAL or t in _AR_FILIAL:
            i += 1
            continue
        unit = [t]
        i += 1
        # bare article written apart: attach to what follows
        while unit[-1] in _LATIN_ARTICLES or unit[-1] == "ال":
            if i >= len(toks):
                break
            unit.append(toks[i])
            i += 1
        head = unit[0]
        if (
            (head in _LATIN_ABD or head == "عبد" or head in _LATIN_ABU or head in _AR_ABU)
            and len(unit) == 1
            and i < len(toks)
        ):
            unit.append(toks[i])
            i += 1
            while unit[-1] in _LATIN_ARTICLES or unit[-1] == "ال":
                if i >= len(toks):
                    break
                unit.append(toks[i])
                i += 1
        # second part of a compound (Nour al-Din, Abd Allah written apart)
        while i < len(toks) and (toks[i] in _LATIN_SECOND_PART or toks[i] in _AR_SECOND_PART):
            unit.append(toks[i])
            i += 1
        while (
            i + 1 < len(toks)
            and toks[i] in ("al", "el", "ad", "ed", "ud", "ال")
            and toks[i + 1] in ("din", "deen", "dine", "الدين", "دين")
        ):
            unit.extend(toks[i : i + 2])
            i += 2
        units.append(" ".join(unit))
    return units


# --------------------------------------------------------------------------------------
# The consonant-skeleton key
# --------------------------------------------------------------------------------------

_AR_KEY = {
    "ب": "b", "پ": "b", "ت": "t", "ط": "t", "ث": "t", "ج": "j", "چ": "c", "ژ": "j",
    "ح": "h", "ه": "h", "خ": "x", "د": "d", "ض": "d", "ذ": "d", "ظ": "z", "ز": "z",
    "ر": "r", "س": "s", "ص": "s", "ش": "c", "غ": "g", "ف": "f", "ڤ": "f", "ق": "k",
    "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": "w", "ي": "y",
    "ا": "", "ء": "", "ع": "", "ى": "", "ة": "",
}  # fmt: skip
_LATIN_DIGRAPHS = [
    ("tch", "C"), ("sch", "C"), ("sh", "C"), ("ch", "C"), ("kh", "X"), ("gh", "G"),
    ("th", "T"), ("dh", "D"), ("ph", "F"), ("dj", "J"), ("zh", "J"), ("ck", "K"),
    ("ou", "u"), ("oo", "u"), ("ee", "i"),
]  # fmt: skip
_LATIN_KEY = {
    "b": "b", "p": "b", "t": "t", "j": "j", "g": "g", "h": "h", "d": "d", "z": "z",
    "r": "r", "s": "s", "f": "f", "v": "f", "q": "k", "k": "k", "c": "k", "l": "l",
    "m": "m", "n": "n", "w": "w", "y": "y", "x": "ks",
    # digraph placeholders (already mapped; upper case so they are not mapped twice)
    "C": "c", "X": "x", "G": "g", "T": "t", "D": "d", "F": "f", "J": "j", "K": "k",
    "H": "h",
}  # fmt: skip
_VOWELS = set("aeiouy")


def _collapse(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


# names that begin with the letters ال without an article
_AR_NOT_ARTICLE = {"الياس", "اليسع", "الهام", "الفت", "الماس"}


def _key_arabic_word(word: str, long_vowels: bool = False) -> str:
    if word not in _AR_NOT_ARTICLE:
        word = _AR_ARTICLE_PREFIX.sub("", word)
    out: list[str] = []
    n = len(word)
    for i, ch in enumerate(word):
        k = _AR_KEY.get(ch)
        if k is None:
            continue  # digits, punctuation, unknown letters
        if k in ("w", "y") and i > 0:
            # long vowel (or medial glide): not reliably written in Latin
            if long_vowels:
                out.append(k.upper())
            continue
        if k == "h" and i == n - 1 and ch == "ه" and n >= 2:
            continue  # word-final ه (ta marbuta folded, or -ah) — Latin often drops it
        out.append(k)
    return _collapse("".join(out)).lower()


# names ending in ح written -eh, which would otherwise read as a ta marbuta
_LATIN_EH_HA = {"saleh", "fateh", "sameh", "faleh", "rabeh", "mosleh", "musleh", "fadeh",
                "nasseh", "kaleh", "maleh"}  # fmt: skip

_LATIN_LONG = [("ou", "W"), ("oo", "W"), ("ei", "Y"), ("ai", "Y"), ("ay", "Y"), ("ey", "Y"),
               ("ee", "Y"), ("ie", "Y")]  # fmt: skip


def _key_latin_word(word: str, long_vowels: bool = False) -> str:
    word = word.replace("-", "")
    if not word:
        return ""
    # a joined article: Alhassan, Elkhatib (not Alaa, Ali, Elias: a vowel follows)
    if len(word) >= 6 and word[:2] in ("al", "el") and word[2] not in "aeiouy":
        word = word[2:]
    # French "ou" for an initial w (Oualid, Ouael)
    if len(word) > 3 and word[:2] == "ou" and word[2] in "aei":
        word = "w" + word[2:]
    if word in _LATIN_EH_HA:
        return _key_latin_word(word[:-1] + "H", long_vowels)
    # word-final h after a vowel: ta marbuta (Fatimah, Fatmeh) or -ah
    if len(word) >= 3 and word[-1] == "h" and word[-2] in "ae" and word[-3] not in "aeiou":
        word = word[:-1]
    if long_vowels:
        for a, b in _LATIN_LONG:
            word = word[:1] + word[1:].replace(a, b)
        if len(word) > 2 and word[-1] in "iy":
            word = word[:-1] + "Y"
    for a, b in _LATIN_DIGRAPHS:
        word = word.replace(a, b)
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch in ("W", "Y"):
            out.append(ch)
            continue
        if ch in ("w", "y"):
            if i == 0 and len(word) > 1 and word[1] not in "wy":
                out.append(ch)
            continue
        if ch in _VOWELS:
            continue
        k = _LATIN_KEY.get(ch)
        if k:
            out.append(k)
    return _collapse("".join(out)).lower()


def _strip_latin_article(tok: str) -> str:
    return _LATIN_ARTICLE_PREFIX.sub("", tok)


def _unit_key(unit: str, lv: bool = False) -> str:
    parts = unit.split()
    # drop bare articles; strip attached ones
    parts = [p for p in parts if p not in _LATIN_ARTICLES and p != "ال"]
    if not parts:
        return ""
    head = parts[0]
    keyed: list[str] = []
    if has_arabic(head):
        if head.startswith("عبد") and len(head) > 4:
            # عبدالرحمن written as one word
            keyed.append("bd")
            keyed.append(_key_arabic_word(head[3:], lv))
        elif head.startswith(("ابو", "أبو")) and len(head) > 4 and head[3:4] == "ال":
            keyed.append("b")
            keyed.append(_key_arabic_word(head[3:], lv))
        else:
            keyed.append(_key_arabic_word(head, lv))
    else:
        base = _strip_latin_article(head)
        if base in _LATIN_ABD:
            keyed.append("bd")
        elif base.startswith(("abd", "abed")) and len(base) > 5 and base not in ("abdo",):
            # Abdulrahman, Abdelkarim, Abdurrahman, Abdallah: drop the joined article
            rest = re.sub(
                r"^abe?d(?:[aeiou]{1,2}l(?=[a-z]{2})|[aeiou]{1,2}(?=([a-z])\1))?", "", base
            )
            keyed.append("bd")
            keyed.append(_key_latin_word(rest, lv))
        else:
            keyed.append(_key_latin_word(base, lv))
    for p in parts[1:]:
        if has_arabic(p):
            keyed.append(_key_arabic_word(p, lv))
        else:
            keyed.append(_key_latin_word(_strip_latin_article(p), lv))
    return _collapse("".join(keyed))


def name_key(text: str | None, *, long_vowels: bool = False) -> str:
    """The comparable key of a name or name part, in either script.

    Name units are keyed separately and joined with a space, so ``name_key`` of a full
    name keeps its structure: ``name_key("Mohammad Abdulrahman al-Hasan") == "mhmd bdrhmn hsn"``.
    Returns ``""`` for a blank name.
    """
    return " ".join(k for k in (_unit_key(u, long_vowels) for u in name_units(text)) if k)


def part_key(text: str | None, *, long_vowels: bool = False) -> str:
    """The key of one name part with no spaces (for a single comparison column)."""
    return name_key(text, long_vowels=long_vowels).replace(" ", "")


def long_key(text: str | None) -> str:
    """A finer key that also keeps long vowels where both scripts show them.

    Arabic medial/final و ي become ``w``/``y``; Latin ``ou``/``oo`` become ``w`` and
    ``ei ai ay ey ee ie`` and a final ``i``/``y`` become ``y``. This separates Hasan /
    Hussein (``hsn`` / ``hsyn``) and Muhammad / Mahmoud (``mhmd`` / ``mhmwd``), which share
    the coarse key; single-letter Latin spellings of a long vowel (Mahmud, Yusuf) lose
    the distinction, so the linkage model uses this key as an *extra* level above the
    coarse key, never instead of it.
    """
    return part_key(text, long_vowels=True)


# --------------------------------------------------------------------------------------
# Splitting a full name into parts
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameParts:
    first: str = ""
    father: str = ""
    grandfather: str = ""
    family: str = ""

    def to_dict(self) -> dict[str, str]:
        return {
            "first_name": self.first,
            "father_name": self.father,
            "grandfather_name": self.grandfather,
            "family_name": self.family,
        }


def split_full_name(text: str | None) -> NameParts:
    """Split a full name into first / father / grandfather / family name.

    Follows the common Arab (and Syrian) order *given name, father's name, [grandfather's
    name], family name*: one unit is a given name; two are given + family; three are
    given + father + family; four are given + father + grandfather + family; with more,
    the units after the grandfather form the family name (e.g. a tribal and a place-based
    name). Compounds (Abd al-…, Abu …, … al-Din) count as one unit, filial particles
    (bin/ibn/bint) are dropped. A family name introduced by an article (al-…) is always
    taken as the family name, even when it is only the second unit. Parts are returned
    in normalised form.
    """
    units = name_units(text)
    n = len(units)
    if n == 0:
        return NameParts()
    if n == 1:
        return NameParts(first=units[0])
    if n == 2:
        return NameParts(first=units[0], family=units[1])
    if n == 3:
        return NameParts(first=units[0], father=units[1], family=units[2])
    return NameParts(
        first=units[0], father=units[1], grandfather=units[2], family=" ".join(units[3:])
    )
