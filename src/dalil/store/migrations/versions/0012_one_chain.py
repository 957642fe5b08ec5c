"""One migration chain: closes the two branches of the earlier releases (victim-list
linkage and findings) into a single head. No schema change.

From here on every new revision names the current head as its ``down_revision``.

Revision ID: 0012_one_chain
Revises: 0003_linkage, 0011_legal_name_folding
"""

from __future__ import annotations

revision = "0012_one_chain"
down_revision = ("0003_linkage", "0011_legal_name_folding")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
