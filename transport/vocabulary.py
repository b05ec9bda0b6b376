"""The words of the record, in one place: severities, reasons, statuses, bases, year
groups and the distance range. Each is a ``StrEnum`` (its members are the strings stored
in the database and printed in JSON), so a typo is a name error, not a silent mismatch.

Pure: imported by the core, the shell and the command line alike.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """How soon a child is without transport. Most severe first: the sort order too."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


SEVERITY_ORDER: tuple[str, ...] = tuple(Severity)


class Reason(StrEnum):
    """Why a child is at risk (the check's reason codes, in the order they are listed)."""

    NO_APPLICATION = "NO_APPLICATION"
    APPLICATION_UNDECIDED = "APPLICATION_UNDECIDED"
    AWARD_MISSING = "AWARD_MISSING"
    NO_ARRANGEMENT = "NO_ARRANGEMENT"
    FAMILY_NOT_INFORMED = "FAMILY_NOT_INFORMED"
    UNREACHABLE = "UNREACHABLE"
    # The reasons or the risk date rest on assumed days: the calendar lacks the term's
    # dates (never alone: beside the child's real reasons).
    NO_TERM_DATES = "NO_TERM_DATES"


REASON_HELP: dict[str, str] = {
    Reason.NO_APPLICATION: "no application for that year",
    Reason.APPLICATION_UNDECIDED: "application not yet decided",
    Reason.AWARD_MISSING: "approved, but no award covers the day",
    Reason.NO_ARRANGEMENT: "no travel arrangement for the year",
    Reason.FAMILY_NOT_INFORMED: "family not told the route and times",
    Reason.UNREACHABLE: "no usable email, mobile, landline or postal address",
    Reason.NO_TERM_DATES: "term dates missing: dated by assumed days",
}


class ApplicationStatus(StrEnum):
    RECEIVED = "received"
    ASSESSING = "assessing"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


UNDECIDED: frozenset[str] = frozenset({ApplicationStatus.RECEIVED, ApplicationStatus.ASSESSING})


class OutboxStatus(StrEnum):
    """A message's life in the outbox. Status only moves forward (see notifications.outbox)."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED_TEMPORARY = "failed_temporary"
    FAILED_PERMANENT = "failed_permanent"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"  # never sent: its contact was blocked or detached


class Channel(StrEnum):
    """How a message goes. The team's phone call is not a channel of the outbox: it is a
    task (phone_family) carrying the household's numbers."""

    EMAIL = "email"
    SMS = "sms"
    LETTER = "letter"  # post: a PDF for the post room (or a letter provider)


ELECTRONIC: tuple[str, ...] = (Channel.EMAIL, Channel.SMS)


class Situation(StrEnum):
    """A child's situation when their transport ends: what a message may say about them
    (transport/domain/notice.py)."""

    RENEWAL = "renewal"  # the award ends with the school year; same school
    PHASE_TRANSFER = "phase_transfer"  # the child moves school: a new application
    MID_YEAR = "mid_year"  # a medical or other temporary award ends within the year
    POST16 = "post16"  # post-16 transport, agreed one school year at a time
    NEW = "new"  # no award ended before: nothing to renew


class StepOutcome(StrEnum):
    """What became of a ladder step for a pupil and school year (reminder_steps.outcome)."""

    SENT = "sent"  # queued to the household
    SKIPPED = "skipped"  # an earlier step, passed over by catch-up
    UNREACHABLE = "unreachable"  # no way at all to reach the family: due again once there is
    PHONE = "phone"  # no message could carry it: the team phones (a phone_family task)
    CANCELLED = "cancelled"  # every message of it was cancelled: not sent, due again


class ChannelStatus(StrEnum):
    """What the record knows of a contact's email address or mobile."""

    OK = "ok"
    BOUNCED = "bounced"
    OPTED_OUT = "opted_out"
    INVALID = "invalid"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CLOSED = "closed"


class TaskKind(StrEnum):
    PHONE_FAMILY = "phone_family"
    FIX_CONTACT = "fix_contact"
    CHASE_APPLICATION = "chase_application"
    CONFIRM_ARRANGEMENT = "confirm_arrangement"
    REVIEW_DECISION = "review_decision"  # an export contradicts a decision made here
    READ_REPLY = "read_reply"  # a family texted back: about a contact or a number
    # An arrangement the family cannot be told yet: no operator or pick-up time, or the
    # school's first day of the year is only assumed (no term dates).
    COMPLETE_ARRANGEMENT = "complete_arrangement"


# Each task kind in words, for people (the digest).
TASK_WORDS: dict[str, str] = {
    TaskKind.PHONE_FAMILY: "phone the family",
    TaskKind.FIX_CONTACT: "fix contact details",
    TaskKind.CHASE_APPLICATION: "decide an application, or make its award",
    TaskKind.CONFIRM_ARRANGEMENT: "confirm an arrangement",
    TaskKind.REVIEW_DECISION: "review a decision an export contradicts",
    TaskKind.READ_REPLY: "read a family's text",
    TaskKind.COMPLETE_ARRANGEMENT: "complete an arrangement (operator, pick-up, first day)",
}
assert set(TASK_WORDS) == set(TaskKind), "every task kind has its words"


class InboundKind(StrEnum):
    """What a text received from a family is: a reply for the team to read, or one of the
    words that opt a number out of texts, back in, or ask for help."""

    REPLY = "reply"
    OPT_OUT = "opt_out"  # STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT
    OPT_IN = "opt_in"  # START, YES, UNSTOP
    HELP = "help"  # HELP: changes nothing


class JobOutcome(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    ABANDONED = "abandoned"  # its process died: found by a later run


class HealthState(StrEnum):
    """`transport health`, per concern: all well (exit 0), needs a person (1), cannot
    tell (2)."""

    OK = "ok"
    PROBLEM = "problem"
    UNKNOWN = "unknown"


class Basis(StrEnum):
    """The category an award is made under (the engine's rule codes, and the council's)."""

    STATUTORY_DISTANCE = "STATUTORY_DISTANCE"
    SEND_MOBILITY = "SEND_MOBILITY"
    UNSAFE_ROUTE = "UNSAFE_ROUTE"
    EXTENDED_LOW_INCOME_8_10 = "EXTENDED_LOW_INCOME_8_10"
    EXTENDED_LOW_INCOME_11_PLUS = "EXTENDED_LOW_INCOME_11_PLUS"
    EXTENDED_RELIGION_BELIEF = "EXTENDED_RELIGION_BELIEF"
    FAITH = "faith"
    POST16 = "post16"
    POST19 = "post19"
    DISCRETIONARY = "discretionary"


# Reception ("R") and Years 1 to 14, as councils' systems write them.
YEAR_GROUPS: frozenset[str] = frozenset({"R", *(str(n) for n in range(1, 15))})

# Any distance the record holds or a policy sets is within this many miles.
MAX_MILES = 100.0
