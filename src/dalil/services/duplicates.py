"""Possible duplicates of a victim being recorded: the case's persons and list records
whose names match the typed name through the linkage name keys (Arabic and Latin
script alike), with sex, age, date and place of death when given.

One function, :func:`possible_duplicates`, for the record-a-killing flow, the person
form and the API. Legal names, aliases and list names are protected: they are decrypted
in memory only to compute their keys (:mod:`dalil.linkage.similar`), and the answer names
what matched by **pseudonym** (persons) or **list and record number** (list records),
never by a protected name, whatever the caller's role; a role that may reveal opens the
person and reveals with a reason as anywhere else. Because the check compares protected
names, every call that compared any is logged like a search (``person.search_duplicates``:
the records warned about, counts, and a keyed digest of the typed name, never the name).

The keys (never the names) are kept in memory per case and rebuilt when persons or list
records change (a count, the highest id and the newest change decide), so a check while
typing costs a lookup, not a decryption of every record.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from dalil.core import access
from dalil.core.context import Context, oid
from dalil.errors import InputError
from dalil.linkage.similar import LIKELY, WARN, Candidate, Pool, Probe, candidate, record_names
from dalil.model.fields import check_choice, parse_partial_date
from dalil.model.lists import ListRecord, VictimList
from dalil.model.person import SEXES, Person

MAX_NAME = 300
MAX_LIMIT = 20
_SEX_CODE = {"male": "m", "female": "f"}


@dataclass
class _Pool:
    persons_mark: tuple[Any, ...]
    records_mark: tuple[Any, ...]
    persons: list[Candidate]
    records: list[Candidate]
    pool: Pool


_CACHE: dict[str, _Pool] = {}
_LOCK = threading.Lock()


def _marks(ctx: Context) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    p = ctx.session.execute(
        select(func.count(Person.id), func.max(Person.id), func.max(Person.updated_at))
    ).one()
    r = ctx.session.execute(select(func.count(ListRecord.id), func.max(ListRecord.id))).one()
    return tuple(p), tuple(r)


def _person_candidates(ctx: Context, memo: dict[str, str]) -> list[Candidate]:
    from dalil.services.persons import _ctx_field

    out = []
    for p in ctx.session.scalars(select(Person).order_by(Person.id)):
        names: list[str] = []
        if p.legal_name_enc is not None:
            names.append(ctx.decrypt(p.legal_name_enc, _ctx_field(p.id, "legal_name")))
        if p.aliases_enc is not None:
            names.extend(ctx.decrypt(p.aliases_enc, _ctx_field(p.id, "aliases")) or [])
        names.append(p.pseudonym)  # open, but a pseudonym may be a name people use
        out.append(
            candidate(f"person:{p.id}", names, sex=_SEX_CODE.get(p.sex or ""), age=p.age, memo=memo)
        )
    return out


def _record_candidates(ctx: Context, memo: dict[str, str], after: int = 0) -> list[Candidate]:
    from dalil.services.lists import _data_context

    out = []
    q = select(ListRecord).where(ListRecord.id > after).order_by(ListRecord.id)
    for r in ctx.session.scalars(q):
        data = ctx.decrypt(r.data_enc, _data_context(r.id))
        out.append(
            candidate(
                f"list_record:{r.id}",
                record_names(data),
                sex=r.sex,
                age=r.age,
                date=r.date_of_death,
                place=r.place_of_death,
                memo=memo,
            )
        )
    return out


def _pool(ctx: Context) -> Pool:
    """The case's candidates, brought up to date: persons are keyed again when any
    changed; list records (imported, never edited) only those added since, unless some
    were removed."""
    key = str(Path(ctx.case.root).resolve())
    pmark, rmark = _marks(ctx)
    with _LOCK:
        st = _CACHE.get(key)
        if st is not None and (st.persons_mark, st.records_mark) == (pmark, rmark):
            return st.pool
        memo: dict[str, str] = {}  # for this build only
        persons = (
            st.persons
            if st is not None and st.persons_mark == pmark
            else _person_candidates(ctx, memo)
        )
        if st is None or st.records_mark == rmark:
            records = st.records if st is not None else _record_candidates(ctx, memo)
        else:
            old_count, old_max = st.records_mark
            added = _record_candidates(ctx, memo, after=old_max or 0)
            if rmark[0] == (old_count or 0) + len(added):  # only appended
                records = st.records + added
            else:
                records = _record_candidates(ctx, memo)
        st = _Pool(pmark, rmark, persons, records, Pool(persons + records))
        _CACHE[key] = st
        return st.pool


def warm(case: Any, actor: Any) -> threading.Thread | None:
    """Build the case's keys in the background (a page that will check names was
    opened), so the first check while typing does not wait for every name to be
    decrypted. Only for users who may run the check; nothing is logged (nothing is
    compared or shown). Returns the thread, or None when there is nothing to do."""
    if not actor.can(access.RECORD_WRITE) or not _LOCK.acquire(blocking=False):
        return None
    try:
        if str(Path(case.root).resolve()) in _CACHE:
            return None  # brought up to date by the next check, incrementally
    finally:
        _LOCK.release()

    def build() -> None:
        try:
            with case.act(actor, write=False) as ctx:
                _pool(ctx)
        except Exception:  # a warm-up that fails leaves the check to build the keys
            return

    t = threading.Thread(target=build, name="dalil-duplicate-keys", daemon=True)
    t.start()
    return t


def _probe(
    name: str, sex: str | None, age: int | str | None, date: str | None, place: str | None
) -> Probe:
    name = " ".join((name or "").split())
    if len(name) > MAX_NAME:
        raise InputError(f"name longer than {MAX_NAME} characters", field="name")
    code = None
    if sex:
        code = sex if sex in ("m", "f") else _SEX_CODE.get(check_choice(sex, SEXES, "sex"))
    years: int | None = None
    if age not in (None, ""):
        try:
            years = int(str(age).strip())
        except ValueError:
            raise InputError("age must be a whole number", field="age") from None
        if not 0 <= years <= 150:
            raise InputError("age must be from 0 to 150", field="age")
    when = None
    if date:
        pd = parse_partial_date(date, "date")
        when = pd.start.isoformat()[:7] if pd.precision == "week" else pd.text
    return Probe(name, code, years, when, (place or "").strip() or None)


def possible_duplicates(
    ctx: Context,
    *,
    name: str,
    sex: str | None = None,
    age: int | str | None = None,
    date: str | None = None,
    place: str | None = None,
    limit: int = 8,
) -> dict[str, Any]:
    """Persons and list records that may be the person being typed in, best first.

    Returns ``{"checked": {"persons", "list_records"}, "matches": [{"kind", "id",
    "label", "score", "likely", "reasons", "person_id", …open fields}]}``: ``label`` is a
    person's pseudonym or ``"<list>, record <key>"``; ``person_id`` is the person to use
    instead of creating one (the person itself, or the person a list record was linked
    to). ``reasons`` say what agreed (``name``, ``name_part``, ``kunya``, ``sex``,
    ``age``, ``date``, ``place``) or disagreed (``…_differs``). Needs ``record.write``
    (it is part of recording a person)."""
    ctx.require(access.RECORD_WRITE, "check for duplicate persons")
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be 1-{MAX_LIMIT}", field="limit")
    probe = _probe(name, sex, age, date, place)
    pool = _pool(ctx)
    n_persons = sum(1 for c in pool.candidates if c.ref.startswith("person:"))
    checked = {"persons": n_persons, "list_records": len(pool) - n_persons}
    if not probe.name or not len(pool):
        return {"checked": checked, "matches": []}
    from dalil.services.retractions import retracted_ids

    gone = {f"person:{i}" for i in retracted_ids(ctx, "person")}  # never suggested
    found = [m for m in pool.search(probe, threshold=WARN, limit=limit + len(gone))
             if m.ref not in gone][:limit]  # fmt: skip
    found.sort(key=lambda m: (-m.score, not m.ref.startswith("person:")))  # persons first
    matches = [_describe(ctx, m.ref, m.score, m.reasons) for m in found]
    for m in matches:
        if m["person_id"] is not None and f"person:{m['person_id']}" in gone:
            m["person_id"] = None  # a list record linked to a retracted person
    _log(ctx, probe.name, matches, checked)
    return {"checked": checked, "matches": matches}


def _describe(ctx: Context, ref: str, score: float, reasons: tuple[str, ...]) -> dict[str, Any]:
    kind, raw = ref.split(":")
    ident = int(raw)
    out: dict[str, Any] = {
        "kind": kind,
        "id": ident,
        "score": score,
        "likely": score >= LIKELY,
        "reasons": list(reasons),
    }
    if kind == "person":
        p = ctx.get(Person, ident, "person")
        out.update(label=p.pseudonym, person_id=p.id, roles=list(p.roles or []),
                   sex=p.sex, age=p.age)  # fmt: skip
    else:
        r = ctx.get(ListRecord, ident, "list record")
        vl = ctx.get(VictimList, r.list_id, "list")
        out.update(label=f"{vl.name}, record {r.record_key}", person_id=r.person_id,
                   list=vl.name, record=r.record_key, sex=r.sex, age=r.age,
                   date_of_death=r.date_of_death, place_of_death=r.place_of_death)  # fmt: skip
    return out


def _log(ctx: Context, name: str, matches: list[dict[str, Any]], checked: dict[str, int]) -> None:
    """Log the check like a search of protected names: what was warned about, how many
    were compared, a keyed digest of the typed name (never the name)."""
    from dalil.services.search import query_digest

    ids = [oid(m["kind"], m["id"]) for m in matches]
    detail = {
        "fields": ["legal_name", "aliases", "list names"],
        "compared": checked,
        "matches": len(matches),
        "via": "duplicates",
        "query_digest": query_digest(ctx, name),
    }
    if ctx.writable:
        ctx.audit("person.search_duplicates", ids, detail=detail)
        return
    with ctx.case.act(ctx.actor) as wctx:
        wctx.audit("person.search_duplicates", ids, detail=detail)
