"""A job's output file (a report, an evidence bag) is kept as an encrypted blob in the
vault (``job_files.blob_sha256``), streamed when downloaded; ``content_enc`` holds only
input files and the output files of jobs that finished before this revision.

Revision ID: 0026_job_file_blobs
Revises: 0025_list_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026_job_file_blobs"
down_revision = "0025_list_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_files") as batch:
        batch.add_column(sa.Column("blob_sha256", sa.String(64), nullable=True))
        batch.alter_column("content_enc", existing_type=sa.LargeBinary(), nullable=True)


def downgrade() -> None:
    # A file kept in the vault has no inline copy: such rows cannot go back.
    op.execute("DELETE FROM job_files WHERE content_enc IS NULL")
    with op.batch_alter_table("job_files") as batch:
        batch.alter_column("content_enc", existing_type=sa.LargeBinary(), nullable=False)
        batch.drop_column("blob_sha256")
