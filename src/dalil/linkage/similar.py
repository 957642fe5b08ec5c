"""Possible duplicates of one person being typed in: a name (either script) and, when
known, sex, age, date and place of death, compared with the persons and list records a
case already holds.

This is the *warning* side of linkage: one probe against many candidates, while the
investigator types, so it must be quick and must favour recall (a missed duplicate is a
person counted twice; a false warning costs a glance). Names are compared only through
the linkage keys of :mod:`dalil.linkage.names` (consonant skeletons shared by Arabic
script and Latin transliterations), unit by unit and in order, so a list that leaves out
the father's or grandfather's name, writes Abdulrahman for عبد الرحمن, or drops the
article still matches. A candidate is a :class:`Candidate` built once from its names
(:func:`candidate`); only keys are kept, never the names.

Pure: no case, model or service import (see tests/test_import_contracts.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dalil.linkage.fields import place_key
from dalil.linkage.names import _unit_key, name_units

#: A warning is shown from this score up; "likely the same person" from LIKELY.
WARN = 0.65
LIKELY = 0.8
#: Prefixes of a kunya unit's key (Abu/أبو … → ``b`` + the key of the child's name).
_KUNYA_HEADS = ("abu", "abou", "abo", "abi", "ابو", "ابي", "ابا")


@dataclass(frozen=True)
class NameKeys:
    """One written form of a name as its unit keys, in order; kunya units (Abu …) apart."""

    units: tuple[str, ...]
    kunya: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.units or self.kunya)


def name_keys(text: str | None, memo: dict[str, str] | None = None) -> NameKeys:
    """The keys of a name; *memo* (unit → key), when given, saves keying a unit twice
    while many names are keyed at once (names share units: Muhammad, al-Hasan …)."""
    units: list[str] = []
    kunya: list[str] = []
    for u in name_units(text):
        if memo is None:
            k = _unit_key(u)
        else:
            got = memo.get(u)
            k = got if got is not None else memo.setdefault(u, _unit_key(u))
        if not k:
            continue
        (kunya if u.split()[0] in _KUNYA_HEADS and " " in u else units).append(k)
    return NameKeys(tuple(units), tuple(kunya))


@dataclass(frozen=True)
class Probe:
    """What the investigator typed (any field may be missing)."""

    name: str
    sex: str | None = None  # "m" / "f"
    age: int | None = None
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    place: str | None = None


@dataclass
class Candidate:
    """A person or list record as the comparison sees it: keys of each of its written
    names (legal name, aliases, list name parts), and its open fields."""

    ref: str
    names: list[NameKeys]
    sex: str | None = None
    age: int | None = None
    date: str | None = None
    place: str | None = None  # a place key (see :func:`dalil.linkage.fields.place_key`)


def candidate(
    ref: str,
    names: Iterable[str | None],
    *,
    sex: str | None = None,
    age: int | None = None,
    date: str | None = None,
    place: str | None = None,
    memo: dict[str, str] | None = None,
) -> Candidate:
    keys = [k for k in (name_keys(n, memo) for n in names if n) if k]
    return Candidate(ref, keys, sex, age, date, place_key(place) if place else None)


@dataclass(frozen=True)
class Match:
    ref: str
    score: float
    #: Why: ``name`` (all of the shorter name found in order), ``name_part`` (some of
    #: it), ``kunya``, ``sex``, ``age``, ``date``, ``place`` (agree), ``sex_differs``,
    #: ``age_differs``, ``date_differs`` (disagree).
    reasons: tuple[str, ...] = field(default=())

    @property
    def likely(self) -> bool:
        return self.score >= LIKELY


def _lev(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


#: A name unit of both names that disagrees outright (neither the same key nor a near
#: miss: another father's name, say) multiplies the name's score by this.
CONFLICT = 0.5


def unit_similarity(a: str, b: str) -> float:
    """1 for the same key; for keys of 4+ letters one edit apart (a typo, a letter
    transliterations disagree on), or keys that differ by a final h that one spelling
    drops (Salah / صلاح, Farah / فرح: Latin keys drop a final h for the ة of Fatimah),
    0.75; else 0."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) >= 4 and abs(len(a) - len(b)) <= 1 and _lev(a, b) <= 1:
        return 0.75
    if a + "h" == b or b + "h" == a:
        return 0.75
    return 0.0


