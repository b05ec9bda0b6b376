"""The team's morning digest: counts by severity and reason, children newly at risk,
the critical ones by name, open tasks, failed messages. One email to the team's address
(queued in the outbox, once per day) and the same text in the terminal."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from notifications import outbox
from notifications.rendering import html_environment, text_environment
from transport.check_output import REASON_HELP, counts
from transport.checking import CheckOutcome
from transport.config import Config
from transport.db.risk_facts import pupil_names, school_names
from transport.db.tables import Task
from transport.domain.risk import SEVERITY_ORDER

LIST_LIMIT = 50


def digest_data(
    conn: Connection,
    outcome: CheckOutcome,
    *,
    config: Config,
    now: datetime,
    alerts: list[str] | None = None,
) -> dict[str, Any]:
    result = outcome.result
    new = [r for r in result.at_risk if outcome.is_new(r.pupil_ref)]
    critical = [r for r in result.at_risk if r.severity == "critical"]
    wanted = {r.pupil_ref for r in (*new[:LIST_LIMIT], *critical[:LIST_LIMIT])}
    wanted.update((alerts or [])[:LIST_LIMIT])
    names = pupil_names(conn, sorted(wanted))
    schools = school_names(conn)

    def line(risk: Any) -> dict[str, Any]:
        return {
            "pupil_ref": risk.pupil_ref,
            "name": names.get(risk.pupil_ref, ""),
            "school": schools.get(risk.school_urn, risk.school_urn),
            "risk_date": risk.risk_date.isoformat(),
            "days_until": risk.days_until,
            "severity": risk.severity,
            "reasons": [str(reason) for reason in risk.reasons],
        }

    tasks = Counter(
        dict(
            conn.execute(
                select(Task.kind, func.count()).where(Task.status == "open").group_by(Task.kind)
            ).all()
        )
    )
    since = now - timedelta(days=1)
    table = outbox.OUTBOX
    failed = conn.execute(
        select(table.c.id, table.c.kind, table.c.channel, table.c.status, table.c.error_code)
        .where(table.c.status.in_(("failed_permanent", "unknown")), table.c.updated_at >= since)
        .order_by(table.c.id)
    ).all()
    data = counts(outcome)
    return {
        "council": {"name": config.council.name},
        "as_of": result.as_of.isoformat(),
        "counts": {key: data[key] for key in ("in_scope", "at_risk", *SEVERITY_ORDER)},
        "by_reason": [
            {"code": code, "count": n, "meaning": REASON_HELP[code]}
            for code, n in data["by_reason"].items()
            if n
        ],
        "compared_with": outcome.baseline.as_of.isoformat() if outcome.baseline else None,
        "new": [line(r) for r in new[:LIST_LIMIT]],
        "new_total": len(new),
        "critical": [line(r) for r in critical[:LIST_LIMIT]],
        "critical_total": len(critical),
        "alerts": [{"pupil_ref": ref, "name": names.get(ref, "")} for ref in alerts or []],
        "tasks": dict(sorted(tasks.items())),
        "tasks_total": sum(tasks.values()),
        "failed": [dict(row._mapping) for row in failed[:LIST_LIMIT]],
        "failed_total": len(failed),
        "unknown_total": sum(1 for row in failed if row.status == "unknown"),
    }


def render_digest(data: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html)."""
    text_env = text_environment()
    subject = text_env.get_template("team_digest/subject.txt.j2").render(data).strip()
    text = text_env.get_template("team_digest/email.txt.j2").render(data)
    html = html_environment().get_template("team_digest/email.html.j2").render(data)
    return subject, text, html


def queue_digest(
    conn: Connection, data: dict[str, Any], *, config: Config, on: date, now: datetime
) -> int:
    subject, text, html = render_digest(data)
    message = outbox.NewMessage(
        dedupe_key=f"digest:{on.isoformat()}",
        kind="team_digest",
        channel="email",
        to_address=config.council.team_email,
        subject=subject,
        body_text=text,
        body_html=html,
    )
    return outbox.enqueue(conn, [message], now=now)
