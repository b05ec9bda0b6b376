"""The renewal ladder (docs/reminders.md, "Who is due" and "The ladder"), pure.

Every expected value below was worked out by hand from the spec; none is computed with
the code under test. The dates all count back from one R:

    R = Thu 2026-09-03, the first day of the 2026/27 autumn term (academic year 2026)

    default ladder   days_before  from (R - days_before)
    invite           100          Tue 2026-05-26   (the day before: Mon 2026-05-25)
    reminder          56          Thu 2026-07-09   (the day before: Wed 2026-07-08)
    urgent            28          Thu 2026-08-06   (the day before: Wed 2026-08-05)
    final             10          Mon 2026-08-24   (the day before: Sun 2026-08-23)

(2026-09-03 - 100 days: 3 days back to 31 Aug, 31 more to 31 Jul, 31 to 30 Jun, 30 to
31 May, 5 to 26 May.)
"""

from __future__ import annotations

from datetime import date

import pytest

from services.app import ladder_from
from transport.config import Config
from transport.domain.ladder import (
    DEFAULT_LADDER,
    ContactFact,
    DuePupil,
    HouseholdMessage,
    LadderStep,
    PlannedStep,
    channels_for,
    due_step,
    households,
    plan,
)

R = date(2026, 9, 3)  # Thu
YEAR = 2026  # 2026/27

INVITE, REMINDER, URGENT, FINAL = DEFAULT_LADDER


def d(text: str) -> date:
    return date.fromisoformat(text)


def both_usable(contact_id: int = 1, preferred: str = "both") -> ContactFact:
    return ContactFact(contact_id, preferred, email_usable=True, mobile_usable=True)


def pupil(
    ref: str = "P1",
    *,
    r: date = R,
    contacts: tuple[ContactFact, ...] | None = None,
    done: frozenset[str] = frozenset(),
) -> DuePupil:
    # Every R in these tests is in September 2026: academic year 2026 (2026/27).
    return DuePupil(ref, YEAR, r, (both_usable(),) if contacts is None else contacts, done)


def step_name(ladder: tuple[LadderStep, ...], today: date, r: date = R) -> str | None:
    index = due_step(ladder, r, today)
    return None if index is None else ladder[index].step


# --- the default ladder is the spec's ---------------------------------------------------


SPEC_LADDER = (
    LadderStep("invite", 100, ("email",)),
    LadderStep("reminder", 56, ("email", "sms")),
    LadderStep("urgent", 28, ("sms", "email"), caseworker_task=True),
    LadderStep("final", 10, ("sms", "email"), caseworker_task=True, alert_team=True),
)


def test_default_ladder_is_the_one_in_the_spec() -> None:
    assert DEFAULT_LADDER == SPEC_LADDER


def test_the_default_config_ladder_is_the_one_in_the_spec() -> None:
    assert ladder_from(Config().reminders) == SPEC_LADDER


# --- due step: the last step whose R - days_before <= D ---------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-01-05", None),  # Mon, R - 241: far too early
        ("2026-05-25", None),  # Mon, R - 101: the day before the invite
        ("2026-05-26", "invite"),  # Tue, R - 100 exactly
        ("2026-05-27", "invite"),  # Wed, R - 99
        ("2026-07-08", "invite"),  # Wed, R - 57: the day before the reminder
        ("2026-07-09", "reminder"),  # Thu, R - 56 exactly
        ("2026-08-05", "reminder"),  # Wed, R - 29: the day before urgent
        ("2026-08-06", "urgent"),  # Thu, R - 28 exactly
        ("2026-08-23", "urgent"),  # Sun, R - 11: the day before final
        ("2026-08-24", "final"),  # Mon, R - 10 exactly
        ("2026-09-02", "final"),  # Wed, R - 1
        ("2026-09-03", "final"),  # Thu, R itself
        ("2026-09-10", "final"),  # Thu, R + 7
    ],
)
def test_due_step_boundaries(today: str, expected: str | None) -> None:
    assert step_name(DEFAULT_LADDER, d(today)) == expected


