"""One child's story as people read it, and as JSON."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from rich.table import Table
from rich.text import Text

from commands.views import folding_table, literal, plain
from commands.views.check import SEVERITY_STYLE
from services.pupil import PupilStory
from transport.domain.calendar import format_academic_year


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


def _table(title: str, columns: list[str]) -> Table:
    return folding_table(title, columns, title_style="bold")


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d %b %Y %H:%M}"
    return f"{value:%d %b %Y}"


def story_view(story: PupilStory) -> Iterator[Any]:
    child = story.child
    head = Text.assemble(  # Text is never read as markup; plain() shows control characters
        (plain(f"{child.pupil_ref}  "), "bold"),
        (plain(f"{child.first_name} {child.last_name}"), "bold"),
        f"  born {child.date_of_birth:%d %b %Y}",
        f", year {child.year_group}" if child.year_group else "",
        ", SEND" if child.send else "",
        ("  LEFT" if child.status == "left" else ""),
        (f" on {child.left_on:%d %b %Y}" if child.status == "left" and child.left_on else ""),
    )
    yield head
    school = f"School: {child.school_name} ({child.school_urn})"
    if child.next_school_urn:
        school += f"; from next year {child.next_school_name} ({child.next_school_urn})"
    yield literal(school)
    for gap in story.gaps:
        start = f"{gap.first_assumed:%a %d %b %Y}" if gap.first_assumed else "no day"
        yield Text(
            f"TERM DATES MISSING: calendar '{gap.calendar}' has no {', '.join(gap.terms)} "
            f"dates for {format_academic_year(gap.academic_year)}; the check assumes school "
            f"days from {start}",
            "bold red",
        )
    risk = story.risk
    if risk is None:
        assumed = " (counting assumed days where term dates are missing)" if story.gaps else ""
        yield Text(f"Not at risk on {story.as_of:%a %d %b %Y}{assumed}.", "green")
    else:
        line = Text(f"At risk from {risk.risk_date:%a %d %b %Y} ({risk.days_until} days): ")
        line.append(str(risk.severity), SEVERITY_STYLE[str(risk.severity)])
        line.append("  " + " ".join(str(r) for r in risk.reasons))
        if risk.uncovered_assumed and risk.uncovered_term:
            line.append(f"  (first day without transport assumed: the {risk.uncovered_term} term)")
        yield line
    contacts = _table("Contacts", ["Id", "Name", "Role", "Email", "Mobile", "Landline, address",
                                   "Prefers", "Can be reached", "Blocked"])  # fmt: skip
    for c in story.contacts:
        usable = [n for n, ok in (("email", c.email and c.email_status == "ok"),
                                  ("sms", c.mobile and c.mobile_status == "ok"),
                                  ("letter", c.postal_address),
                                  ("phone", c.landline)) if ok]  # fmt: skip
        blocked = (
            f"BLOCKED by {c.blocked_by} {_day(c.blocked_at)}: {c.block_reason}" if c.blocked else ""
        )
        contacts.add_row(
            str(c.contact_id), literal(c.name), literal(c.relationship or ""),
            literal(_with_status(c.email, c.email_status)),
            literal(_with_status(c.mobile, c.mobile_status)),
            literal("\n".join(v for v in (c.landline, c.postal_address) if v)),
            c.preferred_channel, ", ".join(usable) if usable and not c.blocked else "no",
            literal(blocked),
        )  # fmt: skip
    yield contacts if story.contacts else Text("Contacts: none (UNREACHABLE)", "bold red")
    awards = _table("Awards", ["Award", "From", "Until", "School", "Basis", "Mode"])
    for award in story.awards:
        awards.add_row(
            literal(award.award_ref), _day(award.valid_from), _day(award.valid_until),
            award.school_urn or "", award.basis or "", award.travel_mode or "",
        )  # fmt: skip
    yield awards if story.awards else Text("Awards: none")
    apps = _table("Applications and decisions",
                  ["Application", "Year", "Kind", "Status", "Received", "Decided",
                   "Engine recommends"])  # fmt: skip
    for a in story.applications:
        decided = f"{_day(a.decided_on)} {a.decided_by or ''}".strip()
        if a.recommended_eligible is None:
            recommends = "not assessed"
        elif a.recommended_eligible:
            recommends = f"eligible ({a.recommended_basis}) until {_day(a.recommended_until)}"
        else:
            recommends = "not eligible"
        apps.add_row(literal(a.application_ref), format_academic_year(a.academic_year),
                     a.kind or "", a.status, _day(a.received_on), literal(decided),
                     recommends)  # fmt: skip
    yield apps if story.applications else Text("Applications: none")
    arrangements = _table("Travel arrangements", ["Year", "Route", "Operator", "Pick-up",
                                                  "Family told"])  # fmt: skip
    for r in story.arrangements:
        arrangements.add_row(
            format_academic_year(r.academic_year), literal(r.route_ref or ""),
            literal(r.operator or ""), r.pickup_time.strftime("%H:%M") if r.pickup_time else "",
            _day(r.family_informed_on) or "NOT YET",
        )  # fmt: skip
    yield arrangements if story.arrangements else Text("Travel arrangements: none")
    messages = _table("Messages, newest first", ["Id", "Created", "Channel", "To", "Kind",
                                                "Status", "Error"])  # fmt: skip
    for m in story.messages:
        error = " ".join(part for part in (m.error_code, m.error) if part)
        messages.add_row(
            str(m.id), _day(m.created_at), m.channel, literal(m.to), m.kind, m.status,
            literal(error),
        )  # fmt: skip
    yield messages if story.messages else Text("Messages: none")
    tasks = _table("Tasks", ["Id", "Kind", "Status", "Opened", "Due", "Why", "Note"])
    for t in story.tasks:
        tasks.add_row(str(t.id), t.kind, t.status, _day(t.opened_on), _day(t.due_on),
                      literal(t.reason), literal(t.note or ""))  # fmt: skip
    yield tasks if story.tasks else Text("Tasks: none")
    audit = _table("Audit log, newest first", ["When", "Who", "What", "Of"])
    for e in story.audit:
        audit.add_row(_day(e.at), literal(e.actor), e.action,
                      literal(f"{e.entity} {e.entity_key or ''}"))  # fmt: skip
    yield audit if story.audit else Text("Audit log: nothing about this child yet")


def _with_status(address: str | None, status: str) -> str:
    return f"{address or ''}{'' if status == 'ok' else f' ({status})'}"
