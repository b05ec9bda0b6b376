"""Who a pupil's message goes to, and what it says about each child: the context the
templates render. One message per contact (household), naming each child."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from transport.config import CouncilConfig
from transport.db.tables import Arrangement, Award, Contact, Pupil, PupilContact, School, Term
from transport.domain.calendar import academic_year_of, format_academic_year


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    name: str
    email: str | None
    mobile: str | None
    preferred_channel: str
    email_usable: bool
    mobile_usable: bool

    def usable(self, channel: str) -> bool:
        return self.email_usable if channel == "email" else self.mobile_usable

    def address(self, channel: str) -> str | None:
        return self.email if channel == "email" else self.mobile


def postal_address(person: Mapping[str, Any]) -> list[str]:
    """The lines of a letter's address, for the window of a DL envelope: the contact's
    name, the address lines, the town, the postcode last."""
    parts = ("name", "address_line_1", "address_line_2", "address_line_3", "town", "postcode")
    return [str(person[part]) for part in parts if person.get(part)]


def address_for(channel: str, person: Mapping[str, Any]) -> str | None:
    """Where a message by ``channel`` goes: the email, the mobile, or for a letter the
    postcode (the outbox lists it; the whole address travels in the message's context)."""
    key = {"email": "email", "sms": "mobile", "letter": "postcode"}[channel]
    value = person.get(key)
    return str(value) if value else None


def with_address(
    channel: str, context: dict[str, Any], person: Mapping[str, Any]
) -> dict[str, Any]:
    """A message's context, with the postal address when it goes by letter."""
    if channel != "letter":
        return context
    return {**context, "address": postal_address(person)}


def council_context(council: CouncilConfig) -> dict[str, str]:
    return {
        "name": council.name,
        "contact_phone": council.contact_phone,
        "renewal_url": council.renewal_url,
    }


def recipients(conn: Connection, pupil_ref: str) -> list[Recipient]:
    stmt = (
        select(Contact)
        .join(PupilContact, PupilContact.contact_id == Contact.id)
        .where(PupilContact.pupil_ref == pupil_ref)
        .order_by(Contact.id)
    )
    return [
        Recipient(
            row.id,
            row.name,
            row.email,
            row.mobile,
            row.preferred_channel,
            # A blocked contact (safeguarding) has no usable channel.
            bool(row.email) and row.email_status == "ok" and not row.do_not_contact,
            bool(row.mobile) and row.mobile_status == "ok" and not row.do_not_contact,
        )
        for row in conn.execute(stmt)
    ]


def child_line(conn: Connection, pupil_ref: str, *, as_of: date) -> dict[str, Any]:
    """A child's part of a message: first name, school, when transport ends and is next
    needed, and the travel arrangement for the coming school year."""
    pupil = conn.execute(select(Pupil).where(Pupil.pupil_ref == pupil_ref)).one()
    ends = conn.execute(
        select(func.max(Award.valid_until)).where(Award.pupil_ref == pupil_ref)
    ).scalar()
    ends_on = ends or as_of
    year = academic_year_of(ends_on + timedelta(days=1))
    school_urn = pupil.next_school_urn if year > academic_year_of(as_of) else None
    school_urn = school_urn or pupil.school_urn
    school = conn.execute(select(School.name, School.calendar).where(School.urn == school_urn))
    school_name, calendar = school.one()
    first_day = conn.execute(
        select(func.min(Term.first_day)).where(Term.calendar == calendar, Term.first_day > ends_on)
    ).scalar()
    arrangement = conn.execute(
        select(Arrangement).where(
            Arrangement.pupil_ref == pupil_ref, Arrangement.academic_year == year
        )
    ).first()
    return {
        "pupil_ref": pupil_ref,
        "first_name": pupil.first_name,
        "school_name": school_name,
        "ends_on": ends_on.isoformat(),
        "needed_from": (first_day or ends_on + timedelta(days=1)).isoformat(),
        "academic_year": format_academic_year(year),
        "starts_on": (first_day or ends_on + timedelta(days=1)).isoformat(),
        "operator": arrangement.operator if arrangement else None,
        "route_ref": arrangement.route_ref if arrangement else None,
        "pickup_time": arrangement.pickup_time.strftime("%H:%M")
        if arrangement and arrangement.pickup_time
        else None,
        "passenger_assistant": bool(arrangement and arrangement.passenger_assistant),
    }


def message_context(
    council: CouncilConfig,
    recipient: Recipient,
    children: list[dict[str, Any]],
    *,
    as_of: date,
    apply_by: date | None = None,
) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "council": council_context(council),
        "contact_name": recipient.name,
        "children": children,
        "apply_by": apply_by.isoformat() if apply_by else None,
    }