def test_due_step_on_a_ladder_with_a_step_on_r_itself() -> None:
    # days_before = 0: due from R (Thu 2026-09-03), not the day before (Wed 2026-09-02).
    # "early" (14): from Thu 2026-08-20.
    ladder = (LadderStep("early", 14, ("email",)), LadderStep("on_the_day", 0, ("sms",)))
    assert step_name(ladder, d("2026-08-19")) is None  # Wed, R - 15
    assert step_name(ladder, d("2026-08-20")) == "early"  # Thu, R - 14
    assert step_name(ladder, d("2026-09-02")) == "early"  # Wed, R - 1
    assert step_name(ladder, d("2026-09-03")) == "on_the_day"  # Thu, R


# --- plan: due step, skipped steps, done steps ------------------------------------------


def only(planned: list[PlannedStep]) -> PlannedStep:
    assert len(planned) == 1, planned
    return planned[0]


def test_first_step_on_its_first_day() -> None:
    # Tue 2026-05-26 = R - 100: the invite, nothing skipped, by email (invite: ["email"]).
    item = only(plan([pupil()], DEFAULT_LADDER, d("2026-05-26")))
    assert item.pupil_ref == "P1"
    assert item.academic_year == YEAR
    assert item.uncovered_from == R
    assert item.step == INVITE
    assert item.skipped == ()
    assert item.sends == ((1, "email"),)
    assert not item.unreachable


def test_nothing_planned_before_the_first_step() -> None:
    # Mon 2026-05-25 = R - 101.
    assert plan([pupil()], DEFAULT_LADDER, d("2026-05-25")) == []


def test_nothing_planned_for_no_pupils() -> None:
    assert plan([], DEFAULT_LADDER, d("2026-08-24")) == []


@pytest.mark.parametrize(
    ("today", "done", "step", "skipped"),
    [
        # First run ever on Thu 2026-07-16 (a week after the reminder's Thu 2026-07-09):
        # only the reminder; the invite is skipped.
        ("2026-07-16", frozenset(), "reminder", ("invite",)),
        # First run ever on Thu 2026-08-06 (R - 28): urgent; invite and reminder skipped.
        ("2026-08-06", frozenset(), "urgent", ("invite", "reminder")),
        # First run ever on Thu 2026-09-03 (R): final; the three others skipped.
        ("2026-09-03", frozenset(), "final", ("invite", "reminder", "urgent")),
        # Invite sent, then nothing until Mon 2026-08-10 (between urgent 08-06 and final
        # 08-24): straight to urgent, the reminder skipped.
        ("2026-08-10", frozenset({"invite"}), "urgent", ("reminder",)),
        # Invite and reminder done, Mon 2026-08-24: final; urgent skipped.
        ("2026-08-24", frozenset({"invite", "reminder"}), "final", ("urgent",)),
        # Everything before done (sent or skipped): nothing to skip.
        ("2026-08-24", frozenset({"invite", "reminder", "urgent"}), "final", ()),
    ],
)
def test_catch_up_sends_only_the_current_step(
    today: str, done: frozenset[str], step: str, skipped: tuple[str, ...]
) -> None:
    item = only(plan([pupil(done=done)], DEFAULT_LADDER, d(today)))
    assert item.step.step == step
    assert item.skipped == skipped


@pytest.mark.parametrize(
    ("today", "done"),
    [
        # The due step was sent (or recorded) earlier the same night or earlier.
        ("2026-05-26", frozenset({"invite"})),  # Tue, invite again
        ("2026-06-30", frozenset({"invite"})),  # Tue, still the invite's period
        ("2026-07-09", frozenset({"invite", "reminder"})),  # Thu, reminder again
        # The reminder was skipped when the job caught up to urgent on Mon 2026-08-10; on
        # Wed 2026-08-12 urgent is done and the reminder is never sent late.
        ("2026-08-12", frozenset({"invite", "reminder", "urgent"})),
        ("2026-08-12", frozenset({"reminder", "urgent"})),  # invite skipped too
        # After final, nothing: Thu 2026-09-03 (R) and Thu 2026-09-10 (R + 7).
        ("2026-09-03", frozenset({"invite", "reminder", "urgent", "final"})),
        ("2026-09-10", frozenset({"final"})),
    ],
)
def test_done_steps_are_not_repeated(today: str, done: frozenset[str]) -> None:
    assert plan([pupil(done=done)], DEFAULT_LADDER, d(today)) == []


