"""The simulator's council, worked by hand on late August and early September 2026
(Saturday 29 and Sunday 30 August, Monday 31 August the summer bank holiday; the council's
calendar starts on Thursday 3 September, an academy trust's on Tuesday 1 September)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from jobs.simulate import Simulation
from transport.domain.calendar import Calendar, Term
from transport.domain.council import (
    Council,
    OpenApplication,
    TeamChange,
    TeamRates,
    parse_team,
)
from transport.domain.risk import (
    ApplicationFact,
    ArrangementFact,
    AwardFact,
    PupilFacts,
    RiskContext,
    Span,
    check,
    never_at_risk,
)
from transport.vocabulary import Reason

CALENDARS = {
    "default": Calendar.of(
        "default",
        [
            Term(date(2026, 4, 13), date(2026, 7, 22), 2025, "summer"),
            Term(date(2026, 9, 3), date(2026, 12, 18), 2026, "autumn"),
        ],
    ),
    "trust": Calendar.of(
        "trust",
        [
            Term(date(2026, 4, 13), date(2026, 7, 17), 2025, "summer"),
            Term(date(2026, 9, 1), date(2026, 12, 18), 2026, "autumn"),
        ],
    ),
}
SCHOOLS = {"S1": "default", "S2": "trust", "S3": "default"}
UNDECIDED = (ApplicationFact(2026, "received"),)


def ctx(day: date) -> RiskContext:
    return RiskContext(day, 120, CALENDARS, SCHOOLS)


def test_team_settings_are_read_in_words() -> None:
    assert parse_team(["decide=20,arrange=15", "inform=30"]) == [
        TeamChange("decide", 20.0, False),
        TeamChange("arrange", 15.0, False),
        TeamChange("inform", 30.0, False),
    ]
    assert parse_team(["decide=+10"]) == [TeamChange("decide", 10.0, True)]
    assert parse_team(["decide=-2.5"]) == [TeamChange("decide", -2.5, True)]
    for bad, words in [
        ("decide=abc", "expected a number of items a working day for decide, got 'abc'"),
        ("decide", "expected STAGE=N or STAGE=+N, got 'decide'"),
        ("chase=5", "'chase' is not a stage the team works in the simulation"),
        ("decide=nan", "expected a finite number"),
    ]:
        with pytest.raises(ValueError, match=re.escape(words)):
            parse_team([bad])


def test_the_pace_measured_then_changed_from_a_day() -> None:
    rates = TeamRates(
        {"decide": 5.2, "award": None, "arrange": 2.0},
        (TeamChange("decide", 10, True), TeamChange("award", 3, False),
         TeamChange("arrange", -5, True)),
        date(2026, 8, 3),
    )  # fmt: skip
    before, after = date(2026, 7, 31), date(2026, 8, 3)
    assert rates.rate("decide", before) == 5.2 and rates.rate("decide", after) == 15.2
    assert rates.rate("award", before) == 0.0 and rates.rate("award", after) == 3.0
    assert rates.rate("arrange", after) == 0.0  # never below 0
    assert rates.rate("inform", after) == 0.0  # not measured, not given


def test_a_part_item_is_carried_over_weekends_and_the_bank_holiday() -> None:
    council = Council(TeamRates({"decide": 2.5}), {})
    days = [date(2026, 8, 28) + timedelta(days=n) for n in range(6)]  # Fri 28 Aug - Wed 2 Sep
    # Fri: 2.5 -> 2 (0.5 carried); Sat, Sun, bank holiday Mon: none; Tue: 3.0 -> 3; Wed: 2.
    assert [council.capacity("decide", day) for day in days] == [2, 0, 0, 0, 3, 2]


def test_the_team_works_the_earliest_risk_date_first_by_hand() -> None:
    """decide, arrange and inform at 1 a working day. P3 (the trust, from Tue 1 Sep) is
    decided before P1 and P2 (from Thu 3 Sep); P1's application the engine would refuse;
    P2's has no recommendation (approved, for the school year)."""
    facts = {
        "P1": PupilFacts("P1", "S1", applications=UNDECIDED),
        "P2": PupilFacts("P2", "S1", applications=UNDECIDED),
        "P3": PupilFacts("P3", "S2", applications=UNDECIDED),
    }
    council = Council(
        TeamRates({"decide": 1.0, "arrange": 1.0, "inform": 1.0}),
        {
            "P1": [OpenApplication("APP1", "P1", 2026, "received", eligible=False)],
            "P2": [OpenApplication("APP2", "P2", 2026, "received")],
            "P3": [
                OpenApplication(
                    "APP3", "P3", 2026, "received", "S2", True, date(2026, 9, 1), date(2027, 7, 23)
                )
            ],
        },
    )

    def day(on: date) -> dict[str, int]:
        context = ctx(on)
        return council.work(on, check(facts.values(), context), facts, context)

    # Thu 27 Aug: three to decide; P3 first (earliest risk date), approved with its award.
    assert day(date(2026, 8, 27))["decide"] == 2
    assert facts["P3"].applications == (ApplicationFact(2026, "approved"),)
    assert facts["P3"].awards == (AwardFact(date(2026, 9, 1), date(2027, 7, 23), "S2"),)
    # Fri 28 Aug: P1 (before P2 by reference, same day) refused; P3 now needs arranging.
    left = day(date(2026, 8, 28))
    assert (left["decide"], left["arrange"]) == (1, 0)
    assert facts["P1"].applications == (ApplicationFact(2026, "refused"),)
    assert facts["P1"].awards == ()
    assert facts["P3"].arrangements == (ArrangementFact(2026, False),)
    # Sat, Sun and the bank holiday: no work; P2 waits to be decided, P3's family to be told.
    for on in (date(2026, 8, 29), date(2026, 8, 30), date(2026, 8, 31)):
        left = day(on)
        assert (left["decide"], left["arrange"], left["inform"]) == (1, 0, 1)
    # Tue 1 Sep: P2 approved for the school year (no recommendation); P3's family told.
    left = day(date(2026, 9, 1))
    assert (left["decide"], left["inform"]) == (0, 0)
    assert facts["P2"].awards == (AwardFact(date(2026, 9, 1), date(2027, 8, 31), None),)
    assert facts["P3"].arrangements == (ArrangementFact(2026, True),)
    # Wed 2 Sep: P2 arranged; Thu 3 Sep: P2's family told. Then nobody is at risk.
    day(date(2026, 9, 2))
    day(date(2026, 9, 3))
    assert facts["P2"].arrangements == (ArrangementFact(2026, True),)
    assert check(facts.values(), ctx(date(2026, 9, 3))).at_risk == ()
    assert dict(council.worked) == {"decide": 3, "award": 0, "arrange": 2, "inform": 2}
    assert dict(council.decisions) == {"approved": 2, "refused": 1}


