"""The renewal ladder's reads and writes: each due pupil's contacts and the steps already
recorded, the households' names and addresses, each child's line of a message, and the
step records whose unique key (pupil, school year, step) makes every run idempotent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, bindparam, cast, select, update
from sqlalchemy.engine import Connection

from transport.db.dialect import CHUNK, chunks, insert_ignoring
from transport.db.tables import (
    Award,
    Contact,
    OutboxMessage,
    Pupil,
    PupilContact,
    ReminderStep,
    School,
    table_of,
)
from transport.domain.calendar import academic_year_of, format_academic_year
from transport.domain.ladder import ContactFact, PlannedStep, RecordedSteps
from transport.domain.notice import EndedAward, is_post16, situation, year_group_in
from transport.vocabulary import ChannelStatus, OutboxStatus, StepOutcome

STREAM = 20_000  # rows a whole-table read holds at a time


def all_done_steps(
    conn: Connection, *, only: Container[str] | None = None
) -> dict[tuple[str, int], set[str]]:
    """(pupil, school year) -> every step recorded, for the whole county (or for the
    pupils in ``only``: the rows are streamed, only theirs kept)."""
    done: dict[tuple[str, int], set[str]] = defaultdict(set)
    stmt = select(ReminderStep.pupil_ref, ReminderStep.academic_year, ReminderStep.step)
    rows = conn.execute(stmt.execution_options(yield_per=STREAM))  # a server-side cursor
    for ref, year, step in rows:
        if only is None or ref in only:
            done[(ref, year)].add(step)
    return done


def record_steps(
    conn: Connection, planned: Sequence[PlannedStep], today: date, now: datetime
) -> set[tuple[str, int]]:
    """Insert the due steps (and skipped ones); return the (pupil, year) whose due step was
    inserted by this transaction. A conflict means another run recorded it first."""
    table = table_of(ReminderStep)
    due_rows: list[dict[str, Any]] = []
    skipped_rows: list[dict[str, Any]] = []
    for item in planned:
        base = {
            "pupil_ref": item.pupil_ref,
            "academic_year": item.academic_year,
            "on_date": today,
            "uncovered_from": item.uncovered_from,
            "created_at": now,
        }
        due_rows.append({**base, "step": item.step.step, "outcome": item.outcome})
        skipped_rows.extend({**base, "step": s, "outcome": "skipped"} for s in item.skipped)
    inserted: set[tuple[str, int]] = set()
    stmt = insert_ignoring(conn, table, ["pupil_ref", "academic_year", "step"])
    for start in range(0, len(due_rows), CHUNK):
        returned = conn.execute(
            stmt.returning(table.c.pupil_ref, table.c.academic_year),
            due_rows[start : start + CHUNK],
        )
        inserted.update((ref, year) for ref, year in returned)
    # A step recorded as unreachable or cancelled, planned again: the family became
    # reachable, or its messages were cancelled (a contact corrected, blocked). Only a
    # record still in that outcome is updated, so two runs at once still send it once.
    again = (
        update(table)
        .where(
            table.c.pupil_ref == bindparam("b_ref"),
            table.c.academic_year == bindparam("b_year"),
            table.c.step == bindparam("b_step"),
            table.c.outcome.in_((StepOutcome.UNREACHABLE, StepOutcome.CANCELLED)),
            table.c.outcome != bindparam("b_outcome"),
        )
        .values(
            outcome=bindparam("b_outcome"),
            on_date=today,
            uncovered_from=bindparam("b_from"),
            created_at=now,
        )
    )
    for row in due_rows:
        key = (row["pupil_ref"], row["academic_year"])
        if key in inserted:
            continue
        params = {
            "b_ref": key[0],
            "b_year": key[1],
            "b_step": row["step"],
            "b_from": row["uncovered_from"],
            "b_outcome": row["outcome"],
        }
        if conn.execute(again, params).rowcount:
            inserted.add(key)
    for start in range(0, len(skipped_rows), CHUNK):
        conn.execute(stmt, skipped_rows[start : start + CHUNK])
    return inserted


def contact_facts(conn: Connection, refs: Sequence[str]) -> dict[str, list[ContactFact]]:
    found: dict[str, list[ContactFact]] = defaultdict(list)
    for chunk in chunks(sorted(refs)):
        stmt = (
            select(PupilContact.pupil_ref, Contact)
            .join(Contact, Contact.id == PupilContact.contact_id)
            .where(PupilContact.pupil_ref.in_(chunk))
            .order_by(PupilContact.pupil_ref, Contact.id)
        )
        for row in conn.execute(stmt):
            found[row.pupil_ref].append(contact_fact(row))
    return found


def contact_fact(row: Any) -> ContactFact:
    """A contact's row as the ladder sees it. A blocked contact has no usable channel,
    not even the team's phone call (safeguarding)."""
    allowed = not row.do_not_contact
    postal = postal_key(row)
    return ContactFact(
        row.id,
        row.preferred_channel,
        allowed and bool(row.email) and row.email_status == ChannelStatus.OK,
        allowed and bool(row.mobile) and row.mobile_status == ChannelStatus.OK,
        row.email,
        row.mobile,
        allowed and postal is not None and row.address_status == ChannelStatus.OK,
        postal,
        allowed and bool(row.landline),
    )


