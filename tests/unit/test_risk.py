"""The day-one risk check (docs/check.md), tested against the spec.

Every expected value below was worked out by hand from the spec and the two calendars
defined here (weekdays noted in comments); none is computed with the code under test.

Calendars (academic year = its starting calendar year; 2025 is 2025/26):

council  2025/26 autumn Thu 2025-09-04..Fri 2025-12-19, spring Mon 2026-01-05..Fri 2026-03-27,
                 summer Mon 2026-04-13..Wed 2026-07-22
         2026/27 autumn Thu 2026-09-03..Fri 2026-12-18, spring Mon 2027-01-04..Fri 2027-03-26,
                 summer Mon 2027-04-12..Wed 2027-07-21
academy  2025/26 autumn Wed 2025-09-03..Wed 2025-12-17, spring Tue 2026-01-06..Fri 2026-03-27,
                 summer Tue 2026-04-14..Tue 2026-07-21
         2026/27 autumn Mon 2026-09-07..Thu 2026-12-17, spring Tue 2027-01-05..Thu 2027-03-25,
                 summer Tue 2027-04-13..Tue 2027-07-20
"""

from __future__ import annotations

from datetime import date

import pytest

from transport.domain.calendar import Calendar, Term
from transport.domain.calendar_gaps import CalendarGap, calendar_gaps
from transport.domain.risk import (
    ApplicationFact,
    ArrangementFact,
    AwardFact,
    PupilFacts,
    PupilRisk,
    RiskContext,
    Thresholds,
    assess,
    check,
)


def d(text: str) -> date:
    return date.fromisoformat(text)


def _term(first: str, last: str, year: int, name: str) -> Term:
    return Term(d(first), d(last), year, name)


COUNCIL = Calendar.of(
    "council",
    [
        _term("2025-09-04", "2025-12-19", 2025, "autumn"),
        _term("2026-01-05", "2026-03-27", 2025, "spring"),
        _term("2026-04-13", "2026-07-22", 2025, "summer"),
        _term("2026-09-03", "2026-12-18", 2026, "autumn"),
        _term("2027-01-04", "2027-03-26", 2026, "spring"),
        _term("2027-04-12", "2027-07-21", 2026, "summer"),
    ],
)
ACADEMY = Calendar.of(
    "academy",
    [
        _term("2025-09-03", "2025-12-17", 2025, "autumn"),
        _term("2026-01-06", "2026-03-27", 2025, "spring"),
        _term("2026-04-14", "2026-07-21", 2025, "summer"),
        _term("2026-09-07", "2026-12-17", 2026, "autumn"),
        _term("2027-01-05", "2027-03-25", 2026, "spring"),
        _term("2027-04-13", "2027-07-20", 2026, "summer"),
    ],
)

PRIMARY = "100001"  # council calendar
SECONDARY = "100002"  # council calendar
ACADEMY_URN = "200001"  # academy calendar
SCHOOL_CALENDAR = {PRIMARY: "council", SECONDARY: "council", ACADEMY_URN: "academy"}

# Handy as-of dates.
SUMMER_HOLS = d("2026-08-20")  # Thu in the summer holiday; +120 days = Fri 2026-12-18
MONDAY = d("2026-09-07")  # Mon in council autumn 2026 (the academy's first day); +120 = 2027-01-05
JUNE = d("2026-06-01")  # Mon in summer term 2025/26; +120 days = Tue 2026-09-29


# --- builders -------------------------------------------------------------------------


def ctx(
    as_of: date | str, *, horizon: int = 120, thresholds: Thresholds | None = None
) -> RiskContext:
    as_of = d(as_of) if isinstance(as_of, str) else as_of
    return RiskContext(
        as_of=as_of,
        horizon_days=horizon,
        calendars={"council": COUNCIL, "academy": ACADEMY},
        school_calendar=dict(SCHOOL_CALENDAR),
        thresholds=thresholds or Thresholds(),
    )


def award(first: str, last: str, school: str | None = None) -> AwardFact:
    return AwardFact(valid_from=d(first), valid_until=d(last), school_urn=school)


def app(year: int, status: str = "approved") -> ApplicationFact:
    return ApplicationFact(academic_year=year, status=status)


def arr(year: int, informed: bool = True) -> ArrangementFact:
    return ArrangementFact(academic_year=year, family_informed=informed)


WHOLE_2025 = award("2025-09-01", "2026-08-31")  # all of 2025/26, for the pupil's school_urn
WHOLE_2026 = award("2026-09-01", "2027-08-31")  # all of 2026/27, for the pupil's school_urn


def facts(
    *,
    ref: str = "P001",
    school: str = PRIMARY,
    next_school: str | None = None,
    active: bool = True,
    awards: tuple[AwardFact, ...] = (WHOLE_2025, WHOLE_2026),
    applications: tuple[ApplicationFact, ...] = (app(2025), app(2026)),
    arrangements: tuple[ArrangementFact, ...] = (arr(2025), arr(2026)),
    reachable: bool = True,
) -> PupilFacts:
    """By default: a reachable pupil, covered, approved and informed for 2025/26 and 2026/27."""
    return PupilFacts(
        pupil_ref=ref,
        school_urn=school,
        next_school_urn=next_school,
        active=active,
        awards=awards,
        applications=applications,
        arrangements=arrangements,
        reachable=reachable,
    )


def risk_of(pupil: PupilFacts, as_of: date | str, **kw: object) -> PupilRisk:
    """The pupil's risk; fails unless the pupil is in scope and at risk."""
    in_scope, risk = assess(pupil, ctx(as_of, **kw))  # type: ignore[arg-type]
    assert in_scope, "expected the pupil to be in scope"
    assert risk is not None, "expected the pupil to be at risk"
    return risk


def reasons(risk: PupilRisk) -> set[str]:
    return {str(reason) for reason in risk.reasons}


def assert_risk(
    risk: PupilRisk, *, on: str, days: int, severity: str, why: set[str] | None = None
) -> None:
    assert risk.risk_date == d(on)
    assert risk.days_until == days
    assert risk.severity == severity
    if why is not None:
        assert reasons(risk) == why


# --- baseline -------------------------------------------------------------------------


def test_a_covered_approved_informed_reachable_pupil_is_in_scope_and_not_at_risk() -> None:
    assert assess(facts(), ctx(SUMMER_HOLS)) == (True, None)


