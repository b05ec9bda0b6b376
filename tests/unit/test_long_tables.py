"""A long table (every task, every message of a large county) is printed a part at a time:
the same lines as one table, without laying out every row at once."""

from __future__ import annotations

import io
import os
import tracemalloc

from rich.console import Console

from commands.views.tables import PART, Sheet, number, prose, show, value


def sheet(rows: int) -> Sheet:
    table = Sheet(f"Tasks ({rows})", [number("Id"), value("Pupil"), prose("Why")])
    for n in range(rows):
        table.add_row(str(n), f"P{n:07d}", "no application after the final reminder")
    return table


def printed(table: Sheet) -> list[str]:
    out = io.StringIO()
    show(Console(file=out, width=120, color_system=None), table)
    return out.getvalue().splitlines()


def test_a_long_table_has_its_headers_once_and_every_row_in_order() -> None:
    lines = printed(sheet(2 * PART + 7))
    title, headers, rule, *rows = lines
    assert title == f"Tasks ({2 * PART + 7})"
    assert headers.split() == ["Id", "Pupil", "Why"]
    assert set(rule) == {"─"}
    assert [int(line.split()[0]) for line in rows] == list(range(2 * PART + 7))


def peak_printing(table: Sheet) -> int:
    with open(os.devnull, "w") as sink:
        console = Console(file=sink, width=120, color_system=None)
        tracemalloc.start()
        try:
            show(console, table)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_printing_a_table_five_times_as_long_takes_little_more_memory() -> None:
    short, long = sheet(PART), sheet(5 * PART)
    peak_printing(sheet(3))  # what the first table loads, once
    assert peak_printing(long) < 3 * peak_printing(short)  # laid out whole: 5 to 6 times