def postal_key(row: Any) -> str | None:
    """A usable postal address, as compared (one letter per home), or None."""
    if not (row.address_line_1 and row.town and row.postcode):
        return None
    line = " ".join(row.address_line_1.split()).casefold()
    return f"{row.postcode.replace(' ', '').upper()}|{line}"


Steps = dict[tuple[str, int], set[str]]


def done_steps(conn: Connection, keys: Sequence[tuple[str, int]]) -> RecordedSteps:
    """The steps recorded for these (pupil, year), by what became of them."""
    found = RecordedSteps()
    wanted = set(keys)
    for chunk in chunks(sorted({ref for ref, _ in keys})):
        stmt = select(
            ReminderStep.pupil_ref,
            ReminderStep.academic_year,
            ReminderStep.step,
            ReminderStep.outcome,
        )
        for ref, year, step, outcome in conn.execute(stmt.where(ReminderStep.pupil_ref.in_(chunk))):
            if (ref, year) not in wanted:
                continue
            if outcome == StepOutcome.UNREACHABLE:
                found.unreachable[(ref, year)].add(step)
            elif outcome == StepOutcome.CANCELLED:
                found.cancelled[(ref, year)].add(step)
            else:
                found.done[(ref, year)].add(step)
    return found


PERSON_COLUMNS = (
    "name",
    "email",
    "mobile",
    "landline",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "postcode",
)


