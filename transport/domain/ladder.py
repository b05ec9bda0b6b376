"""The renewal ladder (docs/reminders.md), pure: on date D, which step is due for each
renewal-due pupil, what was skipped, and by which channel each contact is reached."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta


@dataclass(frozen=True)
class LadderStep:
    step: str
    days_before: int
    channels: tuple[str, ...]
    caseworker_task: bool = False
    alert_team: bool = False


DEFAULT_LADDER = (
    LadderStep("invite", 100, ("email",)),
    LadderStep("reminder", 56, ("email", "sms")),
    LadderStep("urgent", 28, ("sms", "email"), caseworker_task=True),
    LadderStep("final", 10, ("sms", "email"), caseworker_task=True, alert_team=True),
)


@dataclass(frozen=True)
class ContactFact:
    contact_id: int
    preferred_channel: str  # email | sms | both
    email_usable: bool
    mobile_usable: bool
    email: str | None = None
    mobile: str | None = None

    def usable(self, channel: str) -> bool:
        return self.email_usable if channel == "email" else self.mobile_usable

    def address(self, channel: str) -> str:
        """Where a message by ``channel`` goes, as compared (an email in any case is one
        address); a contact whose address is not known is its own."""
        value = self.email.casefold() if channel == "email" and self.email else None
        if channel == "sms":
            value = self.mobile
        return value or f"#{self.contact_id}"


@dataclass(frozen=True)
class DuePupil:
    """A renewal-due pupil: in scope, NO_APPLICATION, not covered from R."""

    pupil_ref: str
    academic_year: int  # of R
    uncovered_from: date  # R
    contacts: tuple[ContactFact, ...] = ()
    done_steps: frozenset[str] = frozenset()  # sent or skipped before
    # Recorded as unreachable: due again once the family has a usable contact.
    unreachable_steps: frozenset[str] = frozenset()
    # R is an assumed day (its term's dates are missing), in this term: a message then
    # says "from the start of the autumn term", never the date.
    uncovered_assumed: bool = False
    uncovered_term: str | None = None


@dataclass(frozen=True)
class PlannedStep:
    pupil_ref: str
    academic_year: int
    uncovered_from: date
    step: LadderStep
    skipped: tuple[str, ...]
    sends: tuple[tuple[int, str], ...]  # (contact_id, channel)
    to: tuple[str, ...] = ()  # each send's address (see ContactFact.address)
    uncovered_assumed: bool = False  # R is an assumed day (see DuePupil)
    uncovered_term: str | None = None

    @property
    def unreachable(self) -> bool:
        return not self.sends


@dataclass(frozen=True)
class HouseholdMessage:
    """One message to one contact, by one channel, for one step, naming each child."""

    contact_id: int
    channel: str
    step: LadderStep
    academic_year: int
    pupil_refs: tuple[str, ...]


def due_step(ladder: Sequence[LadderStep], uncovered_from: date, today: date) -> int | None:
    """Index of the last step whose R - days_before <= D, in ladder order."""
    due = None
    for index, step in enumerate(ordered(ladder)):
        if uncovered_from - timedelta(days=step.days_before) <= today:
            due = index
    return due


def ordered(ladder: Sequence[LadderStep]) -> list[LadderStep]:
    """Earliest step first (most days before R)."""
    return sorted(ladder, key=lambda step: -step.days_before)


def channels_for(step: LadderStep, contact: ContactFact) -> tuple[str, ...]:
    """The step's channels the contact wants and can use; else the next usable channel
    (the preferred one first); else none."""
    wanted = [
        channel
        for channel in step.channels
        if contact.preferred_channel in ("both", channel) and contact.usable(channel)
    ]
    if wanted:
        return tuple(wanted)
    fallback = [contact.preferred_channel] if contact.preferred_channel != "both" else []
    fallback += [c for c in (*step.channels, "email", "sms") if c not in fallback]
    for channel in fallback:
        if contact.usable(channel):
            return (channel,)
    return ()


def plan(
    pupils: Iterable[DuePupil], ladder: Sequence[LadderStep], today: date
) -> list[PlannedStep]:
    """The step due for each pupil. A step recorded as unreachable is planned again once
    the family has a usable contact (docs/reminders.md); while it has none, it is not
    planned again. One send per address and channel: two contacts sharing an address
    get one message."""
    steps = ordered(ladder)
    planned = []
    for pupil in pupils:
        index = due_step(steps, pupil.uncovered_from, today)
        if index is None or steps[index].step in pupil.done_steps:
            continue
        recorded = pupil.done_steps | pupil.unreachable_steps
        skipped = tuple(s.step for s in steps[:index] if s.step not in recorded)
        sends: dict[tuple[str, str], int] = {}
        for contact in pupil.contacts:
            for channel in channels_for(steps[index], contact):
                sends.setdefault((contact.address(channel), channel), contact.contact_id)
        if not sends and steps[index].step in pupil.unreachable_steps:
            continue  # still unreachable: recorded already
        planned.append(
            PlannedStep(
                pupil.pupil_ref,
                pupil.academic_year,
                pupil.uncovered_from,
                steps[index],
                skipped,
                tuple((contact_id, channel) for (_, channel), contact_id in sends.items()),
                tuple(address for address, _ in sends),
                pupil.uncovered_assumed,
                pupil.uncovered_term,
            )
        )
    return planned


@dataclass
class _Group:
    step: LadderStep
    academic_year: int
    pupils: list[str] = field(default_factory=list)
    contacts: set[int] = field(default_factory=set)


def households(planned: Iterable[PlannedStep]) -> list[HouseholdMessage]:
    """One message per (address, channel, step, year), naming each due child: never two
    messages of one step to one address or number. It goes to the address's first
    contact (the lowest id)."""
    groups: dict[tuple[str, str, str, int], _Group] = {}
    for item in planned:
        addresses = item.to or tuple(f"#{contact_id}" for contact_id, _ in item.sends)
        for (contact_id, channel), address in zip(item.sends, addresses, strict=True):
            key = (address, channel, item.step.step, item.academic_year)
            group = groups.setdefault(key, _Group(item.step, item.academic_year))
            group.pupils.append(item.pupil_ref)
            group.contacts.add(contact_id)
    messages = [
        HouseholdMessage(
            min(group.contacts),
            channel,
            group.step,
            group.academic_year,
            tuple(sorted(set(group.pupils))),
        )
        for (_, channel, _, _), group in groups.items()
    ]
    return sorted(messages, key=lambda m: (m.contact_id, m.channel, m.step.step, m.academic_year))