def test_steps_follow_the_pupils_own_r() -> None:
    # P1: R Thu 2026-09-03. P2: R Mon 2026-09-07 (another calendar's first day).
    # On Thu 2026-07-09: P1 at R - 56 = reminder; P2 at R - 60 = still invite.
    # On Sat 2026-07-11: P2's R - 58, still invite. On Mon 2026-07-13: P2's R - 56.
    p1 = pupil("P1")
    p2 = pupil("P2", r=d("2026-09-07"))
    planned = plan([p1, p2], DEFAULT_LADDER, d("2026-07-09"))
    assert [(i.pupil_ref, i.step.step, i.skipped) for i in planned] == [
        ("P1", "reminder", ("invite",)),
        ("P2", "invite", ()),
    ]
    p2_done = pupil("P2", r=d("2026-09-07"), done=frozenset({"invite"}))
    assert plan([p2_done], DEFAULT_LADDER, d("2026-07-11")) == []
    assert only(plan([p2_done], DEFAULT_LADDER, d("2026-07-13"))).step.step == "reminder"


def test_unreachable_when_no_contact_has_a_usable_channel() -> None:
    dead = ContactFact(1, "both", email_usable=False, mobile_usable=False)
    item = only(plan([pupil(contacts=(dead,))], DEFAULT_LADDER, d("2026-05-26")))
    assert item.step == INVITE
    assert item.sends == ()
    assert item.unreachable


def test_unreachable_with_no_contact_at_all() -> None:
    item = only(plan([pupil(contacts=())], DEFAULT_LADDER, d("2026-08-06")))
    assert item.step == URGENT
    assert item.unreachable


def test_one_reachable_contact_is_enough() -> None:
    # Contact 1: nothing usable. Contact 2: email only. Invite (email) to contact 2.
    dead = ContactFact(1, "both", email_usable=False, mobile_usable=False)
    email_only = ContactFact(2, "both", email_usable=True, mobile_usable=False)
    item = only(plan([pupil(contacts=(dead, email_only))], DEFAULT_LADDER, d("2026-05-26")))
    assert item.sends == ((2, "email"),)
    assert not item.unreachable


def test_each_contact_of_a_pupil_is_reached() -> None:
    # Thu 2026-07-09, reminder (email, sms): contact 1 prefers email, contact 2 sms.
    contacts = (both_usable(1, "email"), both_usable(2, "sms"))
    item = only(plan([pupil(contacts=contacts)], DEFAULT_LADDER, d("2026-07-09")))
    assert sorted(item.sends) == [(1, "email"), (2, "sms")]


# --- channels: preference x usability x step ---------------------------------------------

