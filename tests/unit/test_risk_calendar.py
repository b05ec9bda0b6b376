"""The risk check on real school days: half terms, INSET days, bank holidays, and the
assumed days of missing terms with NO_TERM_DATES (issue 21).

Worked out by hand from these calendars (weekdays in the comments):

council  2025/26 autumn Thu 2025-09-04..Fri 2025-12-19, spring Mon 2026-01-05..Fri 2026-03-27,
                 summer Mon 2026-04-13..Wed 2026-07-22
         2026/27 autumn Thu 2026-09-03..Fri 2026-12-18, spring Mon 2027-01-04..Fri 2027-03-26,
                 summer Mon 2027-04-12..Wed 2027-07-21
acad     2025/26 autumn Wed 2025-09-03..Wed 2025-12-17, spring Tue 2026-01-06..Fri 2026-03-27,
                 summer Tue 2026-04-14..Tue 2026-07-21; nothing for 2026/27.
The council's calendar is also the default one.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from transport.domain.calendar import Calendar, Closure, Term
from transport.domain.calendar_gaps import calendar_gaps
from transport.domain.risk import (
    ApplicationFact,
    ArrangementFact,
    AwardFact,
    PupilFacts,
    RiskContext,
    assess,
    check,
)
from transport.domain.risk_memo import RiskMemo, school_keys
from transport.domain.working_days import bank_holidays
from transport.vocabulary import Reason


def d(text: str) -> date:
    return date.fromisoformat(text)


def term(first: str, last: str, year: int, name: str) -> Term:
    return Term(d(first), d(last), year, name)


COUNCIL_TERMS = [
    term("2025-09-04", "2025-12-19", 2025, "autumn"),
    term("2026-01-05", "2026-03-27", 2025, "spring"),
    term("2026-04-13", "2026-07-22", 2025, "summer"),
    term("2026-09-03", "2026-12-18", 2026, "autumn"),
    term("2027-01-04", "2027-03-26", 2026, "spring"),
    term("2027-04-12", "2027-07-21", 2026, "summer"),
]
ACAD = Calendar.of(
    "acad",
    [
        term("2025-09-03", "2025-12-17", 2025, "autumn"),
        term("2026-01-06", "2026-03-27", 2025, "spring"),
        term("2026-04-14", "2026-07-21", 2025, "summer"),
    ],
)
HALF_TERM = Closure(d("2026-10-26"), d("2026-10-30"), None, "half_term")
INSET = Closure(d("2026-09-03"), d("2026-09-03"), None, "inset")
COUNCIL_URN, OWN_INSET_URN, ACAD_URN = "100001", "100002", "200001"
SCHOOLS = {COUNCIL_URN: "default", OWN_INSET_URN: "default", ACAD_URN: "acad"}


def calendars(*closures: Closure) -> dict[str, Calendar]:
    return {"default": Calendar.of("default", COUNCIL_TERMS, closures), "acad": ACAD}


def ctx(as_of: str, *closures: Closure) -> RiskContext:
    return RiskContext(d(as_of), 120, calendars(*closures), SCHOOLS)


def award(first: str, last: str) -> AwardFact:
    return AwardFact(d(first), d(last))


YEAR_2025 = award("2025-09-01", "2026-08-31")
YEAR_2026 = award("2026-09-01", "2027-08-31")


def pupil(
    *,
    school: str = COUNCIL_URN,
    awards: tuple[AwardFact, ...] = (YEAR_2025,),
    applications: tuple[ApplicationFact, ...] = (ApplicationFact(2025, "approved"),),
    arrangements: tuple[ArrangementFact, ...] = (
        ArrangementFact(2025, True),
        ArrangementFact(2026, True),
    ),
    reachable: bool = True,
) -> PupilFacts:
    return PupilFacts("P1", school, None, True, awards, applications, arrangements, reachable)


# --- half terms, INSET days and bank holidays -------------------------------------------


def test_a_medical_award_ending_before_half_term_is_at_risk_after_it() -> None:
    # The award ends Fri 23 Oct; half term is 26-30 Oct: the first day without transport
    # is Mon 2 Nov (32 days from Thu 1 Oct: medium), not Mon 26 Oct.
    child = pupil(awards=(YEAR_2025, award("2026-09-01", "2026-10-23")))
    _, without = assess(child, ctx("2026-10-01"))
    assert without is not None and without.uncovered_from == d("2026-10-26")
    _, risk = assess(child, ctx("2026-10-01", HALF_TERM))
    assert risk is not None
    assert (risk.risk_date, risk.uncovered_from, risk.days_until, risk.severity) == (
        d("2026-11-02"),
        d("2026-11-02"),
        32,
        "medium",
    )
    assert risk.reasons == (Reason.NO_APPLICATION,)
    assert (risk.uncovered_assumed, risk.uncovered_term) == (False, "autumn")


def test_an_inset_day_moves_the_first_day_and_a_schools_own_only_moves_its_own() -> None:
    # Autumn 2026/27 begins Thu 3 Sep, an INSET day for every school: Fri 4 Sep. The
    # school with its own INSET day on Fri 4 Sep as well: Mon 7 Sep.
    own = Closure(d("2026-09-04"), d("2026-09-04"), OWN_INSET_URN, "inset")
    context = ctx("2026-08-26", INSET, own)
    _, risk = assess(pupil(), context)
    assert risk is not None and (risk.risk_date, risk.days_until) == (d("2026-09-04"), 9)
    _, own_risk = assess(pupil(school=OWN_INSET_URN), context)
    assert own_risk is not None and own_risk.risk_date == d("2026-09-07")


def test_a_bank_holiday_in_term_is_not_the_first_day_without_transport() -> None:
    # Covered to Fri 30 Apr 2027; Mon 3 May 2027 is the Early May bank holiday: Tue 4 May.
    child = pupil(
        awards=(YEAR_2025, award("2026-09-01", "2027-04-30")),
        applications=(ApplicationFact(2025, "approved"), ApplicationFact(2026, "approved")),
    )
    _, risk = assess(child, ctx("2027-04-20"))
    assert risk is not None
    assert (risk.risk_date, risk.reasons) == (d("2027-05-04"), (Reason.AWARD_MISSING,))


# --- missing term dates: assumed days and NO_TERM_DATES ------------------------------------


def test_a_child_whose_award_ends_with_the_year_is_at_risk_on_an_assumed_day() -> None:
    # acad lacks 2026/27: its autumn is assumed from the earlier of the default's (Thu
    # 2026-09-03) and its own 2025/26 + 364 days (Wed 2025-09-03 -> Wed 2026-09-02).
    _, risk = assess(pupil(school=ACAD_URN), ctx("2026-08-26"))
    assert risk is not None
    assert risk.reasons == (Reason.NO_APPLICATION, Reason.NO_TERM_DATES)
    assert (risk.risk_date, risk.days_until, risk.severity) == (d("2026-09-02"), 7, "critical")
    assert (risk.uncovered_from, risk.uncovered_assumed, risk.uncovered_term) == (
        d("2026-09-02"),
        True,
        "autumn",
    )


def test_a_child_covered_through_the_gap_arranged_and_informed_is_not_at_risk() -> None:
    child = pupil(
        school=ACAD_URN,
        awards=(YEAR_2025, YEAR_2026),
        applications=(ApplicationFact(2025, "approved"), ApplicationFact(2026, "approved")),
    )
    assert assess(child, ctx("2026-08-26")) == (True, None)


def test_readiness_and_reachability_that_rest_on_assumed_days_say_so() -> None:
    covered = dict(
        school=ACAD_URN,
        awards=(YEAR_2025, YEAR_2026),
        applications=(ApplicationFact(2025, "approved"), ApplicationFact(2026, "approved")),
    )
    _, risk = assess(
        pupil(**covered, arrangements=(ArrangementFact(2025, True),)), ctx("2026-08-26")
    )  # type: ignore[arg-type]
    assert risk is not None
    assert risk.reasons == (Reason.NO_ARRANGEMENT, Reason.NO_TERM_DATES)
    assert risk.risk_date == d("2026-09-02")
    _, unreachable = assess(pupil(**covered, reachable=False), ctx("2026-08-26"))  # type: ignore[arg-type]
    assert unreachable is not None
    assert unreachable.reasons == (Reason.UNREACHABLE, Reason.NO_TERM_DATES)
    assert unreachable.risk_date == d("2026-09-02")


def test_a_risk_dated_by_known_days_does_not_carry_no_term_dates() -> None:
    # The default calendar lacks spring 2026/27 here: D = Tue 2026-12-01, window to Thu
    # 2027-03-31. The award ends Thu 10 Dec: R = Fri 11 Dec, a known day.
    terms = [t for t in COUNCIL_TERMS if (t.academic_year, t.name) != (2026, "spring")]
    context = RiskContext(d("2026-12-01"), 120, {"default": Calendar.of("default", terms)}, SCHOOLS)
    approved = (ApplicationFact(2025, "approved"), ApplicationFact(2026, "approved"))
    _, risk = assess(
        pupil(awards=(award("2026-09-01", "2026-12-10"),), applications=approved), context
    )
    assert risk is not None
    assert (risk.risk_date, risk.reasons) == (d("2026-12-11"), (Reason.AWARD_MISSING,))
    # Covered to the end of autumn: R is the first assumed spring day (Mon 2027-01-04).
    _, later = assess(
        pupil(awards=(award("2026-09-01", "2026-12-18"),), applications=approved), context
    )
    assert later is not None
    assert later.reasons == (Reason.AWARD_MISSING, Reason.NO_TERM_DATES)
    assert (later.risk_date, later.uncovered_term, later.uncovered_assumed) == (
        d("2027-01-04"),
        "spring",
        True,
    )


def test_gaps_count_the_children_in_scope_at_the_calendars_schools() -> None:
    context = ctx("2026-08-26")
    children = [
        pupil(school=ACAD_URN)._replace(pupil_ref="A1"),
        pupil(school=ACAD_URN)._replace(pupil_ref="A2"),
        pupil()._replace(pupil_ref="C1"),
    ]
    result = check(children, context)
    (gap,) = calendar_gaps(context, result)
    assert (gap.calendar, gap.academic_year, gap.pupils, gap.first_assumed) == (
        "acad",
        2026,
        2,
        d("2026-09-02"),
    )


# --- properties ----------------------------------------------------------------------------

ORIGIN = d("2024-09-02")  # a Monday


@st.composite
def term_calendar(draw: st.DrawFn) -> Calendar:
    """Terms for 2024/25 to 2027/28 (no gap in any window below), with closures inside them,
    some for one school only."""
    terms = []
    closures = []
    for year in range(2024, 2028):
        starts = (date(year, 9, 1), date(year + 1, 1, 3), date(year + 1, 4, 8))
        ends = (date(year, 12, 20), date(year + 1, 3, 31), date(year + 1, 7, 23))
        for name, start, end in zip(("autumn", "spring", "summer"), starts, ends, strict=True):
            first = start + timedelta(days=draw(st.integers(0, 6)))
            last = end - timedelta(days=draw(st.integers(0, 6)))
            terms.append(Term(first, last, year, name))
            for _ in range(draw(st.integers(0, 3))):
                offset = draw(st.integers(0, (last - first).days))
                length = draw(st.integers(0, 6))
                closure_first = first + timedelta(days=offset)
                closure_last = min(last, closure_first + timedelta(days=length))
                urn = draw(st.sampled_from((None, None, COUNCIL_URN, OWN_INSET_URN)))
                closures.append(Closure(closure_first, closure_last, urn))
    return Calendar.of("default", terms, closures)


def day_strategy(first: date, days: int) -> st.SearchStrategy[date]:
    return st.integers(0, days).map(lambda n: first + timedelta(days=n))


@st.composite
def traveller(draw: st.DrawFn, as_of: date) -> PupilFacts:
    awards = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(day_strategy(as_of - timedelta(days=200), 400))
        awards.append(AwardFact(start, start + timedelta(days=draw(st.integers(0, 300)))))
    years = (2025, 2026, 2027)
    applications = tuple(
        ApplicationFact(year, draw(st.sampled_from(("approved", "received", "refused"))))
        for year in years
        if draw(st.booleans())
    )
    arrangements = tuple(
        ArrangementFact(year, draw(st.booleans())) for year in years if draw(st.booleans())
    )
    school = draw(st.sampled_from((COUNCIL_URN, OWN_INSET_URN)))
    return PupilFacts(
        "P1", school, None, True, tuple(awards), applications, arrangements, draw(st.booleans())
    )


def is_school_day(calendar: Calendar, urn: str, day: date) -> bool:
    """Worked out directly from the definition, not by the code under test."""
    return (
        day.weekday() < 5
        and any(t.first_day <= day <= t.last_day for t in calendar.terms)
        and day not in bank_holidays(day.year)
        and not any(
            c.first_day <= day <= c.last_day and c.urn in (None, urn) for c in calendar.closures
        )
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data(), calendar=term_calendar(), as_of=day_strategy(d("2025-08-01"), 700))
def test_a_risk_date_is_a_school_day_and_no_earlier_school_day_is_uncovered(
    data: st.DataObject, calendar: Calendar, as_of: date
) -> None:
    child = data.draw(traveller(as_of))
    context = RiskContext(as_of, 120, {"default": calendar}, SCHOOLS)
    _, risk = assess(child, context)
    if risk is not None:
        assert Reason.NO_TERM_DATES not in risk.reasons  # every term is known here
    current = any(
        is_school_day(calendar, child.school_urn, day) and a.valid_from <= day <= a.valid_until
        for t in _recent_terms(calendar, as_of)
        for day in _days(t.first_day, t.last_day)
        for a in child.awards
    )
    if risk is None or not current or risk.reasons == (Reason.UNREACHABLE,):
        return
    assert is_school_day(calendar, child.school_urn, risk.risk_date)
    refused = {a.academic_year for a in child.applications if a.status == "refused"}
    for day in _days(as_of, risk.risk_date - timedelta(days=1)):
        if is_school_day(calendar, child.school_urn, day):
            covered = any(a.valid_from <= day <= a.valid_until for a in child.awards)
            # A refused application is a decision, not a risk: its year's days may be
            # uncovered before a later year's readiness dates the risk.
            academic_year = day.year if day.month >= 9 else day.year - 1
            assert covered or academic_year in refused, day


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _recent_terms(calendar: Calendar, as_of: date) -> list[Term]:
    """The current term and the most recent one that ended before ``as_of``."""
    current = [t for t in calendar.terms if t.first_day <= as_of <= t.last_day]
    ended = [t for t in calendar.terms if t.last_day < as_of]
    return current + ended[-1:]


@st.composite
def gapped_calendar(draw: st.DrawFn) -> Calendar:
    """The council's terms with some removed (any term of 2026/27 may be missing)."""
    kept = [t for t in COUNCIL_TERMS if t.academic_year == 2025 or draw(st.booleans())]
    closures = [HALF_TERM] if draw(st.booleans()) else []
    return Calendar.of(
        "acad", kept, [c for c in closures if any(t.contains(c.first_day) for t in kept)]
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data(), acad=gapped_calendar(), as_of=day_strategy(d("2026-06-01"), 300))
def test_no_term_dates_never_stands_alone_and_the_memo_agrees(
    data: st.DataObject, acad: Calendar, as_of: date
) -> None:
    context = RiskContext(
        as_of, 120, {"default": Calendar.of("default", COUNCIL_TERMS), "acad": acad}, SCHOOLS
    )
    children = [
        data.draw(traveller(as_of))._replace(pupil_ref=f"P{n}", school_urn=ACAD_URN)
        for n in range(4)
    ]
    result = check(children, context)
    for risk in result.at_risk:
        if Reason.NO_TERM_DATES in risk.reasons:
            assert len(risk.reasons) >= 2
    memo = RiskMemo(school_keys(context.calendars, SCHOOLS))
    assert memo.check(children, context).at_risk == result.at_risk


def test_the_memo_tells_apart_schools_with_closures_of_their_own() -> None:
    # The same facts at two schools of the default calendar, one with its own INSET day on
    # Fri 4 Sep: the memo checks each once, and gives each its own first day.
    own = Closure(d("2026-09-04"), d("2026-09-04"), OWN_INSET_URN, "inset")
    context = ctx("2026-08-26", INSET, own)
    children = [
        pupil()._replace(pupil_ref="P1"),
        pupil(school=OWN_INSET_URN)._replace(pupil_ref="P2"),
    ]
    memo = RiskMemo(school_keys(context.calendars, SCHOOLS))
    found = memo.check(children, context).at_risk
    assert found == check(children, context).at_risk
    assert [(r.pupil_ref, r.risk_date) for r in found] == [
        ("P1", d("2026-09-04")),
        ("P2", d("2026-09-07")),
    ]