# --- reasons: R's application -----------------------------------------------------------
#
# D = Thu 2026-08-20. The pupil is covered all of 2025/26 (so a current traveller through the
# summer term) but has no award for 2026/27, so R = the council's first day Thu 2026-09-03:
# days_until 14 -> high. No 2026/27 school day is covered, so no readiness reason.


@pytest.mark.parametrize(
    ("applications", "expected"),
    [
        pytest.param((), {"NO_APPLICATION"}, id="no-application"),
        pytest.param((app(2025),), {"NO_APPLICATION"}, id="application-only-for-another-year"),
        pytest.param((app(2026, "withdrawn"),), {"NO_APPLICATION"}, id="only-withdrawn"),
        pytest.param(
            (app(2026, "withdrawn"), app(2026, "withdrawn")),
            {"NO_APPLICATION"},
            id="only-withdrawn-several",
        ),
        pytest.param((app(2026, "received"),), {"APPLICATION_UNDECIDED"}, id="received"),
        pytest.param((app(2026, "assessing"),), {"APPLICATION_UNDECIDED"}, id="assessing"),
        pytest.param(
            (app(2026, "withdrawn"), app(2026, "received")),
            {"APPLICATION_UNDECIDED"},
            id="withdrawn-then-received",
        ),
        pytest.param((app(2026, "approved"),), {"AWARD_MISSING"}, id="approved-no-award"),
        pytest.param(
            (app(2026, "assessing"), app(2026, "approved")),
            {"APPLICATION_UNDECIDED", "AWARD_MISSING"},
            id="assessing-and-approved",
        ),
    ],
)
def test_application_reason_for_the_first_uncovered_day(
    applications: tuple[ApplicationFact, ...], expected: set[str]
) -> None:
    pupil = facts(awards=(WHOLE_2025,), applications=applications)
    risk = risk_of(pupil, SUMMER_HOLS)
    assert_risk(risk, on="2026-09-03", days=14, severity="high", why=expected)


@pytest.mark.parametrize(
    "applications",
    [
        pytest.param((app(2025), app(2026, "refused")), id="refused"),
        pytest.param((app(2026, "withdrawn"), app(2026, "refused")), id="withdrawn-and-refused"),
    ],
)
def test_refused_application_and_nothing_else_is_in_scope_but_not_at_risk(
    applications: tuple[ApplicationFact, ...],
) -> None:
    pupil = facts(awards=(WHOLE_2025,), applications=applications)
    assert assess(pupil, ctx(SUMMER_HOLS)) == (True, None)


# --- reasons: readiness -------------------------------------------------------------------
#
# Fully covered for 2026/27; D = Thu 2026-08-20: the first 2026/27 school day in the window is
# Thu 2026-09-03 (days_until 14 -> high).


@pytest.mark.parametrize(
    ("arrangements", "expected"),
    [
        pytest.param((arr(2025),), {"NO_ARRANGEMENT"}, id="no-arrangement"),
        pytest.param((arr(2025), arr(2027)), {"NO_ARRANGEMENT"}, id="arrangement-other-year"),
        pytest.param(
            (arr(2025), arr(2026, informed=False)),
            {"FAMILY_NOT_INFORMED"},
            id="family-not-informed",
        ),
    ],
)
def test_readiness_reason_for_a_covered_year(
    arrangements: tuple[ArrangementFact, ...], expected: set[str]
) -> None:
    risk = risk_of(facts(arrangements=arrangements), SUMMER_HOLS)
    assert_risk(risk, on="2026-09-03", days=14, severity="high", why=expected)


def test_no_readiness_reason_for_a_year_without_a_covered_school_day_in_the_window() -> None:
    # No award for 2026/27 and no arrangement at all: 2026/27 has no covered school day, and
    # 2025/26 has no school day in the window (Aug 20..31 is holiday), so only R's reason.
    pupil = facts(awards=(WHOLE_2025,), applications=(app(2026, "received"),), arrangements=())
    risk = risk_of(pupil, SUMMER_HOLS)
    assert reasons(risk) == {"APPLICATION_UNDECIDED"}


def test_missing_arrangement_for_a_year_with_no_school_day_in_the_window_is_irrelevant() -> None:
    # 2025/26 is covered but none of its school days fall in 2026-08-20..2026-12-18.
    assert assess(facts(arrangements=(arr(2026),)), ctx(SUMMER_HOLS)) == (True, None)


# --- reasons: reachability ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("school", "on", "days"),
    [
        pytest.param(PRIMARY, "2026-09-03", 14, id="council"),
        pytest.param(ACADEMY_URN, "2026-09-07", 18, id="academy"),
    ],
)
def test_unreachable_alone_is_dated_the_first_school_day_in_the_window(
    school: str, on: str, days: int
) -> None:
    risk = risk_of(facts(school=school, reachable=False), SUMMER_HOLS)
    assert_risk(risk, on=on, days=days, severity="high", why={"UNREACHABLE"})


# --- several reasons at once --------------------------------------------------------------


def test_no_application_and_unreachable() -> None:
    pupil = facts(awards=(WHOLE_2025,), applications=(app(2025),), reachable=False)
    risk = risk_of(pupil, SUMMER_HOLS)
    assert_risk(
        risk, on="2026-09-03", days=14, severity="high", why={"NO_APPLICATION", "UNREACHABLE"}
    )


def test_award_missing_no_arrangement_and_unreachable() -> None:
    # Covered Sep 1..Fri Oct 30 2026: R = Mon 2026-11-02 (AWARD_MISSING, approved for 2026).
    # 2026/27 has covered days but no arrangement: NO_ARRANGEMENT dated Thu 2026-09-03.
    # Risk date = earliest = 2026-09-03.
    pupil = facts(
        awards=(WHOLE_2025, award("2026-09-01", "2026-10-30")),
        arrangements=(arr(2025),),
        reachable=False,
    )
    risk = risk_of(pupil, SUMMER_HOLS)
    assert_risk(
        risk,
        on="2026-09-03",
        days=14,
        severity="high",
        why={"AWARD_MISSING", "NO_ARRANGEMENT", "UNREACHABLE"},
    )


