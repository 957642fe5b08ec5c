"""Person service: pseudonyms, encrypted protected fields, reveal with reason."""

from __future__ import annotations

import pytest

from dalil.core import audit
from dalil.core.access import Actor
from dalil.core.case import Case
from dalil.errors import Conflict, InputError, NotFound, PermissionDenied
from dalil.model.person import Person
from dalil.services import persons, users

LEGAL = "Fictional Legalname Qarawi"  # fictional


def test_add_person_stores_only_ciphertext_of_protected_fields(any_case: Case) -> None:
    with any_case.act() as ctx:
        p = persons.add_person(
            ctx,
            pseudonym="W-1",
            legal_name=LEGAL,
            aliases=["Abu Fictional"],
            roles=["witness"],
            sex="female",
            age_min=30,
            age_max=40,
        )
        pid = p.id
        d = p.to_dict()
    assert "legal_name" not in d and d["protected_fields"] == ["legal_name", "aliases"]
    with any_case.system_session() as s:
        row = s.get(Person, pid)
        assert row is not None and row.legal_name_enc is not None
        assert LEGAL not in row.legal_name_enc and "Fictional" not in (row.aliases_enc or "")


def test_reveal_returns_plaintext_and_logs_reason_and_fields_not_values(any_case: Case) -> None:
    with any_case.act() as ctx:
        pid = persons.add_person(
            ctx, pseudonym="W-2", legal_name=LEGAL, contact="+000 fictional"
        ).id
    with any_case.act() as ctx:
        out = persons.reveal(ctx, [persons.get_person(ctx, pid)], reason="court filing prep")
    assert out[0]["legal_name"] == LEGAL and out[0]["contact"] == "+000 fictional"
    with any_case.system_session() as s:
        entries = audit.query(s, action="person.reveal")
        assert len(entries) == 1
        assert "court filing prep" in entries[0].detail
        assert "legal_name" in entries[0].detail and LEGAL not in entries[0].detail
        assert all(LEGAL not in (e.detail + e.object_ids) for e in audit.query(s))


def test_viewer_cannot_reveal_and_nothing_is_decrypted(case: Case) -> None:
    with case.act() as ctx:
        pid = persons.add_person(ctx, pseudonym="W-3", legal_name=LEGAL).id
        users.add_user(ctx, "vera", "viewer")
    with pytest.raises(PermissionDenied, match="may not reveal"), case.act("vera") as ctx:
        persons.reveal(ctx, [persons.get_person(ctx, pid)], reason="curious")
    with case.system_session() as s:
        assert audit.query(s, action="person.reveal") == []
        (denied,) = audit.query(s, action="access.denied")
        assert denied.actor == "vera" and "protected.reveal" in denied.detail
        assert audit.verify(s, case.audit_public_key()).ok


def test_viewer_cannot_add_person(case: Case) -> None:
    with case.act() as ctx:
        users.add_user(ctx, "vera", "viewer")
    with pytest.raises(PermissionDenied), case.act("vera") as ctx:
        persons.add_person(ctx, pseudonym="X")


def test_duplicate_pseudonym_is_refused(case: Case) -> None:
    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-1")
    with pytest.raises(Conflict, match="W-1"), case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-1")


def test_unknown_person_id_names_the_id(case: Case) -> None:
    with pytest.raises(NotFound, match="no person with id 42"), case.act() as ctx:
        persons.get_person(ctx, 42)


def test_bad_role_lists_allowed_values(case: Case) -> None:
    with pytest.raises(InputError, match="allowed: victim, witness"), case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-9", roles=["hero"])


def test_ciphertext_moved_to_another_person_does_not_decrypt(case: Case) -> None:
    with case.act() as ctx:
        a = persons.add_person(ctx, pseudonym="A", legal_name=LEGAL)
        b = persons.add_person(ctx, pseudonym="B", legal_name="Other Fictional")
        b.legal_name_enc = a.legal_name_enc  # attacker swaps ciphertexts in the database
    with pytest.raises(InputError), case.act() as ctx:
        persons.reveal(ctx, [persons.get_person(ctx, 2)], reason="check swap")


