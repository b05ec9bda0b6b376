"""RiskMemo: the risk check once per shape of facts a day gives what `risk.check` gives
for every pupil. Calendars, schools and builders are those of test_risk.py."""

from __future__ import annotations

from datetime import date, timedelta

from tests.unit.test_risk import (
    ACADEMY_URN,
    PRIMARY,
    SCHOOL_CALENDAR,
    SECONDARY,
    WHOLE_2025,
    WHOLE_2026,
    app,
    arr,
    award,
    ctx,
    d,
    facts,
)
from transport.domain.risk import PupilFacts, check
from transport.domain.risk_memo import RiskMemo, shape_of
from transport.vocabulary import Reason, Severity


def test_pupils_of_one_shape_at_two_schools_of_one_calendar_each_get_their_risk() -> None:
    # Covered for 2025/26 only, no application for 2026/27. On Thu 20 Aug 2026 the first
    # school day not covered is the first of the autumn term: Thu 3 Sep (council, 14 days,
    # high) and Mon 7 Sep (academy, 18 days, high).
    lapsed = {"awards": (WHOLE_2025,), "applications": (app(2025),)}
    first = facts(ref="P001", school=PRIMARY, **lapsed)  # type: ignore[arg-type]
    second = facts(ref="P002", school=SECONDARY, **lapsed)  # type: ignore[arg-type]
    academy = facts(ref="P000", school=ACADEMY_URN, **lapsed)  # type: ignore[arg-type]
    assert shape_of(first, SCHOOL_CALENDAR) == shape_of(second, SCHOOL_CALENDAR)
    assert shape_of(first, SCHOOL_CALENDAR) != shape_of(academy, SCHOOL_CALENDAR)
    result = RiskMemo(dict(SCHOOL_CALENDAR)).check([second, academy, first], ctx("2026-08-20"))
    assert result.in_scope == 3
    assert [(r.pupil_ref, r.school_urn, r.risk_date, r.days_until) for r in result.at_risk] == [
        ("P001", PRIMARY, d("2026-09-03"), 14),
        ("P002", SECONDARY, d("2026-09-03"), 14),
        ("P000", ACADEMY_URN, d("2026-09-07"), 18),
    ]
    assert {r.severity for r in result.at_risk} == {Severity.HIGH}
    assert {r.reasons for r in result.at_risk} == {(Reason.NO_APPLICATION,)}


NEXT_2026 = award("2026-09-01", "2027-08-31", SECONDARY)  # for the next school
OTHER_2026 = award("2026-09-01", "2027-08-31", "999999")  # for a school not the pupil's


def county() -> list[PupilFacts]:
    """Pupils of many shapes: next schools (same calendar, another, the same school),
    awards for the next school and for another school, awards ending mid-term, readiness
    gaps, unreachable, left; several of each shape at different schools."""
    pupils = []
    kinds: list[dict[str, object]] = [
        {},
        {"awards": (WHOLE_2025,), "applications": (app(2025),)},
        {"awards": (WHOLE_2025,), "applications": (app(2025), app(2026, "received"))},
        {"awards": (award("2025-09-01", "2026-06-10"),)},
        {"awards": (award("2026-06-01", "2026-10-21"),), "applications": (app(2026),)},
        {"next_school": ACADEMY_URN, "awards": (WHOLE_2025,)},
        {"next_school": SECONDARY, "awards": (WHOLE_2025, NEXT_2026)},
        {"next_school": SECONDARY, "awards": (WHOLE_2025, OTHER_2026)},
        {"next_school": "same", "awards": (WHOLE_2025, WHOLE_2026)},
        {"awards": (WHOLE_2025, OTHER_2026)},
        {"arrangements": (arr(2025), arr(2026, informed=False))},
        {"arrangements": (arr(2025),)},
        {"reachable": False},
        {"active": False},
        {"awards": (), "applications": (app(2026, "received"),)},
        {"awards": (award("2026-09-10", "2026-09-01"),), "applications": (app(2026, "refused"),)},
    ]  # fmt: skip
    for number, kind in enumerate(kinds * 3):
        school = (PRIMARY, SECONDARY, ACADEMY_URN)[number % 3]
        given = dict(kind)
        if given.get("next_school") == "same":
            given["next_school"] = school
        pupils.append(facts(ref=f"P{97 - number:03}", school=school, **given))  # type: ignore[arg-type]
    return pupils


def test_the_same_result_as_the_full_check_every_day_as_facts_change() -> None:
    pupils = {pupil.pupil_ref: pupil for pupil in county()}
    memo = RiskMemo(dict(SCHOOL_CALENDAR))
    day, checked = date(2026, 5, 1), 0
    while day <= date(2026, 10, 31):
        context = ctx(day)
        assert memo.check(pupils.values(), context) == check(pupils.values(), ctx(day))
        # The eve of a term and the same day again share the context's results.
        assert memo.check(pupils.values(), context) == check(pupils.values(), ctx(day))
        checked += 1
        if day == date(2026, 7, 1):  # a family applies; the council awards another
            p = pupils["P096"]
            pupils["P096"] = p._replace(applications=(*p.applications, app(2026, "received")))
            p = pupils["P082"]
            pupils["P082"] = p._replace(awards=(*p.awards, WHOLE_2026))
        if day == date(2026, 8, 1):  # one pupil leaves the list, one joins
            del pupils["P097"]
            pupils["P200"] = facts(ref="P200", awards=(WHOLE_2025,))
        day += timedelta(days=1)
    assert checked == 184