# --- severity ---------------------------------------------------------------------------
#
# D = Mon 2026-09-07 (a council school day). The pupil's 2026/27 award runs from Sep 1 to
# `until`; R is the next school day. Approved for 2026, so the reason is AWARD_MISSING.


@pytest.mark.parametrize(
    ("until", "r", "days", "severity"),
    [
        pytest.param("2026-09-04", "2026-09-07", 0, "critical", id="0-critical"),  # Fri -> D
        pytest.param("2026-09-13", "2026-09-14", 7, "critical", id="7-critical"),  # Sun -> Mon
        pytest.param("2026-09-14", "2026-09-15", 8, "high", id="8-high"),
        pytest.param("2026-09-27", "2026-09-28", 21, "high", id="21-high"),  # Sun -> Mon
        pytest.param("2026-09-28", "2026-09-29", 22, "medium", id="22-medium"),
        pytest.param("2026-10-18", "2026-10-19", 42, "medium", id="42-medium"),  # Sun -> Mon
        pytest.param("2026-10-19", "2026-10-20", 43, "low", id="43-low"),
    ],
)
def test_severity_boundaries_with_default_thresholds(
    until: str, r: str, days: int, severity: str
) -> None:
    pupil = facts(awards=(WHOLE_2025, award("2026-09-01", until)))
    risk = risk_of(pupil, MONDAY)
    assert_risk(risk, on=r, days=days, severity=severity, why={"AWARD_MISSING"})


@pytest.mark.parametrize(
    ("until", "r", "days", "severity"),
    [
        pytest.param("2026-09-07", "2026-09-08", 1, "critical", id="1-critical"),
        pytest.param("2026-09-08", "2026-09-09", 2, "high", id="2-high"),
        pytest.param("2026-09-09", "2026-09-10", 3, "high", id="3-high"),
        pytest.param("2026-09-10", "2026-09-11", 4, "medium", id="4-medium"),
        pytest.param("2026-09-14", "2026-09-15", 8, "medium", id="8-medium"),
        pytest.param("2026-09-15", "2026-09-16", 9, "low", id="9-low"),
    ],
)
def test_severity_with_custom_thresholds(until: str, r: str, days: int, severity: str) -> None:
    thresholds = Thresholds(critical=1, high=3, medium=8)
    pupil = facts(awards=(WHOLE_2025, award("2026-09-01", until)))
    risk = risk_of(pupil, MONDAY, thresholds=thresholds)
    assert_risk(risk, on=r, days=days, severity=severity)


# --- risk date ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "pupil", "on", "days", "severity", "why"),
    [
        pytest.param(
            # Readiness (Thu 2026-09-03) is earlier than R (Mon 2026-11-02).
            SUMMER_HOLS,
            facts(
                awards=(WHOLE_2025, award("2026-09-01", "2026-10-30")),
                arrangements=(arr(2025),),
            ),
            "2026-09-03",
            14,
            "high",
            {"AWARD_MISSING", "NO_ARRANGEMENT"},
            id="readiness-before-R",
        ),
        pytest.param(
            # Covered to Tue 2026-06-30: R = Wed 2026-07-01 (30 days), earlier than 2026/27's
            # NO_ARRANGEMENT dated Thu 2026-09-03.
            JUNE,
            facts(
                awards=(award("2025-09-01", "2026-06-30"), WHOLE_2026),
                arrangements=(arr(2025),),
            ),
            "2026-07-01",
            30,
            "medium",
            {"AWARD_MISSING", "NO_ARRANGEMENT"},
            id="R-before-readiness",
        ),
        pytest.param(
            # Readiness of the later year is dated that year's first school day in the window,
            # not D: 2026-09-03 - 2026-06-01 = 94 days.
            JUNE,
            facts(arrangements=(arr(2025),)),
            "2026-09-03",
            94,
            "low",
            {"NO_ARRANGEMENT"},
            id="readiness-of-next-year",
        ),
        pytest.param(
            JUNE,
            facts(arrangements=(arr(2026),)),
            "2026-06-01",
            0,
            "critical",
            {"NO_ARRANGEMENT"},
            id="readiness-of-this-year",
        ),
        pytest.param(
            JUNE,
            facts(arrangements=(arr(2025, informed=False),)),
            "2026-06-01",
            0,
            "critical",
            {"FAMILY_NOT_INFORMED", "NO_ARRANGEMENT"},
            id="readiness-both-years-earliest",
        ),
        pytest.param(
            # Not alone: UNREACHABLE does not pull the date to the first school day (Mon
            # 2026-09-07); the date is R = Mon 2026-09-21 (award ended Fri 2026-09-18).
            MONDAY,
            facts(awards=(WHOLE_2025, award("2026-09-01", "2026-09-18")), reachable=False),
            "2026-09-21",
            14,
            "high",
            {"AWARD_MISSING", "UNREACHABLE"},
            id="unreachable-with-R",
        ),
        pytest.param(
            # Not alone: the date is NO_ARRANGEMENT's (2026-09-03), not D (2026-06-01).
            JUNE,
            facts(arrangements=(arr(2025),), reachable=False),
            "2026-09-03",
            94,
            "low",
            {"NO_ARRANGEMENT", "UNREACHABLE"},
            id="unreachable-with-later-readiness",
        ),
    ],
)
def test_risk_date_is_the_earliest_of_R_and_readiness_dates(
    as_of: date, pupil: PupilFacts, on: str, days: int, severity: str, why: set[str]
) -> None:
    risk = risk_of(pupil, as_of)
    assert_risk(risk, on=on, days=days, severity=severity, why=why)


# --- term boundaries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "pupil", "on", "days"),
    [
        pytest.param(
            "2026-09-12",
            facts(awards=(WHOLE_2025, award("2026-09-01", "2026-09-11"))),
            "2026-09-14",
            2,
            id="saturday-uncovered-from-monday",
        ),
        pytest.param(
            "2026-09-13",
            facts(awards=(WHOLE_2025, award("2026-09-01", "2026-09-11"))),
            "2026-09-14",
            1,
            id="sunday-uncovered-from-monday",
        ),
        pytest.param(
            "2026-09-12",
            facts(reachable=False),
            "2026-09-14",
            2,
            id="saturday-unreachable",
        ),
        pytest.param(
            # Sat in the summer holiday: the first school day is Thu 2026-09-03.
            "2026-08-29",
            facts(awards=(WHOLE_2025,), applications=(app(2025),)),
            "2026-09-03",
            5,
            id="saturday-before-term-starts-thursday",
        ),
    ],
)
def test_as_of_on_a_weekend_gives_a_school_day_risk_date(
    as_of: str, pupil: PupilFacts, on: str, days: int
) -> None:
    risk = risk_of(pupil, as_of)
    assert_risk(risk, on=on, days=days, severity="critical")
    assert risk.risk_date.weekday() < 5