def near_miss(a: str, b: str) -> bool:
    """Keys one edit apart (a letter added, dropped, changed, or two letters swapped),
    the longer of 2+ letters: a short key's typo (Husseim / Hussein), too weak to count
    as agreement, too close to count as a different name."""
    if len(a) < len(b):
        a, b = b, a
    if len(a) < 2 or len(a) - len(b) > 1:
        return False
    if len(a) > len(b):
        return any(a[:i] + a[i + 1 :] == b for i in range(len(a)))
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return (
        len(diff) == 2
        and diff[1] == diff[0] + 1
        and (a[diff[0]], a[diff[1]]) == (b[diff[1]], b[diff[0]])
    )


def name_similarity(q: NameKeys, c: NameKeys) -> tuple[float, str]:
    """How much of the shorter name is found, in order, in the other (0-1), and how.

    Units are aligned in order (a list that leaves out the father's name still
    matches); the given names (first units) must agree, otherwise the score is 0. A unit
    both names have that agrees with nothing in the other (cousins: same given and
    family name, another father's) multiplies the score by :data:`CONFLICT`. A name
    of one unit scores at most 0.5 (a lone given name says little; :func:`score` keeps it
    below the warning whatever else agrees). A kunya (Abu …)
    matches the same kunya, or a candidate whose units include the child's name."""
    if not q.units and q.kunya:
        if set(q.kunya) & set(c.kunya):
            return 0.65, "kunya"
        return 0.0, ""
    a, b = q.units, c.units
    first = unit_similarity(a[0], b[0]) if a and b else 0.0
    if first == 0:
        if a and b and q.kunya and set(q.kunya) & set(c.kunya):
            return 0.5, "kunya"
        return 0.0, ""
    n, m = len(a), len(b)
    # the given names aligned with each other, then the best ordered alignment of the
    # rest (a weighted longest common subsequence), counting the units it pairs: the
    # same or similar keys, and near misses (which add nothing to the score)
    dp = [[(0.0, 0)] * m for _ in range(n)]
    for i in range(1, n):
        for j in range(1, m):
            s = unit_similarity(a[i], b[j])
            diag = dp[i - 1][j - 1]
            paired = (diag[0] + s, diag[1] + (s > 0 or near_miss(a[i], b[j])))
            dp[i][j] = max(dp[i - 1][j], dp[i][j - 1], paired)
    total, paired_units = dp[n - 1][m - 1]
    matched = first + total
    shorter = min(n, m)
    score = matched / shorter
    if shorter == 1:
        return min(score, 0.5), "single"
    # units both names have that pair with nothing (a different father's name): a
    # disagreement, unlike a unit only one of them writes (a father left out)
    conflicts = min(n, m) - 1 - paired_units
    score *= CONFLICT**conflicts
    if q.kunya and c.kunya and set(q.kunya) & set(c.kunya):
        score = min(1.0, score + 0.1)
    return score, "name" if score >= 0.99 else "name_part"


def _date_agreement(a: str, b: str) -> str:
    """``same`` (one date covers the other), ``near`` (same year, months apart by ≤ 1),
    or ``differs``."""
    if a.startswith(b) or b.startswith(a):
        return "same"
    if a[:4] == b[:4] and (len(a) < 7 or len(b) < 7 or abs(int(a[5:7]) - int(b[5:7])) <= 1):
        return "near"
    return "differs"