def test_a_team_that_does_nothing_leaves_the_queue_as_it_was() -> None:
    facts = {"P1": PupilFacts("P1", "S1", applications=UNDECIDED)}
    council = Council(TeamRates({}), {})
    on = date(2026, 8, 27)
    left = council.work(on, check(facts.values(), ctx(on)), facts, ctx(on))
    assert left["decide"] == 1 and facts["P1"].applications == UNDECIDED


def test_an_approved_application_without_its_award_is_awarded() -> None:
    facts = {"P1": PupilFacts("P1", "S1", applications=(ApplicationFact(2026, "approved"),))}
    council = Council(TeamRates({"award": 1.0}), {
        "P1": [OpenApplication("APP1", "P1", 2026, "approved", "S3")]})  # fmt: skip
    on = date(2026, 8, 27)
    assert Reason.AWARD_MISSING in check(facts.values(), ctx(on)).at_risk[0].reasons
    council.work(on, check(facts.values(), ctx(on)), facts, ctx(on))
    assert facts["P1"].awards == (AwardFact(date(2026, 9, 1), date(2027, 8, 31), "S3"),)


def test_who_can_never_be_at_risk_in_a_span() -> None:
    span = Span(date(2026, 5, 1), date(2027, 1, 5), CALENDARS, SCHOOLS)
    year_round = (AwardFact(date(2025, 9, 1), date(2027, 8, 31)),)
    told = (ArrangementFact(2025, True), ArrangementFact(2026, True))
    settled = PupilFacts("P1", "S1", awards=year_round, arrangements=told)
    assert never_at_risk(settled, span)
    assert not never_at_risk(settled._replace(reachable=False), span)
    assert not never_at_risk(settled._replace(arrangements=told[:1]), span)  # 2026/27 not told
    ends_in_july = (AwardFact(date(2025, 9, 1), date(2026, 7, 31)),)
    assert not never_at_risk(settled._replace(awards=ends_in_july), span)
    # Moving to S2 in September: the award is for S1 only.
    assert not never_at_risk(settled._replace(next_school_urn="S2"), span)
    both = (*year_round, AwardFact(date(2026, 9, 1), date(2027, 8, 31), "S2"))
    assert never_at_risk(settled._replace(next_school_urn="S2", awards=both), span)
    assert never_at_risk(PupilFacts("P9", "S1", active=False), span)


def test_a_stage_clears_from_the_day_after_its_last_waiting_day() -> None:
    start = date(2026, 8, 27)
    sim = Simulation(start, start + timedelta(days=3), 0.0)
    sim.waiting.update({"decide": [2, 1, 0, 0], "arrange": [0, 0, 0, 0], "inform": [0, 1, 0, 3]})
    assert sim.clears_on("decide") == date(2026, 8, 29)
    assert sim.clears_on("arrange") == start  # nothing ever waited
    assert sim.clears_on("inform") is None  # still waiting at the end
