"""Linkage runs and their trained models (for incremental linkage).

Revision ID: 0018_linkage_runs
Revises: 0017_second_factor_lock
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018_linkage_runs"
down_revision = "0017_second_factor_lock"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("model", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_runs")),
    )


def downgrade() -> None:
    op.drop_table("linkage_runs")
