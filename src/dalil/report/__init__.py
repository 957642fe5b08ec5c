"""Reports: internal and public (redacted by allow-list), HTML and PDF, English and Arabic.

:func:`dalil.report.render.write_report` renders a :class:`dalil.report.data.CaseSnapshot`;
:mod:`dalil.report.assemble` decides, field by field, what each audience may see.
"""
