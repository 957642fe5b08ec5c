"""Case-wide search: Arabic-aware folding, English stemming and an in-memory index.

A pure library (plain data in, plain data out): :mod:`dalil.search.fold` turns text into
index terms, :mod:`dalil.search.index` builds, serialises and queries the index, and
:mod:`dalil.search.query` parses what a user typed. The case service that feeds it and
checks permissions is ``dalil.services.search``.
"""
