"""PostgreSQL: a GIN index of the persons' roles (the JSON list read as ``jsonb``), which
serves a list or count filtered by role (``/persons?role=witness``). Matching the text
of the list read every person: 100–180 ms at 100,000 persons. SQLite keeps matching
the text (no such index there).

Revision ID: 0028_person_roles_index
Revises: 0027_pair_explanations
"""

from __future__ import annotations

from alembic import op

revision = "0028_person_roles_index"
down_revision = "0027_pair_explanations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS ix_persons_roles ON persons USING gin ((roles::jsonb))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_persons_roles")
