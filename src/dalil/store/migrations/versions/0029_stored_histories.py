"""The capture histories as last computed by a job, keyed on the data version (the
audit sequence number then), so that the estimates page reads them instead of counting
every list record in the request.

Revision ID: 0029_stored_histories
Revises: 0028_person_roles_index
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0029_stored_histories"
down_revision = "0028_person_roles_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_histories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("strata", sa.String(length=200), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("lists", sa.JSON(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.Column("problem", sa.String(length=40), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_histories")),
        sa.UniqueConstraint("strata", name=op.f("uq_linkage_histories_strata")),
    )


def downgrade() -> None:
    op.drop_table("linkage_histories")
