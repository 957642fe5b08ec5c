"""What a linkage run keeps for the review views: each pair's probability, match weight
and field-by-field contributions (comparison level and weight in bits), so that viewing
a pair or a cluster is a read instead of a new scoring.

Revision ID: 0027_pair_explanations
Revises: 0026_job_file_blobs
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027_pair_explanations"
down_revision = "0026_job_file_blobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_pair_explanations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("pair", sa.String(length=40), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("match_weight", sa.Float(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["linkage_runs.id"],
            name=op.f("fk_linkage_pair_explanations_run_id_linkage_runs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_pair_explanations")),
        sa.UniqueConstraint("pair", name=op.f("uq_linkage_pair_explanations_pair")),
    )
    op.create_index(
        op.f("ix_linkage_pair_explanations_run_id"),
        "linkage_pair_explanations",
        ["run_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_linkage_pair_explanations_run_id"), table_name="linkage_pair_explanations"
    )
    op.drop_table("linkage_pair_explanations")