E, M = "email", "sms"
USABILITY = {
    "both usable": (True, True),
    "email only": (True, False),
    "mobile only": (False, True),
    "nothing usable": (False, False),
}
# Worked out from the spec: the step's channels the contact prefers ("both": all of them)
# and can use; if none fits, the next usable channel (the preferred one first); else none.
CHANNELS: dict[tuple[str, str, str], tuple[str, ...]] = {
    # invite: ["email"]
    ("invite", "email", "both usable"): (E,),
    ("invite", "email", "email only"): (E,),
    ("invite", "email", "mobile only"): (M,),  # email unusable: next usable is sms
    ("invite", "email", "nothing usable"): (),
    ("invite", "sms", "both usable"): (M,),  # email is not wanted: the preferred sms
    ("invite", "sms", "email only"): (E,),  # sms unusable: next usable is email
    ("invite", "sms", "mobile only"): (M,),
    ("invite", "sms", "nothing usable"): (),
    ("invite", "both", "both usable"): (E,),
    ("invite", "both", "email only"): (E,),
    ("invite", "both", "mobile only"): (M,),  # the step's only channel unusable
    ("invite", "both", "nothing usable"): (),
    # reminder: ["email", "sms"]
    ("reminder", "email", "both usable"): (E,),
    ("reminder", "email", "email only"): (E,),
    ("reminder", "email", "mobile only"): (M,),
    ("reminder", "email", "nothing usable"): (),
    ("reminder", "sms", "both usable"): (M,),
    ("reminder", "sms", "email only"): (E,),
    ("reminder", "sms", "mobile only"): (M,),
    ("reminder", "sms", "nothing usable"): (),
    ("reminder", "both", "both usable"): (E, M),
    ("reminder", "both", "email only"): (E,),
    ("reminder", "both", "mobile only"): (M,),
    ("reminder", "both", "nothing usable"): (),
    # urgent: ["sms", "email"]
    ("urgent", "email", "both usable"): (E,),
    ("urgent", "email", "email only"): (E,),
    ("urgent", "email", "mobile only"): (M,),
    ("urgent", "email", "nothing usable"): (),
    ("urgent", "sms", "both usable"): (M,),
    ("urgent", "sms", "email only"): (E,),  # e.g. opted out of SMS: email instead
    ("urgent", "sms", "mobile only"): (M,),
    ("urgent", "sms", "nothing usable"): (),
    ("urgent", "both", "both usable"): (M, E),
    ("urgent", "both", "email only"): (E,),
    ("urgent", "both", "mobile only"): (M,),
    ("urgent", "both", "nothing usable"): (),
    # final: ["sms", "email"]
    ("final", "email", "both usable"): (E,),
    ("final", "email", "email only"): (E,),
    ("final", "email", "mobile only"): (M,),
    ("final", "email", "nothing usable"): (),
    ("final", "sms", "both usable"): (M,),
    ("final", "sms", "email only"): (E,),
    ("final", "sms", "mobile only"): (M,),
    ("final", "sms", "nothing usable"): (),
    ("final", "both", "both usable"): (M, E),
    ("final", "both", "email only"): (E,),
    ("final", "both", "mobile only"): (M,),
    ("final", "both", "nothing usable"): (),
}


def test_the_channel_table_covers_every_combination() -> None:
    assert len(CHANNELS) == len(DEFAULT_LADDER) * 3 * len(USABILITY)


@pytest.mark.parametrize(("step", "preferred", "usability"), sorted(CHANNELS))
def test_channels_for(step: str, preferred: str, usability: str) -> None:
    ladder_step = {s.step: s for s in DEFAULT_LADDER}[step]
    email_ok, mobile_ok = USABILITY[usability]
    contact = ContactFact(7, preferred, email_usable=email_ok, mobile_usable=mobile_ok)
    assert channels_for(ladder_step, contact) == CHANNELS[(step, preferred, usability)]


@pytest.mark.parametrize(
    ("channels", "preferred", "email_ok", "mobile_ok", "expected"),
    [
        # A custom sms-only step: someone preferring email gets email (next usable).
        (("sms",), "email", True, True, ("email",)),
        (("sms",), "both", True, True, ("sms",)),
        (("sms",), "both", True, False, ("email",)),  # mobile unusable: email
        (("sms",), "sms", False, False, ()),
        # A custom step on both channels, listed sms first, for "both": both, in order.
        (("sms", "email"), "both", True, True, ("sms", "email")),
    ],
)
def test_channels_for_a_custom_step(
    channels: tuple[str, ...],
    preferred: str,
    email_ok: bool,
    mobile_ok: bool,
    expected: tuple[str, ...],
) -> None:
    step = LadderStep("nudge", 40, channels)
    contact = ContactFact(3, preferred, email_usable=email_ok, mobile_usable=mobile_ok)
    assert channels_for(step, contact) == expected


