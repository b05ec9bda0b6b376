"""The import's checks across files on the term calendars (import-bundle.md, "Closures"):

- a closure lies inside one of its calendar's terms (in terms.csv or in the record), and a
  closure for one school names a school that follows that calendar;
- a school's calendar that has no terms anywhere, but whose name is within two edits of
  one that has (or the same but for case, spaces and punctuation), is a typing mistake:
  an error that says "did you mean ...";
- any other calendar without terms is accepted with a warning: the check counts assumed
  days for it (a calendar gap) until its terms are imported.

The terms are read before the transaction (terms.csv comes after schools.csv), those
stored once it has begun; no query per row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.db.tables import School, Term
from transport.domain.calendar import DEFAULT_CALENDAR
from transport.imports.files import CLOSURES, SCHOOLS, TERMS, FileSpec
from transport.imports.headers import Reading
from transport.imports.reader import Problem, Problems, Row, read_rows

TermKey = tuple[str, int, str]  # calendar, academic year, term
_PUNCTUATION = re.compile(r"[\W_]+")


def _folded(name: str) -> str:
    return _PUNCTUATION.sub("", name.casefold())


def edits(a: str, b: str) -> int:
    """The Levenshtein distance: insertions, deletions and substitutions."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` is most likely a mistyping of: the same but for case,
    spaces and punctuation, or within two edits (the nearest; None when none is)."""
    folded = _folded(name)
    near = [
        (0 if _folded(other) == folded else edits(name, other), other)
        for other in known
        if other != name
    ]
    near = [(distance, other) for distance, other in near if distance <= 2]
    return min(near)[1] if near else None


class CalendarChecks:
    """The checks of one import. ``present``: the bundle's files."""

    def __init__(
        self, present: Sequence[tuple[FileSpec, Path]], reading: Reading | None = None
    ) -> None:
        self._bundle_terms: dict[TermKey, tuple[date, date]] = {}
        for spec, path in present:
            if spec is TERMS:  # its errors are reported when it is imported
                for row in read_rows(path, TERMS, Problems(cap=0), reading=reading):
                    if row.ok:
                        values = row.values
                        key = (values["calendar"], values["academic_year"], values["term"])
                        self._bundle_terms[key] = (values["first_day"], values["last_day"])
        self._terms: dict[str, list[tuple[date, date]]] | None = None
        self._stored_schools: dict[str, str] | None = None
        self._conn: Connection | None = None
        self.school_calendars: dict[str, str] = {}  # the bundle's schools
        self._no_terms: dict[str, list[int]] = {}  # calendar -> lines of schools.csv

    def bind(self, conn: Connection) -> None:
        self._conn = conn

    def terms(self) -> dict[str, list[tuple[date, date]]]:
        """Calendar -> its terms' (first_day, last_day): the record's, as the bundle
        changes them."""
        if self._terms is None:
            merged: dict[TermKey, tuple[date, date]] = {}
            if self._conn is not None:
                stmt = select(
                    Term.calendar, Term.academic_year, Term.term, Term.first_day, Term.last_day
                )
                for name, year, term, first, last in self._conn.execute(stmt):
                    merged[(name, year, term)] = (first, last)
            merged.update(self._bundle_terms)
            self._terms = {}
            for (name, _, _), span in sorted(merged.items()):
                self._terms.setdefault(name, []).append(span)
        return self._terms

    def rows(self, spec: FileSpec, rows: Iterable[Row], problems: Problems) -> Iterator[Row]:
        if spec is SCHOOLS:
            return self._schools(rows, problems)
        if spec is CLOSURES:
            return self._closures(rows, problems)
        return iter(rows)

    def _schools(self, rows: Iterable[Row], problems: Problems) -> Iterator[Row]:
        for row in rows:
            if not row.ok:
                yield row
                continue
            name = row.values["calendar"] or DEFAULT_CALENDAR
            if name not in self.terms():
                near = did_you_mean(name, self.terms())
                if near is not None:
                    problems.add(
                        Problem(
                            SCHOOLS.name,
                            row.line,
                            "calendar",
                            f"calendar {name!r} has no terms in terms.csv nor in the record: "
                            f"did you mean {near!r}?",
                        )
                    )
                    yield Row(row.line, {"urn": row.values["urn"]}, ok=False)
                    continue
                self._no_terms.setdefault(name, []).append(row.line)
            self.school_calendars[row.values["urn"]] = name
            yield row

    def _closures(self, rows: Iterable[Row], problems: Problems) -> Iterator[Row]:
        for row in rows:
            problem = self._closure_problem(row) if row.ok else None
            if problem is None:
                yield row
                continue
            problems.add(problem)
            key = {name: row.values[name] for name in CLOSURES.key}
            yield Row(row.line, key, ok=False)

    def _closure_problem(self, row: Row) -> Problem | None:
        values = row.values
        name, first, last, urn = (values[k] for k in ("calendar", "first_day", "last_day", "urn"))
        terms = self.terms().get(name)
        if not terms:
            near = did_you_mean(name, self.terms())
            hint = f": did you mean {near!r}?" if near else ""
            return Problem(
                CLOSURES.name,
                row.line,
                "calendar",
                f"calendar {name!r} has no terms in terms.csv nor in the record{hint}",
            )
        if not any(start <= first and last <= end for start, end in terms):
            return Problem(
                CLOSURES.name,
                row.line,
                "first_day",
                f"expected a closure inside one term of calendar {name!r}; {first} to "
                f"{last} is not ({_nearest_term(terms, first)})",
            )
        if urn:
            follows = self.school_calendars.get(urn) or self._stored_calendar(urn)
            if follows is not None and follows != name:
                return Problem(
                    CLOSURES.name,
                    row.line,
                    "urn",
                    f"school {urn} follows calendar {follows!r}, not {name!r}: a school's "
                    "own closures go under the calendar it follows",
                )
        return None

    def _stored_calendar(self, urn: str) -> str | None:
        if self._stored_schools is None:
            self._stored_schools = {}
            if self._conn is not None:
                stmt = select(School.urn, School.calendar)
                self._stored_schools = {urn: name for urn, name in self._conn.execute(stmt)}
        return self._stored_schools.get(urn)

    def warnings(self) -> list[str]:
        """A calendar that schools follow but that has no terms: a gap the check fills
        with assumed days until its terms are imported."""
        found = []
        for name, lines in sorted(self._no_terms.items()):
            count = len(lines)
            schools = f"{count} school{'s' if count != 1 else ''}, line {lines[0]}"
            found.append(
                f"schools.csv: calendar {name!r} ({schools}{' and more' if count > 1 else ''}) "
                "has no terms in terms.csv nor in the record: the check assumes its term "
                "dates (a calendar gap) until they are imported"
            )
        return found


def _nearest_term(terms: Sequence[tuple[date, date]], day: date) -> str:
    """The term nearest ``day``, in words, to help the reader place the closure."""
    start, end = min(
        terms, key=lambda span: min(abs((span[0] - day).days), abs((span[1] - day).days))
    )
    return f"the nearest term runs {start} to {end}"