@pytest.mark.parametrize(
    ("until", "r", "days"),
    [
        pytest.param("2026-09-16", "2026-09-17", 10, id="ends-wednesday-R-thursday"),
        pytest.param("2026-09-18", "2026-09-21", 14, id="ends-friday-R-monday"),
        pytest.param("2026-09-19", "2026-09-21", 14, id="ends-saturday-R-monday"),
    ],
)
def test_award_ending_mid_term(until: str, r: str, days: int) -> None:
    pupil = facts(awards=(WHOLE_2025, award("2026-09-01", until)))
    risk = risk_of(pupil, MONDAY)
    assert_risk(risk, on=r, days=days, severity="high", why={"AWARD_MISSING"})


@pytest.mark.parametrize(
    ("as_of", "awards"),
    [
        pytest.param(
            "2026-12-14",
            (WHOLE_2025, award("2026-09-01", "2026-12-18"), award("2027-01-04", "2027-08-31")),
            id="christmas-holiday-gap",
        ),
        pytest.param(
            "2026-03-23",
            (award("2025-09-01", "2026-03-27"), award("2026-04-13", "2026-08-31"), WHOLE_2026),
            id="easter-holiday-gap",
        ),
        pytest.param(
            "2026-07-20",
            (award("2025-09-01", "2026-07-22"), award("2026-09-03", "2027-08-31")),
            id="summer-holiday-gap",
        ),
    ],
)
def test_a_gap_in_awards_over_holidays_only_is_not_a_risk(
    as_of: str, awards: tuple[AwardFact, ...]
) -> None:
    assert assess(facts(awards=awards), ctx(as_of)) == (True, None)


@pytest.mark.parametrize(
    "until",
    [
        pytest.param("2026-12-18", id="ends-last-day-of-term"),
        pytest.param("2026-12-31", id="ends-in-the-holiday"),
    ],
)
def test_first_uncovered_day_after_the_christmas_holiday(until: str) -> None:
    # D = Mon 2026-12-14; Dec 19..Jan 3 is holiday, so R = Mon 2027-01-04: 21 days -> high.
    pupil = facts(awards=(WHOLE_2025, award("2026-09-01", until)))
    risk = risk_of(pupil, "2026-12-14")
    assert_risk(risk, on="2027-01-04", days=21, severity="high", why={"AWARD_MISSING"})


# --- schools with different calendars ------------------------------------------------------


@pytest.mark.parametrize(
    ("school", "on", "days"),
    [
        pytest.param(PRIMARY, "2026-09-03", 14, id="council"),
        pytest.param(ACADEMY_URN, "2026-09-07", 18, id="academy-starts-later"),
    ],
)
def test_R_is_in_the_calendar_of_the_pupils_school(school: str, on: str, days: int) -> None:
    pupil = facts(school=school, awards=(WHOLE_2025,), applications=(app(2025),))
    risk = risk_of(pupil, SUMMER_HOLS)
    assert_risk(risk, on=on, days=days, severity="high", why={"NO_APPLICATION"})


def test_readiness_date_is_in_the_calendar_of_the_pupils_school() -> None:
    risk = risk_of(facts(school=ACADEMY_URN, arrangements=(arr(2025),)), SUMMER_HOLS)
    assert_risk(risk, on="2026-09-07", days=18, severity="high", why={"NO_ARRANGEMENT"})


# --- change of school (next_school_urn) ---------------------------------------------------


@pytest.mark.parametrize(
    ("next_school", "on", "days"),
    [
        pytest.param(SECONDARY, "2026-09-03", 14, id="council-secondary"),
        pytest.param(ACADEMY_URN, "2026-09-07", 18, id="academy-calendar-applies"),
    ],
)
@pytest.mark.parametrize(
    "school_2026",
    [pytest.param(None, id="award-without-school"), pytest.param(PRIMARY, id="award-for-old")],
)
def test_award_for_the_old_school_does_not_carry_over_to_the_next_school(
    next_school: str, on: str, days: int, school_2026: str | None
) -> None:
    # D = 2026-08-20 is in 2025/26; the window's school days are in 2026/27, a later year, so
    # the pupil's school then is next_school_urn, and its calendar gives R.
    pupil = facts(
        next_school=next_school,
        awards=(WHOLE_2025, award("2026-09-01", "2027-08-31", school=school_2026)),
    )
    risk = risk_of(pupil, SUMMER_HOLS)
    assert_risk(risk, on=on, days=days, severity="high", why={"AWARD_MISSING"})


def test_award_for_the_next_school_covers_the_next_year() -> None:
    pupil = facts(
        next_school=ACADEMY_URN,
        awards=(WHOLE_2025, award("2026-09-01", "2027-08-31", school=ACADEMY_URN)),
    )
    assert assess(pupil, ctx(SUMMER_HOLS)) == (True, None)


def test_next_school_applies_only_after_the_academic_year_of_D() -> None:
    # D = Mon 2026-06-01, window to 2026-09-29. June/July days are at the old school (covered by
    # the 2025/26 award); September days are at the academy, which the school-less 2026/27
    # award does not cover: R = the academy's first day Mon 2026-09-07, 98 days -> low.
    pupil = facts(next_school=ACADEMY_URN)
    risk = risk_of(pupil, JUNE)
    assert_risk(risk, on="2026-09-07", days=98, severity="low", why={"AWARD_MISSING"})


def test_next_school_is_irrelevant_within_the_academic_year_of_D() -> None:
    # D = Mon 2026-09-07 in 2026/27; the whole window (to 2027-01-05) is in 2026/27 too, so the
    # pupil's school is still school_urn and the school-less award covers it.
    assert assess(facts(next_school=ACADEMY_URN), ctx(MONDAY)) == (True, None)


