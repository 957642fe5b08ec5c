"""Web sessions and login throttling in the case database (durable, shared by workers).

Also joins the two heads main had at the time (0012_media and 0012_one_chain) back into
one chain.

Revision ID: 0013_web_sessions
Revises: 0012_media, 0012_one_chain
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_web_sessions"
down_revision = ("0012_media", "0012_one_chain")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created", sa.Float(), nullable=False),
        sa.Column("seen", sa.Float(), nullable=False),
        sa.Column("user", sa.String(64), nullable=True),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("pending_user", sa.String(64), nullable=True),
        sa.Column("pending_role", sa.String(16), nullable=True),
        sa.Column("flash", sa.Text(), nullable=True),
        sa.Column("data_enc", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_user", "web_sessions", ["user"])
    op.create_index("ix_web_sessions_seen", "web_sessions", ["seen"])
    op.create_table(
        "login_failures",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("until", sa.Float(), nullable=False),
        sa.Column("last", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_login_failures")),
    )


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("web_sessions")
