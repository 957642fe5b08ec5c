"""Second-factor lock-out: wrong codes counted per account, a lock an admin lifts.

Revision ID: 0016_second_factor_lock
Revises: 0015_linkage_victims
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_second_factor_lock"
down_revision = "0015_linkage_victims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("totp_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_at")
        batch.drop_column("totp_failures")