def test_opted_out_mobile_is_not_used_at_the_urgent_step() -> None:
    # Prefers sms, has opted out (mobile unusable), email fine: urgent goes by email.
    contact = ContactFact(1, "sms", email_usable=True, mobile_usable=False)
    item = only(plan([pupil(contacts=(contact,))], DEFAULT_LADDER, d("2026-08-06")))
    assert item.sends == ((1, "email"),)


# --- one message per household ----------------------------------------------------------


def test_siblings_sharing_a_contact_get_one_message_naming_both() -> None:
    # Tue 2026-05-26: both at R - 100, invite by email, one shared contact (id 5).
    shared = both_usable(5)
    planned = plan(
        [pupil("P2", contacts=(shared,)), pupil("P1", contacts=(shared,))],
        DEFAULT_LADDER,
        d("2026-05-26"),
    )
    assert households(planned) == [HouseholdMessage(5, "email", INVITE, YEAR, ("P1", "P2"))]


def test_siblings_at_a_two_channel_step_get_one_message_per_channel() -> None:
    # Thu 2026-07-09: reminder (email, sms), contact prefers both: two messages, each
    # naming both children.
    shared = both_usable(5)
    planned = plan(
        [pupil("P1", contacts=(shared,)), pupil("P2", contacts=(shared,))],
        DEFAULT_LADDER,
        d("2026-07-09"),
    )
    assert sorted(households(planned), key=lambda m: m.channel) == [
        HouseholdMessage(5, "email", REMINDER, YEAR, ("P1", "P2")),
        HouseholdMessage(5, "sms", REMINDER, YEAR, ("P1", "P2")),
    ]


def test_one_pupil_with_two_contacts_gets_two_messages() -> None:
    # Tue 2026-05-26: invite (email) to each of the two contacts, each naming P1.
    planned = plan(
        [pupil("P1", contacts=(both_usable(1), both_usable(2)))], DEFAULT_LADDER, d("2026-05-26")
    )
    assert sorted(households(planned), key=lambda m: m.contact_id) == [
        HouseholdMessage(1, "email", INVITE, YEAR, ("P1",)),
        HouseholdMessage(2, "email", INVITE, YEAR, ("P1",)),
    ]


def test_siblings_at_different_steps_get_separate_messages() -> None:
    # Thu 2026-07-09: P1 (R Thu 2026-09-03) is at R - 56 = reminder; P2 (R Mon
    # 2026-09-07) is at R - 60 = invite. Contact 5 prefers email: one message each.
    shared = both_usable(5, "email")
    p1 = pupil("P1", contacts=(shared,), done=frozenset({"invite"}))
    p2 = pupil("P2", r=d("2026-09-07"), contacts=(shared,))
    messages = households(plan([p1, p2], DEFAULT_LADDER, d("2026-07-09")))
    assert sorted(messages, key=lambda m: m.step.days_before) == [
        HouseholdMessage(5, "email", REMINDER, YEAR, ("P1",)),
        HouseholdMessage(5, "email", INVITE, YEAR, ("P2",)),
    ]


def test_two_households_stay_apart() -> None:
    # Tue 2026-05-26: P1 with contact 1, P2 with contact 2: two invites.
    planned = plan(
        [pupil("P1", contacts=(both_usable(1),)), pupil("P2", contacts=(both_usable(2),))],
        DEFAULT_LADDER,
        d("2026-05-26"),
    )
    assert sorted(households(planned), key=lambda m: m.contact_id) == [
        HouseholdMessage(1, "email", INVITE, YEAR, ("P1",)),
        HouseholdMessage(2, "email", INVITE, YEAR, ("P2",)),
    ]


