"""Corroboration matrix: key claims against the sources that carry them.

A claim (a toll for a place and dates, a perpetrator attribution, a method) is only as
strong as the number of *independent* origins behind it. Ten news articles rewriting one
NGO release are one origin, not ten. Sources are therefore grouped into independent groups
using the derivation graph of source verification
(:func:`dalil.sources.graph.independent_groups`); when that is unavailable each source is
its own group and the result says so.

Grades follow the Admiralty (NATO) system:

* source reliability A–F: A completely reliable, B usually reliable, C fairly reliable,
  D not usually reliable, E unreliable, F reliability cannot be judged;
* information credibility 1–6: 1 confirmed by other sources, 2 probably true, 3 possibly
  true, 4 doubtful, 5 improbable, 6 truth cannot be judged.

The matrix also *suggests* a credibility from independent corroboration (1 when two or
more independent groups carry the claim and none contradicts it), shown next to the
analyst's grade, never replacing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dalil.errors import InputError

RELIABILITY = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}
CREDIBILITY = {
    1: "confirmed by other sources",
    2: "probably true",
    3: "possibly true",
    4: "doubtful",
    5: "improbable",
    6: "truth cannot be judged",
}
CLAIM_KINDS = ("toll", "attribution", "method", "other")
STANCES = ("supports", "contradicts")


def parse_grade(grade: str) -> tuple[str, int]:
    """Parse an Admiralty grade such as ``B2`` into (``"B"``, 2)."""
    g = grade.strip().upper()
    if len(g) != 2 or g[0] not in RELIABILITY or not g[1].isdigit() or int(g[1]) not in CREDIBILITY:
        raise InputError(
            f"invalid Admiralty grade {grade!r}: reliability A-F then credibility 1-6, e.g. B2"
        )
    return g[0], int(g[1])


@dataclass(frozen=True)
class Claim:
    id: str
    kind: str
    text: str
    place: str | None = None
    date_start: str | None = None
    date_end: str | None = None
    low: int | None = None
    high: int | None = None
    incident: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "text": self.text,
            "place": self.place,
            "date_start": self.date_start,
            "date_end": self.date_end,
            "low": self.low,
            "high": self.high,
            "incident": self.incident,
        }


@dataclass(frozen=True)
class Carrier:
    """One source carrying (or contradicting) one claim, graded by an analyst."""

    claim: str
    source: str
    reliability: str = "F"
    credibility: int = 6
    stance: str = "supports"
    evidence: str | None = None  # the evidence item / passage that carries it
    note: str | None = None


@dataclass
class ClaimRow:
    claim: Claim
    carriers: list[Carrier] = field(default_factory=list)
    groups: list[list[str]] = field(default_factory=list)
    contradicting_groups: list[list[str]] = field(default_factory=list)

    @property
    def independent(self) -> int:
        return len(self.groups)

    def best_grade(self) -> str | None:
        sup = [c for c in self.carriers if c.stance == "supports"]
        if not sup:
            return None
        best = min(sup, key=lambda c: (c.reliability, c.credibility))
        return f"{best.reliability}{best.credibility}"

    def suggested_credibility(self) -> int:
        if self.contradicting_groups and self.groups:
            return 4  # doubtful: independent origins disagree
        if self.contradicting_groups:
            return 5
        if self.independent >= 2:
            return 1
        if self.independent == 1:
            # one origin: the analysts' own best credibility, never better than 2
            sup = [c.credibility for c in self.carriers if c.stance == "supports"]
            return max(2, min(sup)) if sup else 6
        return 6

    def status(self) -> str:
        if self.contradicting_groups:
            return "contested"
        if self.independent >= 2:
            return "independently corroborated"
        if self.independent == 1 and len({c.source for c in self.carriers}) > 1:
            return "single origin (repeated)"
        if self.independent == 1:
            return "single source"
        return "no source"

    def to_dict(self) -> dict[str, object]:
        return {
            "claim": self.claim.to_dict(),
            "sources": [
                {
                    "source": c.source,
                    "grade": f"{c.reliability}{c.credibility}",
                    "reliability": c.reliability,
                    "reliability_label": RELIABILITY[c.reliability],
                    "credibility": c.credibility,
                    "credibility_label": CREDIBILITY[c.credibility],
                    "stance": c.stance,
                    "evidence": c.evidence,
                }
                for c in self.carriers
            ],
            "independent_groups": self.groups,
            "contradicting_groups": self.contradicting_groups,
            "independent": self.independent,
            "best_grade": self.best_grade(),
            "suggested_credibility": self.suggested_credibility(),
            "status": self.status(),
        }


GroupFn = Callable[[Sequence[str]], list[list[str]]]


def singleton_groups(sources: Sequence[str]) -> list[list[str]]:
    """Fallback grouping: every source its own group (derivation graph unavailable)."""
    return [[s] for s in sources]


def _restrict(groups: Iterable[Iterable[str]], sources: Sequence[str]) -> list[list[str]]:
    wanted = set(sources)
    out: list[list[str]] = []
    seen: set[str] = set()
    for g in groups:
        part = sorted(s for s in g if s in wanted)
        if part:
            out.append(part)
            seen.update(part)
    out.extend([s] for s in sorted(wanted - seen))
    return sorted(out)


def matrix(
    claims: Sequence[Claim],
    carriers: Sequence[Carrier],
    *,
    groups: Iterable[Iterable[str]] | None = None,
    grouping: str = "derivation graph (dalil.sources.graph)",
) -> dict[str, object]:
    """Build the corroboration matrix.

    *groups* partitions source ids into independent origins (from the derivation graph).
    ``None`` means the graph is unavailable: each source is its own group, and the
    result's ``grouping`` field says so.
    """
    by_claim: dict[str, ClaimRow] = {c.id: ClaimRow(c) for c in claims}
    for car in carriers:
        if car.claim not in by_claim:
            raise InputError(f"carrier for unknown claim {car.claim!r}")
        if car.reliability not in RELIABILITY or car.credibility not in CREDIBILITY:
            raise InputError(f"claim {car.claim}: invalid grade {car.reliability}{car.credibility}")
        if car.stance not in STANCES:
            raise InputError(f"claim {car.claim}: stance must be one of {', '.join(STANCES)}")
        by_claim[car.claim].carriers.append(car)
    group_list = [list(g) for g in groups] if groups is not None else None
    for row in by_claim.values():
        sup = sorted({c.source for c in row.carriers if c.stance == "supports"})
        con = sorted({c.source for c in row.carriers if c.stance == "contradicts"})
        if group_list is None:
            row.groups = singleton_groups(sup)
            row.contradicting_groups = singleton_groups(con)
        else:
            row.groups = _restrict(group_list, sup)
            row.contradicting_groups = _restrict(group_list, con)
    all_sources = sorted({c.source for c in carriers})
    return {
        "grouping": (
            grouping
            if group_list is not None
            else "each source its own group: derivation graph not available"
        ),
        "sources": all_sources,
        "claims": [r.to_dict() for r in by_claim.values()],
    }


def groups_from_graph(
    source_ids: Sequence[str], derivations: Mapping[str, Sequence[str]]
) -> list[list[str]]:
    """Group sources whose derivation links connect them (union-find over the edges).

    *derivations* maps a source id to the ids it derives from. Used when only the
    edges are known; the source-verification graph is preferred when present.
    """
    parent = {s: s for s in source_ids}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, origins in derivations.items():
        for o in origins:
            parent[find(s)] = find(o)
    out: dict[str, list[str]] = {}
    for s in source_ids:
        out.setdefault(find(s), []).append(s)
    return sorted(sorted(g) for g in out.values())