def test_award_for_the_next_school_does_not_cover_the_current_year() -> None:
    # Same D: an award for the next school is not for the pupil's school this year, so D itself
    # (a council school day) is uncovered. In scope through the summer 2026 cover.
    pupil = facts(
        next_school=ACADEMY_URN,
        awards=(WHOLE_2025, award("2026-09-01", "2027-08-31", school=ACADEMY_URN)),
    )
    risk = risk_of(pupil, MONDAY)
    assert_risk(risk, on="2026-09-07", days=0, severity="critical", why={"AWARD_MISSING"})


# --- scope --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pupil",
    [
        pytest.param(facts(active=False), id="left-ready"),
        pytest.param(
            facts(active=False, awards=(WHOLE_2025,), applications=(), reachable=False),
            id="left-with-problems",
        ),
        pytest.param(
            facts(active=False, awards=(), applications=(app(2026, "received"),)),
            id="left-with-live-application",
        ),
    ],
)
def test_a_pupil_who_left_is_never_in_scope(pupil: PupilFacts) -> None:
    assert assess(pupil, ctx(SUMMER_HOLS)) == (False, None)
    result = check([pupil], ctx(SUMMER_HOLS))
    assert result.in_scope == 0
    assert result.at_risk == ()


@pytest.mark.parametrize(
    ("as_of", "school", "awards", "in_scope"),
    [
        # D = Mon 2026-09-14, in council autumn 2026 (current term); last ended: summer 2026.
        pytest.param(
            "2026-09-14",
            PRIMARY,
            (award("2026-09-03", "2026-09-03"),),
            True,
            id="one-school-day-of-current-term-before-D",
        ),
        pytest.param(
            "2026-09-14",
            PRIMARY,
            (award("2026-12-18", "2026-12-18"),),
            True,
            id="one-school-day-of-current-term-after-D",
        ),
        pytest.param(
            "2026-09-14",
            PRIMARY,
            (award("2026-09-12", "2026-09-13"),),
            False,
            id="weekend-only-in-current-term",
        ),
        pytest.param(
            "2026-09-14",
            PRIMARY,
            (award("2026-04-13", "2026-07-22"),),
            True,
            id="previous-term-only",
        ),
        pytest.param(
            "2026-09-14",
            PRIMARY,
            (award("2026-01-05", "2026-03-27"),),
            False,
            id="older-term-only",
        ),
        # D = Thu 2026-08-20, summer holiday: no current term; last ended: summer 2026.
        pytest.param(
            SUMMER_HOLS,
            PRIMARY,
            (award("2026-04-13", "2026-07-22"),),
            True,
            id="holiday-covered-in-summer-term",
        ),
        pytest.param(
            SUMMER_HOLS,
            PRIMARY,
            (award("2026-01-05", "2026-03-27"),),
            False,
            id="holiday-covered-in-spring-term-only",
        ),
        pytest.param(
            SUMMER_HOLS,
            PRIMARY,
            (award("2026-07-23", "2026-08-31"),),
            False,
            id="holiday-covered-only-in-the-holiday",
        ),
        # Wed 2026-07-22 is the council's last summer day but the academy's term ended Tue
        # 2026-07-21: scope is judged in the calendar of the pupil's school_urn.
        pytest.param(
            SUMMER_HOLS,
            PRIMARY,
            (award("2026-07-22", "2026-07-22"),),
            True,
            id="council-last-day-of-summer-term",
        ),
        pytest.param(
            SUMMER_HOLS,
            ACADEMY_URN,
            (award("2026-07-22", "2026-07-22"),),
            False,
            id="academy-day-after-its-summer-term",
        ),
        pytest.param(
            SUMMER_HOLS,
            ACADEMY_URN,
            (award("2026-07-21", "2026-07-22"),),
            True,
            id="academy-last-day-of-its-summer-term",
        ),
    ],
)
def test_current_traveller_scope(
    as_of: str | date, school: str, awards: tuple[AwardFact, ...], in_scope: bool
) -> None:
    pupil = facts(school=school, awards=awards, applications=(), arrangements=())
    scoped, _ = assess(pupil, ctx(as_of))
    assert scoped is in_scope
    assert check([pupil], ctx(as_of)).in_scope == int(in_scope)


def test_current_traveller_covered_one_day_of_current_term_is_at_risk_from_D() -> None:
    # D = Mon 2026-09-14; only Thu 2026-09-03 was covered; no application: R = D.
    pupil = facts(awards=(award("2026-09-03", "2026-09-03"),), applications=())
    risk = risk_of(pupil, "2026-09-14")
    assert_risk(risk, on="2026-09-14", days=0, severity="critical", why={"NO_APPLICATION"})


@pytest.mark.parametrize(
    ("status", "why"),
    [
        pytest.param("received", {"APPLICATION_UNDECIDED"}, id="received"),
        pytest.param("assessing", {"APPLICATION_UNDECIDED"}, id="assessing"),
        pytest.param("approved", {"AWARD_MISSING"}, id="approved"),
    ],
)
def test_new_traveller_is_in_scope_and_days_before_their_year_do_not_count(
    status: str, why: set[str]
) -> None:
    # D = Mon 2026-06-01 (a school day), application for 2026/27, no award: June and July
    # school days do not count for a new traveller, so R = Thu 2026-09-03 (94 days -> low).
    pupil = facts(awards=(), applications=(app(2026, status),), arrangements=())
    risk = risk_of(pupil, JUNE)
    assert_risk(risk, on="2026-09-03", days=94, severity="low", why=why)


def test_new_traveller_for_the_current_year_counts_from_D() -> None:
    pupil = facts(awards=(), applications=(app(2025, "received"),), arrangements=())
    risk = risk_of(pupil, JUNE)
    assert_risk(risk, on="2026-06-01", days=0, severity="critical", why={"APPLICATION_UNDECIDED"})


def test_current_traveller_counts_from_D_even_with_an_application_for_next_year() -> None:
    # Covered to Fri 2026-05-29 (current traveller); approved for 2025/26: R = D, AWARD_MISSING.
    pupil = facts(awards=(award("2025-09-01", "2026-05-29"), WHOLE_2026))
    risk = risk_of(pupil, JUNE)
    assert_risk(risk, on="2026-06-01", days=0, severity="critical", why={"AWARD_MISSING"})


