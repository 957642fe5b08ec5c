"""Indexes for a large case: a record's provenance links by their subject (a person's
page read every link: 22 ms at 100,000 links, 0.12 ms through the index, by
``EXPLAIN ANALYZE`` on PostgreSQL) and persons by age (a list sorted by age sorted the
whole table: 73 ms at 100,000 persons, 2 ms).

Revision ID: 0025_list_indexes
Revises: 0024_retraction_cascade
"""

from __future__ import annotations

from alembic import op

revision = "0025_list_indexes"
down_revision = "0024_retraction_cascade"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_provenance_links_subject", "provenance_links", ["subject_kind", "subject_id"]
    )
    op.create_index(op.f("ix_persons_age"), "persons", ["age"])


def downgrade() -> None:
    op.drop_index(op.f("ix_persons_age"), table_name="persons")
    op.drop_index("ix_provenance_links_subject", table_name="provenance_links")
