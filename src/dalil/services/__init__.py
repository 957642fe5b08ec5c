"""The service layer: every operation on a case, with permission checks and audit.

CLI commands, the web app and Python callers all call these functions with a
:class:`dalil.core.context.Context` obtained from :meth:`dalil.core.case.Case.act`.
See docs/dev/services.md.
"""
