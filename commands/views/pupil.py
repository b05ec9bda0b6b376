"""One child's story as people read it, and as JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, tzinfo
from typing import Any

from rich.text import Text

from commands.views import address_lines, national, plain
from commands.views.check import SEVERITY_STYLE
from commands.views.tables import Line, Sheet, number, prose, value
from services.find import FindResult
from services.pupil import PupilStory
from transport.domain.calendar import format_academic_year
from transport.domain.dates_text import LONDON, date_text, day_year, short_moment


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return value


def story_json(story: PupilStory) -> dict[str, Any]:
    def rows(items: list[Any]) -> list[dict[str, Any]]:
        return [{k: _plain(v) for k, v in item._asdict().items()} for item in items]

    risk = story.risk
    return {
        "as_of": story.as_of.isoformat(),
        "pupil": {k: _plain(v) for k, v in story.child._asdict().items()},
        "risk": None
        if risk is None
        else {
            "risk_date": risk.risk_date.isoformat(),
            "days_until": risk.days_until,
            "severity": str(risk.severity),
            "reasons": [str(r) for r in risk.reasons],
            "uncovered_from": risk.uncovered_from.isoformat() if risk.uncovered_from else None,
            "uncovered_from_assumed": risk.uncovered_assumed,
            "uncovered_term": risk.uncovered_term,
        },
        "calendar_gaps": [
            {key: value for key, value in gap.as_dict().items() if key != "pupils"}
            for gap in story.gaps
        ],
        "contacts": rows(story.contacts),
        "awards": rows(story.awards),
        "applications": rows(story.applications),
        "arrangements": rows(story.arrangements),
        "messages": rows(story.messages),
        "tasks": rows(story.tasks),
        "audit": rows(story.audit),
    }


def story_view(story: PupilStory, tz: tzinfo = LONDON) -> Iterator[Any]:
    def _day(value: date | datetime | None) -> str:
        """A date as '1 Sep 2025'; an instant in local time, '2026-12-07 13:27 GMT'."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            return short_moment(value, tz)
        return f"{value.day} {value:%b %Y}"

    child = story.child
    head = Text.assemble(  # Text is never read as markup; plain() shows control characters
        (plain(f"{child.pupil_ref}  "), "bold"),
        (plain(f"{child.first_name} {child.last_name}"), "bold"),
        f"  born {date_text(child.date_of_birth)}",
        f", year {child.year_group}" if child.year_group else "",
        ", SEND" if child.send else "",
        ("  LEFT" if child.status == "left" else ""),
        (f" on {date_text(child.left_on)}" if child.status == "left" and child.left_on else ""),
    )
    yield head
    school = f"School: {child.school_name} ({child.school_urn})"
    if child.next_school_urn:
        school += f"; from next year {child.next_school_name} ({child.next_school_urn})"
    yield Line(school)
    for gap in story.gaps:
        start = f"{day_year(gap.first_assumed)}" if gap.first_assumed else "no day"
        yield Line(
            f"TERM DATES MISSING: calendar '{gap.calendar}' has no {', '.join(gap.terms)} "
            f"dates for {format_academic_year(gap.academic_year)}; the check assumes school "
            f"days from {start}",
            "bold red",
        )
    risk = story.risk
    if risk is None:
        assumed = " (counting assumed days where term dates are missing)" if story.gaps else ""
        yield Text(f"Not at risk on {day_year(story.as_of)}{assumed}.", "green")
    else:
        line = Text(f"At risk from {day_year(risk.risk_date)} ({risk.days_until} days): ")
        line.append(str(risk.severity), SEVERITY_STYLE[str(risk.severity)])
        line.append("  " + " ".join(str(r) for r in risk.reasons))
        if risk.uncovered_assumed and risk.uncovered_term:
            line.append(f"  (first day without transport assumed: the {risk.uncovered_term} term)")
        yield line
    contacts = Sheet("Contacts", [number("Id"), prose("Name"), prose("Role", optional=True),
                                  value("Email"), value("Mobile"), value("Landline, address"),
                                  value("Prefers", optional=True), prose("Can be reached"),
                                  prose("Blocked")])  # fmt: skip
    for c in story.contacts:
        usable = [n for n, ok in (("email", c.email and c.email_status == "ok"),
                                  ("sms", c.mobile and c.mobile_status == "ok"),
                                  ("letter", c.postal_address),
                                  ("phone", c.landline)) if ok]  # fmt: skip
        blocked = (
            f"BLOCKED by {c.blocked_by} {_day(c.blocked_at)}: {c.block_reason}" if c.blocked else ""
        )
        reach = [national(c.landline)] if c.landline else []
        reach += address_lines(c.postal_address)
        contacts.add_row(
            str(c.contact_id), c.name, c.relationship,
            _with_status(c.email, c.email_status),
            _with_status(national(c.mobile) if c.mobile else None, c.mobile_status),
            "\n".join(reach),
            c.preferred_channel, ", ".join(usable) if usable and not c.blocked else "no",
            blocked,
        )  # fmt: skip
    yield contacts if story.contacts else Text("Contacts: none (UNREACHABLE)", "bold red")
    awards = Sheet("Awards", [value("Award"), value("From"), value("Until"),
                              value("School", optional=True), value("Basis"),
                              value("Mode", optional=True)])  # fmt: skip
    for award in story.awards:
        awards.add_row(
            award.award_ref, _day(award.valid_from), _day(award.valid_until),
            award.school_urn, award.basis, award.travel_mode,
        )  # fmt: skip
    yield awards if story.awards else Text("Awards: none")
    apps = Sheet("Applications and decisions",
                 [value("Application"), value("Year"), value("Kind", optional=True),
                  value("Status"), value("Received"), prose("Decided"),
                  prose("Engine recommends")])  # fmt: skip
    for a in story.applications:
        decided = f"{_day(a.decided_on)} {a.decided_by or ''}".strip()
        if a.recommended_eligible is None:
            recommends = "not assessed"
        elif a.recommended_eligible:
            recommends = f"eligible ({a.recommended_basis}) until {_day(a.recommended_until)}"
        else:
            recommends = "not eligible"
        apps.add_row(a.application_ref, format_academic_year(a.academic_year),
                     a.kind, a.status, _day(a.received_on), decided, recommends)  # fmt: skip
    yield apps if story.applications else Text("Applications: none")
    arrangements = Sheet("Travel arrangements", [
        value("Year"), value("Route"), prose("Operator"), value("Pick-up"),
        value("Passenger assistant"), value("Family told"),
    ])  # fmt: skip
    for r in story.arrangements:
        arrangements.add_row(
            format_academic_year(r.academic_year), r.route_ref,
            r.operator, r.pickup_time.strftime("%H:%M") if r.pickup_time else "",
            "yes" if r.passenger_assistant else "no",
            _day(r.family_informed_on) or "NOT YET",
        )  # fmt: skip
    yield arrangements if story.arrangements else Text("Travel arrangements: none")
    messages = Sheet("Messages, newest first", [number("Id"), value("Created"), value("Channel"),
                                                value("To"), value("Kind"), value("Status"),
                                                prose("Error", optional=True)])  # fmt: skip
    for m in story.messages:
        error = " ".join(part for part in (m.error_code, m.error) if part)
        messages.add_row(
            str(m.id), _day(m.created_at), m.channel, m.to, m.kind, m.status, error,
        )  # fmt: skip
    yield messages if story.messages else Text("Messages: none")
    tasks = Sheet("Tasks", [number("Id"), value("Kind"), value("Status"), value("Opened"),
                            value("Due"), prose("Why"), prose("Note", optional=True)])  # fmt: skip
    for t in story.tasks:
        tasks.add_row(str(t.id), t.kind, t.status, _day(t.opened_on), _day(t.due_on),
                      t.reason, t.note)  # fmt: skip
    yield tasks if story.tasks else Text("Tasks: none")
    audit = Sheet("Audit log, newest first", [value("When"), prose("Who"), value("What"),
                                              value("Of")])  # fmt: skip
    for e in story.audit:
        audit.add_row(_day(e.at), e.actor, e.action, f"{e.entity} {e.entity_key or ''}".strip())
    yield audit if story.audit else Text("Audit log: nothing about this child yet")


