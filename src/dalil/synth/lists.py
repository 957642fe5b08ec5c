"""Synthetic victim lists with ground truth (fictional people, fictional places).

Every person, family and place generated here is FICTIONAL. Given names and family
names are common Syrian-Arabic *names* (not people); the towns and regions are invented.

:func:`generate` builds a population of households (siblings share father, grandfather
and family name — the hard cases of real lists), kills a subset in a fictional
two-day event, and lets *K* documenting groups each record some of them:

* script — a list is written in Arabic script or in Latin letters, each Latin list with
  its own transliteration habits (ou/u, e/a, doubled consonants, Abdul/Abd al-/Abdel,
  el-/al-/none, -a/-eh, Mhd for Muhammad, French ch/dj);
* completeness — which fields a list carries (full name only, or parts; age or birth
  year; exact or month-only dates; mother's name) and how often a value is blank;
* typos — character drops, swaps and substitutions at a list-specific rate;
* capture — each list's probability of recording a victim depends on sex, age and
  place, and later lists partly copy earlier ones (positive dependence);
* duplicates — a few people appear twice in the same list.

The truth (record → person) is returned and written apart from the lists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dalil.display import csvout

# (Arabic, canonical Latin) — common given names, not people.
MALE: list[tuple[str, str]] = [
    ("محمد", "Muhammad"), ("أحمد", "Ahmad"), ("محمود", "Mahmoud"), ("علي", "Ali"),
    ("حسن", "Hasan"), ("حسين", "Husayn"), ("خالد", "Khalid"), ("عمر", "Umar"),
    ("يوسف", "Yusuf"), ("إبراهيم", "Ibrahim"), ("مصطفى", "Mustafa"), ("عبد الرحمن", "Abd al-Rahman"),
    ("عبد الله", "Abd Allah"), ("عبد الكريم", "Abd al-Karim"), ("عبد الرزاق", "Abd al-Razzaq"),
    ("سامي", "Sami"), ("رامي", "Rami"), ("فادي", "Fadi"), ("وائل", "Wail"), ("سعيد", "Said"),
    ("طارق", "Tariq"), ("زياد", "Ziyad"), ("ماهر", "Mahir"), ("باسل", "Basil"),
    ("غسان", "Ghassan"), ("شادي", "Shadi"), ("جمال", "Jamal"), ("قاسم", "Qasim"),
    ("نور الدين", "Nur al-Din"), ("علاء الدين", "Ala al-Din"), ("سليمان", "Sulayman"),
    ("عيسى", "Isa"), ("إلياس", "Ilyas"), ("جورج", "Jurj"), ("حمزة", "Hamza"), ("يحيى", "Yahya"),
    ("مروان", "Marwan"), ("أيمن", "Ayman"), ("رائد", "Raid"), ("حيدر", "Haydar"),
    ("جعفر", "Jafar"), ("عباس", "Abbas"), ("كريم", "Karim"), ("نبيل", "Nabil"),
    ("وليد", "Walid"), ("هشام", "Hisham"), ("عماد", "Imad"), ("منذر", "Mundhir"),
    ("ياسر", "Yasir"), ("أنس", "Anas"), ("بلال", "Bilal"), ("عثمان", "Uthman"),
    ("رضوان", "Ridwan"), ("صالح", "Salih"), ("فراس", "Firas"), ("مازن", "Mazin"),
    ("نزار", "Nizar"), ("ثائر", "Thair"), ("أسامة", "Usama"), ("ابو بكر", "Abu Bakr"),
    ("عدنان", "Adnan"), ("أيهم", "Ayham"),
    ("بسام", "Bassam"), ("فواز", "Fawwaz"), ("غازي", "Ghazi"),
    ("هيثم", "Haytham"), ("حسام", "Husam"), ("إسماعيل", "Ismail"), ("جلال", "Jalal"),
    ("كمال", "Kamal"), ("لطفي", "Lutfi"),
    ("منصور", "Mansur"), ("منير", "Munir"), ("مهند", "Muhannad"), ("نادر", "Nadir"),
    ("ناصر", "Nasir"), ("صفوان", "Safwan"),
    ("شاكر", "Shakir"), ("صبحي", "Subhi"), ("سهيل", "Suhayl"), ("تامر", "Tamir"),
    ("توفيق", "Tawfiq"), ("يزن", "Yazan"), ("زكريا", "Zakariya"), ("زهير", "Zuhayr"), ("نضال", "Nidal"),
    ("قصي", "Qusay"), ("رفيق", "Rafiq"),
    ("خلدون", "Khaldun"), ("محسن", "Muhsin"), ("عبد الحميد", "Abd al-Hamid"),
    ("عبد القادر", "Abd al-Qadir"), ("عبد اللطيف", "Abd al-Latif"), ("عبد العزيز", "Abd al-Aziz"),
]  # fmt: skip
FEMALE: list[tuple[str, str]] = [
    ("فاطمة", "Fatima"), ("عائشة", "Aisha"), ("مريم", "Maryam"), ("زينب", "Zaynab"),
    ("خديجة", "Khadija"), ("هالة", "Hala"), ("هبة", "Hiba"), ("رشا", "Rasha"),
    ("نسرين", "Nisrin"), ("سعاد", "Suad"), ("أمل", "Amal"), ("رنا", "Rana"), ("لينا", "Lina"),
    ("ريم", "Rim"), ("سلمى", "Salma"), ("ليلى", "Layla"), ("نور", "Nur"), ("رغد", "Raghad"),
    ("ياسمين", "Yasmin"), ("سوسن", "Sawsan"), ("منى", "Muna"), ("سمر", "Samar"),
    ("كندة", "Kinda"), ("ميساء", "Maysa"), ("وفاء", "Wafa"), ("غادة", "Ghada"),
    ("جميلة", "Jamila"), ("حليمة", "Halima"), ("آمنة", "Amina"), ("رقية", "Ruqayya"),
    ("بشرى", "Bushra"), ("دعاء", "Dua"), ("إيمان", "Iman"), ("ماري", "Mari"), ("هند", "Hind"),
    ("بيان", "Bayan"), ("ضحى", "Duha"),
    ("غفران", "Ghufran"), ("حنان", "Hanan"), ("جمانة", "Jumana"),
    ("كوثر", "Kawthar"), ("لمى", "Lama"), ("لبنى", "Lubna"), ("منال", "Manal"),
    ("نادية", "Nadia"), ("نوال", "Nawal"),
    ("صفاء", "Safa"), ("سحر", "Sahar"), ("شهد", "Shahd"),
    ("وداد", "Widad"), ("عبير", "Abir"), ("عفاف", "Afaf"), ("حياة", "Hayat"),
    ("نهلة", "Nahla"), ("سهاد", "Suhad"),
]  # fmt: skip
FAMILY: list[tuple[str, str]] = [
    ("الحسن", "al-Hasan"), ("العلي", "al-Ali"), ("الأحمد", "al-Ahmad"), ("المحمد", "al-Muhammad"),
    ("الخطيب", "al-Khatib"), ("الشامي", "al-Shami"), ("الحلبي", "al-Halabi"), ("المصري", "al-Masri"),
    ("العمر", "al-Umar"), ("الإبراهيم", "al-Ibrahim"), ("الصالح", "al-Salih"), ("حداد", "Haddad"),
    ("نجار", "Najjar"), ("خوري", "Khuri"), ("عيسى", "Isa"), ("سليمان", "Sulayman"),
    ("الزعبي", "al-Zubi"), ("الحمصي", "al-Himsi"), ("قاسم", "Qasim"), ("درويش", "Darwish"),
    ("يونس", "Yunus"), ("شحادة", "Shahada"), ("عباس", "Abbas"), ("ديب", "Dib"),
    ("الجاسم", "al-Jasim"), ("العبد الله", "al-Abd Allah"), ("بركات", "Barakat"),
    ("حمدان", "Hamdan"), ("منصور", "Mansur"), ("حيدر", "Haydar"), ("سلوم", "Sallum"),
    ("غانم", "Ghanim"), ("عثمان", "Uthman"), ("الرفاعي", "al-Rifai"), ("شاهين", "Shahin"),
    ("عيد", "Id"), ("جابر", "Jabir"), ("زيدان", "Zaydan"), ("الحسين", "al-Husayn"),
    ("طه", "Taha"), ("نصر", "Nasr"), ("سعد", "Saad"), ("اسماعيل", "Ismail"), ("كنعان", "Kanaan"),
    ("الشيخ", "al-Shaykh"), ("مخلوف", "Makhluf"), ("ونوس", "Wannus"), ("رستم", "Rustum"),
    ("الحموي", "al-Hamwi"), ("الدمشقي", "al-Dimashqi"), ("الإدلبي", "al-Idlibi"),
    ("الحوراني", "al-Hawrani"), ("الخليل", "al-Khalil"),
    ("المصطفى", "al-Mustafa"), ("اليوسف", "al-Yusuf"), ("الخلف", "al-Khalaf"),
    ("العبيد", "al-Ubayd"), ("الحريري", "al-Hariri"), ("علاف", "Allaf"), ("عطار", "Attar"),
    ("صباغ", "Sabbagh"), ("كيالي", "Kayyali"), ("قباني", "Qabbani"), ("مارديني", "Mardini"),
    ("زين", "Zayn"), ("سقا", "Saqqa"), ("بيطار", "Baytar"), ("طباع", "Tabba"),
    ("دكاك", "Dakkak"), ("الكردي", "al-Kurdi"), ("حجازي", "Hijazi"), ("رحال", "Rahhal"),
    ("العقاد", "al-Aqqad"), ("الجندي", "al-Jundi"), ("العسكري", "al-Askari"), ("نحاس", "Nahhas"),
    ("قصاب", "Qassab"), ("فرح", "Farah"), ("الشريف", "al-Sharif"),
    ("الرشيد", "al-Rashid"), ("مهنا", "Muhanna"), ("موسى", "Musa"),
    ("ياسين", "Yasin"), ("أيوب", "Ayyub"),
    ("النعسان", "al-Nasan"), ("الحاج", "al-Hajj"), ("البكري", "al-Bakri"),
]  # fmt: skip
# Invented places (FICTIONAL): (Arabic, Latin), grouped by an invented region.
PLACES: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("الساحل الغربي", "West Coast District"): [
        ("عين الورد", "Ain al-Ward"),
        ("تل الزهرة", "Tell al-Zahra"),
        ("بيت السرو", "Bayt al-Saru"),
        ("المرجة", "al-Marja"),
    ],
    ("وادي النسيم", "Wadi al-Nasim District"): [
        ("كفر ريحان", "Kafr Rayhan"),
        ("الضيعة الخضراء", "al-Dayaa al-Khadra"),
        ("رأس النبع", "Ras al-Nabaa"),
    ],
    ("الجبل الأزرق", "Blue Mountain District"): [
        ("دير الحمام", "Dayr al-Hamam"),
        ("قرية الصنوبر", "Qaryat al-Sanawbar"),
        ("بسطة", "Basta"),
    ],
}


# --------------------------------------------------------------------------------------
# Transliteration habits and typos
# --------------------------------------------------------------------------------------


@dataclass
class Habit:
    """How one documenting group writes names in Latin letters."""

    u_as: str = "ou"  # Yusuf → Yousuf
    a_final: str = "a"  # Fatima → Fatmeh ("eh"), Fatimah ("ah")
    doubling: float = 0.5  # chance to double a single medial consonant after a short vowel
    abd: str = "Abdul"  # Abd al-Rahman → Abdulrahman / Abdel Rahman / Abd al-Rahman
    article: str = "al-"  # al-Hasan / el-Hassan / Al Hasan / Alhasan
    e_for_i: float = 0.0  # Ibrahim → Ebrahim
    mhd: bool = False
    french: bool = False  # sh → ch, j → dj, u → ou
    q_as: str = "q"
    muhammad: str = "Mohammad"
    ay_as: str = "ai"  # Husayn → Hussain / Hussein / Husayn

    @staticmethod
    def random(rng: random.Random) -> Habit:
        return Habit(
            u_as=rng.choice(["u", "ou", "o", "oo"]),
            a_final=rng.choice(["a", "ah", "eh", "a"]),
            doubling=rng.choice([0.0, 0.3, 0.7]),
            abd=rng.choice(["Abdul", "Abd al-", "Abdel ", "Abdul ", "Abd el-"]),
            article=rng.choice(["al-", "el-", "Al ", "Al", "al-", ""]),
            e_for_i=rng.choice([0.0, 0.0, 0.3]),
            mhd=rng.random() < 0.3,
            french=rng.random() < 0.2,
            q_as=rng.choice(["q", "k", "q"]),
            muhammad=rng.choice(["Mohammad", "Muhammad", "Mohamed", "Mohammed"]),
            ay_as=rng.choice(["ai", "ei", "ay", "ay"]),
        )


def _latin_word(word: str, h: Habit, rng: random.Random) -> str:
    if word == "Muhammad":
        return "Mhd" if h.mhd and rng.random() < 0.6 else h.muhammad
    w = word
    if h.french:
        w = w.replace("sh", "ch").replace("Sh", "Ch").replace("j", "dj").replace("J", "Dj")
    w = w.replace("ay", h.ay_as)
    w = w.replace("q", h.q_as).replace("Q", h.q_as.upper())
    out = []
    for i, ch in enumerate(w):
        if ch == "u" and not h.french:
            out.append(h.u_as if rng.random() < 0.8 else "u")
        elif ch == "u":
            out.append("ou")
        elif ch in "iI" and i == 0 and rng.random() < h.e_for_i:
            out.append("E")
        else:
            out.append(ch)
        if (
            0 < i < len(w) - 2
            and ch in "bdfjklmnrstz"
            and w[i - 1] in "aiu"
            and w[i + 1] in "aiu"
            and rng.random() < h.doubling * 0.3
        ):
            out.append(ch)
    w = "".join(out)
    if w.endswith("a") and len(w) > 3 and word in _FEMININE_A:
        w = w[:-1] + h.a_final
    return w


_FEMININE_A = {n for _, n in FEMALE if n.endswith("a")} | {"Hamza", "Usama", "Shahada", "Taha"}


def latin_name(canonical: str, h: Habit, rng: random.Random) -> str:
    """Write one canonical Latin name the way a group with habit *h* would."""
    if canonical.startswith("Abd al-") or canonical == "Abd Allah":
        rest = canonical[7:] if canonical.startswith("Abd al-") else "Allah"
        if rest == "Allah":
            return rng.choice(["Abdullah", "Abdallah", "Abd Allah", "Abdulla"])
        rest_w = _latin_word(rest, h, rng)
        if h.abd == "Abdul":
            return "Abdul" + rest_w.lower() if rest != "Allah" else "Abdullah"
        return (h.abd + rest_w).strip()
    if canonical.startswith("al-") and " " not in canonical[3:]:
        rest = _latin_word(canonical[3:], h, rng)
        art = h.article
        return (art + (rest.lower() if art == "Al" else rest)) if art else rest
    if " al-" in canonical:  # Nur al-Din
        a, b = canonical.split(" al-", 1)
        a_w, b_w = _latin_word(a, h, rng), _latin_word(b, h, rng)
        if h.article == "":
            return a_w + "ed" + b_w.lower()
        art = h.article.strip().rstrip("-") or "al"
        sep = "-" if h.article.endswith("-") else " "
        return f"{a_w} {art}{sep}{b_w}"
    return " ".join(_latin_word(p, h, rng) for p in canonical.split())


def typo(text: str, rng: random.Random) -> str:
    """One random character-level error (drop, swap, double or substitute)."""
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.random()
    if kind < 0.35:
        return text[:i] + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind < 0.75:
        return text[:i] + text[i] + text[i:]
    pool = (
        "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
        if any("\u0600" <= c <= "\u06ff" for c in text)
        else "abdefhiklmnorstuyz"
    )
    return text[:i] + rng.choice(pool) + text[i + 1 :]


# --------------------------------------------------------------------------------------
# Population and lists
# --------------------------------------------------------------------------------------


@dataclass
class SynthLists:
    """The generated lists (name → rows), the truth and the population of victims."""

    lists: dict[str, list[dict[str, Any]]]
    truth: list[dict[str, str]]  # record_id, list, person_id
    people: list[dict[str, Any]] = field(default_factory=list)

    def truth_map(self) -> dict[str, str]:
        return {t["record_id"]: t["person_id"] for t in self.truth}


@dataclass
class ListSpec:
    name: str
    script: str  # "ar" or "lat"
    habit: Habit
    full_name_only: bool
    has_grandfather: bool
    has_mother: bool
    age_kind: str  # "age", "birth_year", "birth_date"
    day_precision: float  # share of dates of death given to the day (else month)
    blank_rate: float
    typo_rate: float
    capture: float
    copy_from: int | None  # index of an earlier list this one partly copies
    has_national_id: bool
    dup_rate: float


LIST_COLUMNS = [
    "record_id", "list", "full_name", "first_name", "father_name", "grandfather_name",
    "family_name", "mother_name", "sex", "age", "birth_year", "birth_date", "date_of_death",
    "place_of_death", "governorate", "national_id",
]  # fmt: skip


def _specs(k: int, rng: random.Random) -> list[ListSpec]:
    specs = []
    for i in range(k):
        script = "ar" if i % 2 == 0 else "lat"
        specs.append(
            ListSpec(
                name=f"list_{i + 1}",
                script=script,
                habit=Habit.random(rng),
                full_name_only=rng.random() < 0.4,
                has_grandfather=rng.random() < 0.5,
                has_mother=rng.random() < 0.3,
                age_kind=rng.choice(["age", "birth_year", "birth_date", "age"]),
                day_precision=rng.choice([1.0, 0.8, 0.4]),
                blank_rate=rng.choice([0.02, 0.05, 0.1]),
                typo_rate=rng.choice([0.01, 0.03, 0.06]),
                capture=rng.uniform(0.35, 0.7),
                copy_from=(rng.randrange(i) if i > 0 and rng.random() < 0.5 else None),
                has_national_id=rng.random() < 0.3,
                dup_rate=rng.choice([0.0, 0.01, 0.02]),
            )
        )
    return specs


def _population(n: int, rng: random.Random) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    regions = list(PLACES)
    pid = 0
    while len(people) < n:
        region = rng.choice(regions)
        place = rng.choice(PLACES[region])
        fam = rng.choice(FAMILY)
        father = rng.choice(MALE)
        grandfather = rng.choice(MALE)
        mother = rng.choice(FEMALE)
        used: set[str] = {father[1]}  # siblings do not share a given name (nor the father's)
        for _ in range(min(n - len(people), rng.choice([1, 1, 2, 2, 3, 4]))):
            pid += 1
            sex = "m" if rng.random() < 0.75 else "f"  # killings target men more
            first = rng.choice(MALE if sex == "m" else FEMALE)
            while first[1] in used:
                first = rng.choice(MALE if sex == "m" else FEMALE)
            used.add(first[1])
            age = max(0, min(95, int(rng.gauss(36, 18))))
            birth = 2025 - age
            day = rng.choice([6, 7, 7, 8])
            people.append(
                {
                    "person_id": f"P{pid:07d}",
                    "first": first, "father": father, "grandfather": grandfather,
                    "family": fam, "mother": mother, "sex": sex, "age": age,
                    "birth_date": f"{birth:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "dod": f"2025-03-{day:02d}", "place": place, "region": region,
                    "national_id": f"{rng.randrange(10**10, 10**11)}",
                }
            )  # fmt: skip
    return people


def _capture_p(spec: ListSpec, p: dict[str, Any], idx: int) -> float:
    c = spec.capture
    c *= 1.15 if p["sex"] == "m" else 0.75
    c *= 0.7 if p["age"] < 15 or p["age"] > 70 else 1.0
    region_bias = [1.2, 0.9, 0.7][(list(PLACES).index(p["region"]) + idx) % 3]
    return min(0.97, c * region_bias)


def _render(p: dict[str, Any], spec: ListSpec, rng: random.Random, rid: str) -> dict[str, Any]:
    ar = spec.script == "ar"

    def nm(pair: tuple[str, str]) -> str:
        s = pair[0] if ar else latin_name(pair[1], spec.habit, rng)
        if rng.random() < spec.typo_rate:
            s = typo(s, rng)
        return s

    def blank() -> bool:
        return rng.random() < spec.blank_rate

    first, father, fam = nm(p["first"]), nm(p["father"]), nm(p["family"])
    gf = nm(p["grandfather"]) if spec.has_grandfather and not blank() else ""
    row: dict[str, Any] = {c: "" for c in LIST_COLUMNS}
    row["record_id"] = rid
    row["list"] = spec.name
    father_out = father if not blank() else ""
    if spec.full_name_only:
        if ar:
            parts = [first, father_out, gf, fam]
        else:
            link = rng.choice(["", "", " bin"]) if p["sex"] == "m" else ""
            parts = [first + link, father_out, gf, fam]
        row["full_name"] = " ".join(x for x in parts if x)
    else:
        row.update(first_name=first, father_name=father_out, grandfather_name=gf,
                   family_name=fam if not blank() else "")  # fmt: skip
    if spec.has_mother and not blank():
        row["mother_name"] = nm(p["mother"])
    if not blank():
        row["sex"] = ({"m": "ذكر", "f": "أنثى"} if ar else {"m": "M", "f": "F"})[p["sex"]]
    if not blank():
        if spec.age_kind == "age":
            row["age"] = max(0, p["age"] + rng.choice([0, 0, 0, 0, 1, -1, 2]))
        elif spec.age_kind == "birth_year":
            row["birth_year"] = p["birth_date"][:4]
        else:
            row["birth_date"] = p["birth_date"]
    if not blank():
        dod = p["dod"] if rng.random() < spec.day_precision else p["dod"][:7]
        row["date_of_death"] = dod
    if not blank():
        row["place_of_death"] = p["place"][0] if ar else p["place"][1]
    row["governorate"] = p["region"][0] if ar else p["region"][1]
    if spec.has_national_id and rng.random() < 0.6:
        row["national_id"] = p["national_id"]
    return row


def generate(
    people: int = 1000,
    lists: int = 4,
    seed: int = 0,
    out_dir: str | Path | None = None,
    *,
    victims_share: float = 1.0,
    design_seed: int | None = None,
) -> SynthLists:
    """Generate *lists* fictional victim lists over *people* fictional victims.

    Returns a :class:`SynthLists`; with *out_dir*, also writes ``list_1.csv`` …
    ``list_K.csv`` (standard field names), ``truth.csv`` (``record_id, list,
    person_id``; ground truth, keep it away from the linkage) and ``people.csv``
    (the victims with sex, age, place — for estimation tests). Deterministic for a
    given *seed*. *victims_share* < 1 keeps only that share of the population as
    victims (the rest are never listed). By default the lists' design (which fields
    each list has, capture rates, habits) is drawn after the population, so it changes
    with *people*; a *design_seed* fixes it independently of the population size.
    """
    if people < 1 or lists < 1:
        raise ValueError("people and lists must be at least 1")
    rng = random.Random(seed)
    pop = _population(people, rng)
    if victims_share < 1.0:
        pop = [p for p in pop if rng.random() < victims_share]
    # design_seed: the lists' design (fields, capture, habits) from its own generator,
    # the same whatever the population size (for comparisons across sizes)
    specs = _specs(lists, rng if design_seed is None else random.Random(design_seed))
    captured: list[set[str]] = []
    out: dict[str, list[dict[str, Any]]] = {}
    truth: list[dict[str, str]] = []
    for idx, spec in enumerate(specs):
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        n = 0
        for p in pop:
            pc = _capture_p(spec, p, idx)
            if spec.copy_from is not None and p["person_id"] in captured[spec.copy_from]:
                pc = min(0.97, pc + 0.35)  # lists that depend on each other
            if rng.random() >= pc:
                continue
            seen.add(p["person_id"])
            copies = 2 if rng.random() < spec.dup_rate else 1
            for _ in range(copies):
                n += 1
                rid = f"L{idx + 1}-{n:06d}"
                rows.append(_render(p, spec, rng, rid))
                truth.append({"record_id": rid, "list": spec.name, "person_id": p["person_id"]})
        rng.shuffle(rows)
        captured.append(seen)
        out[spec.name] = rows
    result = SynthLists(lists=out, truth=truth, people=pop)
    if out_dir is not None:
        write(result, out_dir)
    return result


def write(result: SynthLists, out_dir: str | Path) -> list[Path]:
    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in result.lists.items():
        path = d / f"{name}.csv"
        used = [c for c in LIST_COLUMNS if any(r.get(c) not in ("", None) for r in rows)]
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csvout.DictWriter(fh, fieldnames=used, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        written.append(path)
    with (d / "truth.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csvout.DictWriter(fh, fieldnames=["record_id", "list", "person_id"])
        w.writeheader()
        w.writerows(result.truth)
    with (d / "people.csv").open("w", newline="", encoding="utf-8") as fh:
        cols = ["person_id", "sex", "age", "region", "place"]
        w = csvout.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        for p in result.people:
            w.writerow({"person_id": p["person_id"], "sex": p["sex"], "age": p["age"],
                        "region": p["region"][1], "place": p["place"][1]})  # fmt: skip
    return written
