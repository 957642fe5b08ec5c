"""Places, organisations, persons and armed actors as spans — without a gazetteer.

Rules (docs/sources.md):

* **organization** — a run of capitalised words (``of``/``for``/``the``/``and``/``on`` may
  join them) containing an organisation word (Watch, Ministry, Council, Forces, Brigade,
  Committee, Network, Observatory …), or an acronym of 2–6 capitals; Arabic: وزارة/منظمة/
  لجنة/الشبكة/المرصد … plus the next one or two words.
* **actor** — armed or state actors named by generic phrases from a list (militias,
  gunmen, security forces, government forces, soldiers, "affiliated with the government"
  …); organisations that are armed units (Forces, Brigade, Army …) are actors too.
* **place** — a capitalised run after a place preposition (in/at/near/from/outside/inside/
  around/across/towards/into), optionally after "the town/city/village/district/province
  of", or before a place noun ("Selin province"); Arabic: the word(s) after مدينة/بلدة/
  قرية/محافظة/منطقة/حي/ريف/في.
* **person** — a run of 2–4 capitalised words that is not one of the above and not
  sentence-initial filler, optionally after a title (Mr, Ms, Dr, General …).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from dalil.sources.dates import MONTHS, WEEKDAYS

Span = tuple[int, int]


@dataclass
class Entity:
    kind: str  # place | organization | actor | person
    text: str
    span: Span

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d


ORG_WORDS = {
    "watch", "council", "ministry", "organization", "organisation", "network", "group",
    "committee", "commission", "agency", "office", "union", "front", "army", "forces",
    "observatory", "centre", "center", "institute", "foundation", "association", "brigade",
    "brigades", "battalion", "division", "police", "guard", "party", "movement", "coalition",
    "alliance", "federation", "society", "court", "tribunal", "mission", "authority",
    "directorate", "department", "service", "nations", "international", "initiative",
    "project", "campaign", "rights", "monitor", "secretariat", "government", "regiment",
    "corps", "unit", "militia", "syndicate", "crescent", "cross", "ngo", "unicef", "unhcr",
    "ohchr", "security", "forum", "league", "fund", "programme", "bureau", "inquiry",
    "cluster",
}  # fmt: skip
ARMED_ORG_WORDS = {
    "army", "forces", "brigade", "brigades", "battalion", "division", "guard", "regiment",
    "corps", "militia", "police", "security", "front", "unit",
}  # fmt: skip
ACTOR_TERMS = [
    r"pro-government\s+(?:militias?|forces|fighters|gunmen|groups?)",
    r"government(?:-affiliated|-backed|-aligned)?\s+(?:forces|troops|soldiers|militias?|fighters)",
    r"(?:militias?|forces|fighters|groups?|gunmen)\s+(?:affiliated|allied|aligned)\s+with\s+the\s+government",
    r"affiliated\s+with\s+the\s+government",
    r"security\s+forces", r"armed\s+(?:groups?|men|factions?)", r"militiamen", r"militias?",
    r"gunmen", r"soldiers", r"troops", r"fighters", r"snipers", r"insurgents", r"rebels",
    r"the\s+army", r"the\s+military", r"police(?:\s+officers)?", r"armed\s+forces",
    r"perpetrators?", r"attackers", r"assailants",
    r"الميليشيات|الميليشيا|ميليشيات|ميليشيا|مسلحون|مسلحين|المسلحين|المسلحون|قوات\s+الأمن|"
    r"القوات\s+الحكومية|الجيش|عناصر\s+الأمن|الفصائل\s+المسلحة|فصائل\s+مسلحة|الجناة",
]  # fmt: skip
_ACTOR_RE = re.compile(r"(?i)(?<![\w-])(?:" + "|".join(ACTOR_TERMS) + r")(?![\w-])")

TITLES = (
    r"(?:Mr|Mrs|Ms|Dr|Prof|Professor|Gen|General|Colonel|Col|Lt|Lieutenant|Captain|Capt|Major|"
    r"Sergeant|Sgt|Brigadier|Sheikh|Judge|Minister|President|Mayor|Governor|Imam|Father|Rev|"
    r"Reverend|Bishop|Commissioner|Ambassador|Senator|Prosecutor|Inspector|Rapporteur|Envoy)\.?"
)
_CAP = r"(?:[A-Z][\w'’\-]*|[A-Z]\.)"
_JOIN = r"(?:[ \t]+(?:of|for|the|and|on|de|al-|el-)[ \t]+|[ \t]+|-)"
_CAP_RUN = re.compile(rf"{_CAP}(?:{_JOIN}{_CAP})*")
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")
_PLACE_PREP = re.compile(
    r"(?:\b(?:in|at|near|from|outside|inside|around|across|towards|toward|into|to|of)\s+"
    r"(?:the\s+(?:(?:coastal|northern|southern|eastern|western|central)\s+)?"
    r"(?:town|city|village|district|province|governorate|region|neighbourhood|"
    r"neighborhood|port|countryside)\s+of\s+)?)$"
)
_PLACE_AFTER = re.compile(
    r"^\s+(?:province|governorate|district|region|countryside|town|village|city)\b"
)
_AR_PLACE = re.compile(
    r"(?:مدينة|بلدة|قرية|محافظة|منطقة|حي|ريف)\s+"
    r"([\u0621-\u064A]+(?:\s+(?!ال|في\b|من\b|على\b|إلى\b|قرب\b|يوم\b)[\u0621-\u064A]+)?)"
)
#: Words that end an Arabic organisation's name: particles, prepositions, speech verbs,
#: time words ("منظمة شهود الساحل في تقرير", "شبكة الساحل لحقوق الإنسان إن").
_AR_ORG_STOP = (
    r"(?:في|من|على|إلى|الى|عن|إن|ان|أن|إنه|انه|أنه|قد|يوم|اليوم|أمس|امس|بعد|قبل|خلال|منذ|"
    r"مع|التي|الذي|ضد|حول|بين|ل|ب|ك|مقتل|اختفاء|"
    r"قال|قالت|أكد|أكدت|أضاف|أضافت|أشار|أشارت|أعلن|أعلنت|ذكر|ذكرت|دعا|دعت|طالب|طالبت)"
)
_AR_ORG = re.compile(
    r"(?:وزارة|منظمة|لجنة|الشبكة|شبكة|المرصد|مرصد|هيئة|الهيئة|مجلس|المجلس|اللجنة|المنظمة)"
    rf"(?:\s+(?!{_AR_ORG_STOP}(?![\u0621-\u064A]))(?!و)[\u0621-\u064A]+){{1,3}}"
)
NOT_NAMES = {
    "the", "a", "an", "in", "on", "at", "but", "and", "he", "she", "they", "it", "we", "i",
    "this", "that", "these", "those", "his", "her", "their", "according", "however", "when",
    "after", "before", "as", "if", "while", "there", "one", "some", "many", "witnesses",
    "fictional", "note", "by", "for", "with", "without", "said", "what", "who", "our", "no",
    "yes", "all", "most", "since", "during", "until", "today", "yesterday", "also", "then",
    "where", "why", "how", "my", "you", "your", "its", "not", "nor", "so", "among", "other",
    "such", "each", "both", "neither", "either", "from", "to", "of", "about", "more", "less",
}  # fmt: skip
_CALENDAR = {w.lower() for w in MONTHS} | {w for w in WEEKDAYS}
_ARTICLES = frozenset({"the", "a", "an", "but", "and", "by", "from", "of", "to", "with"})


def _clean_run(
    text: str, s: int, e: int, fillers: frozenset[str] | set[str] = NOT_NAMES
) -> tuple[int, int]:
    # Drop leading filler words ("The", "But") and trailing joiners.
    while True:
        m = re.match(r"([A-Za-z]+)\s+", text[s:e])
        if m and m.group(1).lower() in fillers:
            s += m.end()
            continue
        break
    while True:
        m = re.search(r"\s+(?:of|for|the|and|on|de)$|[-\s]+$", text[s:e])
        if m:
            e = s + m.start()
            continue
        break
    return s, e


def extract_entities(text: str) -> list[Entity]:
    """Entities in *text*, ordered by span; spans never overlap."""
    out: list[Entity] = []
    taken: list[Span] = []

    def add(kind: str, s: int, e: int) -> None:
        if e <= s or any(s < te and ts < e for ts, te in taken):
            return
        out.append(Entity(kind, text[s:e], (s, e)))
        taken.append((s, e))

    # Capitalised runs: organisations, places, persons.
    for m in _CAP_RUN.finditer(text):
        s, e = _clean_run(text, m.start(), m.end())
        if e <= s:
            continue
        run = text[s:e]
        words = re.findall(r"[\w'’]+", run)
        lower = [w.lower().removesuffix("'s").removesuffix("’s") for w in words]
        if not words or all(w in _CALENDAR or w in NOT_NAMES for w in lower):
            continue
        if any(w in ORG_WORDS for w in lower) or any(
            w.lower() in ORG_WORDS for w in re.findall(r"[\w'’]+", text[m.start() : m.end()])
        ):
            # Organisations keep every capitalised word but articles ("Fictional Office
            # for Human Rights", "Free Coast Front").
            s, e = _clean_run(text, m.start(), m.end(), _ARTICLES)
            words = re.findall(r"[\w'’]+", text[s:e])
            lower = [w.lower().removesuffix("'s").removesuffix("’s") for w in words]
            # An organisation's name may start with a word that is otherwise a filler
            # ("the Fictional Brigade", "the Free Coast Front"): clean with articles only.
            if len(words) < 2:
                s, e = _clean_run(text, m.start(), m.end(), _ARTICLES)
                words = re.findall(r"[\w'’]+", text[s:e])
                lower = [w.lower() for w in words]
            if len(words) >= 2:
                kind = "actor" if any(w in ARMED_ORG_WORDS for w in lower) else "organization"
                add(kind, s, e)
                continue
        before = text[max(0, s - 60) : s]
        if _PLACE_PREP.search(before) or _PLACE_AFTER.match(text[e : e + 20]):
            if lower[0] not in _CALENDAR:
                add("place", s, e)
            continue
        if run.isupper() and len(run) > 3:
            continue  # datelines and headings in capitals
        if 2 <= len(words) <= 4 and not any(w in _CALENDAR for w in lower):
            sentence_start = s == 0 or re.search(r"(?:^|[.!?]\s+|\n)[\"“«]?$", text[:s]) is not None
            if sentence_start and len(words) == 2 and lower[0] in {"witnesses", "residents"}:
                continue
            add("person", s, e)
    for m in _ACRONYM.finditer(text):
        add("organization", m.start(), m.end())
    for m in _ACTOR_RE.finditer(text):
        add("actor", m.start(), m.end())
    for m in _AR_ORG.finditer(text):
        add("organization", m.start(), m.end())
    for m in _AR_PLACE.finditer(text):
        add("place", m.start(1), m.end(1))
    out.sort(key=lambda x: x.span)
    return out


def has_actor_term(text: str) -> bool:
    return _ACTOR_RE.search(text) is not None


TITLE_RE = re.compile(rf"^{TITLES}\s+")