def test_siblings_at_urgent_get_one_sms_and_one_email() -> None:
    # Thu 2026-08-06, urgent (sms, email), shared contact 5 preferring both: one sms and
    # one email, each naming both children.
    shared = both_usable(5)
    planned = plan(
        [pupil("P1", contacts=(shared,)), pupil("P2", contacts=(shared,))],
        DEFAULT_LADDER,
        d("2026-08-06"),
    )
    messages = households(planned)
    assert len(messages) == 2
    assert {m.channel for m in messages} == {"sms", "email"}
    assert all(m.pupil_refs == ("P1", "P2") and m.step == URGENT for m in messages)


def test_unreachable_pupils_get_no_household_message() -> None:
    dead = ContactFact(1, "both", email_usable=False, mobile_usable=False)
    planned = plan([pupil(contacts=(dead,))], DEFAULT_LADDER, d("2026-05-26"))
    assert households(planned) == []


# --- custom ladders -----------------------------------------------------------------------

EARLY = LadderStep("early", 30, ("email",))
LATE = LadderStep("late", 5, ("sms",), caseworker_task=True)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-08-03", None),  # Mon, R - 31
        ("2026-08-04", "early"),  # Tue, R - 30
        ("2026-08-28", "early"),  # Fri, R - 6
        ("2026-08-29", "late"),  # Sat, R - 5
        ("2026-09-03", "late"),  # Thu, R
    ],
)
def test_custom_two_step_ladder(today: str, expected: str | None) -> None:
    ladder = (EARLY, LATE)
    assert step_name(ladder, d(today)) == expected
    planned = plan([pupil()], ladder, d(today))
    assert [item.step.step for item in planned] == ([] if expected is None else [expected])


def test_custom_ladder_catch_up_skips_its_own_steps() -> None:
    # First run on Sat 2026-08-29 (R - 5): "late" by sms, "early" skipped.
    item = only(plan([pupil()], (EARLY, LATE), d("2026-08-29")))
    assert item.step == LATE
    assert item.skipped == ("early",)
    assert item.sends == ((1, "sms"),)


def test_custom_ladder_listed_out_of_order_still_counts_back_from_r() -> None:
    # The same two steps configured latest first. "The last step whose R - days_before
    # <= D" is the latest one in time: on Tue 2026-08-04 (R - 30) "early", on Sat
    # 2026-08-29 (R - 5) "late", skipping "early".
    ladder = (LATE, EARLY)
    assert only(plan([pupil()], ladder, d("2026-08-04"))).step == EARLY
    item = only(plan([pupil()], ladder, d("2026-08-29")))
    assert item.step == LATE
    assert item.skipped == ("early",)
    assert plan([pupil()], ladder, d("2026-08-03")) == []  # Mon, R - 31


def test_single_step_ladder() -> None:
    # One step 100 days out: due from Tue 2026-05-26, and only once.
    ladder = (LadderStep("only", 100, ("email", "sms")),)
    assert plan([pupil()], ladder, d("2026-05-25")) == []
    assert only(plan([pupil()], ladder, d("2026-05-26"))).sends == ((1, "email"), (1, "sms"))
    assert plan([pupil(done=frozenset({"only"}))], ladder, d("2026-09-01")) == []


# --- unreachable, then reachable (docs/reminders.md, "When sending cannot work") --------


def test_a_step_recorded_unreachable_is_planned_again_once_the_family_is_reachable() -> None:
    was_unreachable = DuePupil("P1", YEAR, R, (both_usable(),), frozenset(), frozenset({"invite"}))

    item = only(plan([was_unreachable], DEFAULT_LADDER, d("2026-06-01")))

    assert item.step.step == "invite"
    assert item.sends == ((1, "email"),)
    assert item.skipped == ()


def test_a_family_still_unreachable_is_not_planned_again() -> None:
    dead = ContactFact(1, "both", email_usable=False, mobile_usable=False)
    still = DuePupil("P1", YEAR, R, (dead,), frozenset(), frozenset({"invite"}))

    assert plan([still], DEFAULT_LADDER, d("2026-06-01")) == []


