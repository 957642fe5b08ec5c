"""Persons: add, list, show, update, reveal protected fields (with a logged reason)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import String, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from dalil.core import access
from dalil.core.context import Context, oid, protected_marker
from dalil.display.messages import N_, Message
from dalil.errors import Conflict, InputError
from dalil.model.common import as_utc
from dalil.model.fields import check_choice, check_choices, check_text
from dalil.model.person import PERSON_ROLES as PERSON_ROLES
from dalil.model.person import PROTECTED_FIELDS as PROTECTED_FIELDS
from dalil.model.person import SEXES as SEXES
from dalil.model.person import Person
from dalil.services import keyset, retractions

_UNSET: Any = object()


def _ctx_field(person_id: int, field: str) -> str:
    return f"person:{person_id}:{field}"


LEGAL_NAME_INDEX_CONTEXT = "person.legal_name"


#: The normal form of the legal-name index (see the migration 0011_legal_name_folding).
LEGAL_NAME_INDEX_VERSION = 2


def reindex_legal_names(ctx: Context) -> int:
    """Re-index legal names indexed with an older normal form (cases migrated without
    the passphrase). Returns how many were re-indexed."""
    rows = list(
        ctx.session.scalars(
            select(Person).where(
                Person.legal_name_enc.is_not(None),
                (Person.legal_name_index_v.is_(None))
                | (Person.legal_name_index_v != LEGAL_NAME_INDEX_VERSION),
            )
        )
    )
    for p in rows:
        assert p.legal_name_enc is not None
        name = ctx.decrypt(p.legal_name_enc, _ctx_field(p.id, "legal_name"))
        p.legal_name_index = ctx.blind_index(legal_name_index_form(name), LEGAL_NAME_INDEX_CONTEXT)
        p.legal_name_index_v = LEGAL_NAME_INDEX_VERSION
    return len(rows)


def legal_name_index_form(value: str) -> str:
    """What the legal-name blind index hashes: the linkage's name normal form
    (:func:`dalil.linkage.names.normalize_name`: Arabic diacritics, tatweel, alef, hamza,
    ta marbuta and ya folded; Latin accents and case folded; punctuation dropped), so
    ``مُحَمَّد`` and ``محمد``, ``أحمد`` and ``احمد`` index alike."""
    from dalil.linkage.names import normalize_name

    return normalize_name(value) or value


#: The refusal of a pseudonym another person has (a form says it in words of its own).
PSEUDONYM_TAKEN: Final = N_("a person with pseudonym %(pseudonym)s already exists")


def _check_age(age: int | None, age_min: int | None, age_max: int | None) -> None:
    for name, v in (("age", age), ("age_min", age_min), ("age_max", age_max)):
        if v is not None and v < 0:
            raise InputError(
                Message(
                    N_("invalid %(field)s %(value)s: must be zero or more"),
                    field=Message(name),
                    value=str(v),
                ),
                field=name,
                code="negative",
            )
        if v is not None and v > 130:
            raise InputError(
                Message(
                    N_("invalid %(field)s %(value)s: must be at most 130"),
                    field=Message(name),
                    value=str(v),
                ),
                field=name,
            )
    if age_min is not None and age_max is not None and age_min > age_max:
        raise InputError(
            Message(
                N_("invalid age range %(low)s-%(high)s: minimum above maximum"),
                low=str(age_min),
                high=str(age_max),
            ),
            field="age",
        )


def _unknown_fields(unknown: set[str]) -> InputError:
    return InputError(
        Message(
            N_("unknown %(kind)s field(s): %(fields)s"),
            kind=Message("person"),
            fields=", ".join(sorted(unknown)),
        )
    )


def parse_age(text: str) -> tuple[int | None, int | None, int | None]:
    """``"34"`` → (34, None, None); ``"30-40"`` → (None, 30, 40); ``""`` → all None."""
    t = text.strip()
    if not t:
        return None, None, None
    try:
        if "-" in t:
            lo, hi = (int(x) for x in t.split("-", 1))
            _check_age(None, lo, hi)
            return None, lo, hi
        a = int(t)
    except ValueError as e:
        raise InputError(
            Message(
                N_("invalid age %(value)s: use a number (34) or a range (30-40)"),
                value=repr(text),
            ),
            field="age",
        ) from e
    _check_age(a, None, None)
    return a, None, None


def _set_protected(ctx: Context, p: Person, field: str, value: Any) -> None:
    if field == "aliases":
        value = [check_text(a, "alias", max_len=500) for a in (value or []) if a.strip()]
    elif value is not None:
        value = check_text(str(value), field.replace("_", " "))
    empty = value is None or value == "" or value == []
    setattr(p, f"{field}_enc", None if empty else ctx.encrypt(value, _ctx_field(p.id, field)))
    if field == "legal_name":
        p.legal_name_index = (
            None
            if empty
            else ctx.blind_index(legal_name_index_form(value), LEGAL_NAME_INDEX_CONTEXT)
        )
        p.legal_name_index_v = None if empty else LEGAL_NAME_INDEX_VERSION


def add_person(
    ctx: Context,
    *,
    pseudonym: str,
    sex: str | None = None,
    age: int | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    roles: list[str] | None = None,
    notes: str | None = None,
    **protected: Any,
) -> Person:
    """Create a person. Protected fields (``legal_name=…``, ``aliases=[…]``, …) are
    encrypted before they reach the database."""
    fields = dict(pseudonym=pseudonym, sex=sex, age=age, age_min=age_min, age_max=age_max,
                  roles=roles, notes=notes, **protected)  # fmt: skip
    return add_persons(ctx, [fields])[0]


_OPEN_FIELDS: Final = ("pseudonym", "sex", "age", "age_min", "age_max", "roles", "notes")

#: Pseudonyms looked up in one statement (SQLite's older limit on variables is 999).
_PSEUDONYM_CHUNK: Final = 500


def add_persons(ctx: Context, people: Sequence[Mapping[str, Any]]) -> list[Person]:
    """Create several persons, each given as the keyword arguments of
    :func:`add_person`, with the same checks and one ``person.add`` audit entry each,
    in a few statements for all of them (one lookup of the pseudonyms per 500, one
    insert, one update of the protected fields, one append to the audit log) rather
    than a few each: a linkage run makes thousands of victims at once. Every person is
    checked before any is added; a pseudonym taken, or given twice, adds none."""
    ctx.require(access.RECORD_WRITE, "add persons")
    made: list[tuple[Person, dict[str, Any]]] = []
    seen: set[str] = set()
    for fields in people:
        protected = {k: v for k, v in fields.items() if k not in _OPEN_FIELDS}
        unknown = set(protected) - set(PROTECTED_FIELDS)
        if unknown:
            raise _unknown_fields(unknown)
        given: str = fields.get("pseudonym") or ""
        pseudonym = check_text(given, "pseudonym", max_len=100, required=True)
        age, age_min, age_max = (fields.get(k) for k in ("age", "age_min", "age_max"))
        _check_age(age, age_min, age_max)
        if pseudonym in seen:
            raise Conflict(Message(PSEUDONYM_TAKEN, pseudonym=repr(pseudonym)), field="pseudonym")
        seen.add(pseudonym)
        sex, notes = fields.get("sex"), fields.get("notes")
        p = Person(
            pseudonym=pseudonym,
            sex=check_choice(sex, SEXES, "sex") if sex else None,
            age=age,
            age_min=age_min,
            age_max=age_max,
            roles=check_choices(fields.get("roles") or [], PERSON_ROLES, "role"),
            notes=check_text(notes, "notes") if notes else None,
        )
        made.append((p, protected))
    names = sorted(seen)
    for i in range(0, len(names), _PSEUDONYM_CHUNK):
        taken = ctx.session.scalar(
            select(Person.pseudonym)
            .where(Person.pseudonym.in_(names[i : i + _PSEUDONYM_CHUNK]))
            .order_by(Person.pseudonym)
            .limit(1)
        )
        if taken is not None:
            raise Conflict(Message(PSEUDONYM_TAKEN, pseudonym=repr(taken)), field="pseudonym")
    ctx.session.add_all([p for p, _ in made])
    ctx.session.flush()  # the ids bind the ciphertexts to each person
    for p, protected in made:
        for f in PROTECTED_FIELDS:
            if protected.get(f) not in (None, "", []):
                _set_protected(ctx, p, f, protected[f])
    ctx.session.flush()
    entries = []
    for p, protected in made:
        change: dict[str, Any] = {
            k: v for k, v in p.to_dict().items() if k not in ("created_at", "updated_at")
        }
        change.update(
            {f: protected_marker(protected.get(f)) for f in PROTECTED_FIELDS if f in protected}
        )
        entries.append(("person.add", [oid("person", p.id)], change, None))
    ctx.audit_many(entries)
    return [p for p, _ in made]


def get_person(ctx: Context, person_id: int) -> Person:
    ctx.require(access.CASE_READ, "read persons")
    p: Person = ctx.get(Person, person_id, "person")
    return p


def _check_page(limit: int | None, offset: int) -> None:
    if limit is not None and limit < 0:
        raise InputError(
            Message(N_("invalid limit %(value)s: must be 0 or more"), value=str(limit))
        )
    if offset < 0:
        raise InputError(
            Message(N_("invalid offset %(value)s: must be 0 or more"), value=str(offset))
        )


def list_persons(
    ctx: Context,
    *,
    role: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    retracted: str = "hide",
) -> list[Person]:
    """Persons in id order; ``limit``/``offset`` cut a page in the database (without
    them: every person, as the CLI lists them). Retracted persons are left out unless
    *retracted* is ``only`` or ``include``."""
    ctx.require(access.CASE_READ, "read persons")
    _check_page(limit, offset)
    q = retractions.narrow(select(Person).order_by(Person.id), "person", Person.id, retracted)
    if role:
        q = q.where(role_clause(ctx, role))
    if limit is not None:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    return list(ctx.session.scalars(q))


#: Fields a person list may be sorted by (``order="field"`` or ``"-field"``).
SORTABLE = ("id", "pseudonym", "sex", "age", "created_at", "updated_at")
#: Their names as message ids (the field's label in Arabic; ``id``, ``pseudonym``,
#: ``created_at``, ``updated_at`` are the records' too).
SORT_MSGIDS: Final = (N_("sex"), N_("age"))


def role_clause(ctx: Context, role: str) -> Any:
    """Persons whose roles (a JSON list) hold *role*. On PostgreSQL a containment test of
    the list as ``jsonb``, which the GIN index ``ix_persons_roles`` serves (matching the
    text of the list read every person: 100–180 ms at 100,000); on SQLite the text of
    the list holds each role in quotes."""
    role = check_choice(role, PERSON_ROLES, "role")
    if ctx.session.get_bind().dialect.name == "postgresql":
        return cast(Person.roles, JSONB).contains([role])
    return cast(Person.roles, String).like(f'%"{role}"%')


def _narrow(
    ctx: Context, q: Any, role: str | None, sex: str | None, retracted: str = "hide"
) -> Any:
    q = retractions.narrow(q, "person", Person.id, retracted)
    if role:
        q = q.where(role_clause(ctx, role))
    if sex:
        q = q.where(Person.sex == check_choice(sex, SEXES, "sex"))
    return q


#: :func:`list_persons_open`'s statements without a filter, by shape (order, retracted,
#: which of after/before/limit/offset are given), those four as bound parameters:
#: built once instead of on every view of the list page.
_OPEN_PAGES: dict[tuple[Any, ...], tuple[Any, bool]] = {}


def list_persons_open(
    ctx: Context,
    *,
    limit: int | None = None,
    offset: int = 0,
    role: str | None = None,
    sex: str | None = None,
    order: str | None = None,
    retracted: str = "hide",
    after: int | None = None,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """The page :func:`list_persons` returns, as ``Person.to_dict()`` dicts (open fields
    only), read with one column query: no ORM objects, and no protected ciphertext leaves
    the database (only whether each protected field is set). For list pages: optionally
    only persons with *role* and/or *sex*, sorted by *order* (default id order). In id
    order, *after*/*before* an id cut a keyset page instead of *offset*
    (:mod:`dalil.services.keyset`)."""
    ctx.require(access.CASE_READ, "read persons")
    _check_page(limit, offset)
    if not offset or after is not None or before is not None:
        offset = 0  # a keyset page is cut by its bound; *offset* only numbers its rows

    def build(after: Any, before: Any, limit: Any, offset: Any) -> tuple[Any, bool]:
        q = select(
            *_OPEN_COLUMNS, *(getattr(Person, f"{f}_enc").is_not(None) for f in PROTECTED_FIELDS)
        )
        q = _narrow(ctx, q, role, sex, retracted)
        if order:
            name = order.lstrip("-")
            if name not in SORTABLE:
                from dalil.services.records import _labels

                raise InputError(
                    Message(
                        N_("cannot sort persons by %(field)s; by: %(choices)s"),
                        field=repr(order),  # as typed: a page never repeats it (scrubbed)
                        choices=_labels(list(SORTABLE)),
                    ),
                    field="order",
                )
            col = getattr(Person, name)
            q = q.order_by(col.desc() if order.startswith("-") else col.asc(), Person.id)
        else:
            q = q.order_by(Person.id)
        q, backwards = keyset.cut(q, Person.id, after=after, before=before, order=order)
        if limit is not None:
            q = q.limit(limit)
        if offset is not None:
            q = q.offset(offset)
        return q, backwards

    params: dict[str, Any] = {}
    if role or sex:
        q, backwards = build(after, before, limit, offset or None)
    else:
        # Without a filter: built once per shape, the bounds as parameters (as
        # ``records.list_open``'s plain pages; invalid input raises as it is built).
        q, backwards, params = keyset.bound_page(
            _OPEN_PAGES, (order, retracted), build,
            after=after, before=before, limit=limit, offset=offset,
        )  # fmt: skip
    n = len(_OPEN_COLUMNS)
    out = []
    result = list(ctx.session.execute(q, params))
    for row in reversed(result) if backwards else result:
        values: tuple[Any, ...] = tuple(row)
        pid, pseudonym, sex, age, age_min, age_max, roles, notes, created, updated = values[:n]
        flags = values[n:]
        out.append(
            {
                "id": pid,
                "pseudonym": pseudonym,
                "sex": sex,
                "age": age,
                "age_min": age_min,
                "age_max": age_max,
                "roles": list(roles or []),
                "notes": notes,
                "protected_fields": [
                    f for f, on in zip(PROTECTED_FIELDS, flags, strict=True) if on
                ],
                "created_at": as_utc(created),
                "updated_at": as_utc(updated),
            }
        )
    return out


_OPEN_COLUMNS = (
    Person.id,
    Person.pseudonym,
    Person.sex,
    Person.age,
    Person.age_min,
    Person.age_max,
    Person.roles,
    Person.notes,
    Person.created_at,
    Person.updated_at,
)


def count_persons(
    ctx: Context, *, role: str | None = None, sex: str | None = None, retracted: str = "hide"
) -> int:
    """How many persons :func:`list_persons` (or :func:`list_persons_open`) lists without
    a limit."""
    ctx.require(access.CASE_READ, "read persons")
    q = _narrow(ctx, select(func.count()).select_from(Person), role, sex, retracted)
    return int(ctx.session.scalar(q) or 0)


def find_by_legal_name(ctx: Context, legal_name: str, *, reason: str) -> list[Person]:
    """Persons whose legal name equals *legal_name* (blind index; needs reveal rights)."""
    ctx.require(access.PROTECTED_REVEAL, "search protected fields")
    reason = _check_reason(reason)
    reindex_legal_names(ctx)
    idx = ctx.blind_index(legal_name_index_form(legal_name), LEGAL_NAME_INDEX_CONTEXT)
    rows = list(ctx.session.scalars(select(Person).where(Person.legal_name_index == idx)))
    ctx.audit(
        "person.search_protected",
        [oid("person", p.id) for p in rows],
        detail={"reason": reason, "fields": ["legal_name"], "matches": len(rows)},
    )
    return rows


def update_person(
    ctx: Context, person_id: int, *, if_version: str | None = None, **changes: Any
) -> Person:
    """Update open fields (pseudonym, sex, age, age_min, age_max, roles, notes) and/or
    protected fields. Pass only what changes; ``None`` clears a field. With *if_version*
    (``records.version_of`` of the person the edit is based on), an edit of a person
    changed since is refused."""
    from dalil.services.records import check_version

    ctx.require(access.RECORD_WRITE, "update persons")
    p: Person = ctx.get(Person, person_id, "person")
    check_version(ctx, "person", p, if_version)
    retractions.refuse_edit_if_retracted(ctx, "person", p.id)
    open_fields = {"pseudonym", "sex", "age", "age_min", "age_max", "roles", "notes"}
    unknown = set(changes) - open_fields - set(PROTECTED_FIELDS)
    if unknown:
        raise _unknown_fields(unknown)
    audit_change: dict[str, Any] = {}
    before = {k: _open_value(getattr(p, k)) for k in open_fields if k in changes}
    if "pseudonym" in changes:
        new = check_text(changes["pseudonym"] or "", "pseudonym", max_len=100, required=True)
        clash = ctx.session.scalar(select(Person.id).where(Person.pseudonym == new))
        if clash is not None and clash != p.id:
            raise Conflict(Message(PSEUDONYM_TAKEN, pseudonym=repr(new)), field="pseudonym")
        p.pseudonym = new
        audit_change["pseudonym"] = new
    if "sex" in changes:
        p.sex = check_choice(changes["sex"], SEXES, "sex") if changes["sex"] else None
        audit_change["sex"] = p.sex
    age = changes.get("age", p.age)
    age_min = changes.get("age_min", p.age_min)
    age_max = changes.get("age_max", p.age_max)
    _check_age(age, age_min, age_max)
    for k in ("age", "age_min", "age_max"):
        if k in changes:
            setattr(p, k, changes[k])
            audit_change[k] = changes[k]
    if "roles" in changes:
        p.roles = check_choices(changes["roles"] or [], PERSON_ROLES, "role")
        audit_change["roles"] = p.roles
    if "notes" in changes:
        p.notes = check_text(changes["notes"], "notes") if changes["notes"] else None
        audit_change["notes"] = p.notes
    for f in PROTECTED_FIELDS:
        if f in changes:
            _set_protected(ctx, p, f, changes[f])
            audit_change[f] = protected_marker(changes[f])
    if not audit_change:
        raise InputError(Message(N_("nothing to update: give at least one field")))
    p.updated_at = datetime.now(UTC)
    ctx.session.flush()
    after = {k: _open_value(getattr(p, k)) for k in before}
    changed_open = sorted(k for k in after if after[k] != before[k])
    changed_protected = sorted(f for f in PROTECTED_FIELDS if f in changes)
    ctx.audit(
        "person.update",
        [oid("person", p.id)],
        change=audit_change,
        # Readable: open fields with their values before and after; protected fields by
        # name only (their values never reach the log).
        detail={
            "fields": changed_open + changed_protected,
            "before": {k: before[k] for k in changed_open},
            "after": {k: after[k] for k in changed_open},
            "protected_fields": changed_protected,
        },
    )
    return p


def _open_value(value: Any) -> Any:
    return list(value) if isinstance(value, list | tuple) else value


def _check_reason(reason: str | None) -> str:
    r = (reason or "").strip()
    if len(r) < 3:
        raise InputError(
            Message(N_("a reveal needs a reason (why you need the protected fields)")),
            field="reason",
        )
    return check_text(r, "reason", max_len=1000)


def reveal(
    ctx: Context, persons: list[Person], *, reason: str, fields: tuple[str, ...] = PROTECTED_FIELDS
) -> list[dict[str, Any]]:
    """Open fields plus decrypted protected *fields* of each person.

    Needs ``protected.reveal`` and a reason; writes one audit entry naming the persons,
    the reason and the fields revealed (never their values).
    """
    ctx.require(access.PROTECTED_REVEAL, "reveal protected fields")
    reason = _check_reason(reason)
    out: list[dict[str, Any]] = []
    revealed: set[str] = set()
    for p in persons:
        d = p.to_dict()
        for f in fields:
            enc = getattr(p, f"{f}_enc")
            if enc is None:
                d[f] = [] if f == "aliases" else None
            else:
                d[f] = ctx.decrypt(enc, _ctx_field(p.id, f))
                revealed.add(f)
        out.append(d)
    ctx.audit(
        "person.reveal",
        [oid("person", p.id) for p in persons],
        detail={"reason": reason, "fields": sorted(revealed)},
    )
    return out
