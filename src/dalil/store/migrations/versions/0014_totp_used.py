"""Second-factor replay protection in the case database: the last accepted time step per
account, so a code is accepted once on every worker and after a restart.

Revision ID: 0014_totp_used
Revises: 0013_web_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_totp_used"
down_revision = "0013_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "totp_used",
        sa.Column("user", sa.String(64), nullable=False),
        sa.Column("step", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("user", name=op.f("pk_totp_used")),
    )


def downgrade() -> None:
    op.drop_table("totp_used")
