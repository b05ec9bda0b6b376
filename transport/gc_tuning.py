"""Bulk work over a whole county, with the collector's full passes held off.

A check or an import makes millions of small objects and keeps hundreds of thousands
alive at once (a page of facts, the children at risk, the keys already seen). CPython's
cyclic garbage collector walks every live object on each of its full (oldest-generation)
passes, and with the collector as it comes, a million-pupil check spent over a third of
its time there and freed nothing. Inside ``full_passes_held()`` the young generations are
still collected as usual, so cyclic garbage made by the work itself is still freed; only
the full passes wait until the work is done.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

NEVER = 2**30  # young collections before a full pass: in effect, none until we are done


@contextmanager
def full_passes_held() -> Iterator[None]:
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*before)