def test_find_by_legal_name_uses_blind_index(case: Case) -> None:
    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="A", legal_name=LEGAL)
        persons.add_person(ctx, pseudonym="B", legal_name="Other Fictional")
    with case.act() as ctx:
        hits = persons.find_by_legal_name(
            ctx, "  fictional LEGALNAME qarawi ", reason="dedupe check"
        )
        assert [p.pseudonym for p in hits] == ["A"]


def test_every_write_is_checkpointed_and_chain_verifies(any_case: Case) -> None:
    with any_case.act() as ctx:
        persons.add_person(ctx, pseudonym="A", legal_name=LEGAL)
    with any_case.act(Actor("admin", "admin")) as ctx:
        persons.update_person(ctx, 1, sex="male", legal_name=None)
    with any_case.system_session() as s:
        res = audit.verify(s, any_case.audit_public_key())
        assert res.ok, res.reason
        assert res.sealed_seq == res.head_seq >= 4


def test_many_persons_are_added_in_a_few_statements_each_with_its_entry(any_case: Case) -> None:
    from sqlalchemy import event

    statements: list[str] = []

    def count(conn, cursor, statement, params, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    people = [
        {"pseudonym": f"V-{i}", "roles": ["victim"], "sex": "male", "age": 20 + i % 60,
         "legal_name": f"{LEGAL} {i}"}
        for i in range(120)
    ]  # fmt: skip
    event.listen(any_case.engine, "before_cursor_execute", count)
    try:
        with any_case.act() as ctx:
            made = persons.add_persons(ctx, people)
            ids = [p.id for p in made]
            during = len(statements)
    finally:
        event.remove(any_case.engine, "before_cursor_execute", count)
    # add_person costs about nine statements a person; 120 persons take a handful. On
    # SQLite the ORM inserts the rows one statement each (in process: no round trip)
    others = [x for x in statements[:during] if not x.startswith("INSERT INTO persons")]
    assert len(others) <= 15, others
    if any_case.engine.dialect.name == "postgresql":
        assert during <= 15, statements
    assert len(set(ids)) == 120
    with any_case.act() as ctx:
        got = persons.reveal(ctx, [persons.get_person(ctx, i) for i in ids], reason="check")
        assert [g["legal_name"] for g in got] == [f"{LEGAL} {i}" for i in range(120)]
        assert [persons.get_person(ctx, i).pseudonym for i in ids] == [f"V-{i}" for i in range(120)]
    with any_case.system_session() as s:
        added = audit.query(s, action="person.add")
        assert sorted(e.object_ids for e in added) == sorted(f'["person:{i}"]' for i in ids)
        assert all(LEGAL not in e.detail for e in added)
        assert audit.verify(s, any_case.audit_public_key()).ok


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        ({"pseudonym": "W-1"}, Conflict),  # taken by a person already in the case
        ({"pseudonym": "V-0"}, Conflict),  # given twice in the batch
        ({"pseudonym": "V-x", "age": -1}, InputError),
        ({"pseudonym": "V-y", "colour": "red"}, InputError),
        ({"pseudonym": " "}, InputError),
    ],
)
def test_one_bad_person_among_many_adds_none(
    case: Case, bad: dict[str, object], error: type[Exception]
) -> None:
    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-1")
    people = [{"pseudonym": f"V-{i}", "legal_name": LEGAL} for i in range(3)]
    with pytest.raises(error), case.act() as ctx:
        persons.add_persons(ctx, [*people, bad])
    with case.system_session() as s:
        assert [p.pseudonym for p in s.query(Person)] == ["W-1"]
        assert len(audit.query(s, action="person.add")) == 1
