"""Every table for people is built here, and never splits what a reader copies or dials.

A column holds either **values** (dates, numbers, references, codes, emails, phone
numbers, address lines: each line of a cell is printed whole, never cut or folded) or
**prose** (names, reasons, notes: wrapped between words). When a table is wider than the
terminal, the prose gives way first (it wraps), then the optional columns are left out
(with a note naming them), and when even that does not fit, each row is printed as a
block of its own, one "Header: value" line each. Output to a pipe or a file is as wide as
its content (see ``console``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.text import Text


class Kind(Enum):
    VALUE = "value"  # never split: each line of the cell stays whole
    PROSE = "prose"  # wraps between words


Justify = Literal["left", "right"]


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.VALUE
    optional: bool = False  # left out, with a note, when the table does not fit
    justify: Justify = "left"
    # When the table does not fit: shown under the column with this header, in its cells
    # (a child's name under their reference), before any column is left out.
    under: str | None = None


def value(
    header: str, *, optional: bool = False, right: bool = False, under: str | None = None
) -> Column:
    """A column of values that are never split (a date, a number, a reference, an email)."""
    return Column(header, Kind.VALUE, optional, "right" if right else "left", under)


def prose(header: str, *, optional: bool = False, under: str | None = None) -> Column:
    """A column of words that may wrap (a name, a reason, a note)."""
    return Column(header, Kind.PROSE, optional, "left", under)


def number(header: str, *, optional: bool = False, under: str | None = None) -> Column:
    return value(header, optional=optional, right=True, under=under)


# A prose word longer than this may be folded rather than widen its column.
LONGEST_WORD = 20
# Columns are two spaces apart (a space of padding and the space of the rule between
# them); the table has no edges.
GAP = 2


@dataclass
class Sheet:
    """A table for people: a title, columns, rows of cells (str, None or rich Text)."""

    title: str
    columns: Sequence[Column]
    rows: list[tuple[Text, ...]] = field(default_factory=list)
    title_style: str = "bold"

    def add_row(self, *cells: object) -> None:
        from commands.views import literal

        if len(cells) != len(self.columns):
            raise ValueError(f"{len(cells)} cells for {len(self.columns)} columns")
        self.rows.append(tuple(_as_text(cell) or literal(cell) for cell in cells))

    def __len__(self) -> int:
        return len(self.rows)

    def __rich_console__(
        self, console: Console, options: ConsoleOptions
    ) -> Iterator[RenderableType]:
        """Printed by rich like any renderable, laid out at the width it is given."""
        yield from layout(self, options.max_width)


def _as_text(cell: object) -> Text | None:
    from rich.text import Text

    return cell if isinstance(cell, Text) else None


def _width(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_TIME = r"(?: \d{1,2}:\d{2}(?::\d{2})?(?: (?:GMT|BST|UTC))?)?"
# What a prose line never splits either: a date or an instant in words ("Fri 4 Dec 2026
# 13:27 GMT", "04 Dec 2026"), an ISO instant with its time, a UK phone number as the team
# dials it ("01632 960123"), a postcode ("NR15 2XJ").
UNBROKEN = re.compile(
    rf"(?:\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]* )?\b\d{{1,2}} {_MONTH}(?: \d{{4}})?{_TIME}"
    rf"|\b\d{{4}}-\d{{2}}-\d{{2}}{_TIME}"
    r"|\b0\d{2,4}(?: \d{3,6}){1,2}\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b"
)


def tokens(line: str) -> list[str]:
    """The words of a line (split at spaces), a date, a number or a postcode with its
    spaces counting as one word."""
    keep = [match.span() for match in UNBROKEN.finditer(line)]
    found: list[str] = []
    last_end = -1
    for word in re.finditer(r"\S+", line):
        gap = (last_end, word.start())
        if found and any(start <= gap[0] and gap[1] <= end for start, end in keep):
            found[-1] += line[last_end : word.end()]
        else:
            found.append(word.group())
        last_end = word.end()
    return found


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken only between words (a word, date or
    number longer than the width is a line of its own)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in tokens(paragraph):
            if line and _width(line) + 1 + _width(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


# A column as laid out: the sheet's columns it shows, the first one's header, the others
# under it in its cells.
Stack = tuple[int, ...]


@dataclass(frozen=True)
class _Span:
    least: int  # the narrowest the column can be without splitting a value or a word
    most: int  # its natural width


def _span(sheet: Sheet, stack: Stack) -> _Span:
    header = sheet.columns[stack[0]].header
    least = max((_width(w) for w in header.split()), default=0)
    most = _width(header)
    for row in sheet.rows:
        for index in stack:
            kind = sheet.columns[index].kind
            for line in row[index].plain.split("\n"):
                most = max(most, _width(line))
                if kind is Kind.VALUE:
                    least = max(least, _width(line))
                    continue
                for word in tokens(line):
                    unbroken = " " in word  # a date, a number, a postcode: never folded
                    size = _width(word) if unbroken else min(_width(word), LONGEST_WORD)
                    least = max(least, size)
    return _Span(max(least, 1), max(most, 1))


def fit(spans: Sequence[_Span], room: int) -> list[int] | None:
    """Column widths that fit ``room`` characters (the gaps counted), the widest column
    giving way first down to its narrowest; None when even the narrowest do not fit."""
    available = room - GAP * (len(spans) - 1)
    if sum(span.least for span in spans) > available:
        return None
    chosen = [span.most for span in spans]
    excess = sum(chosen) - available
    while excess > 0:
        shrinkable = [i for i, span in enumerate(spans) if chosen[i] > span.least]
        widest = max(shrinkable, key=lambda i: chosen[i])
        chosen[widest] -= 1
        excess -= 1
    return chosen


def _stacked(sheet: Sheet, shown: Sequence[int]) -> list[Stack]:
    """The shown columns with each one that may go under another put under it."""
    headers = {sheet.columns[i].header: i for i in shown}
    guests: dict[int, list[int]] = {}
    for index in shown:
        host = headers.get(sheet.columns[index].under or "")
        if host is not None:
            guests.setdefault(host, []).append(index)
    placed = {g for group in guests.values() for g in group}
    return [(i, *guests.get(i, ())) for i in shown if i not in placed]


def layout(sheet: Sheet, room: int) -> Iterator[RenderableType]:
    """The renderables for the sheet at ``room`` columns: a table with every column; or
    with some columns under others; or without the optional ones (and a note naming
    them); or a block per row. An optional column with nothing in it is left out."""
    shown = [
        i
        for i, column in enumerate(sheet.columns)
        if not column.optional or any(row[i].plain for row in sheet.rows)
    ]
    yield from _title(sheet)
    left_out: list[int] = []
    while True:
        for stacks in _arrangements(sheet, shown):
            widths = fit([_span(sheet, stack) for stack in stacks], room)
            if widths is not None:
                # A long table is printed a part at a time (the same lines): rich lays out
                # a table whole, at about 10 KB a row.
                for start in range(0, max(len(sheet.rows), 1), PART):
                    yield _table(sheet, stacks, widths, start, header=start == 0)
                if left_out:
                    yield _note(sheet, left_out)
                return
        optional = [i for i in shown if sheet.columns[i].optional]
        if not optional:
            break
        shown.remove(optional[-1])
        left_out.insert(0, optional[-1])
    yield from _blocks(sheet, room)


def _arrangements(sheet: Sheet, shown: Sequence[int]) -> Iterator[list[Stack]]:
    single: list[Stack] = [(i,) for i in shown]
    yield single
    stacked = _stacked(sheet, shown)
    if stacked != single:
        yield stacked


def _title(sheet: Sheet) -> Iterator[Text]:
    from rich.text import Text

    if sheet.title:
        yield Text(sheet.title, sheet.title_style)


# Rows of a table laid out at once.
PART = 500


def _table(
    sheet: Sheet,
    stacks: Sequence[Stack],
    widths: Sequence[int],
    start: int = 0,
    *,
    header: bool = True,
) -> RenderableType:
    """The rows from ``start`` (PART of them) as a table, with the headers (``header``)."""
    from rich import box
    from rich.table import Table

    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1, 0, 0),
        show_header=header,
    )
    for stack, width in zip(stacks, widths, strict=True):
        column = sheet.columns[stack[0]]
        table.add_column(column.header, justify=column.justify, overflow="fold", width=width)
    for row in sheet.rows[start : start + PART]:
        table.add_row(
            *(_cell(sheet, row, stack, width) for stack, width in zip(stacks, widths, strict=True))
        )
    return table


def _cell(sheet: Sheet, row: tuple[Text, ...], stack: Stack, width: int) -> Text:
    """A cell of the laid-out table: its own value, and those of the columns under it,
    prose wrapped between words to the column's width."""
    from rich.text import Text

    parts = []
    for index in stack:
        cell = row[index]
        if not cell.plain and index != stack[0]:
            continue
        if sheet.columns[index].kind is Kind.PROSE and _width(cell.plain) > width:
            cell = Text("\n".join(wrap(cell.plain, width)), cell.style)
        parts.append(cell)
    return Text("\n").join(parts) if len(parts) > 1 else parts[0]


