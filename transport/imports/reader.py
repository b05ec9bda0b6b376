"""Read one CSV file of the bundle into parsed rows, reporting every problem with its
file, line and column."""

from __future__ import annotations

import codecs
import csv
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from transport.imports.files import Column, FileSpec, RowProblem
from transport.imports.headers import Reading, missing_column
from transport.imports.values import BadValue

_CHUNK = 1 << 20
# C0 controls but the line breaks a quoted multi-line cell may hold, DEL, and C1.
_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Text that cannot be trusted in a name, reference, email, number, postcode or address
# line: line breaks (also U+2028/U+2029), bidirectional controls (U+202A-U+202E,
# U+2066-U+2069: an override shows a date or a link reversed, and turns an SMS into
# UCS-2), the zero-width space and a byte-order mark inside a value. The joiners U+200C
# and U+200D, which some scripts need, are fine. Free text keeps its line breaks.
_INVISIBLE = r"\u202a-\u202e\u2066-\u2069\u200b\ufeff"
_UNTRUSTED = re.compile(rf"[\n\r\u2028\u2029{_INVISIBLE}]")
_UNTRUSTED_IN_FREE_TEXT = re.compile(rf"[{_INVISIBLE}]")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Problems:
    cap: int
    items: list[Problem] = field(default_factory=list)
    more: int = 0

    def add(self, problem: Problem) -> None:
        if len(self.items) < self.cap:
            self.items.append(problem)
        else:
            self.more += 1

    @property
    def full(self) -> bool:
        return len(self.items) >= self.cap

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items) + self.more


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, Any]
    ok: bool  # False: the row had problems; values then hold only its raw key cells


def count_lines(path: Path, problems: Problems, reading: Reading | None = None) -> int | None:
    """Check the file decodes in its encoding (UTF-8: a BOM is fine) and count its lines;
    None when it does not, every byte that does not being reported (up to the cap)."""
    reading = reading or Reading()
    decoder = codecs.getincrementaldecoder(reading.codec)()
    lines = 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                _bad_bytes(path, reading, problems)
                return None
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            _bad_bytes(path, reading, problems)
            return None
    return lines


def _bad_bytes(path: Path, reading: Reading, problems: Problems) -> None:
    """A problem for each byte of the file that is not text in its encoding, naming its
    line and column (up to the cap; the rest are counted)."""
    header: list[str] | None = None
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            codec = reading.codec if number == 1 else reading.codec.removesuffix("-sig")
            if header is None:
                text = line.decode(codec, "replace")
                header = next(csv.reader([text]), [])
            start = 0
            while start < len(line):
                try:
                    line[start:].decode(codec)
                    break
                except UnicodeDecodeError as exc:
                    at = start + exc.start
                    problems.add(_undecodable(path, reading, number, line, at, header))
                    start = start + max(exc.end, exc.start + 1)
                    codec = codec.removesuffix("-sig")


def _undecodable(
    path: Path, reading: Reading, number: int, line: bytes, at: int, header: list[str]
) -> Problem:
    """Name the line and the column where a byte that is not text in the encoding stands."""
    before = line[:at].decode(reading.codec, "replace")
    index = len(next(csv.reader([before]), [""])) - 1 if before else 0
    column = header[index].strip() if number > 1 and index < len(header) else None
    if reading.codec == "utf-8-sig":
        advice = (
            'save it as UTF-8 ("CSV UTF-8" in Excel), or, for a file saved by older Excel, '
            'set [import] encoding = "cp1252" in the config, and import again'
        )
    else:
        advice = f"check [import] encoding ({reading.encoding!r}) is the file's encoding"
    return Problem(
        path.name,
        number,
        column,
        f"the file is not valid {reading.name} (byte 0x{line[at]:02x}); {advice}",
    )


