"""`transport health`: each concern a council's monitor watches, judged from facts read
from the record (pure: the time is passed in). Each concern is all well, needs a person,
or cannot be told; the worst of them is the exit code (0, 1, 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from transport.domain.dates_text import LONDON, day_year, moment_text
from transport.domain.working_days import working_days_between
from transport.vocabulary import HealthState, JobOutcome

EXIT_CODES = {HealthState.OK: 0, HealthState.PROBLEM: 1, HealthState.UNKNOWN: 2}
NIGHTLY_GRACE = timedelta(hours=1)  # the scheduler's own misfire grace for the nightly
NIGHTLY_TOO_LONG = timedelta(hours=4)
DISPATCH_TOO_LONG = timedelta(minutes=30)
LETTERS_POSTED_WITHIN = 2  # working days from writing a letter to marking it posted


@dataclass(frozen=True)
class Concern:
    name: str
    state: HealthState
    detail: str  # one sentence, no personal data
    facts: dict[str, Any] = field(default_factory=dict)  # extra JSON keys

    def as_dict(self) -> dict[str, Any]:
        return {"concern": self.name, "state": str(self.state), "detail": self.detail, **self.facts}


@dataclass(frozen=True)
class JobFact:
    """The latest run of a job, as job_runs records it."""

    outcome: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None = None


def exit_code(concerns: Sequence[Concern]) -> int:
    return max((EXIT_CODES[concern.state] for concern in concerns), default=0)


def _when(moment: datetime, tz: tzinfo) -> str:
    """An instant as people in the council read it: local time, with its zone (GMT/BST)."""
    return moment_text(moment, tz)


def data_age(
    imported_at: datetime | None,
    *,
    ever_imported: bool,
    now: datetime,
    max_days: int,
    tz: tzinfo = LONDON,
) -> Concern:
    """The record's age: the last import that carried pupils, awards or applications."""
    if not ever_imported:
        return Concern(
            "data_age",
            HealthState.UNKNOWN,
            "nothing has ever been imported: no child can be checked",
        )
    if imported_at is None:
        return Concern(
            "data_age",
            HealthState.PROBLEM,
            "no import has carried pupils, awards or applications",
            {"imported_at": None},
        )
    days = (now - imported_at).days
    facts = {"imported_at": imported_at.isoformat(), "age_days": days, "max_days": max_days}
    if now - imported_at > timedelta(days=max_days):
        return Concern(
            "data_age",
            HealthState.PROBLEM,
            f"the children's records were last imported {days} days ago "
            f"({_when(imported_at, tz)}), more than {max_days}: has the export stopped?",
            facts,
        )
    return Concern(
        "data_age",
        HealthState.OK,
        f"the children's records were imported {_when(imported_at, tz)}",
        facts,
    )


@dataclass(frozen=True)
class GapFact:
    """A calendar's missing terms of one year: the first day the check assumes for them."""

    calendar: str
    academic_year: str  # "2027/28"
    schools: int
    first_assumed: date | None


def calendar_gaps(gaps: Sequence[GapFact], *, as_of: date, within_days: int) -> Concern:
    """Calendars that schools follow without terms for a year the window reaches. A gap
    whose first assumed day is within ``within_days`` (the check's `high` threshold)
    needs a person now; a later one is said, and is all well for today (term dates for
    next year are often published late)."""
    facts = {
        "gaps": [
            {
                "calendar": gap.calendar,
                "academic_year": gap.academic_year,
                "schools": gap.schools,
                "from": gap.first_assumed.isoformat() if gap.first_assumed else None,
            }
            for gap in gaps
        ]
    }
    if not gaps:
        return Concern(
            "calendar_gaps", HealthState.OK, "every calendar has terms for the window", facts
        )
    said = "; ".join(
        f"'{gap.calendar}' has no terms for {gap.academic_year} ({gap.schools} school(s)"
        + (f", assumed from {day_year(gap.first_assumed)})" if gap.first_assumed else ")")
        for gap in gaps
    )
    soon = [
        gap
        for gap in gaps
        if gap.first_assumed is None or (gap.first_assumed - as_of).days <= within_days
    ]
    if soon:
        return Concern(
            "calendar_gaps",
            HealthState.PROBLEM,
            f"calendars without terms in the window: {said}; import their terms",
            facts,
        )
    return Concern(
        "calendar_gaps",
        HealthState.OK,
        f"calendars without terms later in the window (not within {within_days} days): {said}",
        facts,
    )


def latest_nightly(now: datetime, at: time, tz: tzinfo) -> datetime:
    """The latest moment at or before ``now`` when the nightly was due (local ``at``)."""
    local = now.astimezone(tz)
    due = datetime.combine(local.date(), at, tzinfo=tz)
    if due > local:
        due = datetime.combine(local.date() - timedelta(days=1), at, tzinfo=tz)
    return due


def nightly(last: JobFact | None, *, now: datetime, at: time, tz: tzinfo) -> Concern:
    """Failed, abandoned, running too long, or not run since it was last due (after an
    hour's grace): a person must look."""
    due = latest_nightly(now, at, tz)
    late = last is not None and last.started_at < due and now > due + NIGHTLY_GRACE
    return _job("nightly", last, now=now, late=late, too_long=NIGHTLY_TOO_LONG, tz=tz)


