"""Typed web handlers, one module per noun, shared by the pages (:mod:`dalil.web.pages`)
and their REST twins (:mod:`dalil.web.api`).

A handler takes the request's :class:`~dalil.web.context.Ctx`, calls
:mod:`dalil.services` as the signed-in user (``with ctx.act() as sc: …``) and returns
JSON-ready values (:func:`dalil.display.jsonout.jsonable`: the keys of the CLI's
``--json``). Permission checks and audit entries happen in the services, never here; a
handler only shapes what a page and the API both show. Where a page needs nothing more
than one service call, it may call the service itself.
"""
