"""The collector held off where its passes only cost: bulk work over a whole county (full
passes held), and a command's start-up (``start_up``, ``started``).

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
from collections.abc import Callable, Iterator
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


def full_pass_every(calls: int) -> Callable[[], None]:
    """Under ``full_passes_held``, for work whose live objects stay few (an import, a
    chunk at a time): a function to call once a chunk that makes a full pass every
    ``calls`` calls. Cyclic garbage that reaches the oldest generation waits for a full
    pass, and some of it holds memory outside Python (on PostgreSQL, a page of a query's
    result in the driver): held off for a whole import, it grew with the county, about
    0.35 MB a chunk of 5,000 rows. A pass over a chunk's worth of live objects is quick."""
    count = 0

    def tick() -> None:
        nonlocal count
        count += 1
        if count % calls == 0:
            gc.collect()

    return tick


_held = {"start_up": False}  # set while start_up() holds the collector off


def start_up() -> None:
    """A command's start-up: no collection while the libraries and the command's modules
    load. What they make (modules, classes, compiled statements) lives as long as the
    process, so the collector's passes then find nothing to free; at the size of this
    project's imports they were a tenth of a short command's time."""
    if gc.isenabled():
        _held["start_up"] = True
        gc.disable()


def started() -> None:
    """Start-up is over: what exists now is set aside from every later pass (``gc.freeze``),
    and the collector runs as usual for the command's own work. Does nothing unless
    ``start_up()`` turned the collector off: a test or a library's caller that runs a
    command in its own process keeps the collector as it set it."""
    if not _held["start_up"]:
        return
    _held["start_up"] = False
    gc.freeze()
    gc.enable()
