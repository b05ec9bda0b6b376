"""The import's report, and a progress bar on stderr for large bundles."""

from __future__ import annotations

import sys
from collections.abc import Callable

from rich.progress import Progress, TaskID
from rich.text import Text

from commands.views import console, literal, plain
from commands.views.tables import Sheet, number, value
from transport.imports.bundle import ImportReport


def progress_bar(
    min_rows: int,
) -> tuple[Callable[[str, int, int], None] | None, Callable[[], None]]:
    """A progress bar on stderr for large bundles when a person is watching."""
    if not sys.stderr.isatty():
        return None, lambda: None
    bar = Progress(console=console(stderr=True), transient=True)
    tasks: dict[str, TaskID] = {}

    def update(file: str, done: int, total: int) -> None:
        if total < min_rows:
            return
        if file not in tasks:
            if not tasks:
                bar.start()
            tasks[file] = bar.add_task(f"importing {file}", total=total)
        if done % 2000 == 0 or done >= total:
            bar.update(tasks[file], completed=done)

    return update, bar.stop


def print_report(report: ImportReport) -> None:
    out = console()
    # A failed import's counts are of rows read before the first error, and nothing was
    # written: they would mislead, so only the errors are shown.
    if report.files and report.ok:
        columns = ("Rows", "Added", "Updated", "Unchanged", "Removed", "Kept")
        table = Sheet(
            plain(f"Import of {report.directory}" + (" (dry run)" if report.dry_run else "")),
            [value("File"), *(number(column) for column in columns)],
            title_style="",
        )
        for f in report.files:
            counts = (f.rows, f.added, f.updated, f.unchanged, f.removed, f.kept)
            table.add_row(f.file, *(str(n) for n in counts))
        out.print(table)
    for f in report.files:
        if f.removed_keys:
            what = "made left" if f.file == "pupils.csv" else "removed"
            verb = f"would be {what}" if report.dry_run or not report.ok else what
            more = (
                f" and {f.removed - len(f.removed_keys)} more"
                if f.removed > len(f.removed_keys)
                else ""
            )
            listed = f"{f.file}: {verb} (not listed): {', '.join(f.removed_keys)}{more}"
            out.print(_line(listed), soft_wrap=True)
    for name in report.ignored:
        out.print(_line(f"note: {name} is not a bundle file; ignored"), soft_wrap=True)
    for warning in report.warnings:
        out.print(_line(f"warning: {warning}"), soft_wrap=True)
    if report.ok:
        verdict = "nothing written (dry run)" if report.dry_run else "imported"
        out.print(f"[bold green]OK[/]: {verdict}")
        return
    err = console(stderr=True)
    # One line per error, never wrapped: a log is read (and searched) line by line.
    for problem in report.problems.items:
        err.print(_line(f"error: {problem}"), soft_wrap=True)
    if report.problems.more:
        err.print(f"error: ... and {report.problems.more} more errors (stopped counting)")
    err.print(f"[bold red]{len(report.problems)} error(s)[/]: nothing was written")


def _line(text: str) -> Text:
    """One line of a log, whatever it quotes: a line break in it (a file's name may hold
    one) is shown as U+FFFD, like any other control character."""
    return literal(text.replace("\n", "\ufffd"))
