"""The legal-name blind index folds Arabic as the linkage names do; existing cases are
re-indexed by the migration (with the key) or on first use (without). Names fictional."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

from dalil.core.case import Case
from dalil.model.person import Person
from dalil.services import persons
from dalil.store.migrate import alembic_config, upgrade


def _find(case: Case, name: str) -> list[int]:
    with case.act() as ctx:
        return [p.id for p in persons.find_by_legal_name(ctx, name, reason="fold test")]


def test_arabic_variants_share_the_index(any_case: Case) -> None:
    with any_case.act() as ctx:
        persons.add_person(ctx, pseudonym="V-1", legal_name="مُحَمَّد أحمد الخيالي")
        persons.add_person(ctx, pseudonym="V-2", legal_name="Fictional Name Two")
        persons.add_person(ctx, pseudonym="V-3", legal_name="محمود أحمد الخيالي")
    assert _find(any_case, "محمد احمد الخيالي") == [1]
    assert _find(any_case, "مـحـمـد  أَحْمَد الخيالى") == [1]
    assert _find(any_case, "fictional  name two") == [2]
    assert _find(any_case, "محمد") == []


def _old_style(case: Case) -> None:
    """Put the index back as it was before folding (raw value, no version)."""
    with case.act() as ctx:
        for p in ctx.session.scalars(sa.select(Person)):
            name = json.loads(ctx.keys.decrypt_field(p.legal_name_enc, f"person:{p.id}:legal_name"))
            p.legal_name_index = ctx.blind_index(name, persons.LEGAL_NAME_INDEX_CONTEXT)
            p.legal_name_index_v = None


def test_migration_reindexes_with_the_key(any_case: Case) -> None:
    case = any_case
    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-1", legal_name="أحمد الخيالي")
    _old_style(case)
    with case.engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0010_jobs")
    upgrade(case.engine, keys=case.keys)
    with case.act(write=False) as ctx:
        p = ctx.session.get(Person, 1)
        assert p is not None and p.legal_name_index_v == persons.LEGAL_NAME_INDEX_VERSION
        assert p.legal_name_index == ctx.blind_index(
            persons.legal_name_index_form("احمد الخيالي"), persons.LEGAL_NAME_INDEX_CONTEXT
        )
    assert _find(case, "احمد الخيالي") == [1]


def test_without_the_key_reindexed_on_first_use(any_case: Case) -> None:
    case = any_case
    with case.act() as ctx:
        persons.add_person(ctx, pseudonym="W-2", legal_name="إبراهيم الخيالي")
    _old_style(case)
    assert _find(case, "ابراهيم الخيالي") == [1]
    with case.act(write=False) as ctx:
        p = ctx.session.get(Person, 1)
        assert p is not None and p.legal_name_index_v == persons.LEGAL_NAME_INDEX_VERSION
