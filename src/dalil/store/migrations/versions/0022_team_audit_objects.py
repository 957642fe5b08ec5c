"""An index of the audit log's object ids (``audit_objects``), so that a record's history
(its page, ``dalil audit show --object``, the custody ledger) is found without reading
every entry; filled here for the entries written before it.

Revision ID: 0022_team_audit_objects
Revises: 0019_review_team
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0022_team_audit_objects"
down_revision = "0019_review_team"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    op.create_table(
        "audit_objects",
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("object_id", "seq", name=op.f("pk_audit_objects")),
    )
    conn = op.get_bind()
    table = sa.table(
        "audit_objects", sa.column("object_id", sa.String()), sa.column("seq", sa.BigInteger())
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                "SELECT seq, object_ids FROM audit_log WHERE seq > :last ORDER BY seq LIMIT :n"
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not rows:
            break
        batch = [
            {"object_id": str(o), "seq": int(seq)}
            for seq, ids in rows
            for o in dict.fromkeys(json.loads(ids or "[]"))
        ]
        if batch:
            conn.execute(sa.insert(table), batch)
        last = int(rows[-1][0])


def downgrade() -> None:
    op.drop_table("audit_objects")
