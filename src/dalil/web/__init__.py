"""The workbench: a FastAPI web application and REST API over the service layer.

``create_app(case_path, passphrase)`` builds the ASGI app; ``dalil serve`` runs it.
"""

from __future__ import annotations

from dalil.web.app import create_app

__all__ = ["create_app"]
