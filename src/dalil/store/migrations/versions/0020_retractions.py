"""Retractions (records withdrawn with a reason, never deleted), perpetrator persons of
acts, and a password change forced at the next login after an admin sets one.

Revision ID: 0020_retractions
Revises: 0018_linkage_runs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_retractions"
down_revision = "0018_linkage_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "retractions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("retracted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retracted_by", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retractions")),
        sa.UniqueConstraint("kind", "record_id", name="uq_retractions_kind_record"),
    )
    op.create_table(
        "act_perpetrators",
        sa.Column("act_id", sa.Integer(), sa.ForeignKey("acts.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.PrimaryKeyConstraint("act_id", "person_id", name=op.f("pk_act_perpetrators")),
    )
    op.create_index("ix_act_perpetrators_person_id", "act_perpetrators", ["person_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change_password")
    op.drop_index("ix_act_perpetrators_person_id", table_name="act_perpetrators")
    op.drop_table("act_perpetrators")
    op.drop_table("retractions")