def _with_status(address: str | None, status: str) -> str:
    return f"{address or ''}{'' if status == 'ok' else f' ({status})'}"


def found_json(result: FindResult) -> dict[str, Any]:
    return {
        "text": result.text,
        "children": [
            {
                "pupil_ref": m.pupil_ref,
                "name": m.name,
                "school_urn": m.school_urn,
                "school_name": m.school_name,
                "year_group": m.year_group,
                "status": m.status,
                "matched_on": list(m.matched_on),
            }
            for m in result.matches
        ],
        "more": result.more,
        "did_you_mean": list(result.did_you_mean),
    }


def found_view(result: FindResult) -> Iterator[Any]:
    if not result.matches:
        yield Line(f"No child matches {result.text!r}.")
        if result.did_you_mean:
            yield Line(f"Did you mean: {', '.join(result.did_you_mean)}?")
        yield Line(
            "Search by reference, a child's surname (and first name), a postcode, a "
            "parent's email or number, or a school's name or URN."
        )
        return
    shown = f"first {len(result.matches)}" if result.more else str(len(result.matches))
    children = Sheet(f"Children matching {result.text!r} ({shown})", [
        value("Pupil"), prose("Name"), value("Year", optional=True), prose("School"),
        value("Left", optional=True), prose("Matched on", optional=True),
    ])  # fmt: skip
    for m in result.matches:
        children.add_row(
            m.pupil_ref, m.name, m.year_group, f"{m.school_name} ({m.school_urn})",
            "left" if m.status == "left" else "", ", ".join(m.matched_on),
        )  # fmt: skip
    yield children
    if result.more:
        yield Line("More children match: say more (a first name, a postcode) or --limit N.")
    yield Line("One child's story: transport pupil REF", "italic")
