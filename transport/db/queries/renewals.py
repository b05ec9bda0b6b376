"""The renewal ladder's reads and writes: each due pupil's contacts and the steps already
recorded, the households' names and addresses, each child's line of a message, and the
step records whose unique key (pupil, school year, step) makes every run idempotent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from transport.db.dialect import CHUNK, chunks, insert_ignoring
from transport.db.tables import Award, Contact, Pupil, PupilContact, ReminderStep, School, table_of
from transport.domain.calendar import academic_year_of, format_academic_year
from transport.domain.ladder import ContactFact, PlannedStep
from transport.vocabulary import ChannelStatus


def all_done_steps(conn: Connection) -> dict[tuple[str, int], set[str]]:
    """(pupil, school year) -> every step recorded, for the whole county."""
    done: dict[tuple[str, int], set[str]] = defaultdict(set)
    for ref, year, step in conn.execute(
        select(ReminderStep.pupil_ref, ReminderStep.academic_year, ReminderStep.step)
    ):
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
        outcome = "unreachable" if item.unreachable else "sent"
        due_rows.append({**base, "step": item.step.step, "outcome": outcome})
        skipped_rows.extend({**base, "step": s, "outcome": "skipped"} for s in item.skipped)
    inserted: set[tuple[str, int]] = set()
    stmt = insert_ignoring(conn, table, ["pupil_ref", "academic_year", "step"])
    for start in range(0, len(due_rows), CHUNK):
        returned = conn.execute(
            stmt.returning(table.c.pupil_ref, table.c.academic_year),
            due_rows[start : start + CHUNK],
        )
        inserted.update((ref, year) for ref, year in returned)
    # A step recorded as unreachable, now sent: the family became reachable. Only an
    # unreachable record is upgraded, so two runs at once still send it once.
    upgrade = (
        update(table)
        .where(
            table.c.pupil_ref == bindparam("b_ref"),
            table.c.academic_year == bindparam("b_year"),
            table.c.step == bindparam("b_step"),
            table.c.outcome == "unreachable",
        )
        .values(outcome="sent", on_date=today, uncovered_from=bindparam("b_from"), created_at=now)
    )
    for row in due_rows:
        key = (row["pupil_ref"], row["academic_year"])
        if row["outcome"] != "sent" or key in inserted:
            continue
        params = {
            "b_ref": key[0],
            "b_year": key[1],
            "b_step": row["step"],
            "b_from": row["uncovered_from"],
        }
        if conn.execute(upgrade, params).rowcount:
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
            found[row.pupil_ref].append(
                ContactFact(
                    row.id,
                    row.preferred_channel,
                    # A blocked contact has no usable channel (safeguarding).
                    bool(row.email)
                    and row.email_status == ChannelStatus.OK
                    and not row.do_not_contact,
                    bool(row.mobile)
                    and row.mobile_status == ChannelStatus.OK
                    and not row.do_not_contact,
                    row.email,
                    row.mobile,
                )
            )
    return found


Steps = dict[tuple[str, int], set[str]]


def done_steps(conn: Connection, keys: Sequence[tuple[str, int]]) -> tuple[Steps, Steps]:
    """(pupil, year) -> the steps sent or skipped, and -> those recorded unreachable."""
    done: Steps = defaultdict(set)
    unreachable: Steps = defaultdict(set)
    wanted = set(keys)
    for chunk in chunks(sorted({ref for ref, _ in keys})):
        stmt = select(
            ReminderStep.pupil_ref,
            ReminderStep.academic_year,
            ReminderStep.step,
            ReminderStep.outcome,
        )
        for ref, year, step, outcome in conn.execute(stmt.where(ReminderStep.pupil_ref.in_(chunk))):
            if (ref, year) in wanted:
                (unreachable if outcome == "unreachable" else done)[(ref, year)].add(step)
    return done, unreachable


def people(conn: Connection, ids: set[int]) -> dict[int, dict[str, Any]]:
    people: dict[int, dict[str, Any]] = {}
    for chunk in chunks(sorted(ids)):
        stmt = select(Contact.id, Contact.name, Contact.email, Contact.mobile)
        for row in conn.execute(stmt.where(Contact.id.in_(chunk))):
            people[row.id] = {"name": row.name, "email": row.email, "mobile": row.mobile}
    return people


def children(
    conn: Connection, refs: set[str], planned: Sequence[PlannedStep]
) -> dict[str, dict[str, Any]]:
    """Each child's line: first name, the school they need transport to from R, the last
    day of their current award before R, and R (``needed_from``; when R is an assumed day,
    ``needed_from_assumed`` and the term's name, ``needed_from_term``: a message then
    names the term, never the date)."""
    uncovered = {item.pupil_ref: item.uncovered_from for item in planned}
    assumed = {item.pupil_ref: (item.uncovered_assumed, item.uncovered_term) for item in planned}
    lines: dict[str, dict[str, Any]] = {}
    for chunk in chunks(sorted(refs)):
        pupils = conn.execute(
            select(
                Pupil.pupil_ref, Pupil.first_name, Pupil.school_urn, Pupil.next_school_urn
            ).where(Pupil.pupil_ref.in_(chunk))
        ).all()
        ends = dict(
            conn.execute(
                select(Award.pupil_ref, func.max(Award.valid_until))
                .where(Award.pupil_ref.in_(chunk))
                .group_by(Award.pupil_ref)
            ).all()
        )
        urns = {p.school_urn for p in pupils} | {
            p.next_school_urn for p in pupils if p.next_school_urn
        }
        names = dict(
            conn.execute(select(School.urn, School.name).where(School.urn.in_(urns))).all()
        )
        for pupil in pupils:
            r = uncovered[pupil.pupil_ref]
            ended = ends.get(pupil.pupil_ref)
            ends_on = ended if ended is not None and ended < r else r - timedelta(days=1)
            school = pupil.school_urn
            if pupil.next_school_urn and academic_year_of(r) > academic_year_of(ends_on):
                school = pupil.next_school_urn
            lines[pupil.pupil_ref] = {
                "pupil_ref": pupil.pupil_ref,
                "first_name": pupil.first_name,
                "school_name": names.get(school, ""),
                "ends_on": ends_on.isoformat(),
                "needed_from": r.isoformat(),
                "needed_from_assumed": assumed[pupil.pupil_ref][0],
                "needed_from_term": assumed[pupil.pupil_ref][1],
                "academic_year": format_academic_year(academic_year_of(r)),
                "starts_on": r.isoformat(),
                "operator": None,
                "route_ref": None,
                "pickup_time": None,
            }
    return lines


def household_of(conn: Connection, pupil_ref: str) -> list[str]:
    """The pupil and every pupil who shares a contact with them, in order."""
    shared = select(PupilContact.contact_id).where(PupilContact.pupil_ref == pupil_ref)
    refs = conn.execute(
        select(PupilContact.pupil_ref).where(PupilContact.contact_id.in_(shared)).distinct()
    ).scalars()
    return sorted({pupil_ref, *refs})
