"""Source verification: text extraction, quotations, quantities, reuse, comparison, corpus graph.

Everything here works on plain text (no case needed); case integration goes through the
service layer.  See docs/sources.md.
"""
