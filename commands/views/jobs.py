"""Job runs as people read them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from rich.text import Text

from commands.views.tables import Sheet, number, prose, value
from transport.db.queries.job_runs import JobRunRow
from transport.domain.dates_text import short_moment

RUN_COLUMNS = [
    "id", "job", "run_on", "status", "started_at", "finished_at", "duration_seconds",
    "counts", "error",
]  # fmt: skip
STATUS_STYLE = {"ok": "green", "running": "yellow", "failed": "bold red", "abandoned": "bold red"}


def runs_table(runs: Sequence[JobRunRow], tz: tzinfo) -> Sheet:
    table = Sheet(
        f"Job runs ({len(runs)}, newest first)",
        [number("Id"), value("Job"), value("For"), value("Status"), value("Started"),
         number("Took"), prose("Error")],
    )  # fmt: skip
    for run in runs:
        took = "" if run.duration_seconds is None else f"{run.duration_seconds:.1f} s"
        table.add_row(
            str(run.id),
            run.job,
            run.run_on.isoformat(),
            Text(run.status, STATUS_STYLE.get(run.status, "")),
            short_moment(run.started_at, tz),
            took,
            run.error,
        )
    return table
