"""What the page modules share."""

from __future__ import annotations

PAGE_SIZE = 50
MAX_PAGE = 500
MAX_TEXT = 500_000  # characters per pasted text
