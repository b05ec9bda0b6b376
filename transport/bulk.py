"""Bulk work over a whole county: the cyclic garbage collector paused while it runs.

A check or an import makes millions of small acyclic objects (row tuples, facts) and
keeps hundreds of thousands alive at once (a page of facts, the children at risk).
Each of the collector's full passes walks every live object, so with the collector on,
a million-pupil check spent about a quarter of its time in it and found nothing to
free. Reference counting still frees everything these paths make; only reference
cycles would wait for the collector, which runs again at the end.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
