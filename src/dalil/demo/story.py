"""The demo case: a fictional coastal town, its people, organisations, units and events.

EVERYTHING HERE IS FICTIONAL AND SYNTHETIC. Marjan, the Nahrani community, the Coastal
Shield Brigade, the Free Coast Front, the Marjan Documentation Centre and every person
named are invented for dalil's demonstration and tests. Coordinates are deliberately
placed in open ocean so that no map can be read as a real place.

The story (2021): the Free Coast Front attacks security posts around Marjan on 13 April;
in the counter-offensive on 14-15 April fighters of the Coastal Shield Brigade, a militia
affiliated with the government, kill Nahrani civilians in the Harbour quarter and on
Olive Hill. Families bury their dead in a field beside the old olive press. The Marjan
Documentation Centre investigates 32 of more than 100 reported killings; newspapers
rewrite its release, some faithfully, some not; a documentation group publishes its own
toll; the ministry blames the Front.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

LABEL = "FICTIONAL — synthetic demo data for dalil"

TOWN = "Marjan (fictional)"
COUNTRY = "Fictional Republic"
ADMIN1 = "Coast Governorate (fictional)"
# Open ocean, far from any coast: a deliberately impossible place for a coastal town.
PLACES: dict[str, tuple[float, float]] = {
    "Harbour quarter": (-31.512, -118.214),
    "Olive Hill": (-31.498, -118.187),
    "Old olive press field": (-31.489, -118.176),
    "Harbour cemetery annex": (-31.518, -118.221),
    "North checkpoint": (-31.472, -118.199),
}

GIVEN_M = [
    ("سمير", "Samir", ("Sameer", "Smir")),
    ("كريم", "Karim", ("Kareem", "Kerim")),
    ("يوسف", "Yusuf", ("Youssef", "Yousef")),
    ("محمود", "Mahmoud", ("Mahmud", "Mahmood")),
    ("رامي", "Rami", ("Ramy", "Ramie")),
    ("طارق", "Tareq", ("Tarek", "Tariq")),
    ("وائل", "Wael", ("Wa'il", "Wail")),
    ("جميل", "Jamil", ("Jameel", "Gamil")),
    ("نبيل", "Nabil", ("Nabeel", "Nebil")),
    ("فادي", "Fadi", ("Fady", "Fadie")),
    ("بشير", "Bashir", ("Basheer", "Bachir")),
    ("منير", "Munir", ("Mounir", "Moneer")),
    ("هاني", "Hani", ("Hany", "Hanie")),
    ("غسان", "Ghassan", ("Ghasan", "Gassan")),
]
GIVEN_F = [
    ("ليلى", "Layla", ("Leila", "Laila")),
    ("نور", "Nour", ("Noor", "Nur")),
    ("سعاد", "Suad", ("Souad", "Soad")),
    ("ريم", "Reem", ("Rim", "Riim")),
]
FAMILY = [
    ("العطار", "al-Attar", ("Attar", "el-Attar")),
    ("الصباغ", "al-Sabbagh", ("Sabbagh", "Sabagh")),
    ("درويش", "Darwish", ("Derwish", "Darwich")),
    ("الحلبي", "al-Halabi", ("Halaby", "Halabi")),
    ("شاهين", "Shahin", ("Shaheen", "Chahine")),
    ("منصور", "Mansour", ("Mansur", "Mansoor")),
    ("قاسم", "Qasim", ("Kassem", "Qassem")),
    ("زيدان", "Zaidan", ("Zeidan", "Zidan")),
    ("النجار", "al-Najjar", ("Najjar", "Nadjar")),
    ("الخوري", "al-Khoury", ("Khoury", "Khouri")),
]


@dataclass(frozen=True)
class DemoText:
    key: str
    filename: str
    title: str
    publisher: str
    on: date
    kind: str  # report | news | statement | testimony | forensic
    witness: str | None = None  # witness key for testimonies


TEXTS: tuple[DemoText, ...] = (
    DemoText(
        "ngo",
        "ngo_release.txt",
        "Marjan: killings of Nahrani civilians were deliberate and unlawful",
        "Marjan Documentation Centre (fictional NGO)",
        date(2021, 5, 2),
        "report",
    ),
    DemoText(
        "news1",
        "news_faithful.txt",
        "Rights group says Marjan killings were war crimes",
        "Coastal Daily (fictional)",
        date(2021, 5, 3),
        "news",
    ),
    DemoText(
        "news2",
        "news_trimmed.txt",
        "Report describes deaths in Marjan",
        "Harbour Times (fictional)",
        date(2021, 5, 4),
        "news",
    ),
    DemoText(
        "news3",
        "news_invented.txt",
        "Hundreds killed in Marjan massacre, says NGO",
        "The Evening Gazette (fictional)",
        date(2021, 5, 5),
        "news",
    ),
    DemoText(
        "monitor",
        "monitor_toll.txt",
        "Coast Martyrs Register update",
        "Coast Martyrs Register (fictional)",
        date(2021, 5, 9),
        "report",
    ),
    DemoText(
        "gov",
        "gov_statement.txt",
        "Statement of the Interior Ministry",
        "Interior Ministry (fictional)",
        date(2021, 5, 6),
        "statement",
    ),
    DemoText(
        "t_salma",
        "testimony_salma.txt",
        "Testimony of Salma (pseudonym)",
        "Marjan Documentation Centre (fictional NGO)",
        date(2021, 4, 17),
        "testimony",
        "salma",
    ),
    DemoText(
        "t_adel",
        "testimony_adel.txt",
        "Testimony of Adel (pseudonym)",
        "Marjan Documentation Centre (fictional NGO)",
        date(2021, 4, 19),
        "testimony",
        "adel",
    ),
    DemoText(
        "t_huda",
        "testimony_huda.txt",
        "Testimony of Huda (pseudonym)",
        "Marjan Documentation Centre (fictional NGO)",
        date(2021, 4, 22),
        "testimony",
        "huda",
    ),
    DemoText(
        "t_nizar",
        "testimony_nizar.txt",
        "Testimony of Nizar (pseudonym)",
        "Marjan Documentation Centre (fictional NGO)",
        date(2021, 4, 25),
        "testimony",
        "nizar",
    ),
    DemoText(
        "forensic",
        "forensic_note.txt",
        "Preliminary forensic note, Harbour cemetery annex",
        "Forensic team (fictional)",
        date(2021, 6, 12),
        "forensic",
    ),
)
#: Which texts derive from which (the truth the source-verification graph should find).
DERIVATIONS: dict[str, tuple[str, ...]] = {"news1": ("ngo",), "news2": ("ngo",), "news3": ("ngo",)}


def text(filename: str) -> str:
    return (
        resources.files("dalil.demo")
        .joinpath("texts")
        .joinpath(filename)
        .read_text(encoding="utf-8")
    )


@dataclass(frozen=True)
class Witness:
    key: str
    pseudonym: str
    sex: str
    # Protected values (fictional). They must never appear in a public report: the
    # redaction tests use them as canaries.
    legal_name: str
    contact: str
    address: str
    identity_group: str


WITNESSES: tuple[Witness, ...] = (
    Witness(
        "salma",
        "Salma",
        "F",
        "Marwa Tawfiq Qandil",
        "+000 5550 1701",
        "7 Lantern Steps, Harbour quarter",
        "Nahrani",
    ),
    Witness(
        "adel",
        "Adel",
        "M",
        "Ziad Fuad Barakeh",
        "zbarakeh.fictional@example.invalid",
        "Flat 3, Almond Row, Olive Hill",
        "Nahrani",
    ),
    Witness(
        "huda",
        "Huda",
        "F",
        "Sawsan Kamil Ibrisi",
        "+000 5550 1733",
        "Nurses' lodge, Marjan hospital road",
        "Nahrani",
    ),
    Witness(
        "nizar",
        "Nizar",
        "M",
        "Talal Munif Serhani",
        "signal:+000 5550 1788",
        "Room 12, Ferry Street hostel",
        "not recorded",
    ),
)


# Suspects (fictional) — protected legal names; the public report names units, not people.
@dataclass(frozen=True)
class SuspectSpec:
    key: str
    alias: str
    legal_name: str
    arabic_name: str
    unit: str
    rank: str
    start: date
    end: date | None


SUSPECTS: tuple[SuspectSpec, ...] = (
    SuspectSpec(
        "abu_layth",
        "Abu Layth",
        "Fawwaz Hamdan Qarawi",
        "فواز حمدان القرعاوي",
        "U-CSB-2",
        "commander",
        date(2019, 6, 1),
        None,
    ),
    SuspectSpec(
        "s_deputy",
        "the deputy",
        "Murad Salim Dabbagh",
        "مراد سليم الدباغ",
        "U-CSB-2",
        "deputy commander",
        date(2020, 1, 1),
        None,
    ),
    SuspectSpec(
        "s_csb",
        "brigade commander",
        "Anwar Jalil Sukkari",
        "أنور جليل السكري",
        "U-CSB",
        "brigade commander",
        date(2018, 3, 1),
        None,
    ),
)

UNITS: tuple[tuple[str, str, str | None, str], ...] = (
    ("U-DIV3", "3rd Division (fictional)", None, "state forces"),
    ("U-CSB", "Coastal Shield Brigade (fictional)", "U-DIV3", "affiliated militia"),
    ("U-CSB-2", "2nd Battalion, Coastal Shield Brigade (fictional)", "U-CSB", "affiliated militia"),
    ("U-FCF", "Free Coast Front (fictional)", None, "armed group"),
)


@dataclass
class Victim:
    key: str
    given: int
    family: int
    female: bool
    age: int
    day: date
    place: str

    def arabic(self) -> str:
        g = (GIVEN_F if self.female else GIVEN_M)[self.given]
        return f"{g[0]} {FAMILY[self.family][0]}"

    def latin(self) -> str:
        g = (GIVEN_F if self.female else GIVEN_M)[self.given]
        return f"{g[1]} {FAMILY[self.family][1]}"

    def variant(self, rng: random.Random) -> str:
        g = (GIVEN_F if self.female else GIVEN_M)[self.given]
        f = FAMILY[self.family]
        return f"{rng.choice((g[1], *g[2]))} {rng.choice((f[1], *f[2]))}"


def victims(size: str = "small", seed: int = 2021) -> list[Victim]:
    """The true victim population of the story (fictional): 60 (small) or 140 (full)."""
    n = 60 if size == "small" else 140
    rng = random.Random(seed)
    combos = [(g, f, False) for g in range(len(GIVEN_M)) for f in range(len(FAMILY))]
    combos += [(g, f, True) for g in range(len(GIVEN_F)) for f in range(len(FAMILY))]
    rng.shuffle(combos)
    out = []
    for i, (g, f, fem) in enumerate(combos[:n]):
        day = date(2021, 4, 14) if rng.random() < 0.55 else date(2021, 4, 15)
        place = "Harbour quarter" if day == date(2021, 4, 14) else "Olive Hill"
        age = rng.randint(16, 75) if not fem else rng.randint(20, 70)
        out.append(Victim(f"V{i + 1:03d}", g, f, fem, age, day, place))
    return out


LIST_SPECS = (
    # name, capture probability, script
    ("mdc", 0.55, "latin", "Marjan Documentation Centre list (fictional)"),
    ("cmr", 0.7, "arabic", "Coast Martyrs Register list (fictional)"),
    ("hosp", 0.4, "latin", "Marjan hospital death records (fictional)"),
    ("fam", 0.35, "arabic", "Families' committee list (fictional)"),
)
LIST_FIELDS = [
    "record_id",
    "list",
    "full_name",
    "sex",
    "age",
    "date_of_death",
    "place_of_death",
    "locality",
]


def victim_lists(size: str = "small", seed: int = 2021) -> dict[str, list[dict[str, str]]]:
    """Overlapping, differently spelled victim lists with ground truth in ``true_id``.

    Each list names a random subset of the fictional victims, spelled its own way
    (Arabic or Latin, transliteration variants, ages off by a year, dates missing).
    """
    rng = random.Random(seed + 1)
    vs = victims(size, seed)
    out: dict[str, list[dict[str, str]]] = {}
    for name, p, script, _title in LIST_SPECS:
        rows: list[dict[str, str]] = []
        for v in vs:
            if rng.random() >= p:
                continue
            full = v.arabic() if script == "arabic" else v.variant(rng)
            age = v.age + rng.choice((0, 0, 0, 1, -1))
            rows.append(
                {
                    "record_id": f"{name}-{len(rows) + 1:04d}",
                    "list": name,
                    "full_name": full,
                    "sex": "F" if v.female else "M",
                    "age": "" if rng.random() < 0.15 else str(age),
                    "date_of_death": "" if rng.random() < 0.1 else v.day.isoformat(),
                    "place_of_death": "Marjan",
                    "locality": v.place,
                    "true_id": v.key,
                }
            )
        out[name] = rows
    return out


# --- acts and assessments ------------------------------------------------------------

ASSESSOR = "lina"  # legal analyst (fictional user)
REVIEWER = "omar"  # second legal analyst (fictional user)


@dataclass
class ActSpec:
    key: str
    incident: str
    victim: str  # victim key
    day: date
    place: str
    method: str
    evidence: list[str]  # DemoText keys / photo keys
    findings: dict[str, tuple[str, list[str], str | None]] = field(default_factory=dict)
    signed: bool = True


def acts(size: str = "small") -> list[ActSpec]:
    """The assessed killings (12 small / 32 full — the 32 the NGO investigated)."""
    vs = victims(size)
    n = 12 if size == "small" else 32
    rng = random.Random(77)
    out = []
    for i, v in enumerate(vs[:n]):
        inc = "INC-HARBOUR" if v.place == "Harbour quarter" else "INC-OLIVE"
        wit = "t_salma" if inc == "INC-HARBOUR" else "t_adel"
        ev = [wit, f"photo-{i + 1:02d}"]
        if i % 4 == 0:
            ev.append("forensic")
        link = ["t_nizar", wit]
        f: dict[str, tuple[str, list[str], str | None]] = {
            "civilian": ("established", [wit, f"photo-{i + 1:02d}"], "unarmed, at home"),
            "deliberate": (
                "established",
                [wit] + (["forensic"] if "forensic" in ev else []),
                "shot at close range",
            ),
            "identity": ("established", [wit, "ngo"], "asked whether Nahrani before being shot"),
            "party": ("established", link, "Coastal Shield Brigade insignia and vehicles"),
            "nexus": ("established", ["gov", "ngo"], "during the counter-offensive"),
        }
        r = rng.random()
        if r < 0.2:
            f["identity"] = ("likely", [wit], "identity question not witnessed for this victim")
        elif r < 0.3:
            f["civilian"] = ("insufficient", [], "victim's status before death unclear")
        if i == 3:
            f["deliberate"] = ("likely", [wit], "body found later; circumstances from neighbours")
        out.append(
            ActSpec(
                f"ACT-{i + 1:02d}",
                inc,
                v.key,
                v.day,
                v.place,
                "shooting",
                ev,
                f,
                signed=(i != n - 1),
            )
        )
    return out


INCIDENTS = (
    # key, title, event, sub-event, civ targeting, actor1, date, place, precision, low, best, high, sources
    (
        "INC-CHECKPOINT",
        "Free Coast Front attack on the north checkpoint (fictional)",
        "Battles",
        "Armed clash",
        False,
        "Free Coast Front (fictional)",
        date(2021, 4, 13),
        date(2021, 4, 13),
        "North checkpoint",
        "near",
        5,
        7,
        9,
        {"low": ["gov"], "best": ["gov"], "high": ["monitor"]},
    ),
    (
        "INC-HARBOUR",
        "Killings in the Harbour quarter (fictional)",
        "Violence against civilians",
        "Attack",
        True,
        "Coastal Shield Brigade (fictional)",
        date(2021, 4, 14),
        date(2021, 4, 14),
        "Harbour quarter",
        "exact",
        32,
        58,
        80,
        {"low": ["ngo"], "best": ["t_huda"], "high": ["monitor"]},
    ),
    (
        "INC-OLIVE",
        "Killings on Olive Hill (fictional)",
        "Violence against civilians",
        "Attack",
        True,
        "Coastal Shield Brigade (fictional)",
        date(2021, 4, 15),
        date(2021, 4, 15),
        "Olive Hill",
        "near",
        20,
        44,
        66,
        {"low": ["ngo"], "best": ["monitor"], "high": ["monitor"]},
    ),
)

SITES: tuple[dict[str, Any], ...] = (
    {
        "key": "SITE-OLIVE-PRESS",
        "name": "Field beside the old olive press (fictional mass grave)",
        "kind": "mass_grave",
        "place": "Old olive press field",
        "estimated": 40,
        "recovered": None,
        "history": [
            ("reported", date(2021, 4, 22), "t_huda"),
            ("located", date(2021, 5, 10), "photo-site-1"),
            ("secured", date(2021, 6, 1), None),
        ],
        "access": "Committee access refused twice at the brigade checkpoint (fictional); next request lodged 3 June.",
        "protection": "Guarded by municipal police since 1 June; families ask that the site not be disturbed before forensic exhumation.",
        "incidents": ["INC-HARBOUR", "INC-OLIVE"],
    },
    {
        "key": "SITE-CEMETERY",
        "name": "Harbour cemetery annex (fictional)",
        "kind": "burial",
        "place": "Harbour cemetery annex",
        "estimated": 12,
        "recovered": 11,
        "history": [
            ("reported", date(2021, 4, 18), "t_salma"),
            ("located", date(2021, 4, 25), None),
            ("secured", date(2021, 5, 20), None),
            ("exhumed", date(2021, 6, 12), "forensic"),
        ],
        "access": "Exhumation by the committee's forensic team with families present.",
        "protection": "Remains transferred to the mortuary; site closed.",
        "incidents": ["INC-HARBOUR"],
    },
)

CLAIMS = (
    (
        "C-TOLL",
        "toll",
        "More than 100 people killed in Marjan on 14-15 April 2021",
        "Marjan",
        "2021-04-14",
        "2021-04-15",
        101,
        None,
    ),
    (
        "C-TOLL-300",
        "toll",
        "More than 300 people killed in Marjan in April 2021",
        "Marjan",
        "2021-04-01",
        "2021-04-30",
        301,
        None,
    ),
    (
        "C-ATTR",
        "attribution",
        "Killings committed by the Coastal Shield Brigade",
        "Marjan",
        "2021-04-14",
        "2021-04-15",
        None,
        None,
    ),
    (
        "C-METHOD",
        "method",
        "Victims shot at close range after being asked their religious identity",
        "Marjan",
        "2021-04-14",
        "2021-04-15",
        None,
        None,
    ),
)
CARRIERS = (
    # claim, source key, grade, stance
    ("C-TOLL", "ngo", "B2", "supports"),
    ("C-TOLL", "news1", "C3", "supports"),
    ("C-TOLL", "news2", "C3", "supports"),
    ("C-TOLL", "monitor", "B2", "supports"),
    ("C-TOLL", "t_huda", "B2", "supports"),
    ("C-TOLL-300", "news3", "E5", "supports"),
    ("C-ATTR", "ngo", "B2", "supports"),
    ("C-ATTR", "news1", "C3", "supports"),
    ("C-ATTR", "t_salma", "B2", "supports"),
    ("C-ATTR", "t_adel", "B2", "supports"),
    ("C-ATTR", "monitor", "C3", "supports"),
    ("C-ATTR", "gov", "D4", "contradicts"),
    ("C-METHOD", "ngo", "B2", "supports"),
    ("C-METHOD", "t_salma", "B2", "supports"),
    ("C-METHOD", "forensic", "A1", "supports"),
    ("C-METHOD", "monitor", "C3", "supports"),
)

USERS = (
    # username, role, display
    ("nadia", "investigator", "Nadia (fictional investigator)"),
    ("sami", "analyst", "Sami (fictional analyst)"),
    (ASSESSOR, "legal", "Lina (fictional legal analyst)"),
    (REVIEWER, "legal", "Omar (fictional legal analyst, reviewer)"),
)

SUMMARY = (
    "This is a fictional case written for dalil's demonstration. No real person, place or event is described.",
    "On 14 and 15 April 2021, during a counter-offensive after the Free Coast Front attacked security posts around Marjan, "
    "civilians of the Nahrani community were killed in the Harbour quarter and on Olive Hill. Witnesses identify the gunmen "
    "as fighters of the Coastal Shield Brigade, a militia affiliated with the government.",
)

ASSESSED_AT = datetime(2021, 6, 20, 10, 0)


def sign_time(i: int) -> datetime:
    return ASSESSED_AT + timedelta(days=2, minutes=i)
