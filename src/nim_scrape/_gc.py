"""Pausing the cyclic garbage collector around bulk work.

Building 300,000 records (or the tree of a large page) allocates millions of objects, and every
so many allocations CPython scans all live objects for cycles: that scanning, not the work, took
80% of loading a large catalogue. The objects built here are kept or freed by reference
counting, so nothing is lost by scanning once, afterwards.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["paused"]


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Suspend automatic collection for the block; nesting is safe."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
