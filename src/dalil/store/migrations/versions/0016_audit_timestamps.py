"""RFC 3161 timestamps of signed audit heads (queued until a TSA answers).

Revision ID: 0016_audit_timestamps
Revises: 0015_linkage_victims
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_audit_timestamps"
down_revision = "0015_linkage_victims"
branch_labels = None
depends_on = None

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "audit_timestamp",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("seq", _BIGINT, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("ts", sa.String(40), nullable=False),
        sa.Column("key_fingerprint", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("tsa_url", sa.String(2000), nullable=False),
        sa.Column("tsa_ca_pem", sa.Text(), nullable=False),
        sa.Column("requested", sa.String(40), nullable=False),
        sa.Column("response", sa.LargeBinary(), nullable=True),
        sa.Column("gen_time", sa.String(40), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_timestamp")),
    )
    op.create_index(op.f("ix_audit_timestamp_seq"), "audit_timestamp", ["seq"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_timestamp_seq"), table_name="audit_timestamp")
    op.drop_table("audit_timestamp")
