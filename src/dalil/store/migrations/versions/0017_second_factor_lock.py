"""Second-factor lock-out: wrong codes counted per account, a lock an admin lifts.

Revision ID: 0017_second_factor_lock
Revises: 0016_audit_timestamps
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_second_factor_lock"
down_revision = "0016_audit_timestamps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "totp_locks",
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("user", name=op.f("pk_totp_locks")),
    )


def downgrade() -> None:
    op.drop_table("totp_locks")
