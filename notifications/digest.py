"""The team's morning digest as a message: what the digest says (:class:`Digest`, gathered
by services/digest.py), said in words in one style (days as "Fri 4 Dec", times in UK
time, task kinds in words, a header on every table), and queued once per day to the
team's address."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy.engine import Connection

from notifications import outbox
from notifications.outbox import Failure
from notifications.rendering import html_environment, text_environment
from transport.config import CouncilConfig
from transport.db.queries.channels import ChannelDown
from transport.domain.calendar import format_academic_year
from transport.domain.calendar_gaps import CalendarGap
from transport.domain.dates_text import LONDON, day, day_year, local, moment_text
from transport.domain.forecast import StageForecast, need_text, pace_text
from transport.vocabulary import REASON_HELP, TASK_WORDS, Reason, Severity


@dataclass(frozen=True)
class DigestChild:
    """A child the digest names (for the team's eyes only, never for logs)."""

    pupil_ref: str
    name: str
    school: str
    risk_date: date
    days_until: int
    severity: Severity
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class SeverityTotals:
    """Children in scope and at risk, by severity: the check's totals, as the digest
    and the nightly's record give them."""

    in_scope: int
    at_risk: int
    critical: int
    high: int
    medium: int
    low: int


@dataclass(frozen=True)
class Digest:
    council: str
    as_of: date
    counts: SeverityTotals
    by_reason: tuple[tuple[Reason, int], ...]  # the reasons found, in the check's order
    compared_with: date | None  # the check the new ones are new since
    new: tuple[DigestChild, ...]  # the first LIST_LIMIT
    new_total: int
    critical: tuple[DigestChild, ...]
    critical_total: int
    alerts: tuple[tuple[str, str], ...]  # (pupil_ref, name): final reminders sent today
    short: StageForecast | None  # the worst stage the team is short on, if any
    gaps: tuple[CalendarGap, ...]
    channels_down: tuple[ChannelDown, ...]
    no_children: bool  # the record holds no child in scope: not an all-clear
    stale: bool  # the record is older than the council allows
    imported_at: datetime | None  # when the children's records were last imported
    tasks: tuple[tuple[str, int], ...]  # open tasks by kind
    letters_unposted: int
    letters_oldest: datetime | None
    failed: tuple[Failure, ...]  # failed or unknown in the last day, the first LIST_LIMIT
    failed_total: int
    unknown_total: int

    @property
    def tasks_total(self) -> int:
        return sum(count for _, count in self.tasks)


STATUS_WORDS = {"failed_permanent": "failed", "unknown": "outcome unknown"}


def digest_context(digest: Digest, tz: tzinfo = LONDON) -> dict[str, Any]:
    """What the templates say, in words: every day "Fri 4 Dec", every time in the
    council's local time with its zone, every task kind in words."""

    def child(found: DigestChild) -> dict[str, Any]:
        return {
            "risk_date": day(found.risk_date),
            "days_until": found.days_until,
            "severity": str(found.severity),
            "pupil_ref": found.pupil_ref,
            "name": found.name,
            "school": found.school,
            "reasons": [str(reason) for reason in found.reasons],
            "why": [{"code": str(r), "meaning": REASON_HELP[r]} for r in found.reasons],
        }

    short = digest.short
    return {
        "council": {"name": digest.council},
        "as_of": day_year(digest.as_of),
        "as_of_short": day(digest.as_of),
        "counts": dataclasses.asdict(digest.counts),
        "by_reason": [
            {"code": str(code), "count": count, "meaning": REASON_HELP[code]}
            for code, count in digest.by_reason
        ],
        "compared_with": day(digest.compared_with) if digest.compared_with else None,
        "new": [child(found) for found in digest.new],
        "new_total": digest.new_total,
        "critical": [child(found) for found in digest.critical],
        "critical_total": digest.critical_total,
        "alerts": [{"pupil_ref": ref, "name": name} for ref, name in digest.alerts],
        "short": []
        if short is None
        else [{"stage": short.stage, "need": need_text(short), "pace": pace_text(short)}],
        "calendar_gaps": [
            {
                "calendar": gap.calendar,
                "academic_year": format_academic_year(gap.academic_year),
                "terms": ", ".join(gap.terms),
                "from": day_year(gap.first_assumed) if gap.first_assumed else "no day",
                "schools": len(gap.schools),
                "pupils": gap.pupils,
            }
            for gap in digest.gaps
        ],
        "channels_down": [
            {"channel": down.channel, "since": moment_text(down.since, tz), "reason": down.reason}
            for down in digest.channels_down
        ],
        "record": {
            "no_children": digest.no_children,
            "stale": digest.stale,
            "imported_at": moment_text(digest.imported_at, tz) if digest.imported_at else None,
        },
        "tasks": [
            {"kind": kind, "words": TASK_WORDS.get(kind, kind.replace("_", " ")), "count": n}
            for kind, n in digest.tasks
        ],
        "tasks_total": digest.tasks_total,
        "letters": {
            "unposted": digest.letters_unposted,
            "oldest": day(local(digest.letters_oldest, tz).date())
            if digest.letters_oldest
            else None,
        },
        "failed": [
            {
                "id": row.id,
                "kind": row.kind,
                "channel": row.channel,
                "status": STATUS_WORDS.get(row.status, row.status),
                "error_code": row.error_code,
            }
            for row in digest.failed
        ],
        "failed_total": digest.failed_total,
        "unknown_total": digest.unknown_total,
    }


def render_digest(digest: Digest, tz: tzinfo = LONDON) -> tuple[str, str, str]:
    """(subject, text, html)."""
    data = digest_context(digest, tz)
    text_env = text_environment()
    subject = text_env.get_template("team_digest/subject.txt.j2").render(data).strip()
    text = text_env.get_template("team_digest/email.txt.j2").render(data)
    html = html_environment().get_template("team_digest/email.html.j2").render(data)
    return subject, text, html


def queue_digest(
    conn: Connection,
    digest: Digest,
    *,
    council: CouncilConfig,
    on: date,
    now: datetime,
    tz: tzinfo = LONDON,
) -> int:
    subject, text, html = render_digest(digest, tz)
    message = outbox.NewMessage(
        dedupe_key=f"digest:{on.isoformat()}",
        kind="team_digest",
        channel="email",
        to_address=council.team_email,
        subject=subject,
        body_text=text,
        body_html=html,
    )
    return outbox.enqueue(conn, [message], now=now)
