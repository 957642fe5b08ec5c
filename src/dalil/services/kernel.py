"""What the adapters (``cli/``, ``web/``) may know of the kernel, and nothing more: the
case and context types they hold, the actor, the roles and the permission names (to
decide what to *show*; a service checks them). The adapters import these from here, never
from ``dalil.core``, ``dalil.model``, ``dalil.store`` or ``dalil.vault`` (the import
contracts in ``tests/test_import_contracts.py``)."""

from __future__ import annotations

from dalil.core.access import (
    ANALYSIS_RUN,
    AUDIT_READ,
    CASE_READ,
    EVIDENCE_ADD,
    EVIDENCE_READ,
    EVIDENCE_READ_SENSITIVE,
    EXPORT_BAG,
    EXPORT_PROTECTED,
    EXPORT_RECORDS,
    FINDING_ASSESS,
    FINDING_SIGNOFF,
    FIXITY_RUN,
    KEYS_MANAGE,
    LINKAGE_DECIDE,
    LINKAGE_REVEAL,
    PROTECTED_REVEAL,
    RECORD_WRITE,
    REPORT_INTERNAL,
    REPORT_PUBLIC,
    ROLES,
    USER_MANAGE,
    Actor,
    permissions_for,
)
from dalil.core.case import CASE_FILE, Case, find_case_dir
from dalil.core.context import Context

__all__ = [
    "ANALYSIS_RUN",
    "AUDIT_READ",
    "CASE_FILE",
    "CASE_READ",
    "EVIDENCE_ADD",
    "EVIDENCE_READ",
    "EVIDENCE_READ_SENSITIVE",
    "EXPORT_BAG",
    "EXPORT_PROTECTED",
    "EXPORT_RECORDS",
    "FINDING_ASSESS",
    "FINDING_SIGNOFF",
    "FIXITY_RUN",
    "KEYS_MANAGE",
    "LINKAGE_DECIDE",
    "LINKAGE_REVEAL",
    "PROTECTED_REVEAL",
    "RECORD_WRITE",
    "REPORT_INTERNAL",
    "REPORT_PUBLIC",
    "ROLES",
    "USER_MANAGE",
    "Actor",
    "Case",
    "Context",
    "find_case_dir",
    "permissions_for",
]
