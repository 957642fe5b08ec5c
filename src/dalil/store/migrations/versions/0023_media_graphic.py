"""Evidence items carry a ``graphic`` flag: shown blurred and in greyscale until the
viewer chooses to see them.

Revision ID: 0023_media_graphic
Revises: 0020_retractions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023_media_graphic"
down_revision = "0020_retractions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_items") as batch:
        batch.add_column(
            sa.Column("graphic", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_items") as batch:
        batch.drop_column("graphic")
