"""The kernel: a case (:mod:`.case`), the acting-user context (:mod:`.context`), roles
and permissions (:mod:`.access`) and the hash-chained audit log (:mod:`.audit`).

Only the service layer (:mod:`dalil.services`) imports the kernel; adapters (CLI, web)
and the pure libraries never do. See docs/dev/architecture.md.
"""
