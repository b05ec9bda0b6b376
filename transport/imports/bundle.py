"""Import a bundle: every file in one transaction, nothing written on any error."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from transport.audit import AuditContext
from transport.db import tables
from transport.db.dialect import among_values
from transport.db.engine import refresh_statistics
from transport.db.locks import import_transaction
from transport.gc_tuning import full_pass_every, full_passes_held
from transport.imports import removals
from transport.imports.applications import write_applications
from transport.imports.arrangements import write_arrangements
from transport.imports.calendars import CalendarChecks
from transport.imports.contacts import ContactImport
from transport.imports.files import (
    APPLICATIONS,
    ARRANGEMENTS,
    BUNDLE,
    CLOSURES,
    CONTACTS,
    PUPILS,
    FileSpec,
)
from transport.imports.headers import Reading
from transport.imports.reader import (
    Problem,
    Problems,
    Row,
    count_lines,
    key_values,
    read_rows,
)
from transport.imports.staging import KeySet, TextKey, text_key
from transport.imports.upsert import Counts, is_empty, upsert, values_of

CHUNK_ROWS = 5000
REFERRED = ("schools", "pupils")  # the files other files refer to
FULL_PASS_CHUNKS = 10  # chunks between the collector's full passes (gc_tuning.py)
Progress = Callable[[str, int, int], None]  # file name, lines done, lines in file


@dataclass
class FileSummary:
    file: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # contacts.csv: links of named pupils the file no longer lists
    kept: int = 0  # applications.csv: decisions made here that an older export would undo
    # --complete: keys the file no longer lists (pupils become left; the rest removed)
    removed_keys: list[str] = field(default_factory=list)

    def count(self, counts: Counts) -> None:
        self.added += counts.added
        self.updated += counts.updated
        self.unchanged += counts.unchanged


@dataclass
class ImportReport:
    directory: Path
    dry_run: bool
    files: list[FileSummary] = field(default_factory=list)
    problems: Problems = field(default_factory=lambda: Problems(cap=200))
    ignored: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    def as_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "dry_run": self.dry_run,
            "ok": self.ok,
            "written": self.written,
            "files": [vars(f) for f in self.files],
            "errors": [p.as_dict() for p in self.problems.items],
            "more_errors": self.problems.more,
            "ignored_files": self.ignored,
            "warnings": self.warnings,
        }


def import_bundle(
    engine: Engine,
    directory: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    max_errors: int = 200,
    actor: str = "import",
    progress: Progress | None = None,
    lock_timeout_seconds: float = 600.0,
    today: date | None = None,
    complete: bool = False,
    max_removed_share: float = 0.1,
    allow_large_removal: bool = False,
    reading: Reading | None = None,
) -> ImportReport:
    """``today``: the import's day (an award ended by it runs until the day before);
    default the UTC date of ``now``. ``complete``: every file present is the council's
    whole export of its kind (see transport/imports/removals.py); a removal of more than
    ``max_removed_share`` of a table's rows is refused unless ``allow_large_removal``."""
    report = ImportReport(directory, dry_run, problems=Problems(cap=max_errors))
    present = _present_files(directory, report)
    if not report.ok:
        return report
    reading = reading or Reading()  # the files' encoding and the council's headers
    sizes = {spec.name: count_lines(path, report.problems, reading) for spec, path in present}
    readable = [(spec, path) for spec, path in present if sizes[spec.name] is not None]

    audit = AuditContext(actor=actor, at=now)
    day = today or now.date()
    calendars = CalendarChecks(readable, reading)
    # A whole bundle in bulk (see transport/gc_tuning.py).
    with (
        full_passes_held(),
        import_transaction(engine, timeout_seconds=lock_timeout_seconds) as (conn, transaction),
    ):
        calendars.bind(conn)
        # Every key each file lists, with its first line (staging.py): in the database.
        seen = {spec.stem: KeySet(conn, f"import_seen_{spec.stem}", len(spec.key))
                for spec, _ in present}  # fmt: skip
        for spec, path in present:
            if sizes[spec.name] is None and spec.stem in REFERRED:
                # Rows elsewhere that refer to this file's keys are not reported too.
                seen[spec.stem].add_all((value,) for value in key_values(path, spec, reading))
        listed: dict[str, KeySet] = {}
        contacts: ContactImport | None = None
        for spec, path in readable:
            summary = FileSummary(spec.name)
            report.files.append(summary)
            total = sizes[spec.name] or 0
            on_line = (
                None if progress is None else (lambda n, f=spec.name, t=total: progress(f, n, t))
            )
            rows = read_rows(path, spec, report.problems, on_line, today=day, reading=reading)
            rows = calendars.rows(spec, rows, report.problems)  # across files: see calendars.py
            fresh = is_empty(conn, tables.table_of(spec.table))
            if spec is CONTACTS:
                contacts = ContactImport(conn, audit, seen[spec.stem], fresh)
            chunks = _checked_chunks(conn, spec, rows, seen, report.problems, summary)
            for chunk in chunks:
                if report.ok:  # once anything is wrong, only validate: nothing will be kept
                    _write(
                        conn,
                        spec,
                        chunk,
                        audit,
                        summary,
                        fresh=fresh,
                        contacts=contacts if spec is CONTACTS else None,
                        today=day,
                    )
            if complete and spec in removals.COMPLETE:
                listed[spec.name] = seen[spec.stem]
            if report.ok and complete and spec is CLOSURES:  # each calendar it names: replaced
                replaced = removals.replace_closures(conn, set(seen[spec.stem].keys()), audit)
                summary.removed, summary.removed_keys = replaced.count, replaced.sample
            if report.ok and spec is CONTACTS and contacts is not None:
                summary.removed = contacts.finish()
            written = summary.added + summary.updated + summary.removed
            if report.ok and ((fresh and written) or written >= BULK_ROWS):
                # The next files, and the check, look these rows up: plan with their size.
                refresh_statistics(conn, _written_tables(spec))
        if report.ok and complete:
            limit = None if allow_large_removal else max_removed_share
            _remove_unlisted(conn, report, listed, audit, limit)
        if report.ok and any(spec is PUPILS for spec, _ in readable):
            removals.stamp_left(conn, day)  # when each pupil left (retention counts from it)
        report.warnings = calendars.warnings()
        # The staging tables go with the transaction on PostgreSQL; on SQLite they would
        # outlive it, on this connection.
        for keyset in seen.values():
            keyset.drop()
        if contacts is not None:
            contacts.drop()
        if report.ok and not dry_run:
            audit.record(conn, "import", "bundle", (directory.name,), report.as_dict())
            transaction.commit()
        else:
            transaction.rollback()
    return report


