"""Findings: incident coding, legal assessment per act, corroboration, sites, units, vetting.

The rules live in plain, storage-free modules (:mod:`.assessment`, :mod:`.incidents`,
:mod:`.corroboration`, :mod:`.sites`, :mod:`.units`, :mod:`.vetting`) so that the CLI,
the web workbench and the report builder apply exactly the same logic.
"""
