"""Legal-name blind index with Arabic folding: re-index existing persons.

The legal-name index now hashes the linkage's name normal form (Arabic diacritics,
tatweel, alef, hamza, ta marbuta and ya folded; Latin accents and case folded), so
``مُحَمَّد`` and ``محمد`` index alike. ``persons.legal_name_index_v`` records which
normal form an index was made with (2 = folded). Re-indexing needs the case key: when
``dalil upgrade`` is given the passphrase it re-indexes here; otherwise the rows keep
``legal_name_index_v`` empty and are re-indexed the next time the index is used
(``dalil.services.persons.reindex_legal_names``).

Revision ID: 0011_legal_name_folding
Revises: 0010_jobs
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import context, op

revision = "0011_legal_name_folding"
down_revision = "0010_jobs"
branch_labels = None
depends_on = None

INDEX_VERSION = 2
INDEX_CONTEXT = "person.legal_name"  # the blind-index context of legal names


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("legal_name_index_v", sa.Integer(), nullable=True))
    keys = context.config.attributes.get("keys")
    if keys is None:
        return
    # The version-2 normal form (a migration keeps its own copy of what it writes:
    # the pure name library, not the service layer, which may change later).
    from dalil.linkage.names import normalize_name

    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, legal_name_enc FROM persons WHERE legal_name_enc IS NOT NULL")
    ).all()
    for pid, enc in rows:
        name = json.loads(keys.decrypt_field(enc, f"person:{pid}:legal_name"))
        idx = keys.blind_index(normalize_name(name) or name, INDEX_CONTEXT)
        conn.execute(
            sa.text("UPDATE persons SET legal_name_index = :i, legal_name_index_v = :v "
                    "WHERE id = :id"),
            {"i": idx, "v": INDEX_VERSION, "id": pid},
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("legal_name_index_v")