def _remove_unlisted(
    conn: Connection,
    report: ImportReport,
    listed: dict[str, KeySet],
    audit: AuditContext,
    limit: float | None,
) -> None:
    """--complete: what each complete file no longer lists goes (pupils: become left);
    a removal over ``limit`` of a table's rows stops the import (nothing written)."""
    summaries = {summary.file: summary for summary in report.files}
    for spec in removals.COMPLETE:
        if spec.name not in listed:
            continue
        removal = removals.plan(conn, spec, listed.pop(spec.name))
        summary = summaries[spec.name]
        summary.removed += removal.count
        summary.removed_keys = removal.sample
        if limit is not None and removal.share > limit:
            report.problems.add(
                Problem(
                    spec.name,
                    None,
                    None,
                    f"--complete would remove {removal.count} of {removal.rows} rows "
                    f"({removal.share:.0%}), more than [import] max_removed_share "
                    f"({limit:.0%}): nothing was written; if the export is right, import "
                    "again with --allow-large-removal",
                )
            )
        elif report.ok:
            removals.apply(conn, removal, audit)


def _present_files(directory: Path, report: ImportReport) -> list[tuple[FileSpec, Path]]:
    if not directory.is_dir():
        report.problems.add(Problem(str(directory), None, None, "is not a folder"))
        return []
    by_name = {path.name.lower(): path for path in directory.iterdir() if path.is_file()}
    present = [(spec, by_name[spec.name]) for spec in BUNDLE if spec.name in by_name]
    expected = {spec.name for spec in BUNDLE}
    report.ignored = sorted(
        p.name for n, p in by_name.items() if n.endswith(".csv") and n not in expected
    )
    if not present:
        names = ", ".join(spec.name for spec in BUNDLE)
        report.problems.add(
            Problem(
                str(directory), None, None, f"holds no bundle file; expected one or more of {names}"
            )
        )
    return present


def _checked_chunks(
    conn: Connection,
    spec: FileSpec,
    rows: Iterable[Row],
    seen: dict[str, KeySet],
    problems: Problems,
    summary: FileSummary,
) -> Iterator[list[Row]]:
    """Rows in chunks, after the duplicate-key and reference checks. ``seen[spec.stem]``
    records every key the file lists, with its first line (bad rows' too)."""
    chunk: list[Row] = []
    tick = full_pass_every(FULL_PASS_CHUNKS)
    for row in rows:
        summary.rows += 1
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            tick()
            yield _resolve_references(conn, spec, _first_of_keys(spec, chunk, seen, problems),
                                      seen, problems)  # fmt: skip
            chunk = []
    if chunk:
        yield _resolve_references(
            conn, spec, _first_of_keys(spec, chunk, seen, problems), seen, problems
        )