def key_values(path: Path, spec: FileSpec, reading: Reading | None = None) -> Iterator[str]:
    """The first key column's values of a file that could not be decoded, so that rows
    elsewhere referring to them are not reported as unknown too (read as it goes)."""
    reading = reading or Reading()
    with path.open("r", encoding=reading.codec, errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = reading.names(spec, next(reader, []))
        if spec.key[0] not in header:
            return
        index = header.index(spec.key[0])
        for cells in reader:
            if len(cells) > index:
                yield cells[index].strip()


def read_rows(
    path: Path,
    spec: FileSpec,
    problems: Problems,
    on_line: Callable[[int], None] | None = None,
    *,
    today: date | None = None,
    reading: Reading | None = None,
) -> Iterator[Row]:
    """The file's rows, parsed; ``today``: the import's day, for the checks that need it
    (a child's age), which are skipped without it. ``reading``: the files' encoding and
    the council's own headers (default: UTF-8, our names)."""
    reading = reading or Reading()
    with path.open("r", encoding=reading.codec, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            problems.add(Problem(spec.name, 1, None, f"cannot read the header: {exc}"))
            return
        if header is None or not any(cell.strip() for cell in header):
            problems.add(Problem(spec.name, 1, None, _expected_header(spec, "the file is empty")))
            return
        if _CONTROL.search("\n".join(header)) is not None:
            for control in _control_characters(spec, 1, header, header):
                problems.add(control)
            return
        names = reading.names(spec, header)
        positions = _positions(spec, names, problems, header)
        if positions is None:
            return
        width = len(names)
        # Each column's position in the line (None: not in this file), worked out once.
        plan = [(column, positions.get(column.name)) for column in spec.columns]
        last_line = 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                problems.add(
                    Problem(spec.name, reader.line_num, None, f"cannot read the line: {exc}")
                )
                break
            line = last_line + 1
            last_line = reader.line_num
            if on_line is not None:
                on_line(last_line)
            # A blank line is skipped (the first cell settles it for almost every line).
            if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                continue
            yield _parse(spec, line, cells, width, header, positions, plan, problems, today)


def _expected_header(spec: FileSpec, what: str) -> str:
    required = ", ".join(c.name for c in spec.columns if c.required)
    return f"{what}; expected a header row with at least: {required}"


def _positions(
    spec: FileSpec,
    names: list[str],
    problems: Problems,
    header: list[str] | None = None,
) -> dict[str, int] | None:
    positions: dict[str, int] = {}
    ok = True
    for index, name in enumerate(names):
        if name in positions and any(c.name == name for c in spec.columns):
            problems.add(Problem(spec.name, 1, name, "the column appears twice in the header"))
            ok = False
        positions.setdefault(name, index)
    missing = [c for c in spec.columns if c.required and c.name not in positions]
    if missing:
        found = header if header is not None else names
        unused = [cell.strip() for cell, name in zip(found, names, strict=False)
                  if cell.strip() and name not in {c.name for c in spec.columns}]  # fmt: skip
        for column in missing:
            message = missing_column(spec, column.name, found, unused)
            problems.add(Problem(spec.name, 1, column.name, message))
        ok = False
    return positions if ok else None


def _parse(
    spec: FileSpec,
    line: int,
    cells: list[str],
    width: int,
    header: list[str],
    positions: dict[str, int],
    plan: list[tuple[Column, int | None]],
    problems: Problems,
    today: date | None = None,
) -> Row:
    found = len(cells)
    if found < width:
        problems.add(
            Problem(
                spec.name,
                line,
                header[found].strip(),
                f"expected {width} values on the line, found {found} (is the line truncated?)",
            )
        )
        return Row(line, _raw_key(spec, cells, positions), ok=False)
    if found > width and any(cell.strip() for cell in cells[width:]):
        problems.add(
            Problem(
                spec.name,
                line,
                f"#{width + 1}",
                f"expected {width} values on the line (as in the header), found {found}",
            )
        )
        return Row(line, _raw_key(spec, cells, positions), ok=False)
    # One search over the whole line ("\n" is allowed, so it can join the cells).
    if _CONTROL.search("\n".join(cells)) is not None:
        for control in _control_characters(spec, line, cells, header):
            problems.add(control)
        return Row(line, _raw_key(spec, cells, positions), ok=False)

    # One search over the whole line ("\t" cannot be in a cell by now) for text that
    # cannot be trusted; each column is looked at only when there is some.
    suspect = _UNTRUSTED.search("\t".join(cells)) is not None
    values: dict[str, Any] = {}
    ok = True
    for column, index in plan:
        if suspect and index is not None:
            untrusted = _untrusted(spec, line, column, cells[index])
            if untrusted is not None:
                problems.add(untrusted)
                ok = False
                continue
        raw = cells[index].strip() if index is not None else ""
        if not raw:
            if column.required:
                problems.add(Problem(spec.name, line, column.name, "expected a value, found none"))
                ok = False
            values[column.name] = column.default
            continue
        try:
            values[column.name] = column.parse(raw)
        except BadValue as exc:
            problems.add(Problem(spec.name, line, column.name, str(exc)))
            ok = False
    if ok:
        wrong = _row_check(spec, values, today)
        if wrong is not None:
            problems.add(Problem(spec.name, line, wrong.column, wrong.message))
            ok = False
    if not ok:
        return Row(line, _raw_key(spec, cells, positions), ok=False)
    return Row(line, values, ok=True)


def _row_check(spec: FileSpec, values: dict[str, Any], today: date | None) -> RowProblem | None:
    """The file's checks of a whole row: its own, then those that need the import's day."""
    found = spec.check(values) if spec.check is not None else None
    if found is None and spec.check_on is not None and today is not None:
        found = spec.check_on(values, today)
    return found


def _untrusted(spec: FileSpec, line: int, column: Column, cell: str) -> Problem | None:
    """A problem naming the first character the column cannot hold, by its code point,
    name and position (from 1), never the cell's value: it may be a child's name."""
    pattern = _UNTRUSTED_IN_FREE_TEXT if column.free_text else _UNTRUSTED
    found = pattern.search(cell)
    if found is None:
        return None
    char = found.group()
    what = "line breaks" if char in "\n\r\u2028\u2029" else "invisible formatting characters"
    name = unicodedata.name(char, "LINE BREAK" if char in "\n\r" else "")
    return Problem(
        spec.name,
        line,
        column.name,
        f"expected a value without {what}, got U+{ord(char):04X}"
        f"{f' ({name})' if name else ''} at position {found.start() + 1}",
    )


def _control_characters(
    spec: FileSpec, line: int, cells: list[str], header: list[str]
) -> Iterator[Problem]:
    """A problem for each cell holding a control character, naming the first one by its
    code point and position (from 1) in the cell, never the cell's value: it may hold a
    child's name."""
    for index, cell in enumerate(cells):
        found = _CONTROL.search(cell)
        if found is None:
            continue
        named = header[index].strip() if line > 1 and index < len(header) else ""
        yield Problem(
            spec.name,
            line,
            named or f"#{index + 1}",
            "expected text without control characters, got a control character "
            f"U+{ord(found.group()):04X} at position {found.start() + 1}",
        )


def _raw_key(spec: FileSpec, cells: list[str], positions: dict[str, int]) -> dict[str, Any]:
    key: dict[str, Any] = {}
    for name in spec.key:
        index = positions.get(name)
        key[name] = cells[index].strip() if index is not None and index < len(cells) else None
    return key