def people(conn: Connection, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Each contact's name, email, numbers and postal address."""
    people: dict[int, dict[str, Any]] = {}
    columns = [Contact.id, *(getattr(Contact, name) for name in PERSON_COLUMNS)]
    for chunk in chunks(sorted(ids)):
        for row in conn.execute(select(*columns).where(Contact.id.in_(chunk))):
            people[row.id] = {name: getattr(row, name) for name in PERSON_COLUMNS}
    return people


def children(
    conn: Connection, refs: set[str], planned: Sequence[PlannedStep], today: date
) -> dict[str, dict[str, Any]]:
    """Each child's line of a renewal message: first name, the situation (see
    transport/domain/notice.py), the school the ending award is for and the day it ends,
    the school they need transport to from R (their school then), R, and R's school year."""
    uncovered = {item.pupil_ref: item.uncovered_from for item in planned}
    lines: dict[str, dict[str, Any]] = {}
    for chunk in chunks(sorted(refs)):
        pupils = conn.execute(
            select(
                Pupil.pupil_ref,
                Pupil.first_name,
                Pupil.school_urn,
                Pupil.next_school_urn,
                Pupil.year_group,
            ).where(Pupil.pupil_ref.in_(chunk))
        ).all()
        awards: dict[str, list[Any]] = defaultdict(list)
        for award in conn.execute(
            select(Award.pupil_ref, Award.valid_until, Award.school_urn, Award.basis).where(
                Award.pupil_ref.in_(chunk)
            )
        ):
            awards[award.pupil_ref].append(award)
        urns = {p.school_urn for p in pupils} | {p.next_school_urn for p in pupils} | {
            a.school_urn for found in awards.values() for a in found
        }
        schools = {
            row.urn: row
            for row in conn.execute(
                select(School.urn, School.name, School.phase).where(School.urn.in_(urns - {None}))
            )
        }
        for pupil in pupils:
            r = uncovered[pupil.pupil_ref]
            ended = ended_award(awards[pupil.pupil_ref], before=r, school_urn=pupil.school_urn)
            year = academic_year_of(r)
            school = pupil.school_urn
            if pupil.next_school_urn and year > academic_year_of(today):
                school = pupil.next_school_urn
            phase = schools[school].phase if school in schools else None
            group = year_group_in(pupil.year_group, now=academic_year_of(today), then=year)
            post16 = is_post16(
                year_group=group, school_phase=phase, basis=ended.basis if ended else None
            )
            award_school = schools.get(ended.school_urn) if ended else None
            lines[pupil.pupil_ref] = {
                "pupil_ref": pupil.pupil_ref,
                "first_name": pupil.first_name,
                "situation": str(situation(ended, school_urn=school, needed_from=r, post16=post16)),
                "award_school_name": award_school.name if award_school else None,
                "ends_on": ended.valid_until.isoformat() if ended else None,
                "school_name": schools[school].name if school in schools else "",
                "needed_from": r.isoformat(),
                "academic_year": format_academic_year(year),
            }
    return lines


def ended_award(awards: Sequence[Any], *, before: date, school_urn: str) -> EndedAward | None:
    """Of a pupil's awards (valid_until, school_urn, basis), the one that ended last before
    ``before``; an award naming no school is for ``school_urn``."""
    ended = [award for award in awards if award.valid_until < before]
    if not ended:
        return None
    last = max(ended, key=lambda award: award.valid_until)
    return EndedAward(last.valid_until, last.school_urn or school_urn, last.basis)


def household_of(conn: Connection, pupil_ref: str) -> list[str]:
    """The pupil and every pupil who shares a contact with them, in order."""
    shared = select(PupilContact.contact_id).where(PupilContact.pupil_ref == pupil_ref)
    refs = conn.execute(
        select(PupilContact.pupil_ref).where(PupilContact.contact_id.in_(shared)).distinct()
    ).scalars()
    return sorted({pupil_ref, *refs})


def mark_steps_cancelled(conn: Connection, message_ids: Sequence[int]) -> int:
    """Messages just cancelled: a ladder step all of whose messages about a child are now
    cancelled is recorded ``cancelled`` for that child (not sent: the next run sends it to
    the household's current contacts, or a later step if one fell due). Returns how many
    steps were so recorded."""
    if not message_ids:
        return 0
    outbox = table_of(OutboxMessage)
    wanted: set[tuple[str, int, str]] = set()
    for chunk in chunks(sorted(set(message_ids))):
        rows = conn.execute(
            select(outbox.c.step, outbox.c.academic_year, outbox.c.pupil_refs).where(
                outbox.c.id.in_(chunk),
                outbox.c.step.is_not(None),
                outbox.c.kind.like("renewal%"),
            )
        )
        for step, year, refs in rows:
            wanted.update((ref, year, step) for ref in refs or ())
    marked = 0
    for ref, year, step in sorted(wanted):
        others = conn.execute(
            select(outbox.c.status).where(
                outbox.c.step == step,
                outbox.c.academic_year == year,
                cast(outbox.c.pupil_refs, String).like(f'%"{ref}"%'),
                outbox.c.status != OutboxStatus.CANCELLED,
            )
        ).first()
        if others is not None:
            continue  # another message of the step carries it to the household
        steps = table_of(ReminderStep)
        marked += int(
            conn.execute(
                update(steps)
                .where(
                    steps.c.pupil_ref == ref,
                    steps.c.academic_year == year,
                    steps.c.step == step,
                    steps.c.outcome == StepOutcome.SENT,
                )
                .values(outcome=StepOutcome.CANCELLED)
            ).rowcount
            or 0
        )
    return marked


# A message in these statuses carried (or is about to carry) its notice to the household.
CARRYING = ("queued", "sending", "sent", "delivered", "failed_temporary", "unknown")


def carried(conn: Connection, message: Any) -> set[str]:
    """The channels by which ``message``'s notice (its kind, step and school year) went,
    or is going, to the household (a message about any of the same children), other
    than ``message`` itself: a fallback never uses one of them again."""
    outbox = table_of(OutboxMessage)
    found: set[str] = set()
    stmt = select(outbox.c.channel, outbox.c.pupil_refs).where(
        outbox.c.kind == message.kind,
        outbox.c.academic_year == message.academic_year
        if message.academic_year is not None
        else outbox.c.academic_year.is_(None),
        outbox.c.step == message.step if message.step is not None else outbox.c.step.is_(None),
        outbox.c.status.in_(CARRYING),
        outbox.c.contact_id.is_not(None),  # to a person of the household
        outbox.c.id != message.id,
    )
    refs = set(message.pupil_refs or ())
    for ref in sorted(refs):
        rows = conn.execute(stmt.where(cast(outbox.c.pupil_refs, String).like(f'%"{ref}"%')))
        found.update(channel for channel, pupils in rows if refs & set(pupils or ()))
    return found


def steps_by_phone(conn: Connection, message: Any) -> int:
    """A ladder message failed and no other channel can carry its step to the household:
    the step is recorded ``phone`` for its children, so the team gets a phone_family task
    (with the household's numbers)."""
    if message.step is None or not str(message.kind).startswith("renewal"):
        return 0
    steps = table_of(ReminderStep)
    return int(
        conn.execute(
            update(steps)
            .where(
                steps.c.pupil_ref.in_(list(message.pupil_refs or ())),
                steps.c.academic_year == message.academic_year,
                steps.c.step == message.step,
                steps.c.outcome == StepOutcome.SENT,
            )
            .values(outcome=StepOutcome.PHONE)
        ).rowcount
        or 0
    )
