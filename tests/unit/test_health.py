"""`transport health`'s rules, each concern in each state (pure: the time passed in)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from transport.domain import health
from transport.domain.health import Concern, JobFact
from transport.vocabulary import HealthState, JobOutcome

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)  # Mon 10:00 GMT
OK, PROBLEM, UNKNOWN = HealthState.OK, HealthState.PROBLEM, HealthState.UNKNOWN


def run(outcome: str, started: datetime, error: str | None = None) -> JobFact:
    finished = None if outcome == JobOutcome.RUNNING else started + timedelta(minutes=2)
    return JobFact(outcome, started, finished, error)


@pytest.mark.parametrize(
    ("imported", "ever", "state"),
    [
        (NOW - timedelta(days=1), True, OK),
        (NOW - timedelta(days=3), True, OK),
        (NOW - timedelta(days=3, minutes=1), True, PROBLEM),
        (None, True, PROBLEM),  # imports, but never of children
        (None, False, UNKNOWN),  # nothing at all
    ],
)
def test_data_age(imported: datetime | None, ever: bool, state: HealthState) -> None:
    concern = health.data_age(imported, ever_imported=ever, now=NOW, max_days=3)
    assert concern.state is state


def test_calendar_gaps() -> None:
    today = NOW.date()
    assert health.calendar_gaps([], as_of=today, within_days=21).state is OK
    soon = health.GapFact("acad1", "2026/27", 3, today + timedelta(days=21))
    gap = health.calendar_gaps([soon], as_of=today, within_days=21)
    assert gap.state is PROBLEM and "'acad1' has no terms for 2026/27" in gap.detail
    assert gap.facts["gaps"] == [{"calendar": "acad1", "academic_year": "2026/27", "schools": 3,
                                  "from": (today + timedelta(days=21)).isoformat()}]  # fmt: skip
    later = health.GapFact("acad1", "2027/28", 3, today + timedelta(days=22))
    ahead = health.calendar_gaps([later], as_of=today, within_days=21)
    assert ahead.state is OK and "acad1" in ahead.detail  # said, not yet a person's job
    unknown_start = health.GapFact("acad2", "2026/27", 1, None)
    assert health.calendar_gaps([unknown_start], as_of=today, within_days=21).state is PROBLEM


LAST_NIGHT = datetime(2026, 12, 6, 21, 30, tzinfo=UTC)  # 21:30 GMT Sunday


@pytest.mark.parametrize(
    ("last", "now", "state"),
    [
        (run("ok", LAST_NIGHT), NOW, OK),
        (None, NOW, PROBLEM),  # never ran
        (run("failed", LAST_NIGHT, "retention failed"), NOW, PROBLEM),
        (run("abandoned", LAST_NIGHT), NOW, PROBLEM),
        (run("running", NOW - timedelta(minutes=30)), NOW, OK),
        (run("running", NOW - timedelta(hours=5)), NOW, PROBLEM),
        # Saturday's run was the last: Sunday's is missing (late)
        (run("ok", LAST_NIGHT - timedelta(days=1)), NOW, PROBLEM),
        # Sunday 22:00: tonight's run is due, but within the hour's grace
        (run("ok", LAST_NIGHT - timedelta(days=1)), LAST_NIGHT + timedelta(minutes=30), OK),
        (run("ok", LAST_NIGHT - timedelta(days=1)), LAST_NIGHT + timedelta(minutes=61), PROBLEM),
    ],
)
def test_nightly(last: JobFact | None, now: datetime, state: HealthState) -> None:
    concern = health.nightly(last, now=now, at=time(21, 30), tz=LONDON)
    assert concern.state is state, concern.detail


def test_the_nightly_is_due_at_its_local_time_in_summer() -> None:
    summer = datetime(2026, 7, 1, 20, 35, tzinfo=UTC)  # 21:35 BST
    assert health.latest_nightly(summer, time(21, 30), LONDON) == datetime(
        2026, 7, 1, 21, 30, tzinfo=LONDON
    )


@pytest.mark.parametrize(
    ("last", "state"),
    [
        (run("ok", NOW - timedelta(minutes=4)), OK),
        (run("ok", NOW - timedelta(minutes=16)), PROBLEM),  # three turns of 5 min and more
        (run("failed", NOW - timedelta(minutes=4), "channel down, ..."), PROBLEM),
        (run("abandoned", NOW - timedelta(minutes=4)), PROBLEM),
        (run("running", NOW - timedelta(minutes=40)), PROBLEM),
        (None, PROBLEM),
    ],
)
def test_dispatch(last: JobFact | None, state: HealthState) -> None:
    concern = health.dispatch(last, now=NOW, every_minutes=5)
    assert concern.state is state, concern.detail


def test_channels_messages_and_tasks() -> None:
    assert health.channel("email", None).state is OK
    down = health.channel("email", (NOW, "email: SMTP AUTH refused; check SMTP_PASSWORD"))
    assert down.state is PROBLEM and "since Mon 7 Dec 2026 10:00 GMT" in down.detail
    assert health.messages(0, 0).state is OK
    assert health.messages(1, 0).state is PROBLEM and health.messages(0, 2).state is PROBLEM
    assert health.tasks(0, None).state is OK
    late = health.tasks(4, date(2026, 11, 30))
    assert late.state is PROBLEM and "Mon 30 Nov 2026" in late.detail


def test_times_are_said_in_uk_time_bst_in_summer() -> None:
    """An instant reads in the council's local time with its zone: 09:00 UTC on 1 July is
    10:00 BST; JSON keeps the instant in ISO with its offset."""
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    down = health.channel("sms", (summer, "sms: Twilio refused the credentials"))
    assert "since Wed 1 Jul 2026 10:00 BST" in down.detail
    assert down.facts["down_since"] == "2026-07-01T09:00:00+00:00"
    age = health.data_age(summer, ever_imported=True, now=summer + timedelta(hours=1),
                          max_days=3)  # fmt: skip
    assert age.detail.endswith("imported Wed 1 Jul 2026 10:00 BST")
    ran = JobFact(JobOutcome.OK, summer, summer + timedelta(minutes=1))
    late = health.dispatch(ran, now=summer + timedelta(hours=2), every_minutes=5)
    assert "its last run started Wed 1 Jul 2026 10:00 BST" in late.detail


def test_the_exit_code_is_the_worst_state() -> None:
    def concern(state: HealthState) -> Concern:
        return Concern("x", state, "")

    assert health.exit_code([concern(OK), concern(OK)]) == 0
    assert health.exit_code([concern(OK), concern(PROBLEM)]) == 1
    assert health.exit_code([concern(PROBLEM), concern(UNKNOWN), concern(OK)]) == 2


@pytest.mark.parametrize(
    ("today", "first_kept"),
    [
        (date(2026, 12, 3), date(2026, 12, 1)),  # Thursday: Monday's letters are late
        (date(2026, 12, 7), date(2026, 12, 3)),  # Monday: the weekend is not counted
        # Wednesday 30 December: Christmas Day and the Monday for Boxing Day are not
        # working days, so the letters of Christmas Eve still have time.
        (date(2026, 12, 30), date(2026, 12, 24)),
    ],
)
def test_letters_are_late_after_two_working_days(today: date, first_kept: date) -> None:
    assert health.letters_written_before(today) == first_kept


def test_letters_not_marked_posted() -> None:
    assert health.letters(0, None, written_before=date(2026, 12, 3)).state is OK
    late = health.letters(3, NOW - timedelta(days=6), written_before=date(2026, 12, 3))
    assert late.state is PROBLEM and late.name == "letters"
    assert late.detail.startswith("3 letter(s) written more than 2 working days ago")
    assert "the oldest written Tue 1 Dec 2026 10:00 GMT" in late.detail
    assert late.detail.endswith("transport outbox posted --date D --by NAME")
    assert late.facts["unposted"] == 3 and health.exit_code([late]) == 1
