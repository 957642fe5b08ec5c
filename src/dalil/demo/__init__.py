"""The fictional demo case (story, texts, victim lists) and its end-to-end builder.

Everything in this package is FICTIONAL and synthetic; see :mod:`dalil.demo.story`.
"""
