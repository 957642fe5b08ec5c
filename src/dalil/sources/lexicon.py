"""Words that carry the substance of a report on violence, in English and Arabic.

A small, documented, bilingual lexicon — not a model.  It serves two purposes:

1. **alignment that survives paraphrase** — :func:`word_key` maps a word to a comparison
   key: a concept for near-synonyms of killing, detention, force, perpetrators and
   hedges ("slain", "shot dead" → kill; قتل، مقتل، قُتلوا → kill), else a stem (Snowball's
   English stemmer; for Arabic a light stemmer that strips the article, conjunctions,
   prepositions and common suffixes, after folding hamza, ة/ه, ى/ي, tanween and tatweel);
2. **what an edit changed** — the *level* of an act in its family ("died" 1 < "killed" 2 <
   "executed", "massacred", "murdered" 3; "detained" 1 < "kidnapped", "abducted" 2), the
   *actor* a phrase names (army, militia, gunmen, security forces, police, intelligence,
   armed groups — and whether it is tied to the government or unknown), and *hedges*
   ("may", "allegedly", "what appears to be", "if confirmed", يُرجَّح، على ما يبدو).

Everything here is a plain table or a regular expression; docs/sources.md lists them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from dalil.sources.segment import STOPWORDS

_EN = snowballstemmer.stemmer("english")

#: Acts and their level inside a family: a derivative that raises the level of the act the
#: source reports (killed → executed; detained → kidnapped) intensifies it.
ACTS: dict[str, tuple[str, int]] = {}
for _family, _level, _words in [
    ("kill", 1, "die died dies dying dead death deaths perished perish lost"),
    ("kill", 2, "kill killed kills killing killings slain slay shot fatalities casualties"),
    (
        "kill",
        3,
        "murder murdered murders murdering execute executed executes executing execution "
        "executions massacre massacred massacres slaughter slaughtered slaughtering butchered "
        "assassinated assassination exterminated extermination liquidated",
    ),
    (
        "detain",
        1,
        "detain detained detains detaining detention arrest arrested arrests held jailed",
    ),
    ("detain", 2, "kidnap kidnapped kidnapping abduct abducted abduction abductions disappeared"),
]:
    for _w in _words.split():
        ACTS[_w] = (_family, _level)
AR_ACTS: dict[str, tuple[str, int]] = {}
for _family, _level, _words in [
    ("kill", 1, "توفي توفيت وفاه وفاة مات ماتوا حتفه حتفهم"),
    ("kill", 2, "قتل قتلوا قتلت قتيل قتلي قتلى مقتل يقتل مصرع مصرعهم اطلق"),
    (
        "kill",
        3,
        "اعدم اعدموا اعدمت تعدم اعدام اعدامات ذبح ذبحوا مجزره مجازر مذبحه اغتال اغتيال تصفيه ابادة اباده",
    ),
    ("detain", 1, "اعتقل اعتقلوا اعتقال احتجز احتجاز اوقف توقيف"),
    ("detain", 2, "خطف خطفوا اختطف اختطاف خطف"),
]:
    for _w in _words.split():
        AR_ACTS[_w] = (_family, _level)

#: The highest level of each family: an act raised to it is intensified.
TOP_LEVEL = {"kill": 3, "detain": 2}

#: Phrases naming armed or state actors → actor key.  Longer phrases first.
ACTOR_PHRASES: list[tuple[str, str]] = [
    (r"secret\s+police|intelligence\s+(?:services?|agents?|officers?)|mukhabarat", "intelligence"),
    (r"security\s+(?:forces|services|personnel)|security\s+officers", "security"),
    (r"police(?:\s+(?:officers|units|forces))?|policemen", "police"),
    (
        r"(?:the\s+)?army(?:\s+units?)?|soldiers|troops|the\s+military|armed\s+forces|"
        r"government\s+(?:forces|troops|soldiers)|military\s+units?",
        "army",
    ),
    (r"militia(?:s|men)?", "militia"),
    (r"gunmen|armed\s+men|assailants|attackers|shooters", "gunmen"),
    (
        r"armed\s+(?:groups?|factions?)|rebels|insurgents|fighters|factions|combatants",
        "armed_group",
    ),
    (r"القوات\s+الحكومية|قوات\s+النظام|الجيش|جنود|الجنود|القوات\s+المسلحة|وحدات\s+الجيش", "army"),
    (r"قوات\s+الأمن|قوات\s+الامن|عناصر\s+الأمن|الأجهزة\s+الأمنية|الامن", "security"),
    (r"الشرطة|رجال\s+الشرطة", "police"),
    (r"المخابرات|الاستخبارات", "intelligence"),
    (r"ميليشيات|الميليشيات|ميليشيا|الميليشيا|مليشيات", "militia"),
    (r"مسلحون|مسلحين|المسلحين|المسلحون|مسلحين\s+مجهولين", "gunmen"),
    (
        r"فصائل\s+مسلحة|الفصائل\s+المسلحة|مجموعات\s+مسلحة|المجموعات\s+المسلحة|متمردين|المتمردين",
        "armed_group",
    ),
]
_ACTOR_RES = [(re.compile(rf"(?i)(?<![\w-])(?:{p})(?![\w-])"), k) for p, k in ACTOR_PHRASES]
_ACTOR_ANY = re.compile(
    r"(?i)(?<![\w-])(?:"
    + "|".join(f"(?P<a{i}>{p})" for i, (p, _k) in enumerate(ACTOR_PHRASES))
    + r")(?![\w-])"
)
#: Ties that say whose side an actor is on ("pro-government gunmen", "ميليشيات تابعة
#: للحكومة") or that it is unknown ("unidentified gunmen", "مسلحون مجهولون").
AFFILIATION = [
    (
        r"pro-government|government-(?:backed|aligned|affiliated|allied)|"
        r"(?:affiliated|allied|aligned|loyal)\s+(?:with|to)\s+the\s+(?:provincial\s+)?government|"
        r"regime's|the\s+regime|state-backed|تابعة\s+للحكومة|التابعة\s+للحكومة|الموالية\s+للحكومة|"
        r"موالية\s+للحكومة|تابعة\s+للنظام|الموالية\s+للنظام",
        "government",
    ),
    (r"unidentified|unknown|unnamed|مجهولون|مجهولين|مجهولة", "unknown"),
]
_AFFIL_RES = [(re.compile(rf"(?i)(?<![\w-])(?:{p})(?![\w-])"), k) for p, k in AFFILIATION]
#: A qualifier that tells which actor: "pro-government gunmen", "fighters loyal to the Sarn
#: Council", "gunmen of the rival Tamer Front".
_ACTOR_HEADS = (
    r"(?i:gunmen|militia|militias|militiamen|fighters|forces|troops|soldiers|groups?|rebels|units?)"
)
ACTOR_QUALIFIER = re.compile(
    rf"(?P<pre>(?i:pro-[\w-]+|[\w-]+-(?:backed|aligned|affiliated|allied|led)))\s+(?:\w+\s+)?{_ACTOR_HEADS}\b"
    rf"|\b{_ACTOR_HEADS}\s+(?P<post>(?i:loyal\s+to|allied\s+with|affiliated\s+with|aligned\s+with|"
    r"backed\s+by|belonging\s+to|from|of)\s+(?:the\s+)?(?:rival\s+|so-called\s+)?"
    r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,4})"
    r"|(?:ميليشيات|ميليشيا|مسلحون|مسلحين|قوات|فصائل|عناصر)\s+(?P<ar>(?:تابعة|التابعة|الموالية|موالية)\s+ل\S+)"
)


#: Hedges: words and phrases that make a claim tentative.
HEDGES = [
    r"may|might|could|possible|possibly|alleged|allegedly|reportedly|apparent|apparently|"
    r"appears?\s+to|appeared\s+to|seems?\s+to|seemingly|suspected|likely|probably|presumably|"
    r"unconfirmed|purportedly|preliminary|if\s+confirmed|would\s+be|believed\s+to|said\s+to\s+have|"
    r"received\s+reports|reports\s+suggest|what\s+appears",
    r"يُرجَّح|يُرجح|يرجح|يرجَّح|من\s+المرجح|رجحت|يُعتقد|يعتقد|يُشتبه|يشتبه|ربما|على\s+ما\s+يبدو|"
    r"يبدو|المزعوم|المزعومة|مزعوم|تقارير\s+أولية|إن\s+تأكد|إن\s+صحت|محتمل|محتملة|يُحتمل|يحتمل",
]
_HEDGE_RE = re.compile(rf"(?i)(?<![\w-])(?:و|ف)?(?:{'|'.join(HEDGES)})(?![\w-])")

#: Near-synonyms that a paraphrase swaps (concept keys for alignment).
SYNONYMS: dict[str, str] = {}
for _key, _words in [
    ("kill", " ".join(w for w, (f, _l) in ACTS.items() if f == "kill")),
    ("detain", " ".join(w for w, (f, _l) in ACTS.items() if f == "detain") + " locked imprisoned"),
    ("civilian", "civilians civilian residents inhabitants villagers people persons individuals"),
    ("town", "town city village"),
    ("say", "said says stated told declared confirmed added noted pointed explained"),
    ("injure", "injured wounded injuries wounds injury wound hurt"),
    ("body", "bodies corpses corpse remains"),
    ("house", "homes houses home dwellings"),
    ("family", "families relatives"),
    ("bomb", "shelling shelled bombing bombed bombardment shells shell artillery"),
    ("attack", "attack attacked attacks assault raid raids raided"),
    ("fight", "fighting clashes clash combat battles"),
    ("grave", "grave graves"),
    ("witness", "witnesses witness testimonies testimony accounts account"),
    ("investigate", "investigate investigated investigation inquiry probe examined"),
    ("urge", "urged urges called calls demanded demands appealed"),
    ("refuse", "refused denied deny denies"),
    ("beat", "beat beaten beating beatings"),
    ("child", "children child kids minors"),
    ("hospital", "hospital clinic"),
    ("wound", "wound injury"),
    ("answer", "answer answered reply replied respond responded"),
    ("charge", "charge charges charged"),
    ("prisoner", "prisoner prisoners detainee detainees inmates inmate"),
]:
    for _w in _words.split():
        SYNONYMS.setdefault(_w, _key)
AR_SYNONYMS: dict[str, str] = {}
for _key, _words in [
    ("kill", " ".join(AR_ACTS)),
    ("say", "قال قالت اكد اكدت اضاف اضافت ذكر ذكرت افاد افادت اوضح اوضحت اشار اشارت اعلن اعلنت"),
    ("urge", "دعا دعت ندعو يدعو طالب طالبت نطالب"),
    ("investigate", "تحقيق التحقيق تحقيقات"),
]:
    for _w in _words.split():
        AR_SYNONYMS.setdefault(_w, _key)

_AR_PREFIX = re.compile(r"^(?:وال|فال|بال|كال|لل|ال|و|ف|ب|ل)(?=.{3,})")
_AR_SUFFIX = re.compile(r"(?:ها|ان|ات|ون|ين|يه|ية|ه|ي)$")


def fold_ar(w: str) -> str:
    w = re.sub("[\u064b-\u065f\u0670\u0640]", "", w)
    return re.sub("[إأآٱ]", "ا", w).replace("ة", "ه").replace("ى", "ي")


def ar_light_stem(w: str) -> str:
    """Light stemming for Arabic (article, conjunctions, prepositions, common suffixes)."""
    w = fold_ar(w)
    w = _AR_PREFIX.sub("", w)
    while len(w) > 4:
        m = _AR_SUFFIX.search(w)
        if not m:
            break
        w = w[: m.start()]
    return w


def is_arabic(w: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in w)


@lru_cache(maxsize=131072)
def word_key(norm: str) -> str | None:
    """Comparison key of a normalised word for paraphrase alignment (None: a stop word)."""
    if norm in STOPWORDS or (len(norm) < 3 and not norm.isdigit()):
        return None
    if is_arabic(norm):
        f = fold_ar(norm)
        bare = _AR_PREFIX.sub("", f)
        for cand in (f, bare):
            if cand in AR_SYNONYMS:
                return AR_SYNONYMS[cand]
        stem = ar_light_stem(f)
        return stem if len(stem) >= 2 else None
    if norm in SYNONYMS:
        return SYNONYMS[norm]
    return str(_EN.stemWord(norm))


def act_levels(text: str) -> dict[str, int]:
    """Highest level of each act family named in *text*."""
    return dict(_act_levels(text))


@lru_cache(maxsize=8192)
def _act_levels(text: str) -> tuple[tuple[str, int], ...]:
    out: dict[str, int] = {}
    low = re.sub("[\u064b-\u065f\u0670\u0640]", "", text.lower())
    words = re.findall(r"[\w'-]+", low)
    for i, w in enumerate(words):
        hit = ACTS.get(w)
        if hit is None and is_arabic(w):
            f = fold_ar(w)
            hit = AR_ACTS.get(f) or AR_ACTS.get(_AR_PREFIX.sub("", f))
        if hit is None:
            continue
        family, level = hit
        # "shot" alone is not a killing; "shot dead" is.
        if w == "shot" and not (i + 1 < len(words) and words[i + 1] in ("dead", "and")):
            continue
        out[family] = max(out.get(family, 0), level)
    return tuple(out.items())


def actors(text: str) -> set[str]:
    """Actor keys named in *text* ("army", "militia", "gunmen", …), with their ties
    ("government", "unknown") as ``key+tie``."""
    return set(_actors(text))


@lru_cache(maxsize=8192)
def _actors(text: str) -> frozenset[str]:
    out: set[str] = set()
    for m in _ACTOR_ANY.finditer(text):
        out.add(ACTOR_PHRASES[int(next(k for k, v in m.groupdict().items() if v)[1:])][1])
    out |= {f"tie:{k}" for rx, k in _AFFIL_RES if rx.search(text)}
    return frozenset(out)


def actor_qualifiers(text: str) -> list[str]:
    """Qualifiers that say which actor: "pro-government", "loyal to the Sarn Council"."""
    return [
        (m.group("pre") or m.group("post") or m.group("ar")).strip()
        for m in ACTOR_QUALIFIER.finditer(text)
    ]


def hedges(text: str) -> list[str]:
    out = []
    for m in _HEDGE_RE.finditer(text):
        if m.group() == "May" and re.search(r"\d", text[max(0, m.start() - 4) : m.end() + 4]):
            continue  # the month
        out.append(m.group().lower())
    return out