def test_new_traveller_unreachable_alone_is_dated_from_their_year() -> None:
    # Awarded and informed for 2026/27 but unreachable: the first school day that counts for
    # this new traveller is Thu 2026-09-03, not D (Mon 2026-06-01).
    pupil = facts(
        awards=(WHOLE_2026,), applications=(app(2026),), arrangements=(arr(2026),), reachable=False
    )
    risk = risk_of(pupil, JUNE)
    assert_risk(risk, on="2026-09-03", days=94, severity="low", why={"UNREACHABLE"})


def test_new_traveller_with_award_but_no_arrangement() -> None:
    pupil = facts(awards=(WHOLE_2026,), applications=(app(2026),), arrangements=())
    risk = risk_of(pupil, JUNE)
    assert_risk(risk, on="2026-09-03", days=94, severity="low", why={"NO_ARRANGEMENT"})


@pytest.mark.parametrize(
    ("horizon", "applications"),
    [
        pytest.param(120, (app(2026, "refused"),), id="refused-only"),
        pytest.param(120, (app(2026, "withdrawn"),), id="withdrawn-only"),
        pytest.param(120, (app(2026, "refused"), app(2026, "withdrawn")), id="refused-withdrawn"),
        # D + 30 = Wed 2026-07-01: the window touches only 2025/26.
        pytest.param(30, (app(2026, "approved"),), id="year-after-the-window"),
        pytest.param(120, (app(2024, "approved"),), id="year-before-the-window"),
        # D + 120 = 2026-09-29: 2027/28 is not touched.
        pytest.param(120, (app(2027, "received"),), id="year-two-ahead"),
    ],
)
def test_application_that_does_not_bring_a_pupil_into_scope(
    horizon: int, applications: tuple[ApplicationFact, ...]
) -> None:
    pupil = facts(awards=(), applications=applications, arrangements=())
    assert assess(pupil, ctx(JUNE, horizon=horizon)) == (False, None)


# --- the window ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("horizon", "until", "at_risk_on", "days"),
    [
        # horizon 0: only D (Mon 2026-09-07) itself.
        pytest.param(0, "2026-09-06", "2026-09-07", 0, id="h0-D-uncovered"),
        pytest.param(0, "2026-09-07", None, None, id="h0-uncovered-day-after-D"),
        # horizon 10: the window ends Thu 2026-09-17, inclusive.
        pytest.param(10, "2026-09-16", "2026-09-17", 10, id="h10-last-day-counts"),
        pytest.param(10, "2026-09-17", None, None, id="h10-day-after-does-not"),
    ],
)
def test_window_is_D_to_D_plus_horizon_inclusive(
    horizon: int, until: str, at_risk_on: str | None, days: int | None
) -> None:
    pupil = facts(awards=(WHOLE_2025, award("2026-09-01", until)))
    in_scope, risk = assess(pupil, ctx(MONDAY, horizon=horizon))
    assert in_scope
    if at_risk_on is None:
        assert risk is None
    else:
        assert risk is not None
        assert risk.risk_date == d(at_risk_on)
        assert risk.days_until == days
        assert reasons(risk) == {"AWARD_MISSING"}


@pytest.mark.parametrize(
    ("horizon", "at_risk"),
    [
        # D = Thu 2026-08-20: +13 = Wed 2026-09-02, before the first 2026/27 school day.
        pytest.param(13, False, id="window-ends-before-first-day"),
        # +14 = Thu 2026-09-03, the first 2026/27 school day, inside the window.
        pytest.param(14, True, id="window-ends-on-first-day"),
    ],
)
def test_readiness_counts_only_covered_days_inside_the_window(horizon: int, at_risk: bool) -> None:
    pupil = facts(arrangements=(arr(2025),))
    in_scope, risk = assess(pupil, ctx(SUMMER_HOLS, horizon=horizon))
    assert in_scope
    if at_risk:
        assert risk is not None
        assert_risk(risk, on="2026-09-03", days=14, severity="high", why={"NO_ARRANGEMENT"})
    else:
        assert risk is None


# --- check(): sort and counts ---------------------------------------------------------------


def test_check_sorts_by_risk_date_then_severity_then_pupil_ref_and_counts() -> None:
    # D = Thu 2026-08-20, default thresholds.
    pupils = [
        # 2026-09-03 (14 days, high): no application for 2026/27.
        facts(ref="P3", awards=(WHOLE_2025,), applications=(app(2025),)),
        # Ready: in scope, not at risk.
        facts(ref="P4"),
        # Covered to Fri 2026-10-30: R = Mon 2026-11-02, 74 days -> low.
        facts(ref="P0", awards=(WHOLE_2025, award("2026-09-01", "2026-10-30"))),
        # Left: not in scope.
        facts(ref="P5", active=False, applications=()),
        # Academy: 2026-09-07 (18 days, high), no application for 2026/27.
        facts(ref="P1", school=ACADEMY_URN, awards=(WHOLE_2025,), applications=(app(2025),)),
        # 2026-09-03 (14 days, high): no arrangement for 2026/27.
        facts(ref="P2", arrangements=(arr(2025),)),
        # Covered only in spring 2026, no application: not in scope.
        facts(ref="P6", awards=(award("2026-01-05", "2026-03-27"),), applications=()),
    ]
    result = check(pupils, ctx(SUMMER_HOLS))
    assert result.as_of == SUMMER_HOLS
    assert result.horizon_days == 120
    assert [
        (risk.pupil_ref, risk.risk_date, risk.days_until, risk.severity) for risk in result.at_risk
    ] == [
        ("P2", d("2026-09-03"), 14, "high"),
        ("P3", d("2026-09-03"), 14, "high"),
        ("P1", d("2026-09-07"), 18, "high"),
        ("P0", d("2026-11-02"), 74, "low"),
    ]
    assert result.in_scope == 5  # P0..P4
    assert result.severity_counts() == {"critical": 0, "high": 3, "medium": 0, "low": 1}


def test_check_sorts_by_pupil_ref_within_a_risk_date_whatever_the_input_order() -> None:
    pupils = [facts(ref=ref, reachable=False) for ref in ("P9", "P1", "P5")]
    result = check(pupils, ctx(SUMMER_HOLS))
    assert [risk.pupil_ref for risk in result.at_risk] == ["P1", "P5", "P9"]
    assert result.in_scope == 3
    assert result.severity_counts() == {"critical": 0, "high": 3, "medium": 0, "low": 0}


