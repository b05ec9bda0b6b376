"""One child's story on one screen: the record, the contacts and who is blocked, awards,
applications and decisions, arrangements, the risk today with its reasons, the messages
sent, the tasks, and the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from services.app import App
from services.check import pupil_check
from services.keys import pupil_key
from transport.db.queries import pupil as store
from transport.db.queries.audit import AuditLine
from transport.domain.calendar_gaps import CalendarGap
from transport.domain.risk import PupilRisk
from transport.errors import UsageError


@dataclass(frozen=True)
class PupilStory:
    as_of: date
    child: store.ChildLine
    risk: PupilRisk | None
    contacts: list[store.ContactLine]
    awards: list[store.AwardLine]
    applications: list[store.ApplicationLine]
    arrangements: list[store.ArrangementLine]
    messages: list[store.MessageLine]
    tasks: list[store.TaskLine]
    audit: list[AuditLine]
    gaps: list[CalendarGap] = field(default_factory=list)  # of the calendars of their schools


def pupil_story(app: App, pupil_ref: str, *, as_of: date) -> PupilStory:
    with app.ready().engine.connect() as conn:
        pupil_ref = pupil_key(conn, pupil_ref, option="pupil")
        child = store.child(conn, pupil_ref)
        if child is None:  # left between the two reads
            raise UsageError(f"no pupil {pupil_ref!r} in the record")
        contacts = store.contacts(conn, pupil_ref)
        awards = store.awards(conn, pupil_ref)
        applications = store.applications(conn, pupil_ref)
        messages = store.messages(conn, pupil_ref, [c.contact_id for c in contacts])
        tasks = store.tasks(conn, pupil_ref)
        by_entity = {
            "contacts": [str(c.contact_id) for c in contacts],
            "tasks": [str(t.id) for t in tasks],
            "outbox": [str(m.id) for m in messages],
        }
        risk, gaps = pupil_check(app, conn, pupil_ref, as_of)
        return PupilStory(
            as_of=as_of,
            child=child,
            risk=risk,
            contacts=contacts,
            awards=awards,
            applications=applications,
            arrangements=store.arrangements(conn, pupil_ref),
            messages=messages,
            tasks=tasks,
            audit=store.audit(
                conn,
                pupil_ref,
                [a.award_ref for a in awards],
                [a.application_ref for a in applications],
                by_entity,
            ),
            gaps=gaps,
        )
