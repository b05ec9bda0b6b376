"""Which caseworker tasks the day's check calls for (transport/domain/tasks.py), pure.

The rules (docs/reminders.md and the task brief):
- fix_contact: every at-risk child who is UNREACHABLE (no usable channel);
- chase_application: APPLICATION_UNDECIDED or AWARD_MISSING within ``within_days``;
- confirm_arrangement: NO_ARRANGEMENT or FAMILY_NOT_INFORMED within ``within_days``;
- phone_family: a ladder step with caseworker_task asked for it, and it is kept while the
  family has still not applied (NO_APPLICATION); it goes when an application arrives.

Keys are (kind, pupil, academic year of R). Dates by hand: D = Thu 2026-08-06,
R = Thu 2026-09-03 (2026/27, academic year 2026): days_until 28.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from transport.domain.risk import PupilRisk, Reason
from transport.domain.tasks import (
    CHASE_APPLICATION,
    CONFIRM_ARRANGEMENT,
    FIX_CONTACT,
    PHONE_FAMILY,
    wanted_tasks,
)

D = date(2026, 8, 6)  # Thu
R = date(2026, 9, 3)  # Thu, first day of 2026/27
YEAR = 2026


def risk(
    *reasons: Reason,
    ref: str = "P1",
    days_until: int = 28,
    uncovered_from: date | None = R,
) -> PupilRisk:
    risk_date = D + timedelta(days=days_until)
    return PupilRisk(
        pupil_ref=ref,
        school_urn="100001",
        next_school_urn=None,
        risk_date=risk_date,
        days_until=days_until,
        severity="low",
        reasons=tuple(reasons),
        uncovered_from=uncovered_from,
    )


def kinds(
    risks: list[PupilRisk],
    *,
    phone: list[tuple[str, int]] | None = None,
    within_days: int = 21,
) -> set[tuple[str, str, int]]:
    steps = {key: "urgent" for key in phone or []}
    wanted = wanted_tasks(risks, phone=steps, within_days=within_days)
    return {(t.kind, t.pupil_ref, t.academic_year) for t in wanted}


# --- fix_contact --------------------------------------------------------------------------


@pytest.mark.parametrize("days_until", [0, 21, 22, 120])
def test_fix_contact_for_an_unreachable_child_at_any_distance(days_until: int) -> None:
    found = wanted_tasks(
        [risk(Reason.NO_APPLICATION, Reason.UNREACHABLE, days_until=days_until)],
        phone={},
        within_days=21,
    )
    assert [(t.kind, t.pupil_ref, t.academic_year) for t in found] == [(FIX_CONTACT, "P1", YEAR)]
    assert found[0].due_on == D + timedelta(days=days_until)
    assert found[0].reason


def test_fix_contact_for_unreachable_alone_takes_the_year_of_the_risk_date() -> None:
    # UNREACHABLE alone: no R; the risk date is the first school day in the window,
    # e.g. Tue 2026-05-26, in 2025/26 (academic year 2025).
    alone = PupilRisk("P1", "100001", None, date(2026, 5, 26), 0, "critical", (Reason.UNREACHABLE,))
    found = wanted_tasks([alone], phone={}, within_days=21)
    assert [(t.kind, t.academic_year, t.due_on) for t in found] == [
        (FIX_CONTACT, 2025, date(2026, 5, 26))
    ]


def test_no_fix_contact_for_a_reachable_child() -> None:
    assert kinds([risk(Reason.NO_APPLICATION, days_until=0)]) == set()


# --- chase_application and confirm_arrangement: within_days boundary -----------------------


@pytest.mark.parametrize("reason", [Reason.APPLICATION_UNDECIDED, Reason.AWARD_MISSING])
@pytest.mark.parametrize(
    ("days_until", "wanted"),
    [(0, True), (20, True), (21, True), (22, False), (60, False)],
)
def test_chase_application_within_days(reason: Reason, days_until: int, wanted: bool) -> None:
    expected = {(CHASE_APPLICATION, "P1", YEAR)} if wanted else set()
    assert kinds([risk(reason, days_until=days_until)], within_days=21) == expected


@pytest.mark.parametrize("reason", [Reason.NO_ARRANGEMENT, Reason.FAMILY_NOT_INFORMED])
@pytest.mark.parametrize(
    ("days_until", "wanted"),
    [(0, True), (21, True), (22, False)],
)
def test_confirm_arrangement_within_days(reason: Reason, days_until: int, wanted: bool) -> None:
    expected = {(CONFIRM_ARRANGEMENT, "P1", YEAR)} if wanted else set()
    assert kinds([risk(reason, days_until=days_until)], within_days=21) == expected


def test_within_days_is_configurable() -> None:
    # within 7: 7 days away yes, 8 no; within 0: only on the day itself.
    undecided = Reason.APPLICATION_UNDECIDED
    assert kinds([risk(undecided, days_until=7)], within_days=7) == {
        (CHASE_APPLICATION, "P1", YEAR)
    }
    assert kinds([risk(undecided, days_until=8)], within_days=7) == set()
    assert kinds([risk(undecided, days_until=0)], within_days=0) == {
        (CHASE_APPLICATION, "P1", YEAR)
    }
    assert kinds([risk(undecided, days_until=1)], within_days=0) == set()


def test_chase_and_confirm_are_not_asked_for_no_application() -> None:
    # NO_APPLICATION close to the day: the ladder handles it (and phone_family when asked).
    assert kinds([risk(Reason.NO_APPLICATION, days_until=3)]) == set()


def test_several_reasons_give_several_tasks() -> None:
    found = kinds(
        [
            risk(
                Reason.AWARD_MISSING,
                Reason.FAMILY_NOT_INFORMED,
                Reason.UNREACHABLE,
                days_until=5,
            )
        ]
    )
    assert found == {
        (FIX_CONTACT, "P1", YEAR),
        (CHASE_APPLICATION, "P1", YEAR),
        (CONFIRM_ARRANGEMENT, "P1", YEAR),
    }


# --- phone_family -------------------------------------------------------------------------


def test_phone_family_when_a_ladder_step_asks_for_it() -> None:
    found = wanted_tasks(
        [risk(Reason.NO_APPLICATION)], phone={("P1", YEAR): "urgent"}, within_days=21
    )
    assert [(t.kind, t.pupil_ref, t.academic_year, t.due_on) for t in found] == [
        (PHONE_FAMILY, "P1", YEAR, R)  # due on R: 28 days after Thu 2026-08-06
    ]
    assert "urgent" in found[0].reason


def test_no_phone_family_unless_a_step_asked_for_it() -> None:
    assert kinds([risk(Reason.NO_APPLICATION, days_until=3)]) == set()


def test_phone_family_kept_while_no_application() -> None:
    # Asked by urgent on an earlier night (a recorded step): still wanted tonight.
    assert kinds([risk(Reason.NO_APPLICATION)], phone=[("P1", YEAR)]) == {
        (PHONE_FAMILY, "P1", YEAR)
    }


@pytest.mark.parametrize(
    "reasons",
    [
        (Reason.APPLICATION_UNDECIDED,),  # an application arrived: received/assessing
        (Reason.AWARD_MISSING,),  # approved, no award yet
        (),  # refused, or covered: no longer at risk for this
    ],
)
def test_phone_family_goes_once_an_application_arrives(reasons: tuple[Reason, ...]) -> None:
    # days_until 28 > 21: no chase_application either.
    at_risk = [risk(*reasons)] if reasons else []
    assert kinds(at_risk, phone=[("P1", YEAR)]) == set()


def test_phone_family_goes_when_the_child_is_no_longer_at_risk() -> None:
    assert kinds([], phone=[("P1", YEAR)]) == set()


def test_phone_family_is_for_the_year_of_r() -> None:
    # Asked for 2025/26 (2025), but R is in 2026/27: no task.
    assert kinds([risk(Reason.NO_APPLICATION)], phone=[("P1", 2025)]) == set()
    # Asked for another pupil: no task for P1.
    assert kinds([risk(Reason.NO_APPLICATION)], phone=[("P2", YEAR)]) == set()


def test_phone_family_with_unreachable_opens_both() -> None:
    assert kinds([risk(Reason.NO_APPLICATION, Reason.UNREACHABLE)], phone=[("P1", YEAR)]) == {
        (PHONE_FAMILY, "P1", YEAR),
        (FIX_CONTACT, "P1", YEAR),
    }


def test_one_task_per_key_for_many_pupils() -> None:
    risks = [
        risk(Reason.NO_APPLICATION, ref="P1"),
        risk(Reason.NO_APPLICATION, Reason.UNREACHABLE, ref="P2"),
        risk(Reason.APPLICATION_UNDECIDED, ref="P3", days_until=10),
    ]
    found = wanted_tasks(
        risks,
        phone={("P1", YEAR): "urgent", ("P2", YEAR): "final"},
        within_days=21,
    )
    keys = [t.key for t in found]
    assert len(keys) == len(set(keys))
    assert set(keys) == {
        (PHONE_FAMILY, "P1", YEAR),
        (PHONE_FAMILY, "P2", YEAR),
        (FIX_CONTACT, "P2", YEAR),
        (CHASE_APPLICATION, "P3", YEAR),
    }
