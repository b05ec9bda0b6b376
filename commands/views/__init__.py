"""How results look: tables for people, JSON for scripts, CSV for spreadsheets.

Whatever came from the record (names, addresses, references) is shown literally: never
read as rich markup, and with control characters made visible, so a name such as
``[link=http://x]Click[/link]`` or one holding an escape sequence prints as written.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:  # rich loads only when a table is printed (JSON and CSV do not need it)
    from rich.console import Console
    from rich.text import Text

    from commands.views.tables import Sheet

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# The width of output to a pipe or a file: as wide as its content, never cut at 80.
UNLIMITED = 100_000


def console(*, stderr: bool = False) -> Console:
    """The console to print to: a terminal's width (or ``COLUMNS``, when set); output to
    a pipe or a file is as wide as its lines (a reader's pager or editor wraps it)."""
    from rich.console import Console

    from transport.config import terminal_columns

    out = Console(stderr=stderr, highlight=False)
    if not stderr and not out.is_terminal and terminal_columns() is None:
        out.width = UNLIMITED
    return out


def folding_table(title: str, columns: Iterable[str], **options: Any) -> Sheet:
    """A table of values (each line whole), built by the one table builder
    (commands/views/tables.py): for code written before it; say which columns are prose
    or optional with ``Sheet`` itself."""
    from commands.views.tables import Sheet, value

    return Sheet(title, [value(column) for column in columns])


def national(number: str) -> str:
    """+441632960123 -> '01632 960123': how the team dials a UK number."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        return number
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))


def address_lines(address: str | None) -> list[str]:
    """'12 Mill Lane, Northtown, NE1 4XY' as the lines of an envelope, each kept whole."""
    return [part.strip() for part in (address or "").split(",") if part.strip()]


def plain(value: object) -> str:
    """Text from the record, with control characters shown as U+FFFD (never raw)."""
    return _CONTROL.sub("\ufffd", "" if value is None else str(value))


def literal(value: object, style: str = "") -> Text:
    """A table cell or line that rich will not read as markup."""
    from rich.text import Text

    return Text(plain(value), style=style)


def safe_cell(value: object) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR)."""
    text = str(value)
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def write_csv(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> None:
    """CSV for spreadsheets, with formula-like cells neutralised."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(safe_cell("" if row[c] is None else row[c]) for c in columns)


def echo_json(data: Any, *, indent: int | None = 2) -> None:
    typer.echo(json.dumps(data, indent=indent, default=str))


def write_private(path: Path, text: str | Iterable[str]) -> None:
    """Write a file that holds children's data: readable by its owner only (0600),
    whatever the umask, also when it already existed. ``text``: whole, or in pieces."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines([text] if isinstance(text, str) else text)
