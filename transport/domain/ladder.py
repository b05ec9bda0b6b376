"""The renewal ladder (docs/reminders.md), pure: on date D, which step is due for each
renewal-due pupil, what was skipped, and by which channel each contact is reached."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from transport.vocabulary import ELECTRONIC, StepOutcome


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
    """What the ladder knows of one contact: the channels they prefer and can use, and
    where each goes. A blocked contact (safeguarding) has nothing usable."""

    contact_id: int
    preferred_channel: str  # email | sms | both | letter
    email_usable: bool
    mobile_usable: bool
    email: str | None = None
    mobile: str | None = None
    letter_usable: bool = False  # a postal address with line 1, town and postcode
    postal: str | None = None  # the address as compared: one letter per home
    phone_usable: bool = False  # a landline the team can phone (a usable mobile gets texts)

    def usable(self, channel: str) -> bool:
        if channel == "email":
            return self.email_usable
        if channel == "sms":
            return self.mobile_usable
        return channel == "letter" and self.letter_usable

    def prefers(self, channel: str) -> bool:
        if self.preferred_channel == "both":
            return channel in ELECTRONIC
        return self.preferred_channel == channel

    def address(self, channel: str) -> str:
        """Where a message by ``channel`` goes, as compared (an email in any case is one
        address); a contact whose address is not known is its own."""
        value = None
        if channel == "email" and self.email:
            value = self.email.casefold()
        elif channel == "sms":
            value = self.mobile
        elif channel == "letter":
            value = self.postal
        return value or f"#{self.contact_id}"


@dataclass(frozen=True)
class DuePupil:
    """A renewal-due pupil: in scope, NO_APPLICATION, not covered from R."""

    pupil_ref: str
    academic_year: int  # of R
    uncovered_from: date  # R
    contacts: tuple[ContactFact, ...] = ()
    done_steps: frozenset[str] = frozenset()  # sent, skipped or phoned before
    # Recorded as unreachable: due again once the family has a usable contact.
    unreachable_steps: frozenset[str] = frozenset()
    # Recorded as cancelled (every message of it was): due again, to the current contacts.
    cancelled_steps: frozenset[str] = frozenset()


@dataclass
class RecordedSteps:
    """(pupil, year) -> the steps recorded: done (sent, skipped or phoned), unreachable,
    cancelled."""

    done: dict[tuple[str, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    unreachable: dict[tuple[str, int], set[str]] = field(default_factory=lambda: defaultdict(set))
    cancelled: dict[tuple[str, int], set[str]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class PlannedStep:
    pupil_ref: str
    academic_year: int
    uncovered_from: date
    step: LadderStep
    skipped: tuple[str, ...]
    sends: tuple[tuple[int, str], ...]  # (contact_id, channel)
    to: tuple[str, ...] = ()  # each send's address (see ContactFact.address)
    phone: bool = False  # no message can carry it, but the team can phone the family
    again: bool = False  # its earlier messages were all cancelled: it goes again

    @property
    def unreachable(self) -> bool:
        return not self.sends and not self.phone

    @property
    def outcome(self) -> str:
        if self.sends:
            return StepOutcome.SENT
        return StepOutcome.PHONE if self.phone else StepOutcome.UNREACHABLE


@dataclass(frozen=True)
class HouseholdMessage:
    """One message to one contact, by one channel, for one step, naming each child."""

    contact_id: int
    channel: str
    step: LadderStep
    academic_year: int
    pupil_refs: tuple[str, ...]
    again: bool = False  # a step sent again after its messages were all cancelled


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
    """The one order of channels (docs/reminders.md): the step's channels that the contact
    prefers and can use (a contact who prefers letters gets a letter); else the other
    electronic channel they can use (the preferred one first); else a letter when their
    address is usable; else none (the team phones)."""
    wanted = [c for c in step.channels if contact.prefers(c) and contact.usable(c)]
    if contact.prefers("letter") and contact.usable("letter"):
        wanted.append("letter")
    if wanted:
        return tuple(wanted)
    return fallback_channel(contact, (*step.channels, *ELECTRONIC), used=())


def fallback_channel(
    contact: ContactFact, order: Sequence[str], *, used: Collection[str]
) -> tuple[str, ...]:
    """The first channel in the one order that the contact can use and that is not in
    ``used`` (the channels that already carried the notice to the household): the
    preferred electronic channel, then ``order``'s electronic channels, then a letter."""
    electronic = [contact.preferred_channel] if contact.preferred_channel in ELECTRONIC else []
    electronic += [c for c in order if c in ELECTRONIC and c not in electronic]
    for channel in (*electronic, "letter"):
        if channel not in used and contact.usable(channel):
            return (channel,)
    return ()


def plan(
    pupils: Iterable[DuePupil], ladder: Sequence[LadderStep], today: date
) -> list[PlannedStep]:
    """The step due for each pupil. A step recorded as unreachable is planned again once
    the family has a usable contact (docs/reminders.md); while it has none, it is not
    planned again. A step whose messages were all cancelled is planned again, to the
    current contacts, unless a later step fell due meanwhile (then that one goes). One
    send per address and channel: two contacts sharing an address get one message. A
    household that no message can reach but the team can phone gets that call."""
    steps = ordered(ladder)
    planned = []
    for pupil in pupils:
        index = due_step(steps, pupil.uncovered_from, today)
        if index is None or steps[index].step in pupil.done_steps:
            continue
        step = steps[index]
        recorded = pupil.done_steps | pupil.unreachable_steps | pupil.cancelled_steps
        skipped = tuple(s.step for s in steps[:index] if s.step not in recorded)
        sends: dict[tuple[str, str], int] = {}
        for contact in pupil.contacts:
            for channel in channels_for(step, contact):
                sends.setdefault((contact.address(channel), channel), contact.contact_id)
        phone = not sends and any(contact.phone_usable for contact in pupil.contacts)
        if not sends and not phone and step.step in pupil.unreachable_steps:
            continue  # still unreachable: recorded already
        planned.append(
            PlannedStep(
                pupil.pupil_ref,
                pupil.academic_year,
                pupil.uncovered_from,
                step,
                skipped,
                tuple((contact_id, channel) for (_, channel), contact_id in sends.items()),
                tuple(address for address, _ in sends),
                phone=phone,
                again=step.step in pupil.cancelled_steps,
            )
        )
    return planned


@dataclass
class _Group:
    step: LadderStep
    academic_year: int
    pupils: list[str] = field(default_factory=list)
    contacts: set[int] = field(default_factory=set)
    again: bool = False


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
            group.again = group.again or item.again
    messages = [
        HouseholdMessage(
            min(group.contacts),
            channel,
            group.step,
            group.academic_year,
            tuple(sorted(set(group.pupils))),
            group.again,
        )
        for (_, channel, _, _), group in groups.items()
    ]
    return sorted(messages, key=lambda m: (m.contact_id, m.channel, m.step.step, m.academic_year))
