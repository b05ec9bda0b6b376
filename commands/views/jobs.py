"""Job runs as people read them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text

from commands.views import folding_table, literal
from transport.db.queries.job_runs import JobRunRow

RUN_COLUMNS = [
    "id", "job", "run_on", "status", "started_at", "finished_at", "duration_seconds",
    "counts", "error",
]  # fmt: skip
STATUS_STYLE = {"ok": "green", "running": "yellow", "failed": "bold red", "abandoned": "bold red"}


def runs_table(runs: Sequence[JobRunRow]) -> Table:
    headers = ("Id", "Job", "For", "Status", "Started (UTC)", "Took", "Error")
    table = folding_table(f"Job runs ({len(runs)}, newest first)", headers)
    for run in runs:
        took = "" if run.duration_seconds is None else f"{run.duration_seconds:.1f} s"
        table.add_row(
            str(run.id),
            run.job,
            run.run_on.isoformat(),
            Text(run.status, STATUS_STYLE.get(run.status, "")),
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            took,
            literal(run.error or ""),
        )
    return table
