"""What the simulator reads besides the county (services/renewals.py `read_county`): the
team's measured pace for each stage and the open applications with the engine's
recommendation for each undecided one. Read only."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import date

from services.app import App
from services.assessments import recommend_undecided
from transport.db.queries.council import open_applications
from transport.db.queries.work_done import done_in_window
from transport.domain.calendar import academic_year_of
from transport.domain.council import COUNCIL_STAGES, OpenApplication
from transport.domain.forecast import window_start


@dataclass(frozen=True)
class CouncilRecord:
    rates_as_of: date
    window_working_days: int
    measured: dict[str, float | None]  # stage -> items a working day (None: unknown)
    applications: dict[str, list[OpenApplication]]  # pupil -> open applications


def read_council(
    app: App, *, rates_as_of: date, start: date, pupils: Container[str] | None = None
) -> CouncilRecord:
    """The pace each stage kept over the ``[check] rate_window_working_days`` working days
    before ``rates_as_of`` (as the backlog forecast measures it), and the applications
    open for the school year of ``start`` or later (of ``pupils`` only, when given)."""
    window = app.settings.check.rate_window_working_days
    recommended = {
        item.application_ref: item
        for item in recommend_undecided(app)
        if pupils is None or item.pupil_ref in pupils
    }
    with app.ready().engine.connect() as conn:
        done = done_in_window(conn, start=window_start(rates_as_of, window), end=rates_as_of)
        applications: dict[str, list[OpenApplication]] = {}
        for ref, pupil_ref, year, status, school in open_applications(
            conn, from_year=academic_year_of(start)
        ):
            if pupils is not None and pupil_ref not in pupils:
                continue
            item = recommended.get(ref)
            applications.setdefault(pupil_ref, []).append(
                OpenApplication(
                    ref,
                    pupil_ref,
                    year,
                    status,
                    school,
                    item.decision.eligible if item else None,
                    item.facts.travel_from if item else None,
                    item.decision.valid_until if item else None,
                )
            )
    measured: dict[str, float | None] = {}
    for stage in COUNCIL_STAGES:
        count = done.get(stage)
        measured[stage] = None if count is None else round(count / window, 1)
    return CouncilRecord(rates_as_of, window, measured, applications)
