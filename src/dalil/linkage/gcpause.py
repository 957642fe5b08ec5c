"""Pausing Python's cyclic garbage collector while a million small objects are made.

Reading a million list records makes millions of dicts and tuples, and clustering
walks lists of a million ints: each full collection the collector starts on the way
traverses every container object alive, the records included, and finds nothing to
free (these objects hold no reference cycles; reference counting frees them). At
1,147,728 records it made 29 such full collections in those two stages (docs/linkage.md,
"Open work").
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """No automatic cyclic collection inside the block; as it was after it (also on an
    error). Reference counting still frees every object without cycles at once."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