def test_check_severity_counts_across_all_levels() -> None:
    # D = Mon 2026-09-07; R per award end (see the severity table above).
    pupils = [
        facts(ref="A", awards=(WHOLE_2025, award("2026-09-01", "2026-09-04"))),  # 0: critical
        facts(ref="B", awards=(WHOLE_2025, award("2026-09-01", "2026-09-14"))),  # 8: high
        facts(ref="C", awards=(WHOLE_2025, award("2026-09-01", "2026-09-28"))),  # 22: medium
        facts(ref="D", awards=(WHOLE_2025, award("2026-09-01", "2026-10-19"))),  # 43: low
        facts(ref="E", awards=(WHOLE_2025, award("2026-09-01", "2026-10-20"))),  # 44: low
        facts(ref="F"),  # ready
    ]
    result = check(pupils, ctx(MONDAY))
    assert [risk.pupil_ref for risk in result.at_risk] == ["A", "B", "C", "D", "E"]
    assert [risk.severity for risk in result.at_risk] == [
        "critical",
        "high",
        "medium",
        "low",
        "low",
    ]
    assert result.in_scope == 6
    assert result.severity_counts() == {"critical": 1, "high": 1, "medium": 1, "low": 2}


def test_refused_and_unreachable_is_unreachable_alone_dated_the_first_school_day() -> None:
    # D = Mon 2026-09-07, in the council's autumn term. Covered to Fri 2026-10-30, so
    # R = Mon 2026-11-02, but the 2026/27 application was refused: R gives no reason.
    # UNREACHABLE is then alone, dated the first school day in the window: D itself.
    pupil = facts(
        awards=(WHOLE_2025, award("2026-09-01", "2026-10-30")),
        applications=(app(2025), app(2026, "refused")),
        reachable=False,
    )
    risk = risk_of(pupil, MONDAY)
    assert_risk(risk, on="2026-09-07", days=0, severity="critical", why={"UNREACHABLE"})


# --- R itself: uncovered_from (issue 16) ------------------------------------------------
#
# uncovered_from is the date the renewal ladder counts back from, so it is asserted here
# on its own and not only through the risk date.


@pytest.mark.parametrize(
    ("school", "expected"),
    [
        pytest.param(PRIMARY, "2026-09-03", id="council-first-day-thu"),
        pytest.param(ACADEMY_URN, "2026-09-07", id="academy-first-day-mon"),
    ],
)
def test_uncovered_from_is_the_first_uncovered_school_day(school: str, expected: str) -> None:
    pupil = facts(school=school, awards=(WHOLE_2025,), applications=(app(2025),))
    risk = risk_of(pupil, SUMMER_HOLS)
    assert risk.uncovered_from == d(expected)
    assert reasons(risk) == {"NO_APPLICATION"}


def test_uncovered_from_after_an_award_that_ends_mid_term() -> None:
    # D = Mon 2026-09-07. The 2026/27 award ends Fri 2026-10-30; the next council school
    # day is Mon 2026-11-02: 56 days on -> low. The application is approved: AWARD_MISSING.
    pupil = facts(awards=(WHOLE_2025, award("2026-09-01", "2026-10-30")))
    risk = risk_of(pupil, MONDAY)
    assert risk.uncovered_from == d("2026-11-02")
    assert_risk(risk, on="2026-11-02", days=56, severity="low", why={"AWARD_MISSING"})


def test_no_uncovered_from_when_the_risk_is_readiness_only() -> None:
    # Covered all of 2026/27 but no arrangement for it: the risk is dated the first school
    # day of 2026/27, and no day is uncovered.
    risk = risk_of(facts(arrangements=(arr(2025),)), SUMMER_HOLS)
    assert_risk(risk, on="2026-09-03", days=14, severity="high", why={"NO_ARRANGEMENT"})
    assert risk.uncovered_from is None


def test_no_uncovered_from_when_a_refused_application_gives_no_reason() -> None:
    # Not covered from Thu 2026-09-03, but the 2026/27 application was refused: no
    # application reason, so R does not date the risk; the pupil is at risk only as
    # unreachable, from the first school day in the window.
    pupil = facts(
        awards=(WHOLE_2025,), applications=(app(2025), app(2026, "refused")), reachable=False
    )
    risk = risk_of(pupil, SUMMER_HOLS)
    assert_risk(risk, on="2026-09-03", days=14, severity="high", why={"UNREACHABLE"})
    assert risk.uncovered_from is None


# --- an unreachable pupil with no school day in the window (issue 16) -------------------


def test_an_unreachable_pupil_with_no_school_day_in_the_window_is_not_at_risk() -> None:
    # D = Sat 2026-08-01, horizon 10 days: to Tue 2026-08-11, all summer holiday. The pupil
    # travelled in the summer term (a current traveller, so in scope) but there is no
    # school day to date a risk by.
    pupil = facts(reachable=False)
    assert assess(pupil, ctx("2026-08-01", horizon=10)) == (True, None)
    result = check([pupil], ctx("2026-08-01", horizon=10))
    assert (result.in_scope, result.at_risk) == (1, ())


# --- the calendar fallbacks (issue 16) --------------------------------------------------

DEFAULT_COUNCIL = Calendar("default", COUNCIL.terms)  # the council's terms, as "default"
UNLISTED_URN = "300001"  # no entry in school_calendar
ORPHAN_URN = "300002"  # its calendar name has no calendar


def fallback_ctx(as_of: date, calendars: dict[str, Calendar]) -> RiskContext:
    return RiskContext(
        as_of=as_of,
        horizon_days=120,
        calendars=calendars,
        school_calendar={**SCHOOL_CALENDAR, ORPHAN_URN: "lost"},
    )


def test_a_school_with_no_calendar_entry_follows_the_default_calendar() -> None:
    # The default calendar has the council's terms: R = Thu 2026-09-03.
    pupil = facts(school=UNLISTED_URN, awards=(WHOLE_2025,), applications=(app(2025),))
    calendars = {"council": COUNCIL, "academy": ACADEMY, "default": DEFAULT_COUNCIL}
    in_scope, risk = assess(pupil, fallback_ctx(SUMMER_HOLS, calendars))
    assert in_scope
    assert risk is not None
    assert (risk.risk_date, risk.uncovered_from) == (d("2026-09-03"), d("2026-09-03"))