def score(probe: Probe, probe_keys: NameKeys, c: Candidate) -> Match | None:
    """The candidate's score against the probe (None when its names do not match)."""
    best, how = 0.0, ""
    for nk in c.names:
        s, h = name_similarity(probe_keys, nk)
        if s > best:
            best, how = s, h
    if best == 0:
        return None
    reasons = [how]
    s = best
    if probe.sex and c.sex:
        if probe.sex == c.sex:
            reasons.append("sex")
        else:
            s *= 0.35
            reasons.append("sex_differs")
    if probe.age is not None and c.age is not None:
        d = abs(probe.age - c.age)
        if d <= 2:
            s = min(1.0, s + 0.1)
            reasons.append("age")
        elif d > 6:
            s *= 0.6
            reasons.append("age_differs")
    if probe.date and c.date:
        agree = _date_agreement(probe.date, c.date)
        if agree == "same":
            s = min(1.0, s + 0.1)
            reasons.append("date")
        elif agree == "differs":
            s *= 0.75
            reasons.append("date_differs")
    if probe.place and c.place and place_key(probe.place) == c.place:
        s = min(1.0, s + 0.05)
        reasons.append("place")
    if how == "single":  # one name alone never warns, whatever else agrees
        s, reasons[0] = min(s, 0.5), "name_part"
    return Match(c.ref, round(s, 3), tuple(reasons))


def _deletions(key: str) -> set[str]:
    """The index entries of a key: itself, itself less one letter (4+ letters), and less
    a final h (what :func:`unit_similarity` forgives)."""
    out = {key} | ({key[:i] + key[i + 1 :] for i in range(len(key))} if len(key) >= 4 else set())
    if len(key) >= 2 and key.endswith("h"):
        out.add(key[:-1])
    return out


class Pool:
    """Candidates indexed by their unit keys (and those keys less one letter), so a
    probe is scored only against candidates sharing a unit key within one edit."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self.candidates = list(candidates)
        self._index: dict[str, set[int]] = defaultdict(set)
        for i, c in enumerate(self.candidates):
            for nk in c.names:
                for k in (*nk.units[:1], *nk.units[1:], *nk.kunya):
                    for v in _deletions(k):
                        self._index[v].add(i)

    def __len__(self) -> int:
        return len(self.candidates)

    def search(self, probe: Probe, *, threshold: float = WARN, limit: int = 10) -> list[Match]:
        """Candidates scoring at least *threshold*, best first."""
        keys = name_keys(probe.name)
        if not keys:
            return []
        first = keys.units[:1] or keys.kunya[:1]
        seen: set[int] = set()
        for k in first:
            for v in _deletions(k):
                seen |= self._index.get(v, set())
        out = []
        for i in seen:
            m = score(probe, keys, self.candidates[i])
            if m is not None and m.score >= threshold:
                out.append(m)
        out.sort(key=lambda m: (-m.score, m.ref))
        return out[:limit]


def record_names(data: dict[str, object]) -> list[str]:
    """The written names of a list record: its full name, and its name parts joined in
    the usual order (given, father, grandfather, family) when the list has them."""
    out: list[str] = []
    full = data.get("full_name")
    if isinstance(full, str) and full.strip():
        out.append(full)
    parts = [data.get(k) for k in ("first_name", "father_name", "grandfather_name", "family_name")]
    joined = " ".join(str(p) for p in parts if isinstance(p, str) and p.strip())
    if joined and joined not in out:
        out.append(joined)
    return out


@dataclass(frozen=True)
class Scores:
    warnings: int
    true_warnings: int
    expected: int
    found: int

    @property
    def precision(self) -> float:
        return self.true_warnings / self.warnings if self.warnings else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0


def evaluate(
    pool: Pool, probes: Iterable[tuple[Probe, set[str]]], *, threshold: float = WARN
) -> Scores:
    """Precision of the warnings shown and recall of the true duplicates, over probes
    each with the refs it truly is (empty for a new person)."""
    warnings = true_w = expected = found = 0
    for probe, truth in probes:
        shown = {m.ref for m in pool.search(probe, threshold=threshold, limit=10)}
        warnings += len(shown)
        true_w += len(shown & truth)
        expected += len(truth)
        found += len(shown & truth)
    return Scores(warnings, true_w, expected, found)
