"""The team's morning digest: counts by severity and reason, children newly at risk,
the critical ones by name, open tasks, failed messages. The nightly job emails it to the
team's address (queued once per day); `transport digest` prints the same text."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection

from notifications import outbox
from services.app import App, CheckSettings
from services.check import CheckOutcome, run_check
from transport.config import CouncilConfig
from transport.db.queries import channels, letters
from transport.db.queries.risk_facts import pupil_names, school_names
from transport.db.queries.tasks import open_task_counts
from transport.domain.calendar import format_academic_year
from transport.domain.forecast import need_text, pace_text, worst_short
from transport.vocabulary import REASON_HELP, SEVERITY_ORDER, Severity

LIST_LIMIT = 50


def digest_data(
    conn: Connection,
    outcome: CheckOutcome,
    *,
    council: CouncilConfig,
    now: datetime,
    check: CheckSettings,
    alerts: list[str] | None = None,
) -> dict[str, Any]:
    result = outcome.result
    new = [r for r in result.at_risk if outcome.is_new(r.pupil_ref)]
    critical = [r for r in result.at_risk if r.severity == Severity.CRITICAL]
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

    from services.check import backlog_forecast_on

    # One banner at most, for the worst stage (the earliest due day, then the largest need).
    worst = worst_short(backlog_forecast_on(conn, outcome, check))
    short = (
        []
        if worst is None
        else [{"stage": worst.stage, "need": need_text(worst), "pace": pace_text(worst)}]
    )
    tasks = open_task_counts(conn)
    unposted, oldest = letters.waiting(conn)
    down = channels.down(conn)
    failed = outbox.recent_failures(conn, since=now - timedelta(days=1))
    data = outcome.counts()
    gaps = [
        {
            "calendar": gap.calendar,
            "academic_year": format_academic_year(gap.academic_year),
            "terms": ", ".join(gap.terms),
            "from": f"{gap.first_assumed:%a %d %b %Y}" if gap.first_assumed else "no day",
            "schools": len(gap.schools),
            "pupils": gap.pupils,
        }
        for gap in outcome.gaps
    ]
    return {
        "council": {"name": council.name},
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
        "short": short,
        "calendar_gaps": gaps,
        "channels_down": [
            {
                "channel": d.channel,
                "since": d.since.strftime("%d %b %Y %H:%M UTC"),
                "reason": d.reason,
            }
            for d in down
        ],
        # The record's age and whether it holds children: the digest's third line.
        "record": {
            "no_children": outcome.no_children,
            "stale": outcome.stale,
            "imported_at": (
                outcome.data_imported_at.strftime("%d %b %Y %H:%M UTC")
                if outcome.data_imported_at
                else None
            ),
        },
        "tasks": dict(sorted(tasks.items())),
        "tasks_total": sum(tasks.values()),
        "letters": {
            "unposted": unposted,
            "oldest": f"{oldest:%a %d %b}" if oldest else None,
        },
        "failed": [row.as_dict() for row in failed[:LIST_LIMIT]],
        "failed_total": len(failed),
        "unknown_total": sum(1 for row in failed if row.status == "unknown"),
    }


def morning_digest(app: App, on: date) -> dict[str, Any]:
    """The digest for ``on``, computed now and stored nowhere (`transport digest`)."""
    now = app.clock.now()
    outcome = run_check(app, as_of=on, save=False, now=now)
    with app.engine.connect() as conn:
        return digest_data(
            conn,
            outcome,
            council=app.settings.council,
            now=now,
            check=app.settings.check,
        )
