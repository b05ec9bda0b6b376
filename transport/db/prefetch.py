"""Reading the next page while this one is worked on.

The check reads the county a page of pupils at a time, and between two reads Python
works out each child's risk. On PostgreSQL the server then sat idle while Python worked,
and Python waited while the server read: at 10,000,000 pupils the reads were 40 s of the
check's 149. ``ahead`` runs the reads in a thread of their own, at most ``depth`` pages
ahead: the driver lets go of Python's lock while it waits on the server, so the server
reads the next page while Python works on this one.

Only the thread touches the connection while pages are coming; the caller must not use
it until the pages are done or closed (closing waits for the thread to stop).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar, cast

T = TypeVar("T")

_END = object()


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


def ahead(pages: Iterator[T], depth: int = 1) -> Generator[T, None, None]:
    """``pages`` as they come, read by another thread up to ``depth`` pages ahead. An
    error in the reads is raised here; closing this iterator stops and closes ``pages``."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
            put(_END)
        except BaseException as exc:  # raised again in the caller's thread
            put(_Failed(exc))
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    reader = threading.Thread(target=read, name="read-ahead", daemon=True)
    reader.start()
    try:
        while (item := handoff.get()) is not _END:
            if isinstance(item, _Failed):
                raise item.error
            yield cast(T, item)
    finally:
        stop.set()
        reader.join()
