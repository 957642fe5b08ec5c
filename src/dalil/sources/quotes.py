"""Direct quotations and who they are attributed to.

Quote marks: straight ``"``, curly ``“ ”``, low ``„``, guillemets ``« »``.  Inside a
guillemet quote, curly quotes are nested and ignored.  A quote still open at the end of a
paragraph continues if the next paragraph starts with an opening mark (the convention for
quotes that run over several paragraphs); otherwise it is closed at the paragraph end and
marked ``unbalanced``.  A stray closing mark is ignored.

Two quotes in one paragraph separated only by an attribution (``"Without justice," warned
X, "there will be no peace."``) are joined into one quotation by that speaker.

Attribution is looked for after the quote (``, said X`` / ``, X said`` / ``, according to
X``) and before it (``X said:`` / ``X told reporters:`` / ``According to X,``).  Pronouns
(he/she/they) take the previous quotation's speaker; "the group/organisation/NGO" the last
organisation mentioned; a surname alone the full name given earlier in the document.

A quotation of fewer than four words without an attribution is treated as a scare quote
or a title and left out, as are quotes right after "titled", "entitled", "called", "dubbed".
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from dalil.sources.entities import ORG_WORDS, TITLE_RE, Entity, extract_entities
from dalil.sources.layout import pull_quotes
from dalil.sources.segment import paragraphs, word_count

Span = tuple[int, int]

SPEECH_VERBS = [
    "said", "says", "say", "told", "tells", "stated", "states", "warned", "warns", "added",
    "adds", "explained", "explains", "noted", "notes", "insisted", "insists", "claimed",
    "claims", "declared", "declares", "recalled", "recalls", "asserted", "asserts", "urged",
    "urges", "continued", "continues", "wrote", "writes", "testified", "remarked", "alleged",
    "confirmed", "confirms", "reported", "described", "recounted", "stressed", "stresses",
    "emphasised", "emphasized", "argued", "argues", "acknowledged", "admitted",
    "announced", "commented", "concluded", "observed", "pointed out", "went on", "whispered",
    "cried", "shouted", "asked", "replied", "denied", "demanded", "called",
]  # fmt: skip
_VERB = "(?:" + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True)) + ")"
AR_VERBS = [
    "قال", "قالت", "يقول", "تقول", "أكد", "أكدت", "اكد", "اكدت", "أضاف", "أضافت", "اضاف",
    "اضافت", "صرح", "صرحت", "أوضح", "أوضحت", "ذكر", "ذكرت", "أشار", "أشارت", "روى", "روت",
    "أفاد", "أفادت", "أعلن", "أعلنت", "حذر", "حذرت", "طالب", "طالبت", "دعا", "دعت",
    "تابع", "تابعت", "شدد", "شددت", "لفت", "لفتت", "اعتبر", "اعتبرت", "رأى", "رأت",
    "استطرد", "استطردت", "أردف", "أردفت", "افاد", "افادت", "اعلن", "اعلنت", "اوضح",
    "اوضحت", "اشار", "اشارت", "نوه", "نوهت", "كشف", "كشفت", "وصف", "وصفت",
]  # fmt: skip
_AR_VERB = "(?:" + "|".join(sorted(AR_VERBS, key=len, reverse=True)) + ")"
ROLE_NOUNS = {
    "spokesman", "spokeswoman", "spokesperson", "minister", "director", "governor",
    "commander", "head", "chief", "president", "mayor", "official", "chairman", "chair",
    "chairwoman", "secretary", "ambassador", "envoy", "prosecutor", "representative",
    "coordinator", "researcher", "investigator", "officer", "general", "leader",
}  # fmt: skip
ANON_WORDS = {
    "witness", "witnesses", "source", "sources", "resident", "residents", "official",
    "officials", "activist", "activists", "survivor", "survivors", "relative", "relatives",
    "local", "locals", "man", "woman", "men", "women", "people", "observers", "diplomat",
    "diplomats", "doctor", "doctors", "medic", "medics", "spokesperson", "spokesman",
    "spokeswoman", "member", "members", "villager", "villagers", "neighbour", "neighbor",
    "father", "mother", "son", "daughter", "brother", "sister", "fighter", "soldier",
}  # fmt: skip
PRONOUNS = {"he", "she", "they", "i", "we"}
ORG_REFERENCES = re.compile(
    r"^(?:the\s+)?(?:group|organi[sz]ation|ngo|report|statement|release|watchdog|monitor|"
    r"rights\s+group|body|committee|commission|it)$",
    re.I,
)

OPENERS = {"“": "“", '"': '"', "«": "«", "„": "„"}
CLOSERS_FOR = {"“": '”"', '"': '"”', "«": "»", "„": '“”"'}


@dataclass
class Quote:
    text: str
    span: Span
    segments: list[Span]
    speaker: str | None = None
    speaker_kind: str = "none"
    attribution_span: Span | None = None
    #: The attribution around the quote within its sentence ("said Nadia Qorvan, the
    #: director of Coastal Rights Watch"): who the speaker is, in the document's words.
    speaker_detail: str | None = None
    unbalanced: bool = False
    paragraph: int = 0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        d["segments"] = [list(s) for s in self.segments]
        d["attribution_span"] = list(self.attribution_span) if self.attribution_span else None
        return d


def _raw_segments(text: str) -> list[tuple[list[Span], bool, int]]:
    """Quote marks → lists of content spans (one per paragraph), unbalanced flag, paragraph."""
    paras = paragraphs(text)
    out: list[tuple[list[Span], bool, int]] = []
    carry: list[Span] | None = None
    carry_open: str | None = None
    for pi, (ps, pe) in enumerate(paras):
        i = ps
        opener: str | None = None
        start = 0
        segs: list[Span] = []
        if carry is not None:
            first = text[ps]
            if first in OPENERS and (first == carry_open or {first, carry_open} <= {'"', "“"}):
                opener, start, segs = carry_open, ps + 1, carry
                i = ps + 1
            else:
                # Not continued: the previous quote was unbalanced.
                out.append((carry, True, pi - 1))
            carry = None
            carry_open = None
        while i < pe:
            ch = text[i]
            if opener is None:
                if ch in OPENERS:
                    # A straight quote glued to a word on its left is a closing one (stray).
                    if ch == '"' and i > ps and text[i - 1].isalnum():
                        i += 1
                        continue
                    opener, start, segs = ch, i + 1, []
            elif ch in CLOSERS_FOR[opener] and not (
                ch == '"'
                and opener == '"'
                and i + 1 < pe
                and text[i + 1].isalnum()
                and i > start
                and text[i - 1] in " \t("
            ):
                segs.append((start, i))
                out.append((segs, False, pi))
                opener = None
            i += 1
        if opener is not None:
            segs.append((start, pe))
            carry, carry_open = segs, opener
    if carry is not None:
        out.append((carry, True, len(paras) - 1))
    return out


#: A character of a speaker phrase: no punctuation, except the full stop of an initial or
#: abbreviation ("U.N. rights spokesperson", "Dr. Lina Haddad").
_SPC = r"(?:[^,.;:!?\"“”«»\n]|(?<=\b[A-Z])\.|(?<=\b(?:Mr|Ms|Dr|St))\.|(?<=\bMrs)\.)"

_AFTER_VERB_FIRST = re.compile(
    rf"^\s*[,،]?\s*(?P<verb>{_VERB})\s+(?P<sp>{_SPC}{{1,90}}?)\s*(?=[,.;:!?\"“«\n]|$)",
    re.I,
)
_AFTER_SPEAKER_FIRST = re.compile(
    rf"^\s*[,،]?\s*(?P<sp>{_SPC}{{1,90}}?)\s+(?P<verb>{_VERB})\b", re.I
)
_AFTER_ACCORDING = re.compile(
    r"^\s*[,،]?\s*according\s+to\s+(?P<sp>[^,.;:!?\"“”«»\n]{1,90}?)\s*(?=[,.;:!?\"“«\n]|$)",
    re.I,
)
_BEFORE = re.compile(
    rf"(?P<sp>{_SPC}{{1,90}}?)\s*,?\s+(?P<verb>{_VERB})"
    r"(?:\s+(?:that|to|of|on|about|how|in)\b[^\"“«:]{0,40}|(?:\s+[^\s,:\"“«]+){1,5})?"
    r"\s*[:,]?\s*$",
    re.I,
)
_BEFORE_ACCORDING = re.compile(
    r"according\s+to\s+(?P<sp>[^,.;:!?\"“”«»\n]{1,90}?)\s*[:,]\s*$", re.I
)
_AR_BEFORE = re.compile(
    rf"(?:^|[\s.،])(?:و|ف)?(?P<verb>{_AR_VERB})\s*(?P<sp>[^:«»\"“”.\n]{{0,80}}?)"
    r"(?:\s+(?:إن|ان|أن))?\s*[:،]?\s*$"
)
_AR_AFTER = re.compile(
    rf"^\s*[،,]?\s*(?:و|ف)?(?P<verb>{_AR_VERB})\s*(?P<sp>[^:«»\"“”.،\n]{{0,80}}?)\s*(?=[.،:\n]|$)"
)
_AR_REPORTED = re.compile(
    r"(?:^|[\s.،])(?:و|ف)?(?:نقل|نقلت|ونقل|ونقلت)\s+[^:«»\"“”.\n]{0,60}?عن\s+"
    r"(?P<sp>[^:«»\"“”.،\n]{1,80}?)\s+(?:قوله|قولها|قولهم)\s*:?\s*$"
)
_AR_ACCORDING = re.compile(
    r"(?:بحسب|حسب|وفق|وفقا\s+ل|وفقاً\s+ل)\s*(?P<sp>[^:«»\"“”.،\n]{1,80}?)\s*[،,:]?\s*$"
)
_CUT = re.compile(
    r"\s+(?:in|on|during|at|to|after|when|last|earlier|this|on|by|via|before|from|"
    r"speaking|while|who|adding)\b.*$",
    re.I,
)


_APPOSITION = re.compile(
    r",\s+(?:a|an|the|who|whose|speaking|one\s+of|himself|herself|aged|\d{1,3})\b[^,\"“”«»]{0,100},(?=\s)",
    re.I,
)


def _locate(text: str, needle: str, lo: int, hi: int) -> Span | None:
    i = text.find(needle, lo, hi) if needle else -1
    return (i, i + len(needle)) if i >= 0 else None


def _clean_speaker(sp: str) -> str:
    sp = sp.strip(" \t,;:—–-")
    sp = _CUT.sub("", sp) if not re.match(r"(?i)^(?:a|an|one)\b.*\bfor\b", sp) else sp
    sp = re.sub(r"\s+(?:in|on)\s+a\s+statement.*$", "", sp, flags=re.I)
    sp = re.sub(
        r"(?i)(?:\s+(?:also|then|later|further|again|had|has|have|was|is|were|would|will|"
        r"previously|earlier))+$",
        "",
        sp,
    )
    sp = re.sub(r"(?i)^(?:also|then|later|and|but)\s+", "", sp)
    sp = TITLE_RE.sub("", sp)
    return sp.strip()


def classify_speaker(sp: str, entities: list[Entity]) -> str:
    """named | role | organization | anonymous (for a non-empty speaker phrase)."""
    low = sp.lower()
    words = re.findall(r"[\w'’-]+", sp)
    lw = [w.lower() for w in words]
    if any("\u0600" <= ch <= "\u06ff" for ch in sp):
        if re.search(
            r"شاهد|شهود|أحد|احد|مصدر|مصادر|سكان|ناشط|ناجي|ناجية|قريب|عنصر|مسؤول\s+(?:رفض|طلب)", sp
        ):
            return "anonymous"
        if re.search(r"المتحدث|الناطق|وزير|مدير|رئيس|قائد|محافظ|المسؤول|مسؤول", sp):
            return "role"
        if re.search(
            r"^(?:ال)?(?:منظمة|لجنة|اللجنة|الشبكة|شبكة|المرصد|مرصد|وزارة|هيئة|الهيئة|المجلس|مجلس|المنظمة)",
            sp,
        ):
            return "organization"
        return "named"
    if not words:
        return "none"
    head = re.split(r",|\s+of\s+|\s+from\s+|\s+at\s+", sp)[0].split()
    if (
        2 <= len(head) <= 4
        and all(w[0].isupper() for w in head)
        and not any(
            w.lower().replace("'s", "") in ORG_WORDS or w.lower() in ROLE_NOUNS for w in head
        )
        and head[0].lower() not in {"the", "a", "an", "one"}
    ):
        return "named"
    if re.search(r"asked not to be named|anonymity|unnamed|unidentified|requested anonymity", low):
        return "anonymous"
    if lw[0] in {
        "a",
        "an",
        "one",
        "another",
        "two",
        "three",
        "several",
        "some",
        "many",
        "other",
        "local",
        "most",
    } or (lw[0] in ANON_WORDS and lw[-1] in ANON_WORDS):
        return "anonymous"
    if ORG_REFERENCES.match(low):
        return "organization"
    if re.search(r"'s\s+(?:" + "|".join(ROLE_NOUNS) + r")\b", low) or (
        lw[0] in {"the", "its", "his", "her", "their"} and any(w in ROLE_NOUNS for w in lw)
    ):
        return "role"
    if any(w in ORG_WORDS for w in lw) and (lw[0] == "the" or words[0][0].isupper()):
        return "organization"
    if re.fullmatch(r"[A-Z]{2,6}", sp):
        return "organization"
    if words[0][0].isupper():
        return "named"
    return "anonymous" if any(w in ANON_WORDS for w in lw) else "none"


def _first_clause(sp: str) -> str:
    """'Lina Haddad, director of X' → 'Lina Haddad' (the name before an apposition)."""
    return re.split(r",|\s+of\s+|\s+from\s+|\s+at\s+", sp)[0].strip()


class _Resolver:
    def __init__(self, text: str, entities: list[Entity]) -> None:
        self.text = text
        self.entities = entities
        self.persons = [e for e in entities if e.kind == "person"]
        self.orgs = [e for e in entities if e.kind in ("organization", "actor")]

    def full_name(self, name: str, before: int) -> str:
        parts = name.split()
        if len(parts) != 1:
            return name
        full = [
            TITLE_RE.sub("", e.text)
            for e in [p for p in self.persons if p.span[0] < before][::-1] + self.persons
        ]
        for cand in full:
            parts_c = cand.split()
            if len(parts_c) >= 2 and parts_c[-1] == name:
                return cand
        return name

    def last_org(self, before: int) -> str | None:
        cands = [e for e in self.orgs if e.span[0] < before and e.kind == "organization"]
        if cands:
            return cands[-1].text
        any_org = [e for e in self.orgs if e.kind == "organization"]
        return any_org[0].text if any_org else None

    def org_by_head(self, head: str, before: int) -> str | None:
        """ "the Centre", "the office", "المنظمة": the organisation named before whose name
        holds that word (the latest one; any one if none was named before)."""
        key = head.casefold().removeprefix("ال")
        if len(key) < 3:
            return None
        orgs = [e for e in self.orgs if e.kind == "organization"]

        def holds(e: Entity) -> bool:
            ws = [w.casefold().removeprefix("ال") for w in re.findall(r"[\w'’]+", e.text)]
            return key in ws and len(ws) > 1

        cands = [e for e in orgs if e.span[0] < before and holds(e)] or [
            e for e in orgs if holds(e)
        ]
        return cands[-1].text if cands else None

    def introduced(self, start: int, end: int) -> tuple[str, str] | None:
        """The last person (or anonymous witness: "A woman in Fictiontown, reached by
        telephone, said…") introduced in ``text[start:end]`` — who a pronoun refers to."""
        persons = [e for e in self.persons if start <= e.span[0] and e.span[1] <= end]
        anon = None
        for m in _INTRODUCED_ANON.finditer(self.text, start, end):
            anon = m
        if persons and (anon is None or persons[-1].span[0] > anon.start()):
            return TITLE_RE.sub("", persons[-1].text), "named"
        if anon is not None:
            return " ".join(anon.group("sp").split()), "anonymous"
        return None


_ANON_HEADS = "|".join(
    sorted(
        ANON_WORDS | {"mother", "wife", "husband", "nurse", "teacher", "farmer"},
        key=len,
        reverse=True,
    )
)
_INTRODUCED_ANON = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?P<sp>(?:A|An|One|Another|The)\s+(?:[\w'’-]+\s+){{0,3}}?"
    rf"(?:{_ANON_HEADS})(?:\s+(?:in|from|of)\s+[A-Z][\w'’-]+)?)\b"
)


def _attribute(text: str, q: Quote, para: Span, prev: Quote | None, res: _Resolver) -> None:
    qs, qe = q.segments[0][0] - 1, q.segments[-1][1] + 1  # include the marks
    ps, pe = para
    after = text[qe : min(pe, qe + 160)]
    # Up to the sentence start before the quote.
    before_start = ps
    for end_m in re.finditer(r"[.!?؟]\s+", text[ps:qs]):
        before_start = ps + end_m.end()
    m: re.Match[str] | None
    before = text[before_start:qs]
    sp: str | None = None
    aspan: Span | None = None
    arabic = any("\u0600" <= ch <= "\u06ff" for ch in text[qs:qe])
    if arabic:
        m = _AR_AFTER.match(after)
        if m:
            sp, aspan = m["sp"], (qe + m.start(), qe + m.end())
        else:
            m2 = (
                _AR_REPORTED.search(before)
                or _AR_BEFORE.search(before)
                or _AR_ACCORDING.search(before)
            )
            if m2:
                sp, aspan = m2["sp"], (before_start + m2.start(), before_start + m2.end())
        if sp is not None:
            sp = sp.split("،")[0]
            sp = re.sub(r"(?:\s+(?:لـ|ل))?\s*$", "", sp).strip()
            sp = re.sub(r"^(?:إن|ان|أن)\s+", "", sp)
            sp = re.sub(r"\s+(?:إن|ان|أن|في|يوم|خلال|على|أمس|اليوم)(?:\s.*)?$", "", sp).strip()
            # "مدير المرصد كريم الهاشمي": the name after an office and its organisation.
            parts = sp.split()
            if (
                len(parts) >= 4
                and re.match(
                    r"(?:ال)?(?:مدير|مديرة|رئيس|رئيسة|الباحث|الباحثة|باحث|باحثة|منسق|منسقة)",
                    parts[0],
                )
                and not re.search(r"وزارة|منظمة|لجنة|شبكة|مرصد|هيئة|مجلس", " ".join(parts[-2:]))
            ):
                sp = " ".join(parts[-2:])
    else:
        # Appositions between the speaker and the verb are dropped for matching:
        # "X, a spokesperson for Y, said" → "X said" (spans refer to the original).
        after_c = _APPOSITION.sub("", after)
        before_c = _APPOSITION.sub("", before)
        for rx in (_AFTER_ACCORDING, _AFTER_VERB_FIRST):
            m = rx.match(after)
            if m:
                sp, aspan = m["sp"], (qe + m.start("sp"), qe + m.end("sp"))
                break
        if sp is None:
            m = _AFTER_SPEAKER_FIRST.match(after_c)
            if (
                m
                and word_count(m["sp"]) <= 12
                and not re.search(
                    r"[.!?]", re.sub(r"\b[A-Z]\.|\b(?:Mrs|Mr|Ms|Dr|St)\.", "", m["sp"])
                )
            ):
                sp = m["sp"]
                aspan = _locate(text, m["sp"].strip(), qe, qe + len(after))
        if sp is None and before.strip():
            m = _BEFORE_ACCORDING.search(before_c) or _BEFORE.search(before_c)
            if m and before_c != before:
                raw = re.split(
                    r"(?i)\b(?:and|but|while|as|when)\s+(?=[A-Z]|he\b|she\b|they\b)", m["sp"]
                )[-1]
                sp = raw
                aspan = _locate(text, raw.strip(), before_start, qs)
                m = None
            if m:
                raw = m["sp"]
                # Keep the subject only: the last clause before the verb.
                raw = re.split(
                    r"(?i)\b(?:and|but|while|as|when)\s+(?=[A-Z]|he\b|she\b|they\b)", raw
                )[-1]
                sp, aspan = raw, (before_start + m.start("sp"), before_start + m.end("sp"))
        if sp is None and not before.strip():
            # "The statement added:" in the sentence just before, ending with a colon.
            prev_text = text[max(ps, qs - 200) : qs]
            m = re.search(
                rf"(?P<sp>[^.!?:\"“”«»\n]{{1,80}}?)\s+(?P<verb>{_VERB})[^.!?:]{{0,40}}:\s*$",
                prev_text,
                re.I,
            )
            if m:
                base = max(ps, qs - 200)
                sp, aspan = m["sp"], (base + m.start("sp"), base + m.end("sp"))
        if sp is not None:
            sp = _clean_speaker(sp)
    if not sp:
        if arabic and aspan is not None and prev is not None:
            q.speaker, q.speaker_kind, q.attribution_span = prev.speaker, prev.speaker_kind, aspan
        return
    q.attribution_span = aspan
    sent_end = re.search(r"[.!?؟](?:\s|$)", after)
    q.speaker_detail = " ".join(
        (
            before.strip() + " … " + after[: sent_end.end() if sent_end else len(after)].strip()
        ).split()
    )
    low = sp.lower()
    if low in PRONOUNS:
        # The person introduced since the previous quotation, if any ("A woman in
        # Fictiontown said she had hidden… 'They took him,' she said"), else its speaker.
        since = prev.span[1] + 1 if prev is not None else 0
        intro = res.introduced(since, qs) if low in ("he", "she") else None
        if intro is not None:
            q.speaker, q.speaker_kind = res.full_name(intro[0], qs), intro[1]
        elif prev is not None and prev.speaker:
            q.speaker, q.speaker_kind = prev.speaker, prev.speaker_kind
        else:
            q.speaker, q.speaker_kind = None, "anonymous"
        return
    head = re.fullmatch(r"(?:the\s+)?([\w'’-]+)", sp.strip(), re.I)
    if head and (
        ORG_REFERENCES.match(low) or sp.strip().startswith("ال") or low.startswith("the ")
    ):
        org = res.org_by_head(head.group(1), qs)
        if org is None and ORG_REFERENCES.match(low):
            org = res.last_org(qs)
        if org is not None or ORG_REFERENCES.match(low):
            q.speaker, q.speaker_kind = (org or sp), "organization"
            return
    if not arabic:
        # "CRW director Nadia Qorvan", "Interior Minister Farid Ostal": a person named at
        # the end of a descriptive phrase is the speaker.
        m_name = re.search(r"((?:[A-Z][\w'’-]+\s+){1,2}[A-Z][\w'’-]+)$", sp)
        if (
            m_name
            and m_name.start() > 0
            and any(TITLE_RE.sub("", e.text) == m_name.group(1) for e in res.persons)
        ):
            sp = m_name.group(1)
    kind = classify_speaker(sp, res.entities)
    if kind == "named" and not arabic:
        name = _first_clause(sp)
        name = res.full_name(name, qs)
        q.speaker = name
    else:
        q.speaker = sp
    q.speaker_kind = kind


def extract_quotes(text: str, entities: list[Entity] | None = None) -> list[Quote]:
    """Direct quotations in *text* with their speakers, in document order."""
    entities = extract_entities(text) if entities is None else entities
    paras = paragraphs(text)
    raw = _raw_segments(text)
    # Join quotes split by an attribution within one paragraph.
    joined: list[tuple[list[Span], bool, int, Span | None]] = []
    for segs, unbalanced, pi in raw:
        if joined:
            psegs, punb, ppi, _ = joined[-1]
            between = text[psegs[-1][1] + 1 : segs[0][0] - 1]
            prev_content = text[psegs[-1][0] : psegs[-1][1]].rstrip()
            if (
                ppi == pi
                and not punb
                and len(segs) == 1
                and prev_content.endswith((",", "،", "…", "—", "-"))
                and word_count(between) <= 12
                and re.search(rf"(?i)\b{_VERB}\b|{_AR_VERB}|according to", between)
                and between.rstrip().endswith((",", "،", ":"))
            ):
                joined[-1] = (psegs + segs, unbalanced, pi, (psegs[-1][1] + 1, segs[0][0] - 1))
                continue
        joined.append((segs, unbalanced, pi, None))
    res = _Resolver(text, entities)
    quotes: list[Quote] = []
    prev: Quote | None = None
    for segs, unbalanced, pi, gap in joined:
        parts = [text[s:e].strip() for s, e in segs]
        qtext = " ".join(p for p in parts if p).rstrip(",،")
        if not qtext:
            continue
        q = Quote(
            text=qtext,
            span=(segs[0][0], segs[-1][1]),
            segments=segs,
            unbalanced=unbalanced,
            paragraph=pi,
        )
        lead = text[max(0, segs[0][0] - 20) : segs[0][0] - 1].lower()
        if re.search(
            r"(?:titled|entitled|called|dubbed|named|headlined|so-called)\s*:?\s*$"
            r"|(?:يسمى|يسمّى|يُسمى|المسمى|المسماة|تسمى|يدعى|تدعى|باسم|يعرف\s+ب|تعرف\s+ب)\s*(?:بـ|ب)?\s*$",
            lead,
        ):
            continue
        para = (
            (
                paras[_para_of(paras, segs[0][0])][0],
                paras[_para_of(paras, segs[-1][1])][1],
            )
            if paras
            else (0, len(text))
        )
        if gap is not None:
            gtext = text[gap[0] : gap[1]]
            m = re.search(rf"(?i)^[\s,]*{_VERB}\s+(?P<sp>[^,]+)", gtext) or re.search(
                rf"(?i)^[\s,]*(?P<sp>[^,]+?)\s+{_VERB}\b", gtext
            )
            if m:
                sub = Quote(q.text, q.span, [segs[-1]], paragraph=pi)
                # Attribute through the gap text as if it followed the first part.
                sub.segments = [segs[0]]
                _attribute(text, sub, para, prev, res)
                q.speaker, q.speaker_kind, q.attribution_span = (
                    sub.speaker,
                    sub.speaker_kind,
                    sub.attribution_span,
                )
        if q.speaker is None:
            _attribute(text, q, para, prev, res)
        if q.speaker is None and prev is not None and prev.paragraph == pi and prev.speaker:
            # A further quote in the same paragraph continues the last speaker.
            q.speaker, q.speaker_kind = prev.speaker, prev.speaker_kind
            q.notes.append("speaker carried over from the previous quote in the paragraph")
        if q.speaker and len(q.speaker.split()) == 1:
            # A surname alone: the full name of an earlier speaker (any script).
            for earlier in reversed(quotes):
                if (
                    earlier.speaker
                    and len(earlier.speaker.split()) > 1
                    and (earlier.speaker.split()[-1] == q.speaker)
                ):
                    q.speaker = earlier.speaker
                    break
        if word_count(qtext) < 4 and q.speaker is None:
            continue
        quotes.append(q)
        prev = q
    # Pull-quotes: a paragraph without quotation marks beside a "Name, Title" line.
    for (s, e), name, line in pull_quotes(text, paras):
        if any(s < q.span[1] and q.span[0] < e for q in quotes):
            continue
        pq = Quote(
            text=text[s:e].strip(),
            span=(s, e),
            segments=[(s, e)],
            speaker=res.full_name(name, s),
            speaker_kind="named",
            attribution_span=line,
            speaker_detail=" ".join(text[line[0] : line[1]].split()),
            paragraph=_para_of(paras, s),
        )
        pq.notes.append("pull-quote: printed without quotation marks beside its speaker")
        quotes.append(pq)
    quotes.sort(key=lambda q: q.span)
    return quotes


def _para_of(paras: list[Span], pos: int) -> int:
    for i, (s, e) in enumerate(paras):
        if s <= pos <= e:
            return i
    return len(paras) - 1
