"""The record: SQLAlchemy 2 typed tables.

Natural keys from the councils' exports (URN, pupil_ref, award_ref, ...) are the keys
here too, so imports are plain upserts and foreign keys read like the CSV files.
Academic years are stored as their starting year (2025 for 2025/26).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from transport.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REF = String(40)
URN = String(12)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class School(Base):
    __tablename__ = "schools"

    urn: Mapped[str] = mapped_column(URN, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str | None] = mapped_column(String(20))
    calendar: Mapped[str] = mapped_column(String(60), default="default")


class Term(Base):
    __tablename__ = "terms"
    __table_args__ = (UniqueConstraint("calendar", "academic_year", "term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar: Mapped[str] = mapped_column(String(60))
    academic_year: Mapped[int] = mapped_column(SmallInteger)
    term: Mapped[str] = mapped_column(String(10))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)


class Closure(Base):
    """Days inside a term when a school is closed to pupils (closures.csv): a half term,
    an INSET day, another closure. ``urn`` '' : every school of the calendar; a URN: that
    school only (the INSET days a school sets itself)."""

    __tablename__ = "closures"
    __table_args__ = (UniqueConstraint("calendar", "urn", "first_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    calendar: Mapped[str] = mapped_column(String(60))
    urn: Mapped[str] = mapped_column(URN, default="")
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12), default="closure")
    note: Mapped[str | None] = mapped_column(String(200))


class Pupil(Base):
    __tablename__ = "pupils"

    pupil_ref: Mapped[str] = mapped_column(REF, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    date_of_birth: Mapped[date] = mapped_column(Date)
    school_urn: Mapped[str] = mapped_column(ForeignKey("schools.urn"), index=True)
    next_school_urn: Mapped[str | None] = mapped_column(ForeignKey("schools.urn"), index=True)
    year_group: Mapped[str | None] = mapped_column(String(2))
    send: Mapped[bool] = mapped_column(Boolean, default=False)
    home_postcode: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="active")
    # The day an import first recorded the pupil as left (cleared if they come back):
    # retention purges pupils left for more than [retention] left_pupils_years.
    left_on: Mapped[date | None] = mapped_column(Date, index=True)


class Contact(Base):
    """A person (a parent or carer), shared by siblings. Channel usability lives here:
    a STOP, an invalid number or a bounced address is a fact about this person's channel."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity: Mapped[str] = mapped_column(String(400), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(20))
    landline: Mapped[str | None] = mapped_column(String(20))  # E.164; the team phones it
    # A postal address is usable when line 1, the town and the postcode are known.
    address_line_1: Mapped[str | None] = mapped_column(String(100))
    address_line_2: Mapped[str | None] = mapped_column(String(100))
    address_line_3: Mapped[str | None] = mapped_column(String(100))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    preferred_channel: Mapped[str] = mapped_column(String(10), default="both")
    email_status: Mapped[str] = mapped_column(String(12), default="ok")  # ok | bounced
    mobile_status: Mapped[str] = mapped_column(String(12), default="ok")  # ok | opted_out | invalid
    # ok | invalid (a letter provider refused the address, or post came back)
    address_status: Mapped[str] = mapped_column(String(12), default="ok", server_default="ok")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Safeguarding: never message this person. Set by `contacts block` or an import's
    # do_not_contact column; cleared only by `contacts unblock` (both audited).
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked_by: Mapped[str | None] = mapped_column(String(100))
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    block_reason: Mapped[str | None] = mapped_column(String(500))


