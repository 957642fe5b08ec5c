"""Pair review by a team: review sessions (a reason stated once per session) and blind
double review (items and votes).

Revision ID: 0019_review_team
Revises: 0023_media_graphic
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019_review_team"
down_revision = "0023_media_graphic"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_review_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_review_sessions")),
    )
    op.create_index(
        op.f("ix_linkage_review_sessions_user_name"),
        "linkage_review_sessions",
        ["user_name"],
        unique=False,
    )
    op.create_table(
        "linkage_blind_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pair", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("started_by", sa.String(length=64), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_blind_items")),
        sa.UniqueConstraint("pair", name=op.f("uq_linkage_blind_items_pair")),
    )
    op.create_table(
        "linkage_blind_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=8), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["linkage_blind_items.id"],
            name=op.f("fk_linkage_blind_votes_item_id_linkage_blind_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_blind_votes")),
        sa.UniqueConstraint("item_id", "reviewer", name=op.f("uq_linkage_blind_votes_item_id")),
    )
    op.create_index(
        op.f("ix_linkage_blind_votes_item_id"), "linkage_blind_votes", ["item_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_linkage_blind_votes_item_id"), table_name="linkage_blind_votes")
    op.drop_table("linkage_blind_votes")
    op.drop_table("linkage_blind_items")
    op.drop_index(
        op.f("ix_linkage_review_sessions_user_name"), table_name="linkage_review_sessions"
    )
    op.drop_table("linkage_review_sessions")
