"""One child's whole record, read by key (every read is an index probe, so it answers at
once on a county of a million pupils): the child, their contacts, awards, applications
with the engine's recommendation, arrangements, messages, tasks and audit events."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.db.queries.audit import AuditLine, about_child, events
from transport.db.tables import (
    Application,
    ApplicationAssessment,
    Arrangement,
    Award,
    Contact,
    OutboxMessage,
    Pupil,
    PupilContact,
    School,
    Task,
)

RECENT = 50  # messages and audit events shown, newest first


class ChildLine(NamedTuple):
    pupil_ref: str
    first_name: str
    last_name: str
    date_of_birth: date
    year_group: str | None
    send: bool
    status: str
    school_urn: str
    school_name: str
    next_school_urn: str | None
    next_school_name: str | None
    left_on: date | None = None  # the day an import first recorded the pupil as left


class ContactLine(NamedTuple):
    contact_id: int
    name: str
    relationship: str | None
    email: str | None
    mobile: str | None
    preferred_channel: str
    email_status: str
    mobile_status: str
    blocked: bool
    blocked_by: str | None
    blocked_at: datetime | None
    block_reason: str | None
    landline: str | None = None
    postal_address: str | None = None  # "12 Mill Lane, Northtown, NE1 4XY" when usable


class AwardLine(NamedTuple):
    award_ref: str
    valid_from: date
    valid_until: date
    school_urn: str | None
    basis: str | None
    travel_mode: str | None


class ApplicationLine(NamedTuple):
    application_ref: str
    academic_year: int
    kind: str | None
    status: str
    received_on: date
    decided_on: date | None
    decided_by: str | None
    recommended_eligible: bool | None  # the engine's latest recommendation, if assessed
    recommended_basis: str | None
    recommended_until: date | None


class ArrangementLine(NamedTuple):
    academic_year: int
    route_ref: str | None
    operator: str | None
    pickup_time: time | None
    family_informed_on: date | None
    passenger_assistant: bool


class MessageLine(NamedTuple):
    id: int
    created_at: datetime
    channel: str
    to: str
    kind: str
    step: str | None
    status: str
    error_code: str | None
    error: str | None


class TaskLine(NamedTuple):
    id: int
    kind: str
    reason: str
    status: str
    opened_on: date
    due_on: date | None
    closed_by: str | None
    note: str | None


def child(conn: Connection, pupil_ref: str) -> ChildLine | None:
    row = conn.execute(select(Pupil).where(Pupil.pupil_ref == pupil_ref)).first()
    if row is None:
        return None
    urns = [u for u in (row.school_urn, row.next_school_urn) if u]
    names = dict(conn.execute(select(School.urn, School.name).where(School.urn.in_(urns))).all())
    return ChildLine(
        row.pupil_ref,
        row.first_name,
        row.last_name,
        row.date_of_birth,
        row.year_group,
        bool(row.send),
        row.status,
        row.school_urn,
        names.get(row.school_urn, ""),
        row.next_school_urn,
        names.get(row.next_school_urn) if row.next_school_urn else None,
        row.left_on,
    )


def contacts(conn: Connection, pupil_ref: str) -> list[ContactLine]:
    rows = conn.execute(
        select(PupilContact.relationship, Contact)
        .join(Contact, Contact.id == PupilContact.contact_id)
        .where(PupilContact.pupil_ref == pupil_ref)
        .order_by(Contact.id)
    )
    return [
        ContactLine(
            r.id, r.name, r.relationship, r.email, r.mobile, r.preferred_channel,
            r.email_status, r.mobile_status, bool(r.do_not_contact), r.blocked_by,
            r.blocked_at, r.block_reason, r.landline,
            ", ".join(p for p in (r.address_line_1, r.address_line_2, r.address_line_3,
                                  r.town, r.postcode) if p)
            if r.address_line_1 and r.town and r.postcode and r.address_status == "ok"
            else None,
        )
        for r in rows
    ]  # fmt: skip


def awards(conn: Connection, pupil_ref: str) -> list[AwardLine]:
    rows = conn.execute(
        select(
            Award.award_ref, Award.valid_from, Award.valid_until, Award.school_urn,
            Award.basis, Award.travel_mode,
        )
        .where(Award.pupil_ref == pupil_ref)
        .order_by(Award.valid_from.desc())
    )  # fmt: skip
    return [AwardLine(*row) for row in rows]


def applications(conn: Connection, pupil_ref: str) -> list[ApplicationLine]:
    rows = conn.execute(
        select(
            Application.application_ref, Application.academic_year, Application.kind,
            Application.status, Application.received_on, Application.decided_on,
            Application.decided_by, ApplicationAssessment.eligible,
            ApplicationAssessment.basis, ApplicationAssessment.valid_until,
        )
        .outerjoin(
            ApplicationAssessment,
            ApplicationAssessment.application_ref == Application.application_ref,
        )
        .where(Application.pupil_ref == pupil_ref)
        .order_by(Application.received_on.desc())
    )  # fmt: skip
    return [
        ApplicationLine(
            r.application_ref, r.academic_year, r.kind, r.status, r.received_on, r.decided_on,
            r.decided_by, r.eligible, r.basis, r.valid_until,
        )
        for r in rows
    ]  # fmt: skip


def arrangements(conn: Connection, pupil_ref: str) -> list[ArrangementLine]:
    rows = conn.execute(
        select(
            Arrangement.academic_year, Arrangement.route_ref, Arrangement.operator,
            Arrangement.pickup_time, Arrangement.family_informed_on,
            Arrangement.passenger_assistant,
        )
        .where(Arrangement.pupil_ref == pupil_ref)
        .order_by(Arrangement.academic_year.desc())
    )  # fmt: skip
    return [ArrangementLine(*row[:-1], bool(row[-1])) for row in rows]


def messages(conn: Connection, pupil_ref: str, contact_ids: list[int]) -> list[MessageLine]:
    """Messages about the child: to their contacts (by the contact's index), naming them."""
    if not contact_ids:
        return []
    rows = conn.execute(
        select(
            OutboxMessage.id, OutboxMessage.created_at, OutboxMessage.channel,
            OutboxMessage.to_address, OutboxMessage.kind, OutboxMessage.step,
            OutboxMessage.status, OutboxMessage.error_code, OutboxMessage.error_message,
            OutboxMessage.pupil_refs,
        )
        .where(OutboxMessage.contact_id.in_(contact_ids))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    )  # fmt: skip
    found = [
        MessageLine(
            r.id, r.created_at, r.channel, r.to_address, r.kind, r.step, r.status,
            r.error_code, r.error_message,
        )
        for r in rows
        if pupil_ref in (r.pupil_refs or ())
    ]  # fmt: skip
    return found[:RECENT]


def tasks(conn: Connection, pupil_ref: str) -> list[TaskLine]:
    rows = conn.execute(
        select(
            Task.id, Task.kind, Task.reason, Task.status, Task.opened_on, Task.due_on,
            Task.closed_by, Task.note,
        )
        .where(Task.pupil_ref == pupil_ref)
        .order_by(Task.opened_on.desc(), Task.id.desc())
    )  # fmt: skip
    return [TaskLine(*row) for row in rows]


def audit(
    conn: Connection,
    pupil_ref: str,
    awards: list[str],
    applications: list[str],
    by_entity: dict[str, list[str]],
) -> list[AuditLine]:
    """Events about the child (see ``queries.audit.about_child``), newest first."""
    about = about_child(conn, pupil_ref, awards, applications, by_entity)
    return events(conn, about=about, limit=RECENT)
