"""Linkage: imported victim lists, their (encrypted) records, review pairs, decisions.

Revision ID: 0003_linkage
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_linkage"
down_revision = "0001_foundation"
branch_labels = ("linkage",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("evidence_sha256", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=300), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("imported_by", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_lists")),
        sa.UniqueConstraint("name", name=op.f("uq_linkage_lists_name")),
    )
    op.create_table(
        "linkage_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("data_enc", sa.Text(), nullable=False),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("date_of_death", sa.String(length=10), nullable=True),
        sa.Column("place_of_death", sa.String(length=300), nullable=True),
        sa.Column("governorate", sa.String(length=300), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("match_probability", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["linkage_lists.id"],
            name=op.f("fk_linkage_records_list_id_linkage_lists"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_linkage_records_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linkage_records")),
        sa.UniqueConstraint("list_id", "record_key", name=op.f("uq_linkage_records_list_id")),
    )
    op.create_index(
        op.f("ix_linkage_records_list_id"), "linkage_records", ["list_id"], unique=False
    )
    op.create_index(
        op.f("ix_linkage_records_person_id"), "linkage_records", ["person_id"], unique=False
    )
    for table in ("linkage_review_pairs", "linkage_decisions"):
        extra = (
            [sa.Column("probability", sa.Float(), nullable=False)]
            if table == "linkage_review_pairs"
            else [
                sa.Column("verdict", sa.String(length=8), nullable=False),
                sa.Column("note", sa.Text(), nullable=True),
                sa.Column("decided_by", sa.String(length=64), nullable=False),
                sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
            ]
        )
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("record_a", sa.Integer(), nullable=False),
            sa.Column("record_b", sa.Integer(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(
                ["record_a"],
                ["linkage_records.id"],
                name=op.f(f"fk_{table}_record_a_linkage_records"),
            ),
            sa.ForeignKeyConstraint(
                ["record_b"],
                ["linkage_records.id"],
                name=op.f(f"fk_{table}_record_b_linkage_records"),
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("record_a", "record_b", name=op.f(f"uq_{table}_record_a")),
        )


def downgrade() -> None:
    op.drop_table("linkage_decisions")
    op.drop_table("linkage_review_pairs")
    op.drop_index(op.f("ix_linkage_records_person_id"), table_name="linkage_records")
    op.drop_index(op.f("ix_linkage_records_list_id"), table_name="linkage_records")
    op.drop_table("linkage_records")
    op.drop_table("linkage_lists")
