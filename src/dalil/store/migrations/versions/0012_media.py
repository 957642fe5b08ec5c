"""Media metadata and perceptual hashes (encrypted) and "same media?" decisions.

Revision ID: 0012_media
Revises: 0011_legal_name_folding
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_media"
down_revision = "0011_legal_name_folding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media_info",
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("evidence_items.id"), nullable=False),
        sa.Column("metadata_enc", sa.Text(), nullable=True),
        sa.Column("phash_enc", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("item_id"),
    )
    op.create_table(
        "media_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), sa.ForeignKey("evidence_items.id"), nullable=False),
        sa.Column("b_id", sa.Integer(), sa.ForeignKey("evidence_items.id"), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("a_id", "b_id", name="uq_media_matches_pair"),
    )
    op.create_index("ix_media_matches_a_id", "media_matches", ["a_id"])
    op.create_index("ix_media_matches_b_id", "media_matches", ["b_id"])


def downgrade() -> None:
    op.drop_index("ix_media_matches_b_id", table_name="media_matches")
    op.drop_index("ix_media_matches_a_id", table_name="media_matches")
    op.drop_table("media_matches")
    op.drop_table("media_info")