def _note(sheet: Sheet, left_out: Sequence[int]) -> Text:
    from rich.text import Text

    names = ", ".join(sheet.columns[i].header for i in left_out)
    return Text(
        f"Not shown at this width: {names} (a wider terminal shows them, as does output "
        "to a file or to `less -S`)",
        "italic",
    )


def _blocks(sheet: Sheet, room: int) -> Iterator[RenderableType]:
    """One block per row, a "Header: value" line each: values never split (one wider than
    the terminal runs on rather than being cut), prose wrapped between words."""
    from rich.text import Text

    label = max(_width(c.header) for c in sheet.columns) + 2
    for index, row in enumerate(sheet.rows, start=1):
        yield Text(f"── {index} of {len(sheet.rows)} ──", "dim")
        for column, cell in zip(sheet.columns, row, strict=True):
            if not cell.plain:
                continue
            lines = cell.plain.split("\n")
            if column.kind is Kind.PROSE:
                lines = wrap(cell.plain, max(room - label, LONGEST_WORD))
            for number_, line in enumerate(lines):
                head = f"{column.header}:" if number_ == 0 else ""
                yield Text.assemble((f"{head:<{label}}", "bold"), (line, cell.style))
    if not sheet.rows:
        yield Text("(none)")


def show(out: Console, *items: RenderableType) -> None:
    """Print sheets and other renderables, each at the console's width (a sheet a part at
    a time: its lines are never all held at once)."""
    for item in items:
        parts = layout(item, out.width) if isinstance(item, Sheet) else [item]
        for part in parts:
            out.print(part)


def paragraph(text: str, room: int, *, lead: str = "", indent: int = 2, style: str = "") -> Text:
    """A line of prose for the terminal, wrapped between words at ``room`` columns (a date,
    a number or a postcode never split): ``lead`` first, as it is (aligned columns stay
    aligned), and the lines after the first indented under the text (or by ``indent``
    without a lead) so they read as one item."""
    from rich.text import Text

    hang = _width(lead) if lead else indent
    first_room = max(room - _width(lead), LONGEST_WORD)
    first, *rest = wrap(text, first_room)
    if rest:
        rest = wrap(" ".join(rest), max(room - hang, LONGEST_WORD))
    lines = [lead + first, *(" " * hang + line for line in rest)]
    return Text("\n".join(lines), style, no_wrap=True, overflow="ignore")


@dataclass(frozen=True)
class Line:
    """A line of prose printed by rich, wrapped as ``paragraph`` wraps it at the width it
    is given (a date or a number is never split across two lines)."""

    text: str
    style: str = ""
    lead: str = ""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Text]:
        from commands.views import plain

        yield paragraph(plain(self.text), options.max_width, lead=self.lead, style=self.style)
