"""Reading pages ahead in a thread (transport/db/prefetch.py): the same pages in the same
order, never more than ``depth`` ahead, errors raised to the caller, and a stop that
closes the source before the caller goes on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from transport.db.prefetch import ahead


class Source:
    """Pages 0..n-1, recording how far the reads went and whether they were closed."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at = n, fail_at
        self.read = 0
        self.closed = threading.Event()
        self.threads: set[str] = set()

    def pages(self) -> Iterator[list[int]]:
        try:
            for page in range(self.n):
                self.threads.add(threading.current_thread().name)
                if page == self.fail_at:
                    raise RuntimeError(f"page {page} could not be read")
                self.read = page + 1
                yield [page * 10, page * 10 + 1]
        finally:
            self.closed.set()


def test_the_pages_come_in_order_read_by_another_thread() -> None:
    source = Source(50)
    assert list(ahead(source.pages())) == [[p * 10, p * 10 + 1] for p in range(50)]
    assert source.threads == {"read-ahead"}
    assert source.closed.is_set()


@pytest.mark.parametrize("depth", [1, 3])
def test_the_reads_stay_at_most_depth_pages_ahead(depth: int) -> None:
    source = Source(20)
    pages = ahead(source.pages(), depth=depth)
    assert next(pages) == [0, 1]
    time.sleep(0.3)  # time enough for the thread to read as far as it may
    # One page taken, ``depth`` waiting, one read and held until there is room.
    assert source.read == 1 + depth + 1
    pages.close()


def test_an_error_in_the_reads_is_raised_to_the_caller_after_the_pages_before_it() -> None:
    source = Source(10, fail_at=3)
    got = []
    with pytest.raises(RuntimeError, match="page 3 could not be read"):
        for page in ahead(source.pages()):
            got.append(page)
    assert got == [[0, 1], [10, 11], [20, 21]]
    assert source.closed.is_set()


def test_closing_early_stops_the_reads_and_closes_the_source_before_returning() -> None:
    source = Source(1000)
    pages = ahead(source.pages(), depth=2)
    assert next(pages) == [0, 1]
    pages.close()
    assert source.closed.is_set()  # closed by the time close() returned
    assert source.read < 10
    assert not any(t.name == "read-ahead" for t in threading.enumerate())
