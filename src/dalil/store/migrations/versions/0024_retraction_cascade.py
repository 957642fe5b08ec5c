"""A retraction may be part of another: ``retractions.cascade_of`` names the retraction
(row id) whose operation also withdrew this record as a dependant, so that restoring
that record puts back exactly what its operation retracted.

Revision ID: 0024_retraction_cascade
Revises: 0022_team_audit_objects
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024_retraction_cascade"
down_revision = "0022_team_audit_objects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("retractions") as batch:
        batch.add_column(sa.Column("cascade_of", sa.Integer(), nullable=True))
        batch.create_index("ix_retractions_cascade_of", ["cascade_of"])


def downgrade() -> None:
    with op.batch_alter_table("retractions") as batch:
        batch.drop_index("ix_retractions_cascade_of")
        batch.drop_column("cascade_of")