def _first_of_keys(
    spec: FileSpec, chunk: list[Row], seen: dict[str, KeySet], problems: Problems
) -> list[Row]:
    """The chunk's good rows whose key no earlier line listed; a duplicate is a problem
    naming the line that listed the key first."""
    key_of = _text_key_of(spec)
    first: dict[TextKey, int] = {}
    duplicates: dict[int, int] = {}  # line -> the first line of its key
    keys = []
    for row in chunk:
        key = key_of(row.values)
        keys.append(key)
        if key in first:
            duplicates[row.line] = first[key]
        else:
            first[key] = row.line
    earlier = seen[spec.stem].add(list(first), list(first.values()))
    kept = []
    for row, key in zip(chunk, keys, strict=True):
        before = duplicates.get(row.line)
        if before is None and key in earlier:
            before = earlier[key]
        if before is not None:
            problems.add(
                Problem(
                    spec.name,
                    row.line,
                    ", ".join(spec.key),
                    f"duplicate key {'/'.join(key)}: already on line {before}",
                )
            )
        elif row.ok:
            kept.append(row)
    return kept


def _text_key_of(spec: FileSpec) -> Callable[[dict[str, Any]], TextKey]:
    """A row's key as staging.text_key makes it; for a key of one column, a fast one
    (most rows: a reference, already text)."""
    if len(spec.key) > 1:
        getter = values_of(spec.key)
        return lambda values: text_key(getter(values))
    (name,) = spec.key

    def one(values: dict[str, Any]) -> TextKey:
        value = values[name]
        return (value,) if type(value) is str else text_key((value,))

    return one


def _resolve_references(
    conn: Connection,
    spec: FileSpec,
    chunk: list[Row],
    seen: dict[str, KeySet],
    problems: Problems,
) -> list[Row]:
    good = chunk
    for column, target in spec.references.items():
        wanted = {row.values[column] for row in good if row.values[column]}
        missing = wanted - seen[target].present(wanted) if target in seen else wanted
        if missing:
            missing -= _stored_keys(conn, target, missing)
        if not missing:
            continue
        what = "school URN" if target == "schools" else "pupil_ref"
        kept = []
        for row in good:
            if row.values[column] in missing:
                problems.add(
                    Problem(
                        spec.name,
                        row.line,
                        column,
                        f"unknown {what} {row.values[column]!r}: not in {target}.csv "
                        "nor in the database",
                    )
                )
            else:
                kept.append(row)
        good = kept
    return good


def _stored_keys(conn: Connection, target: str, wanted: set[str]) -> set[str]:
    schools, pupils = tables.table_of(tables.School), tables.table_of(tables.Pupil)
    column = schools.c.urn if target == "schools" else pupils.c.pupil_ref
    found: set[str] = set()
    values = sorted(wanted)
    for start in range(0, len(values), 1000):
        found.update(
            conn.execute(
                select(column).where(among_values(conn, column, values[start : start + 1000]))
            ).scalars()
        )
    return found


# Rows written to a table that has some already, beyond which its planner statistics
# are refreshed in the import (autovacuum's own rule: 50 rows and a tenth of the table).
BULK_ROWS = 10_000


def _written_tables(spec: FileSpec) -> list[str]:
    if spec.name == "contacts.csv":
        return [tables.table_of(tables.Contact).name, tables.table_of(tables.PupilContact).name]
    return [tables.table_of(spec.table).name]


def _write(
    conn: Connection,
    spec: FileSpec,
    chunk: list[Row],
    audit: AuditContext,
    summary: FileSummary,
    *,
    fresh: bool,
    contacts: ContactImport | None,
    today: date,
) -> None:
    rows = [row.values for row in chunk]
    if contacts is not None:
        summary.count(contacts.write(rows))
        return
    if spec is ARRANGEMENTS:
        summary.count(write_arrangements(conn, rows, audit=audit, fresh=fresh))
        return
    if spec is APPLICATIONS:
        counts, kept = write_applications(conn, rows, audit=audit, today=today, fresh=fresh)
        summary.count(counts)
        summary.kept += kept
        return
    table = tables.table_of(spec.table)
    summary.count(upsert(conn, table, spec.key, rows, audit=audit, fresh=fresh).counts)
