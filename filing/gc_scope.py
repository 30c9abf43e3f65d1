"""Long reads without rescanning the whole heap.

A command that reads a large store makes many short-lived objects; each time enough of them survive a
young collection, CPython's full collection walks every tracked object in the process, including the
hundreds of thousands that were there before the command started (modules, the app, its caches) and
cannot have become garbage because of it. Freezing those for the duration keeps the collections to what
the command made. Nothing is lost: the frozen objects go back to the oldest generation when it ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def existing_objects_frozen() -> Iterator[None]:
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