def test_an_unreachable_earlier_step_is_not_skipped_over_again() -> None:
    """Reachable by the reminder: the reminder goes; the invite is not re-recorded."""
    reached = DuePupil("P1", YEAR, R, (both_usable(),), frozenset(), frozenset({"invite"}))

    item = only(plan([reached], DEFAULT_LADDER, d("2026-07-09")))

    assert (item.step.step, item.skipped) == ("reminder", ())


def test_two_contacts_sharing_an_address_get_one_send_and_one_message() -> None:
    a = ContactFact(1, "email", True, False, email="Family@Example.com")
    b = ContactFact(2, "email", True, False, email="family@example.com")
    sibling = DuePupil("P2", YEAR, R, (b,))

    planned = plan([pupil(contacts=(a, b)), sibling], DEFAULT_LADDER, d("2026-05-26"))

    assert [item.sends for item in planned] == [((1, "email"),), ((2, "email"),)]
    assert [(m.contact_id, m.pupil_refs) for m in households(planned)] == [(1, ("P1", "P2"))]


# --- a pupil passed over does not stop the plan (issue 16: `continue` -> `break`) -------


def test_a_pupil_not_yet_due_does_not_stop_the_pupils_after_them() -> None:
    # P1's R is Mon 2026-12-07 (spring-term start elsewhere): its invite is from
    # 2026-08-29 (R - 100), so on Tue 2026-05-26 P1 is not due. P2 (R Thu 2026-09-03)
    # is on its first day of the invite.
    later = pupil("P1", r=d("2026-12-07"))
    due = pupil("P2")

    planned = plan([later, due], DEFAULT_LADDER, d("2026-05-26"))

    assert [(item.pupil_ref, item.step.step) for item in planned] == [("P2", "invite")]


def test_a_pupil_whose_step_is_done_does_not_stop_the_pupils_after_them() -> None:
    done = pupil("P1", done=frozenset({"invite"}))
    due = pupil("P2")

    planned = plan([done, due], DEFAULT_LADDER, d("2026-06-01"))

    assert [(item.pupil_ref, item.step.step) for item in planned] == [("P2", "invite")]


def test_a_family_still_unreachable_does_not_stop_the_pupils_after_them() -> None:
    dead = ContactFact(1, "both", email_usable=False, mobile_usable=False)
    still = DuePupil("P1", YEAR, R, (dead,), frozenset(), frozenset({"invite"}))
    due = pupil("P2")

    planned = plan([still, due], DEFAULT_LADDER, d("2026-06-01"))

    assert [(item.pupil_ref, item.step.step, item.sends) for item in planned] == [
        ("P2", "invite", ((1, "email"),))
    ]


def test_two_contacts_sharing_a_mobile_number_get_one_sms() -> None:
    # The urgent step (Thu 2026-08-06) goes by SMS first. Both contacts want SMS only and
    # give the same number: one send, to that number. The third contact's own number is
    # another send.
    a = ContactFact(1, "sms", False, True, mobile="+447700900001")
    b = ContactFact(2, "sms", False, True, mobile="+447700900001")
    c = ContactFact(3, "sms", False, True, mobile="+447700900003")

    item = only(plan([pupil(contacts=(a, b, c))], DEFAULT_LADDER, d("2026-08-06")))

    assert item.sends == ((1, "sms"), (3, "sms"))
    assert item.to == ("+447700900001", "+447700900003")


def test_an_sms_goes_to_the_number_not_the_email_address() -> None:
    contact = ContactFact(1, "both", True, True, email="a@example.com", mobile="+447700900001")
    assert contact.address("sms") == "+447700900001"
    assert contact.address("email") == "a@example.com"
    assert ContactFact(2, "sms", False, True).address("sms") == "#2"


def test_households_refuses_a_planned_step_whose_addresses_do_not_match_its_sends() -> None:
    # Two sends but one address: pairing them up would silently drop a message.
    broken = PlannedStep(
        "P1", YEAR, R, INVITE, (), ((1, "email"), (2, "email")), ("a@example.com",)
    )
    with pytest.raises(ValueError):
        households([broken])
