"""School days (bank holidays and closures), assumed days for missing terms, calendar
gaps and the first school day (issue 21; risk-check.md, "Term dates that are missing,
closures, bank holidays").

Every expected date was worked out by hand (weekdays in the comments).

council  2025/26 autumn Thu 2025-09-04..Fri 2025-12-19, spring Mon 2026-01-05..Fri 2026-03-27,
                 summer Mon 2026-04-13..Wed 2026-07-22
         2026/27 autumn Thu 2026-09-03..Fri 2026-12-18
Bank holidays used: Early May Mon 2026-05-04, spring Mon 2026-05-25, summer Mon 2026-08-31.
"""

from __future__ import annotations

from datetime import date

from transport.domain.calendar import Calendar, Closure, Term
from transport.domain.calendar_gaps import CalendarGap, calendar_gaps, gaps_due
from transport.domain.risk import RiskContext, Thresholds
from transport.domain.term_dates import (
    FirstDay,
    assumed_term,
    first_school_day,
    missing_terms,
    school_days,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def term(first: str, last: str, year: int, name: str) -> Term:
    return Term(d(first), d(last), year, name)


C2025 = [
    term("2025-09-04", "2025-12-19", 2025, "autumn"),
    term("2026-01-05", "2026-03-27", 2025, "spring"),
    term("2026-04-13", "2026-07-22", 2025, "summer"),
]
AUTUMN_2026 = term("2026-09-03", "2026-12-18", 2026, "autumn")
COUNCIL = Calendar.of("council", [*C2025, AUTUMN_2026])
WHOLE_2026 = [
    AUTUMN_2026,
    term("2027-01-04", "2027-03-26", 2026, "spring"),
    term("2027-04-12", "2027-07-21", 2026, "summer"),
]
DEFAULT = Calendar.of("default", [*C2025, *WHOLE_2026])


# --- school days: bank holidays and closures ---------------------------------------------


def test_a_bank_holiday_in_term_is_not_a_school_day() -> None:
    days = COUNCIL.school_days_between(d("2026-05-01"), d("2026-05-08"))
    # Fri 1, (Mon 4 Early May), Tue 5 .. Fri 8
    assert days == [d("2026-05-01"), d("2026-05-05"), d("2026-05-06"), d("2026-05-07"),
                    d("2026-05-08")]  # fmt: skip


def test_closures_take_days_out_of_a_term_and_an_own_inset_day_only_for_its_school() -> None:
    calendar = Calendar.of(
        "council",
        [AUTUMN_2026],
        [
            Closure(d("2026-09-03"), d("2026-09-03"), None, "inset"),
            Closure(d("2026-10-26"), d("2026-10-30"), None, "half_term"),
            Closure(d("2026-09-04"), d("2026-09-04"), "100001", "inset"),
        ],
    )
    assert calendar.own_closure_urns == {"100001"}
    september = calendar.school_days_between(d("2026-09-01"), d("2026-09-08"))
    assert september == [d("2026-09-04"), d("2026-09-07"), d("2026-09-08")]
    own = calendar.school_days_between(d("2026-09-01"), d("2026-09-08"), "100001")
    assert own == [d("2026-09-07"), d("2026-09-08")]
    # Half term: Fri 23 Oct, then Mon 2 Nov.
    autumn = calendar.school_days_between(d("2026-10-23"), d("2026-11-02"))
    assert autumn == [d("2026-10-23"), d("2026-11-02")]


# --- assumed days ------------------------------------------------------------------------


def test_an_assumed_term_is_the_earlier_of_the_default_and_its_own_52_weeks_before() -> None:
    # Own autumn 2025 Thu 09-04..Fri 12-19 + 364 days = Thu 2026-09-03..Fri 2026-12-18;
    # the default's autumn 2026 is Tue 2026-09-01..Wed 2026-12-16: from the earlier first
    # day to the later last day.
    own = Calendar.of("acad", C2025)
    default = Calendar.of("default", [term("2026-09-01", "2026-12-16", 2026, "autumn")])
    found = assumed_term(own, default, 2026, "autumn")
    assert (found.first_day, found.last_day, found.assumed) == (
        d("2026-09-01"),
        d("2026-12-18"),
        True,
    )
    # Without the default: its own, moved on.
    alone = assumed_term(own, None, 2026, "autumn")
    assert (alone.first_day, alone.last_day) == (d("2026-09-03"), d("2026-12-18"))


def test_an_assumed_term_falls_back_on_the_default_52_weeks_before_then_on_1_september() -> None:
    empty = Calendar("acad", ())
    default = Calendar.of("default", C2025)
    # The default's spring 2025/26 Mon 2026-01-05 + 364 = Mon 2027-01-04 .. Fri 2027-03-26.
    found = assumed_term(empty, default, 2026, "spring")
    assert (found.first_day, found.last_day) == (d("2027-01-04"), d("2027-03-26"))
    # Nothing anywhere: every weekday from 1 September.
    nothing = assumed_term(empty, None, 2026, "autumn")
    assert (nothing.first_day, nothing.last_day) == (d("2026-09-01"), d("2026-12-31"))
    days = school_days(empty, None, d("2026-08-28"), d("2026-09-02"))
    # Fri 28 Aug is in the summer term 2025/26 as assumed (1 April to 31 August); Mon 31
    # Aug is a bank holiday; Tue 1 and Wed 2 Sep are autumn 2026/27.
    assert [(s.day, s.term.name, s.assumed) for s in days] == [
        (d("2026-08-28"), "summer", True),
        (d("2026-09-01"), "autumn", True),
        (d("2026-09-02"), "autumn", True),
    ]


def test_assumed_days_never_overlap_a_known_term() -> None:
    # The calendar has a (very early) spring 2026/27 from Wed 2026-12-16, with a closure
    # on Thu 17, but no autumn 2026/27; the autumn assumed from 2025/26 runs to Fri
    # 2026-12-18: from Wed 16 the days are the known spring's (closure and all).
    calendar = Calendar.of(
        "x",
        [*C2025, term("2026-12-16", "2027-03-26", 2026, "spring")],
        [Closure(d("2026-12-17"), d("2026-12-17"))],
    )
    days = school_days(calendar, None, d("2026-12-15"), d("2026-12-21"))
    assert [(s.day, s.term.name, s.assumed) for s in days] == [
        (d("2026-12-15"), "autumn", True),
        (d("2026-12-16"), "spring", False),
        (d("2026-12-18"), "spring", False),
        (d("2026-12-21"), "spring", False),
    ]


# --- the first school day -------------------------------------------------------------


def test_the_first_school_day_follows_the_inset_days_and_says_when_it_is_assumed() -> None:
    calendar = Calendar.of(
        "council",
        [*C2025, AUTUMN_2026],
        [Closure(d("2026-09-03"), d("2026-09-03"), None, "inset")],
    )
    assert first_school_day(calendar, 2026) == FirstDay(d("2026-09-04"), False, "autumn")
    assert first_school_day(calendar, 2025, term="summer") == FirstDay(
        d("2026-04-13"), False, "summer"
    )
    # Spring 2026/27 is missing: assumed from spring 2025/26 + 364 (Mon 2027-01-04).
    assert first_school_day(calendar, 2026, term="spring") == FirstDay(
        d("2027-01-04"), True, "spring"
    )
    # A school's own INSET day on Fri 4 Sep as well: Mon 7 Sep.
    own = Calendar.of(
        "council",
        [AUTUMN_2026],
        [
            Closure(d("2026-09-03"), d("2026-09-03")),
            Closure(d("2026-09-04"), d("2026-09-04"), "100001"),
        ],
    )
    assert first_school_day(own, 2026, urn="100001") == FirstDay(d("2026-09-07"), False, "autumn")
    # A year with no dates at all: assumed, from the default calendar.
    default = Calendar.of("default", [AUTUMN_2026])
    assert first_school_day(Calendar("acad", ()), 2026, default=default) == FirstDay(
        d("2026-09-03"), True, "autumn"
    )


# --- calendar gaps ----------------------------------------------------------------------


def test_a_calendar_with_autumn_but_not_spring_is_a_gap_from_the_end_of_autumn() -> None:
    # Autumn 2026/27 ends Fri 2026-12-18. A window to Fri 2026-12-18 does not reach past
    # it; one to Wed 2026-12-30 does, and spring and summer 2026/27 are then missing,
    # assumed from 2025/26 + 364 days: spring from Mon 2027-01-04.
    assert missing_terms(COUNCIL, None, d("2026-08-20"), d("2026-12-18")) == []
    found = missing_terms(COUNCIL, None, d("2026-09-01"), d("2026-12-30"))
    assert [(m.term.academic_year, m.term.name, m.first_assumed) for m in found] == [
        (2026, "spring", d("2027-01-04")),
        (2026, "summer", d("2027-04-12")),
    ]


def gap_ctx(as_of: str, calendars: dict[str, Calendar], schools: dict[str, str]) -> RiskContext:
    return RiskContext(d(as_of), 120, calendars, schools)


def test_gaps_count_the_schools_that_follow_the_calendar_and_not_the_others() -> None:
    # No terms at all for "acad1": a gap from its start, assumed from the default's
    # autumn 2026 (Thu 2026-09-03): in 8 days of D, so due for --fail-on (high 21).
    calendars = {"default": DEFAULT}
    schools = {"100001": "default", "100002": "acad1", "100003": "acad1"}
    gaps = calendar_gaps(gap_ctx("2026-08-26", calendars, schools))
    assert gaps == [
        CalendarGap("acad1", 2026, ("autumn", "spring", "summer"), d("2026-09-03"),
                    ("100002", "100003"), 0),
    ]  # fmt: skip
    assert gaps_due(gaps, d("2026-08-26"), Thresholds()) == gaps
    # 22 days before: a warning only.
    assert gaps_due(gaps, d("2026-08-12"), Thresholds()) == []
    assert gaps[0].as_dict() == {
        "calendar": "acad1",
        "academic_year": "2026/27",
        "terms": ["autumn", "spring", "summer"],
        "from": "2026-09-03",
        "schools": ["100002", "100003"],
        "pupils": 0,
    }


def test_a_calendar_no_school_follows_is_no_gap() -> None:
    calendars = {"default": DEFAULT, "old": Calendar("old", ())}
    assert calendar_gaps(gap_ctx("2026-08-26", calendars, {"100001": "default"})) == []