def dispatch(
    last: JobFact | None, *, now: datetime, every_minutes: float, tz: tzinfo = LONDON
) -> Concern:
    """The dispatch runs every few minutes: late when three turns (at least a quarter of
    an hour) went by without one starting."""
    grace = max(timedelta(minutes=3 * every_minutes), timedelta(minutes=15))
    late = last is not None and now - last.started_at > grace
    return _job("dispatch", last, now=now, late=late, too_long=DISPATCH_TOO_LONG, tz=tz)


def _job(
    name: str,
    last: JobFact | None,
    *,
    now: datetime,
    late: bool,
    too_long: timedelta,
    tz: tzinfo,
) -> Concern:
    if last is None:
        return Concern(
            name,
            HealthState.PROBLEM,
            f"the {name} job has never run: is the scheduler running?",
            {"outcome": None},
        )
    facts = {"outcome": last.outcome, "started_at": last.started_at.isoformat()}
    started = _when(last.started_at, tz)
    if last.outcome in (JobOutcome.FAILED, JobOutcome.ABANDONED):
        why = f": {last.error}" if last.error else ""
        return Concern(
            name, HealthState.PROBLEM, f"the last {name} run ({started}) {last.outcome}{why}", facts
        )
    if last.outcome == JobOutcome.RUNNING and now - last.started_at > too_long:
        return Concern(
            name,
            HealthState.PROBLEM,
            f"the {name} run started {started} is still running: has its process "
            "died? (`transport jobs list` marks a dead one abandoned)",
            facts,
        )
    if late:
        return Concern(
            name,
            HealthState.PROBLEM,
            f"the {name} job is late: its last run started {started}; is the scheduler running?",
            {**facts, "late": True},
        )
    return Concern(name, HealthState.OK, f"the last {name} run ({started}) {last.outcome}", facts)


def channel(name: str, down: tuple[datetime, str] | None, *, tz: tzinfo = LONDON) -> Concern:
    """A sending channel: down (its configuration refused) since when, and why."""
    if down is None:
        return Concern(
            f"channel_{name}",
            HealthState.OK,
            f"{name} is not known to be down",
            {"channel": name, "down_since": None},
        )
    since, reason = down
    return Concern(
        f"channel_{name}",
        HealthState.PROBLEM,
        f"{name} is down since {_when(since, tz)}: {reason}",
        {"channel": name, "down_since": since.isoformat()},
    )


def messages(failed: int, unknown: int) -> Concern:
    """Messages that failed for good, or whose outcome is unknown, in the last day."""
    facts = {"failed": failed, "unknown": unknown}
    if failed or unknown:
        return Concern(
            "messages",
            HealthState.PROBLEM,
            f"in the last day {failed} message(s) failed and {unknown} have an "
            "unknown outcome: transport outbox list --status failed_permanent "
            "(or unknown)",
            facts,
        )
    return Concern(
        "messages", HealthState.OK, "no message failed or was left unknown in the last day", facts
    )


def tasks(past_due: int, oldest_due: date | None) -> Concern:
    """Open tasks of the team whose due date has passed."""
    facts = {"past_due": past_due, "oldest_due": oldest_due.isoformat() if oldest_due else None}
    if past_due:
        oldest = f", the oldest due {day_year(oldest_due)}" if oldest_due else ""
        return Concern(
            "tasks",
            HealthState.PROBLEM,
            f"{past_due} open task(s) past due{oldest}: transport tasks list",
            facts,
        )
    return Concern("tasks", HealthState.OK, "no open task is past due", facts)


def letters_written_before(today: date, within: int = LETTERS_POSTED_WITHIN) -> date:
    """The first day whose letters may still be waiting for the post on ``today``: a
    letter written (local date) before it was written more than ``within`` working days
    ago (bank holidays in England and Wales are not working days). On a Thursday it is
    the Tuesday: Monday's letters should be in the post by Wednesday."""
    day = today
    while working_days_between(day - timedelta(days=1), today) <= within:
        day -= timedelta(days=1)
    return day


def letters(
    unposted: int, oldest: datetime | None, *, written_before: date, tz: tzinfo = LONDON
) -> Concern:
    """Letters the file backend wrote before ``written_before`` (more than two working
    days ago) that no one has marked posted: still in the post room's tray, or posted and
    not recorded (a transport details letter tells the family only once marked)."""
    facts = {
        "unposted": unposted,
        "written_before": written_before.isoformat(),
        "oldest_written": oldest.isoformat() if oldest else None,
    }
    if unposted:
        since = f", the oldest written {_when(oldest, tz)}" if oldest else ""
        return Concern(
            "letters",
            HealthState.PROBLEM,
            f"{unposted} letter(s) written more than {LETTERS_POSTED_WITHIN} working days "
            f"ago are not marked posted{since}: post them, then "
            "transport outbox posted --date D --by NAME",
            facts,
        )
    return Concern(
        "letters",
        HealthState.OK,
        f"no letter written more than {LETTERS_POSTED_WITHIN} working days ago waits "
        "to be marked posted",
        facts,
    )