def test_a_school_whose_calendar_is_missing_is_checked_on_assumed_days() -> None:
    # "lost" is not among the calendars, and neither is "default": no term to take dates
    # from, so every weekday that is not a bank holiday from 1 September is assumed
    # (issue 21; before, nothing could be dated and the child was not at risk). The
    # award ends Mon 2026-08-31: R = Tue 2026-09-01, assumed, in the autumn term.
    pupil = facts(school=ORPHAN_URN, awards=(WHOLE_2025,), applications=(app(2025),))
    calendars = {"council": COUNCIL, "academy": ACADEMY}
    for child in (pupil, pupil._replace(school_urn=UNLISTED_URN)):
        in_scope, risk = assess(child, fallback_ctx(SUMMER_HOLS, calendars))
        assert in_scope
        assert risk is not None
        assert (risk.risk_date, risk.days_until, risk.severity) == (d("2026-09-01"), 12, "high")
        assert reasons(risk) == {"NO_APPLICATION", "NO_TERM_DATES"}
        assert (risk.uncovered_from, risk.uncovered_assumed, risk.uncovered_term) == (
            d("2026-09-01"),
            True,
            "autumn",
        )


# --- calendar_gaps (issue 16) -----------------------------------------------------------

COUNCIL_2025_ONLY = Calendar.of("short", [t for t in COUNCIL.terms if t.academic_year == 2025])


def gaps_ctx(as_of: str, school_calendar: dict[str, str]) -> RiskContext:
    return RiskContext(
        as_of=d(as_of),
        horizon_days=120,
        calendars={"council": COUNCIL, "academy": ACADEMY, "short": COUNCIL_2025_ONLY},
        school_calendar=school_calendar,
    )


def test_no_gaps_when_every_calendar_covers_the_window() -> None:
    # D = Thu 2026-08-20, +120 days = Fri 2026-12-18: academic years 2025 and 2026.
    assert calendar_gaps(gaps_ctx("2026-08-20", dict(SCHOOL_CALENDAR))) == []


def test_gaps_name_the_calendar_the_year_its_terms_and_the_first_assumed_day() -> None:
    # D = Thu 2026-08-20, window to Fri 2026-12-18. "short" has 2025/26 only: its 2026/27
    # terms are assumed from its own 52 weeks before (autumn Thu 2025-09-04 + 364 days =
    # Thu 2026-09-03). "lost" has no terms and there is no default calendar: every
    # weekday is assumed, the summer term 2025/26 from Wed 2026-04-01 (it has not ended
    # by D) and 2026/27 from Tue 2026-09-01.
    schools = {"1": "short", "2": "short", "3": "council", "4": "lost", "5": "lost", "6": "lost"}
    assert calendar_gaps(gaps_ctx("2026-08-20", schools)) == [
        CalendarGap("lost", 2025, ("summer",), d("2026-04-01"), ("4", "5", "6"), 0),
        CalendarGap(
            "lost", 2026, ("autumn", "spring", "summer"), d("2026-09-01"), ("4", "5", "6"), 0
        ),
        CalendarGap("short", 2026, ("autumn", "spring", "summer"), d("2026-09-03"), ("1", "2"), 0),
    ]


def test_a_window_inside_one_academic_year_needs_only_that_year() -> None:
    # D = Mon 2026-01-05, +120 days = Tue 2026-05-05: 2025/26 only, which "short" has.
    assert calendar_gaps(gaps_ctx("2026-01-05", {"1": "short", "2": "council"})) == []


def test_a_window_into_a_year_no_calendar_has_yet() -> None:
    # D = Tue 2027-06-01, +120 days = Wed 2027-09-29: 2026/27 and 2027/28. No calendar has
    # 2027/28: council's autumn is assumed from its 2026/27 one + 364 days (Thu
    # 2027-09-02). "short" lacks 2026/27 too: its summer term 2026/27 (2025/26's + 364:
    # Mon 2027-04-12 to Wed 2027-07-21) has not ended, and its 2027/28 is moved on twice
    # (Thu 2025-09-04 + 728 days = Thu 2027-09-02).
    assert calendar_gaps(gaps_ctx("2027-06-01", {"1": "council", "2": "short"})) == [
        CalendarGap("short", 2026, ("summer",), d("2027-04-12"), ("2",), 0),
        CalendarGap("council", 2027, ("autumn", "spring", "summer"), d("2027-09-02"), ("1",), 0),
        CalendarGap("short", 2027, ("autumn", "spring", "summer"), d("2027-09-02"), ("2",), 0),
    ]


# --- what a risk names, and what a check shares (issue 16) -------------------------------


def test_a_risk_names_the_pupil_the_school_and_the_next_school() -> None:
    # As test_next_school_applies_only_after_the_academic_year_of_D: at risk from the
    # academy's first day, Mon 2026-09-07 (R too).
    risk = risk_of(facts(ref="P042", next_school=ACADEMY_URN), JUNE)
    assert (risk.pupil_ref, risk.school_urn, risk.next_school_urn, risk.uncovered_from) == (
        "P042",
        PRIMARY,
        ACADEMY_URN,
        d("2026-09-07"),
    )


def test_schools_on_one_calendar_share_one_window_built_once() -> None:
    # RiskContext builds each calendar's school days once for the whole check (a million
    # pupils): the same object for every school that follows that calendar.
    c = ctx(SUMMER_HOLS)
    assert c.window(PRIMARY) is c.window(SECONDARY)
    assert c.window(PRIMARY) is not c.window(ACADEMY_URN)
    assert c.window(ACADEMY_URN) is c.window(ACADEMY_URN)


def test_pupils_with_the_same_two_schools_share_their_segments() -> None:
    c = ctx(JUNE)
    first = c.segments(PRIMARY, ACADEMY_URN)
    assert c.segments(PRIMARY, ACADEMY_URN) is first
    assert c.segments(PRIMARY, None) is not first
    # The shared segments are the right ones: 2025/26 at the primary, 2026/27 at the academy.
    assert [(s.academic_year, s.school_urn) for s in first] == [
        (2025, PRIMARY),
        (2026, ACADEMY_URN),
    ]
