"""Synthetic source documents and edited rewrites with recorded truth.

Everything generated is fictional: invented towns, organisations and people.  A *source*
is a release by a fictional NGO made of prose paragraphs (tolls, dates, places, actors)
and quotation paragraphs by named speakers.  A *derivative* is built from one source by
edits whose effect is recorded in ``truth.json``:

* quotation kept verbatim, trimmed (the actor phrase, a "not" or a clause dropped),
  altered (a number substituted, or a word swapped for a near-synonym), misattributed
  (given to another named speaker), or attributed to the speaker's office instead of
  their name (still verbatim);
* invented quotation by an anonymous speaker (``not_in_source``; also an unsupported
  addition);
* a call attributed to the NGO that it never made (``attributed_to_source`` addition);
* an unsupported claim (``unsupported`` addition); a changed figure in prose
  (``unsupported`` addition);
* paraphrase of prose by synonyms and word order (must stay *supported*);
* reordering of paragraphs; paragraphs left out (recorded as omitted source sentences).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOWNS = [
    "Port Selin", "Marrow Bay", "Kestrel Point", "Ashby Cove", "Tarn Harbour", "Veldane",
    "Orlan Sands", "Calder Reach", "Mirrow", "Saltmere", "Dunhollow", "Brisk Haven",
]  # fmt: skip
PROVINCES = ["Varessa", "Lorne", "Istmar", "Quellan", "Brandt", "Ossery"]
NGOS = [
    "Coastal Rights Watch", "Shoreline Justice Network", "Harbour Truth Observatory",
    "Tidewater Human Rights Centre", "Seaboard Documentation Group",
]  # fmt: skip
FIRST = ["Nadia", "Tomas", "Ilsa", "Rami", "Odile", "Karim", "Maren", "Yusuf", "Lea", "Anwar",
         "Petra", "Sami", "Hana", "Joris", "Leyla", "Bastien"]  # fmt: skip
LAST = ["Qorvan", "Ostal", "Brenner", "Tavik", "Moreau-Lind", "Haskel", "Varro", "Dunmore",
        "Selk", "Aramay", "Fenwick", "Kolst", "Ibbot", "Marnay"]  # fmt: skip
ACTORS = [
    "militias affiliated with the government", "pro-government militias",
    "government forces", "security forces", "armed men in uniform",
]  # fmt: skip
MINORITIES = ["Averi", "Tolun", "Besh", "Orrani"]
VICTIM_NOUNS = ["civilians", "people", "residents", "men"]
CALLS = [
    "called on the United Nations to impose sanctions on the government",
    "urged foreign governments to suspend all arms sales",
    "demanded that the president resign",
    "called for the army to withdraw from the whole province",
    "urged neighbouring states to close their borders",
]  # fmt: skip
UNSUPPORTED = [
    "Local officials said the situation in the town remained tense on Sunday.",
    "The town had been largely peaceful for a decade before the attacks.",
    "Aid convoys were reported to be waiting at the provincial border.",
    "Schools in the district have been closed until further notice.",
    "Several embassies advised their citizens to leave the region.",
]  # fmt: skip
INVENTED = [
    "We could hear shooting all night and nobody came to help us",
    "The militias will come back for the rest of us",
    "They burned the shops on the main road before they left",
    "My cousin is still missing and no one will tell us anything",
]  # fmt: skip
PARAPHRASE = {
    "killed": "slain", "deliberately": "intentionally", "civilians": "residents",
    "forced": "compelled", "investigated": "examined", "bodies": "corpses",
    "documented": "recorded", "homes": "houses", "families": "relatives",
}  # fmt: skip
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}
QUOTE_SYNONYMS = {
    "deliberate,": "intentional,", "shot": "killed", "took": "seized", "opened": "started",
    "justice": "accountability", "detail,": "depth,",
}  # fmt: skip


@dataclass
class Para:
    text: str
    kind: str  # prose | quote
    quote: str | None = None
    speaker: str | None = None
    sentences: list[str] = field(default_factory=list)


def _name(rng: random.Random, used: set[str]) -> str:
    """A name whose first name and surname are both unused (so a surname is unambiguous)."""
    while True:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        if first not in used and last not in used:
            used.update((first, last))
            return f"{first} {last}"


WITNESSES = ["A woman from the harbour district", "One survivor", "A teacher", "A shopkeeper",
             "A nurse at the town clinic", "Two brothers", "A fisherman", "An elderly man",
             "A student", "A taxi driver", "A mother of three", "A baker"]  # fmt: skip
VERBS = ["saw", "heard", "watched", "counted", "filmed", "followed", "recognised", "hid from"]
OBJECTS = ["a convoy of pickup trucks", "men in mismatched uniforms", "a checkpoint",
           "a burning car", "a group of detainees", "an armoured vehicle", "a line of bodies",
           "a column of smoke", "a machine gun mounted on a truck", "soldiers with lists"]  # fmt: skip
LANDMARKS = ["mosque", "bakery", "bus station", "lighthouse", "fish market", "clinic",
             "water tower", "old bridge", "school", "petrol station", "town hall", "pier"]  # fmt: skip
TIMES = ["morning", "afternoon", "evening", "night", "dawn", "early hours"]
QUARTERS = ["eastern", "western", "northern", "southern", "old", "new", "upper", "lower"]


def _testimony(rng: random.Random, ngo: str) -> str:
    return (
        f"{rng.choice(WITNESSES)} told {ngo} that they {rng.choice(VERBS)} "
        f"{rng.choice(OBJECTS)} near the {rng.choice(LANDMARKS)} in the "
        f"{rng.choice(QUARTERS)} quarter in the {rng.choice(TIMES)}, "
        f"{rng.choice(['before', 'after', 'while', 'just as'])} {rng.choice(OBJECTS)} "
        f"{rng.choice(['arrived', 'left', 'passed', 'stopped'])} by the {rng.choice(LANDMARKS)}."
    )


def _source(rng: random.Random, words: int) -> tuple[str, list[Para], dict[str, Any]]:
    town = rng.choice(TOWNS)
    prov = rng.choice(PROVINCES)
    ngo = rng.choice(NGOS)
    minority = rng.choice(MINORITIES)
    used: set[str] = set()
    director = _name(rng, used)
    researcher = _name(rng, used)
    day = rng.randint(2, 20)
    month = rng.choice(["March", "April", "May", "June"])
    year = rng.choice([2024, 2025])
    investigated = rng.randint(12, 60)
    reported = investigated + rng.randint(20, 300)
    ctx = {"town": town, "province": prov, "ngo": ngo, "speakers": [director, researcher]}
    title = f"{ngo}: killings in {town} were deliberate (fictional)"
    paras: list[Para] = []

    def prose(*sents: str) -> None:
        paras.append(Para(" ".join(sents), "prose", sentences=list(sents)))

    def quote(q: str, speaker: str, role: str) -> None:
        style = rng.random()
        if style < 0.5:
            text = f"\u201c{q},\u201d said {speaker}, {role}."
        elif style < 0.8:
            text = f"\u201c{q},\u201d {speaker.split()[-1]} said."
        else:
            text = f"{speaker} said: \u201c{q}.\u201d"
        paras.append(Para(text, "quote", quote=q, speaker=speaker, sentences=[text]))

    actor = rng.choice(ACTORS)
    prose(
        f"{town.upper()}, {day + 7} {month} {year} \u2014 {actor[0].upper() + actor[1:]} "
        f"deliberately killed {minority} civilians in the coastal town of {town} on {day} "
        f"{month} {year}, {ngo} said today."
    )
    prose(
        f"{ngo} investigated {investigated} of the more than {reported} killings reported in {town}.",
        "In every case it documented, the victims were unarmed and none of them was taking part in the fighting.",
    )
    n_quotes = 0
    fillers = [
        lambda: prose(
            f"Families were forced to bury their dead in mass graves near the {rng.choice(['old harbour', 'cemetery', 'market', 'school'])}.",
            f"Witnesses described {rng.choice(['dozens', 'hundreds'])} of bodies in the streets of the {rng.choice(['eastern', 'western', 'northern'])} quarter.",
        ),
        lambda: prose(
            f"The fighting began after armed groups attacked security sites in {prov} province on {day - 1} {month}, killing at least {rng.randint(5, 30)} members of the security forces."
        ),
        lambda: prose(
            f"{ngo} interviewed {rng.randint(10, 80)} witnesses and relatives by telephone and in person, and examined {rng.randint(5, 40)} videos and photographs."
        ),
        lambda: prose(
            f"Residents said {rng.choice(ACTORS)} searched homes in the {rng.choice(['eastern', 'western', 'southern'])} quarter and took away {rng.randint(3, 30)} men.",
        ),
        lambda: prose(
            f"The government announced a fact-finding committee on {day + 3} {month}.",
            f"{ngo} said the committee needs the mandate, expertise and resources to investigate and access to burial sites.",
        ),
    ]
    quote_bank = [
        lambda: quote(
            f"{rng.choice(ACTORS).capitalize()} went from house to house and shot men in front of their families",
            director,
            f"the director of {ngo}",
        ),
        lambda: quote(
            f"We documented {investigated} killings in detail, and the real toll is far higher",
            director,
            f"the director of {ngo}",
        ),
        lambda: quote(
            "These killings were deliberate, targeted on identity and unlawful",
            researcher,
            f"a researcher at {ngo}",
        ),
        lambda: quote(
            f"The authorities have not opened a single investigation in {town}",
            researcher,
            f"a researcher at {ngo}",
        ),
        lambda: quote(
            f"Without justice there will be no peace in {town}",
            director,
            f"the director of {ngo}",
        ),
        lambda: quote(
            f"{rng.choice(ACTORS).capitalize()} took at least {rng.randint(3, 20)} men from the square on {day} {month}",
            researcher,
            f"a researcher at {ngo}",
        ),
    ]
    rng.shuffle(quote_bank)
    rng.shuffle(fillers)
    qi = fi = 0
    while sum(len(p.text.split()) for p in paras) < words:
        if qi < len(quote_bank) and rng.random() < 0.5:
            quote_bank[qi]()
            qi += 1
            n_quotes += 1
        elif fi < len(fillers):
            fillers[fi]()
            fi += 1
        else:
            prose(*(_testimony(rng, ngo) for _ in range(rng.randint(1, 3))))
    body = title + "\n\n" + "\n\n".join(p.text for p in paras) + "\n"
    ctx["title"] = title
    ctx["date"] = f"{year}-{['March', 'April', 'May', 'June'].index(month) + 3:02d}-{day + 7:02d}"
    return body, paras, ctx


def _paraphrase(s: str, rng: random.Random) -> str:
    words = s.split()
    out = [PARAPHRASE.get(w, w) for w in words]
    text = " ".join(out)
    # Word order: move a trailing "…, X said today." clause to the front.
    if ", " in text and rng.random() < 0.5 and text.endswith("said today."):
        head, tail = text.rsplit(", ", 1)
        text = f"{tail[:-1].replace(' today', '')[0].upper()}{tail[:-1].replace(' today', '')[1:]} that {head[0].lower()}{head[1:]}."
    return text


def _derive(
    rng: random.Random, src_id: str, paras: list[Para], ctx: dict[str, Any], did: str
) -> tuple[str, dict[str, Any]]:
    truth: dict[str, Any] = {
        "id": did,
        "source": src_id,
        "quotes": [],
        "additions": [],
        "omitted": [],
    }
    out: list[str] = []
    keep = [p for p in paras if rng.random() < 0.75] or paras[:2]
    for p in paras:
        if p not in keep:
            truth["omitted"].extend(p.sentences)
    if rng.random() < 0.3 and len(keep) > 3:
        i = rng.randrange(1, len(keep) - 1)
        keep[i], keep[i + 1] = keep[i + 1], keep[i]
    taken = {w for sp in ctx["speakers"] for w in sp.split()}
    others = [f"{f} {ln}" for f in FIRST for ln in LAST if f not in taken and ln not in taken]
    for p in keep:
        if p.kind == "prose":
            r = rng.random()
            if r < 0.25:
                out.append(" ".join(_paraphrase(s, rng) for s in p.sentences))
            elif r < 0.4 and any(ch.isdigit() for ch in p.text):
                # Change one figure in prose: an unsupported claim.
                import re

                nums = list(
                    re.finditer(
                        r"(?:investigated|than|least|interviewed|examined|away) (\d+)\b", p.text
                    )
                )
                if not nums:
                    out.append(p.text)
                    continue
                m = rng.choice(nums)
                new = str(int(m.group(1)) * 2 + 7)
                changed = p.text[: m.start(1)] + new + p.text[m.end(1) :]
                out.append(changed)
                sent = next(s for s in p.sentences if m.group(0) in s)
                truth["additions"].append(
                    {
                        "text": sent.replace(m.group(0), m.group(0).replace(m.group(1), new), 1),
                        "kind": "unsupported",
                        "edit": "changed_figure",
                    }
                )
            else:
                out.append(p.text)
            continue
        assert p.quote is not None and p.speaker is not None
        q = p.quote
        r = rng.random()
        speaker = p.speaker
        status, flags = "verbatim", []
        if r < 0.25:
            # Trim: drop the actor phrase at the start, or cut after the first clause.
            low = q[0].lower() + q[1:]
            actor = next((a for a in ACTORS if low.startswith(a)), None)
            if actor:
                q = q[len(actor) :].strip()
                q = q[0].upper() + q[1:]
                status, flags = "trimmed", ["removed_actor"]
            elif " not " in q:
                q = q.replace(" not ", " ", 1)
                status, flags = "trimmed", ["removed_negation"]
            elif ", and " in q:
                q = q.split(", and ")[0]
                status, flags = "trimmed", []
        elif r < 0.45 and any(ch.isdigit() for ch in q):
            import re

            found = re.search(r"\d+", q)
            assert found is not None
            m = found
            q = q[: m.start()] + str(int(m.group()) + rng.randint(3, 40)) + q[m.end() :]
            status, flags = "altered", ["changed_number"]
        elif r < 0.6:
            speaker = rng.choice(others)
            status, flags = "misattributed", ["changed_speaker"]
        elif r < 0.7 and any(w in q.split() for w in QUOTE_SYNONYMS):
            # A word inside the quotation swapped for a near-synonym: still "altered".
            w = next(w for w in q.split() if w in QUOTE_SYNONYMS)
            q = q.replace(w, QUOTE_SYNONYMS[w], 1)
            status, flags = "altered", []
        elif r < 0.8:
            # The speaker given by office instead of name: not a misattribution.
            speaker = (
                f"the director of {ctx['ngo']}"
                if speaker == ctx["speakers"][0]
                else (f"a researcher at {ctx['ngo']}")
            )
        style = rng.random()
        if style < 0.4:
            text = f"\u201c{q},\u201d said {speaker}."
        elif style < 0.6:
            text = f"{speaker} told the Courier: \u201c{q}.\u201d"
        elif style < 0.8:
            text = f'"{q}," {speaker} said.'
        else:
            text = f"According to {speaker}, \u201c{q}.\u201d"
        out.append(text)
        truth["quotes"].append({"text": q, "status": status, "flags": flags, "speaker": speaker})
        if status == "altered" or "removed_negation" in flags:
            truth["additions"].append(
                {"text": text, "kind": "unsupported", "edit": f"{status}_quote"}
            )
    # Insertions.
    if rng.random() < 0.5:
        iq = rng.choice(INVENTED)
        who = rng.choice(
            ["one resident", "a witness", "a local shopkeeper", "a relative of one victim"]
        )
        text = f"\u201c{iq},\u201d {who} said."
        out.insert(rng.randrange(1, len(out) + 1), text)
        truth["quotes"].append({"text": iq, "status": "not_in_source", "flags": [], "speaker": who})
        truth["additions"].append({"text": text, "kind": "unsupported", "edit": "invented_quote"})
    if rng.random() < 0.5:
        text = f"{ctx['ngo']} also {rng.choice(CALLS)}."
        out.insert(rng.randrange(1, len(out) + 1), text)
        truth["additions"].append(
            {"text": text, "kind": "attributed_to_source", "edit": "false_call"}
        )
    if rng.random() < 0.4:
        text = rng.choice(UNSUPPORTED)
        out.insert(rng.randrange(1, len(out) + 1), text)
        truth["additions"].append({"text": text, "kind": "unsupported", "edit": "claim"})
    headline = f"Rights group reports killings in {ctx['town']} (fictional)"
    body = headline + "\n\n" + "\n\n".join(out) + "\n"
    return body, truth


def generate(n: int, seed: int, words: int = 400) -> tuple[dict[str, str], dict[str, Any]]:
    """*n* derivatives (and their sources, one per three derivatives): file name → text,
    plus the truth record."""
    rng = random.Random(seed)
    files: dict[str, str] = {}
    truth: dict[str, Any] = {"fictional": True, "seed": seed, "sources": [], "derivatives": []}
    n_sources = max(1, (n + 2) // 3)
    srcs = []
    for si in range(n_sources):
        sid = f"source_{si:05d}.txt"
        text, paras, ctx = _source(rng, words)
        files[sid] = text
        srcs.append((sid, paras, ctx))
        truth["sources"].append({"id": sid, "date": ctx["date"], "ngo": ctx["ngo"]})
    for di in range(n):
        sid, paras, ctx = srcs[di % n_sources]
        did = f"derivative_{di:05d}.txt"
        text, t = _derive(rng, sid, paras, ctx, did)
        files[did] = text
        truth["derivatives"].append(t)
    return files, truth


def write_corpus(out: Path, *, n: int, seed: int, words: int = 400) -> dict[str, Any]:
    """Write the generated documents and truth.json into *out*; returns a summary."""
    out.mkdir(parents=True, exist_ok=True)
    files, truth = generate(n, seed, words)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    (out / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / "README.txt").write_text(
        "Synthetic, fictional documents generated by `dalil synth documents` "
        f"(seed {seed}). All names, places and events are invented.\n",
        encoding="utf-8",
    )
    return {
        "out": str(out),
        "sources": len(truth["sources"]),
        "derivatives": len(truth["derivatives"]),
        "seed": seed,
    }


def _pseudo_vocab(rng: random.Random, size: int) -> list[str]:
    syll = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"] + ["sh", "th", "ar", "en", "ol"]
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(syll) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def generate_corpus(
    n: int, seed: int, words: int = 800, derived_share: float = 0.3
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """A large fictional corpus for the graph benchmark: ``(documents, true edges)``.

    Original documents are random text over a synthetic Zipf-distributed vocabulary
    (pseudo-words, no real language); a share of the documents are derivatives that copy
    30–70 % of an earlier document's paragraphs (with 3 % of words substituted) and add
    their own text.  Each true edge is ``(source id, derivative id)``.
    """
    import numpy as np

    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    vocab = _pseudo_vocab(rng, 30000)
    rng.shuffle(vocab)
    ranks = np.arange(1, len(vocab) + 1)
    cdf = np.cumsum(1.0 / ranks**1.07)
    cdf /= cdf[-1]

    def draw(k: int) -> list[str]:
        idx = np.searchsorted(cdf, nrng.random(k))
        return [vocab[min(int(i), len(vocab) - 1)] for i in idx]

    def para() -> str:
        sents = []
        for _ in range(rng.randint(3, 6)):
            sents.append(" ".join(draw(rng.randint(8, 24))).capitalize() + ".")
        return " ".join(sents)

    docs: list[tuple[str, list[str]]] = []
    edges: list[tuple[str, str]] = []
    for i in range(n):
        did = f"doc_{i:06d}"
        if i > 10 and rng.random() < derived_share:
            parent_id, parent = docs[rng.randrange(len(docs))]
            share = rng.uniform(0.3, 0.7)
            kept = [pp for pp in parent if rng.random() < share] or parent[:1]
            edited = []
            for pp in kept:
                ws = pp.split()
                for _ in range(max(1, len(ws) * 3 // 100)):
                    ws[rng.randrange(len(ws))] = draw(1)[0]
                edited.append(" ".join(ws))
            paras = list(edited)
            while sum(len(x.split()) for x in paras) < words:
                paras.insert(rng.randrange(len(paras) + 1), para())
            edges.append((parent_id, did))
        else:
            paras = []
            while sum(len(x.split()) for x in paras) < words:
                paras.append(para())
        docs.append((did, paras))
    return [(d, "\n\n".join(ps)) for d, ps in docs], edges
