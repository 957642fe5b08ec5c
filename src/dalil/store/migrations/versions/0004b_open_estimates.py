"""Stored estimates may have no estimate (a stratum that could not be estimated) or an
interval without an upper (or lower) end (an unbounded profile-likelihood interval).

Revision ID: 0004b_open_estimates
Revises: 0004_findings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004b_open_estimates"
down_revision = "0004_findings"
branch_labels = None
depends_on = None

COLUMNS = ("estimate", "ci_low", "ci_high")


def upgrade() -> None:
    with op.batch_alter_table("finding_estimates") as batch:
        for name in COLUMNS:
            batch.alter_column(name, existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("finding_estimates") as batch:
        for name in COLUMNS:
            batch.alter_column(name, existing_type=sa.Float(), nullable=False)
