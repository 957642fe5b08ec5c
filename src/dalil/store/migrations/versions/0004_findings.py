"""Findings: incident coding, element assessments and sign-offs, site status history and
details, corroboration claims with graded sources, stored estimates.

Revision ID: 0004_findings
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_findings"
down_revision = "0001_foundation"
branch_labels = ("findings",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "finding_estimates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("observed", sa.Integer(), nullable=False),
        sa.Column("estimate", sa.Float(), nullable=False),
        sa.Column("ci_low", sa.Float(), nullable=False),
        sa.Column("ci_high", sa.Float(), nullable=False),
        sa.Column("lists", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_estimates")),
    )
    op.create_table(
        "finding_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("date_start", sa.String(length=10), nullable=True),
        sa.Column("date_end", sa.String(length=10), nullable=True),
        sa.Column("low", sa.Integer(), nullable=True),
        sa.Column("high", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_finding_claims_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_claims")),
    )
    op.create_index(
        op.f("ix_finding_claims_incident_id"), "finding_claims", ["incident_id"], unique=False
    )
    op.create_table(
        "finding_incident_codings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("sub_event_type", sa.String(length=64), nullable=False),
        sa.Column("civilian_targeting", sa.Boolean(), nullable=False),
        sa.Column("actor1", sa.String(length=300), nullable=True),
        sa.Column("assoc_actor1", sa.String(length=300), nullable=True),
        sa.Column("actor2", sa.String(length=300), nullable=True),
        sa.Column("assoc_actor2", sa.String(length=300), nullable=True),
        sa.Column("country", sa.String(length=100), nullable=True),
        sa.Column("admin1", sa.String(length=200), nullable=True),
        sa.Column("admin2", sa.String(length=200), nullable=True),
        sa.Column("geo_precision", sa.String(length=8), nullable=False),
        sa.Column("fatality_sources", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_finding_incident_codings_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_incident_codings")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_finding_incident_codings_incident_id")),
    )
    op.create_table(
        "finding_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("element", sa.String(length=16), nullable=False),
        sa.Column("finding", sa.String(length=16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("assessor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["act_id"], ["acts.id"], name=op.f("fk_finding_assessments_act_id_acts")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_finding_assessments_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_assessments")),
    )
    op.create_index(
        op.f("ix_finding_assessments_act_id"), "finding_assessments", ["act_id"], unique=False
    )
    op.create_index(
        op.f("ix_finding_assessments_incident_id"),
        "finding_assessments",
        ["incident_id"],
        unique=False,
    )
    op.create_table(
        "finding_claim_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("credibility", sa.Integer(), nullable=False),
        sa.Column("stance", sa.String(length=16), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["finding_claims.id"],
            name=op.f("fk_finding_claim_sources_claim_id_finding_claims"),
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_items.id"],
            name=op.f("fk_finding_claim_sources_evidence_id_evidence_items"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_finding_claim_sources_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_claim_sources")),
    )
    op.create_index(
        op.f("ix_finding_claim_sources_claim_id"),
        "finding_claim_sources",
        ["claim_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_finding_claim_sources_source_id"),
        "finding_claim_sources",
        ["source_id"],
        unique=False,
    )
    op.create_table(
        "finding_signoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("act_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["act_id"], ["acts.id"], name=op.f("fk_finding_signoffs_act_id_acts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_signoffs")),
    )
    op.create_index(
        op.f("ix_finding_signoffs_act_id"), "finding_signoffs", ["act_id"], unique=False
    )
    op.create_table(
        "finding_site_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("recovered_bodies", sa.Integer(), nullable=True),
        sa.Column("protection_notes", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_finding_site_details_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_site_details")),
        sa.UniqueConstraint("site_id", name=op.f("uq_finding_site_details_site_id")),
    )
    op.create_table(
        "finding_site_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("on_date", sa.String(length=10), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_finding_site_events_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_site_events")),
    )
    op.create_index(
        op.f("ix_finding_site_events_site_id"), "finding_site_events", ["site_id"], unique=False
    )
    op.create_table(
        "finding_site_victims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_finding_site_victims_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_finding_site_victims_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding_site_victims")),
        sa.UniqueConstraint("site_id", "person_id", name="uq_finding_site_victims_site_person"),
    )
    op.create_index(
        op.f("ix_finding_site_victims_person_id"),
        "finding_site_victims",
        ["person_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_finding_site_victims_site_id"), "finding_site_victims", ["site_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_finding_site_victims_site_id"), table_name="finding_site_victims")
    op.drop_index(op.f("ix_finding_site_victims_person_id"), table_name="finding_site_victims")
    op.drop_table("finding_site_victims")
    op.drop_index(op.f("ix_finding_site_events_site_id"), table_name="finding_site_events")
    op.drop_table("finding_site_events")
    op.drop_table("finding_site_details")
    op.drop_index(op.f("ix_finding_signoffs_act_id"), table_name="finding_signoffs")
    op.drop_table("finding_signoffs")
    op.drop_index(op.f("ix_finding_claim_sources_source_id"), table_name="finding_claim_sources")
    op.drop_index(op.f("ix_finding_claim_sources_claim_id"), table_name="finding_claim_sources")
    op.drop_table("finding_claim_sources")
    op.drop_index(op.f("ix_finding_assessments_incident_id"), table_name="finding_assessments")
    op.drop_index(op.f("ix_finding_assessments_act_id"), table_name="finding_assessments")
    op.drop_table("finding_assessments")
    op.drop_table("finding_incident_codings")
    op.drop_index(op.f("ix_finding_claims_incident_id"), table_name="finding_claims")
    op.drop_table("finding_claims")
    op.drop_table("finding_estimates")
