"""The one order of channels (reminders.md, settled 2026-12-07): the step's channels the
contact prefers and can use; else the other electronic channel they can use; else a
letter when their address is usable; else none, and the team phones."""

from __future__ import annotations

from datetime import date

import pytest

from transport.domain.ladder import (
    DEFAULT_LADDER,
    ContactFact,
    DuePupil,
    channels_for,
    fallback_channel,
    plan,
)

INVITE, REMINDER, URGENT, FINAL = DEFAULT_LADDER  # email; email+sms; sms+email; sms+email


def person(
    preferred: str = "both",
    *,
    email: bool = True,
    sms: bool = True,
    letter: bool = False,
    phone: bool = False,
) -> ContactFact:
    return ContactFact(
        1, preferred, email, sms, "a@example.com", "+447700900123", letter, "NE14XY|1 a st", phone
    )


@pytest.mark.parametrize(
    ("step", "contact", "expected"),
    [
        (REMINDER, person(), ("email", "sms")),
        (INVITE, person(), ("email",)),
        (INVITE, person("sms"), ("sms",)),  # the other electronic channel, preferred
        (URGENT, person("email"), ("email",)),
        (INVITE, person(email=False), ("sms",)),
        (INVITE, person(email=False, sms=False, letter=True), ("letter",)),
        (INVITE, person("letter", letter=True), ("letter",)),  # prefers letters: gets them
        (REMINDER, person("letter", letter=True), ("letter",)),
        (INVITE, person("letter", letter=False), ("email",)),  # no usable address
        (INVITE, person(email=False, sms=False, letter=False, phone=True), ()),
        (INVITE, person("letter", email=False, sms=False, letter=False), ()),
    ],
)
def test_the_one_order(step: object, contact: ContactFact, expected: tuple[str, ...]) -> None:
    assert channels_for(step, contact) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("contact", "used", "expected"),
    [
        (person(), ("email",), ("sms",)),
        (person(letter=True), ("email", "sms"), ("letter",)),
        (person(letter=True), ("sms", "letter"), ("email",)),
        (person(letter=False), ("email", "sms"), ()),  # the team phones
        (person("sms", letter=True), ("email",), ("sms",)),
    ],
)
def test_a_fallback_never_uses_a_channel_that_carried_the_step(
    contact: ContactFact, used: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert fallback_channel(contact, ("email", "sms"), used=used) == expected


def test_a_household_only_the_team_can_phone_is_planned_as_a_call() -> None:
    due = DuePupil("P1", 2026, date(2026, 9, 3), (person(email=False, sms=False, phone=True),))
    (item,) = plan([due], DEFAULT_LADDER, date(2026, 5, 26))
    assert (item.sends, item.phone, item.unreachable, item.outcome) == ((), True, False, "phone")


def test_a_household_with_no_way_at_all_is_unreachable() -> None:
    due = DuePupil("P1", 2026, date(2026, 9, 3), (person(email=False, sms=False),))
    (item,) = plan([due], DEFAULT_LADDER, date(2026, 5, 26))
    assert (item.phone, item.unreachable, item.outcome) == (False, True, "unreachable")


def test_a_step_whose_messages_were_all_cancelled_goes_again() -> None:
    due = DuePupil(
        "P1", 2026, date(2026, 9, 3), (person(),), cancelled_steps=frozenset({"invite"})
    )
    (item,) = plan([due], DEFAULT_LADDER, date(2026, 5, 26))
    assert (item.step.step, item.again, item.skipped) == ("invite", True, ())


def test_a_later_step_due_meanwhile_goes_instead_of_the_cancelled_one() -> None:
    due = DuePupil(
        "P1", 2026, date(2026, 9, 3), (person(),), cancelled_steps=frozenset({"invite"})
    )
    (item,) = plan([due], DEFAULT_LADDER, date(2026, 7, 9))  # R - 56: the reminder
    assert (item.step.step, item.again, item.skipped) == ("reminder", False, ())
