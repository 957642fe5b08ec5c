"""Linking list records to the victims the case already holds: proposals and decisions.

Revision ID: 0015_linkage_victims
Revises: 0014_totp_used
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_linkage_victims"
down_revision = "0014_totp_used"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("linkage_victim_matches", "linkage_victim_decisions"):
        extra = (
            [
                sa.Column("probability", sa.Float(), nullable=False),
                sa.Column("held", sa.Boolean(), nullable=False),
            ]
            if table == "linkage_victim_matches"
            else [
                sa.Column("verdict", sa.String(length=8), nullable=False),
                sa.Column("note", sa.Text(), nullable=True),
                sa.Column("decided_by", sa.String(length=64), nullable=False),
                sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
            ]
        )
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("record_id", sa.Integer(), nullable=False),
            sa.Column("person_id", sa.Integer(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(
                ["record_id"],
                ["linkage_records.id"],
                name=op.f(f"fk_{table}_record_id_linkage_records"),
            ),
            sa.ForeignKeyConstraint(
                ["person_id"], ["persons.id"], name=op.f(f"fk_{table}_person_id_persons")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("record_id", "person_id", name=op.f(f"uq_{table}_record_id")),
        )


def downgrade() -> None:
    op.drop_table("linkage_victim_decisions")
    op.drop_table("linkage_victim_matches")
