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


REASON_HELP: dict[str, str] = {
    Reason.NO_APPLICATION: "no application for that year",
    Reason.APPLICATION_UNDECIDED: "application not yet decided",
    Reason.AWARD_MISSING: "approved, but no award covers the day",
    Reason.NO_ARRANGEMENT: "no travel arrangement for the year",
    Reason.FAMILY_NOT_INFORMED: "family not told the route and times",
    Reason.UNREACHABLE: "no usable email or mobile",
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
    EMAIL = "email"
    SMS = "sms"


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