class PupilContact(Base):
    """A row of contacts.csv: this person is a contact for this pupil."""

    __tablename__ = "pupil_contacts"
    __table_args__ = (UniqueConstraint("pupil_ref", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(ForeignKey("pupils.pupil_ref"))
    name: Mapped[str] = mapped_column(String(200))
    relationship: Mapped[str | None] = mapped_column(String(40))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)


class Award(Base):
    __tablename__ = "awards"

    award_ref: Mapped[str] = mapped_column(REF, primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(ForeignKey("pupils.pupil_ref"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    school_urn: Mapped[str | None] = mapped_column(ForeignKey("schools.urn"))
    basis: Mapped[str | None] = mapped_column(String(40))
    travel_mode: Mapped[str | None] = mapped_column(String(20))


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_pupil_year", "pupil_ref", "academic_year"),)

    application_ref: Mapped[str] = mapped_column(REF, primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(ForeignKey("pupils.pupil_ref"))
    academic_year: Mapped[int] = mapped_column(SmallInteger)
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    school_urn: Mapped[str | None] = mapped_column(ForeignKey("schools.urn"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    walking_distance_miles: Mapped[float | None] = mapped_column(Float)
    road_distance_miles: Mapped[float | None] = mapped_column(Float)
    nearest_suitable_school: Mapped[bool] = mapped_column(Boolean, default=False)
    suitable_school_rank: Mapped[int | None] = mapped_column(SmallInteger)
    low_income: Mapped[bool] = mapped_column(Boolean, default=False)
    religion_or_belief: Mapped[bool] = mapped_column(Boolean, default=False)
    cannot_walk_send: Mapped[bool] = mapped_column(Boolean, default=False)
    unsafe_route: Mapped[bool] = mapped_column(Boolean, default=False)
    medical_until: Mapped[date | None] = mapped_column(Date)
    # Who decided it with `transport applications decide` (None: the council's export
    # carried the decision). A decision made here is not undone by an export behind it.
    decided_by: Mapped[str | None] = mapped_column(String(100))


class ApplicationAssessment(Base):
    """The engine's latest recommendation for an application. It recommends; the decision
    (the application's status) stays with a caseworker."""

    __tablename__ = "application_assessments"

    application_ref: Mapped[str] = mapped_column(
        ForeignKey("applications.application_ref"), primary_key=True
    )
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    travel_from: Mapped[date] = mapped_column(Date)
    eligible: Mapped[bool] = mapped_column(Boolean)
    basis: Mapped[str | None] = mapped_column(String(40))
    valid_until: Mapped[date | None] = mapped_column(Date)
    review_reasons: Mapped[str] = mapped_column(String(200), default="")
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Arrangement(Base):
    __tablename__ = "arrangements"
    __table_args__ = (UniqueConstraint("pupil_ref", "academic_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(ForeignKey("pupils.pupil_ref"))
    academic_year: Mapped[int] = mapped_column(SmallInteger)
    route_ref: Mapped[str | None] = mapped_column(String(40))
    operator: Mapped[str | None] = mapped_column(String(200))
    pickup_time: Mapped[time | None] = mapped_column(Time)
    passenger_assistant: Mapped[bool] = mapped_column(Boolean, default=False)
    family_informed_on: Mapped[date | None] = mapped_column(Date)
    # "message N" when this service told the family (family_informed_on is then the day it
    # went); None when the council's export carried the date.
    informed_by: Mapped[str | None] = mapped_column(String(40))
    arranged_on: Mapped[date | None] = mapped_column(Date)  # when it was made (the forecast)


class AuditEvent(Base):
    """Who changed what, when. Imports record one event per run and one per updated row."""

    __tablename__ = "audit_events"
    # One child's story (`transport pupil`) reads the events about its keys.
    __table_args__ = (Index("ix_audit_events_entity_key", "entity_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    # Compared byte by byte (COLLATE "C" on PostgreSQL, SQLite's own default): a child's
    # events are the range "pupil_ref/" < key < "pupil_ref0" whatever the database's
    # collation (migration 0010).
    entity_key: Mapped[str | None] = mapped_column(
        String(200).with_variant(String(200, collation="C"), "postgresql")
    )
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxMessage(Base):
    """Every message to a family (or the team), as rendered, with its delivery history.
    Written in the same transaction as the decision that caused it; the dedupe key makes
    a second write of the same notice a no-op. Status moves forward only."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_contact", "contact_id", "created_at"),
        Index("ix_outbox_provider_id", "provider_id"),  # a status callback names it
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    step: Mapped[str | None] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))  # email | sms | letter
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    pupil_refs: Mapped[list[str]] = mapped_column(JSON, default=list)
    academic_year: Mapped[int | None] = mapped_column(SmallInteger)
    subject: Mapped[str | None] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # to re-render
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(40))
    # Set (and committed) just before the provider call: a message claimed but never
    # attempted when a dispatcher died is safe to send; one attempted is not.
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(200))
    error_code: Mapped[str | None] = mapped_column(String(40))
    error_message: Mapped[str | None] = mapped_column(String(500))
    # Indexed: deleting a message (retention) looks up the messages that fall back on it.
    fallback_of: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A letter written by the file backend: the day the post room posted it
    # (`transport outbox posted`).
    posted_on: Mapped[date | None] = mapped_column(Date)
    # Set when retention redacted the message to its metadata (no subject, text, context,
    # address or error text left).
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReminderStep(Base):
    """A ladder step for a pupil and school year: sent, skipped (catch-up) or unreachable.
    The unique key is why a step can never go twice."""

    __tablename__ = "reminder_steps"
    __table_args__ = (UniqueConstraint("pupil_ref", "academic_year", "step"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pupil_ref: Mapped[str] = mapped_column(ForeignKey("pupils.pupil_ref"))
    academic_year: Mapped[int] = mapped_column(SmallInteger)
    step: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(12))  # see StepOutcome
    on_date: Mapped[date] = mapped_column(Date)
    uncovered_from: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Task(Base):
    """Work for the transport team: phone a family, fix contact details, chase an
    undecided application, confirm an arrangement. Closed by hand, or automatically when
    the cause goes away."""

    __tablename__ = "tasks"
    __table_args__ = (
        UniqueConstraint("kind", "pupil_ref", "academic_year", "opened_on"),
        Index("ix_tasks_status", "status", "kind"),
        # One open task per kind and subject (read_reply: "contact:12", "number:+44...").
        Index(
            "uq_tasks_open_about",
            "kind",
            "about",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    # Empty for a task about a contact or a number rather than a child (read_reply).
    pupil_ref: Mapped[str | None] = mapped_column(ForeignKey("pupils.pupil_ref"), index=True)
    academic_year: Mapped[int | None] = mapped_column(SmallInteger)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    about: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | done | closed
    opened_on: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)


class InboundMessage(Base):
    """A text a family sent us (through Twilio or GOV.UK Notify): a reply the team reads,
    or STOP / START / HELP. Keyed by the provider's id, so a callback told twice is one
    row. The body (only a reply has one) and the number are redacted after
    [retention] message_bodies_days, like the messages we send."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("provider", "provider_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(10))  # twilio | notify
    provider_id: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    from_number: Mapped[str | None] = mapped_column(String(20))  # E.164
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # see vocabulary.InboundKind
    body: Mapped[str | None] = mapped_column(Text)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class JobRun(Base):
    """Every run of a job (nightly, dispatch, poll_status): when, how it ended, counts."""

    __tablename__ = "job_runs"
    __table_args__ = (Index("ix_job_runs_job_on", "job", "run_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    run_on: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(12), default="running")  # see JobOutcome
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    # host:pid of the process running it: a run whose process died is found and marked
    # abandoned by the next run, instead of staying "running" for ever.
    holder: Mapped[str | None] = mapped_column(String(100))


class ChannelHealth(Base):
    """A sending channel that cannot work (its configuration is refused: credentials, the
    sender number, TLS), and since when. No row: the channel is working."""

    __tablename__ = "channel_health"

    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    down_since: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(500))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lease(Base):
    """A named lease: only its holder may act (one active scheduler per database). A
    holder that stops renewing loses it when it expires."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckRun(Base):
    """One run of the risk check, with its counts; its at-risk pupils are in risk_snapshots."""

    __tablename__ = "check_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    horizon_days: Mapped[int] = mapped_column(Integer)
    in_scope: Mapped[int] = mapped_column(Integer)
    at_risk: Mapped[int] = mapped_column(Integer)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RiskSnapshot(Base):
    __tablename__ = "risk_snapshots"

    run_id: Mapped[int] = mapped_column(
        ForeignKey("check_runs.id", ondelete="CASCADE"), primary_key=True
    )
    pupil_ref: Mapped[str] = mapped_column(REF, primary_key=True, index=True)
    risk_date: Mapped[date] = mapped_column(Date)
    severity: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(Text)  # space-separated reason codes


def table_of(model: type[Base]) -> Table:
    """The Core table behind a mapped class, typed as a Table."""
    return cast(Table, model.__table__)
