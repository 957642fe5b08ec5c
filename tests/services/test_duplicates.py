"""Possible duplicates while a victim is typed in (services.duplicates): persons and list
records found through the name keys in both scripts, named by pseudonym or list record
only (never by a protected name), refused without record.write, logged like a search
with a digest of the typed name. All names fictional."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dalil.core import audit
from dalil.core.access import Actor
from dalil.core.case import Case
from dalil.errors import InputError, PermissionDenied
from dalil.services import duplicates, lists, persons

LEGAL = "محمد عبد الرحمن خالد الحسن"  # fictional


def _seed(case: Case, tmp_path: Path) -> dict[str, int]:
    with case.act() as ctx:
        p1 = persons.add_person(
            ctx, pseudonym="V-alpha", roles=["victim"], sex="male", age=34, legal_name=LEGAL
        ).id
        p2 = persons.add_person(
            ctx, pseudonym="V-beta", roles=["victim"], sex="female", legal_name="Fatima Ali Omar"
        ).id
        p3 = persons.add_person(ctx, pseudonym="W-gamma", roles=["witness"]).id
    csv = tmp_path / "fictional_list.csv"
    csv.write_text(
        "record_id,full_name,sex,age,date_of_death,place_of_death\n"
        "A1,Mohammed Abdulrahman al Hassan,m,35,2025-03-08,Fictional Tal\n"
        "A2,Zainab Hussein Darwish,f,52,2025-03-08,Fictional Tal\n",
        encoding="utf-8",
    )
    lists.import_list(case, "admin", csv, list_name="Fictional list A")
    return {"p1": p1, "p2": p2, "p3": p3}


def test_latin_name_finds_the_arabic_legal_name_and_the_list_record(
    any_case: Case, tmp_path: Path
) -> None:
    ids = _seed(any_case, tmp_path)
    with any_case.act() as ctx:
        out = duplicates.possible_duplicates(
            ctx, name="Muhammad Abd al-Rahman al-Hasan", sex="male", age="34"
        )
    assert out["checked"] == {"persons": 3, "list_records": 2}
    got = [(m["kind"], m["label"]) for m in out["matches"]]
    assert ("person", "V-alpha") in got
    assert ("list_record", "Fictional list A, record A1") in got
    first = out["matches"][0]
    assert first["likely"] and "name" in first["reasons"] and "sex" in first["reasons"]
    assert first["person_id"] == ids["p1"]
    text = json.dumps(out, ensure_ascii=False)
    assert LEGAL not in text and "Mohammed" not in text and "Abdulrahman" not in text


def test_other_sex_or_other_given_name_is_not_warned(any_case: Case, tmp_path: Path) -> None:
    _seed(any_case, tmp_path)
    with any_case.act() as ctx:
        assert duplicates.possible_duplicates(ctx, name="Ahmad al-Hasan")["matches"] == []
        out = duplicates.possible_duplicates(ctx, name="محمد الحسن", sex="female")
        assert out["matches"] == []
        out = duplicates.possible_duplicates(ctx, name="فاطمة علي عمر", sex="female")
        assert [m["label"] for m in out["matches"]] == ["V-beta"]


def test_check_is_logged_like_a_search_without_the_typed_name(
    any_case: Case, tmp_path: Path
) -> None:
    ids = _seed(any_case, tmp_path)
    with any_case.act(Actor("admin", "analyst")) as ctx:  # may write, may not reveal
        out = duplicates.possible_duplicates(ctx, name="Mohamad Abdelrahman Hasan")
    assert out["matches"] and out["matches"][0]["label"] == "V-alpha"
    with any_case.system_session() as s:
        entries = [e.to_dict() for e in audit.query(s)]
    logged = [e for e in entries if e["action"] == "person.search_duplicates"]
    assert len(logged) == 1
    assert f"person:{ids['p1']}" in logged[0]["object_ids"]
    assert logged[0]["detail"]["query_digest"] and logged[0]["detail"]["matches"] >= 2
    every = json.dumps(entries, ensure_ascii=False)
    assert "Mohamad" not in every and LEGAL not in every


def test_viewer_is_refused_and_bad_input_is_named(any_case: Case, tmp_path: Path) -> None:
    _seed(any_case, tmp_path)
    with pytest.raises(PermissionDenied), any_case.act(Actor("admin", "viewer")) as ctx:
        duplicates.possible_duplicates(ctx, name="Fatima Ali")
    with any_case.act() as ctx:
        with pytest.raises(InputError) as e:
            duplicates.possible_duplicates(ctx, name="Fatima", date="31 June 2025")
        assert e.value.field == "date"
        with pytest.raises(InputError) as e:
            duplicates.possible_duplicates(ctx, name="Fatima", age="x")
        assert e.value.field == "age"
        assert duplicates.possible_duplicates(ctx, name="  ")["matches"] == []


def test_a_new_legal_name_is_seen_by_the_next_check(any_case: Case, tmp_path: Path) -> None:
    ids = _seed(any_case, tmp_path)
    with any_case.act() as ctx:
        assert duplicates.possible_duplicates(ctx, name="Salma Nabil Haddad")["matches"] == []
    with any_case.act() as ctx:
        persons.update_person(ctx, ids["p3"], legal_name="سلمى نبيل حداد")
    with any_case.act() as ctx:
        out = duplicates.possible_duplicates(ctx, name="Salma Nabil Haddad")
    assert [m["label"] for m in out["matches"]] == ["W-gamma"]


def test_a_retracted_person_is_not_suggested(any_case: Case, tmp_path: Path) -> None:
    from dalil.services import retractions

    ids = _seed(any_case, tmp_path)
    with any_case.act() as ctx:
        retractions.retract(ctx, "person", ids["p2"], reason="entered twice (fictional test)")
    with any_case.act() as ctx:
        out = duplicates.possible_duplicates(ctx, name="فاطمة علي عمر", sex="female")
    assert out["matches"] == []


def test_a_list_imported_later_is_keyed_without_keying_the_others_again(
    case: Case, tmp_path: Path
) -> None:
    _seed(case, tmp_path)
    with case.act() as ctx:
        assert duplicates.possible_duplicates(ctx, name="Omar Said Nasser")["matches"] == []
    built = duplicates._CACHE[str(case.root.resolve())]
    csv = tmp_path / "fictional_list_b.csv"
    csv.write_text("record_id,full_name,sex\nB1,عمر سعيد ناصر,m\n", encoding="utf-8")
    lists.import_list(case, "admin", csv, list_name="Fictional list B")
    with case.act() as ctx:
        out = duplicates.possible_duplicates(ctx, name="Omar Said Nasser", sex="male")
    assert [m["label"] for m in out["matches"]] == ["Fictional list B, record B1"]
    again = duplicates._CACHE[str(case.root.resolve())]
    kept = zip(again.records, built.records, strict=False)
    assert all(a is b for a, b in kept)  # the same objects: not keyed again
    assert again.persons is built.persons and len(again.records) == len(built.records) + 1


def test_warm_builds_the_keys_ahead_for_writers_only(case: Case, tmp_path: Path) -> None:
    _seed(case, tmp_path)
    key = str(case.root.resolve())
    duplicates._CACHE.pop(key, None)
    assert duplicates.warm(case, Actor("admin", "viewer")) is None
    assert key not in duplicates._CACHE
    t = duplicates.warm(case, Actor("admin", "investigator"))
    assert t is not None
    t.join(timeout=30)
    assert len(duplicates._CACHE[key].pool) == 5  # 3 persons, 2 list records
    assert duplicates.warm(case, Actor("admin", "investigator")) is None  # already built
    with case.system_session() as s:
        assert not [e for e in audit.query(s) if e.action == "person.search_duplicates"]
