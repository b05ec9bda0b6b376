"""The team's morning digest: counts by severity and reason, children newly at risk,
the critical ones by name, open tasks, failed messages. The nightly job emails it to the
team's address (queued once per day); `transport digest` prints the same text. This use
case gathers it (a :class:`Digest`); notifications/digest.py says it in words."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Connection

from notifications import outbox
from notifications.digest import Digest, DigestChild
from services.app import App, CheckSettings
from services.check import CheckOutcome, run_check
from transport.config import CouncilConfig
from transport.db.queries import channels, letters
from transport.db.queries.risk_facts import pupil_names, school_names
from transport.db.queries.tasks import open_task_counts
from transport.domain.forecast import worst_short
from transport.domain.risk import PupilRisk
from transport.vocabulary import Severity

LIST_LIMIT = 50


def digest_data(
    conn: Connection,
    outcome: CheckOutcome,
    *,
    council: CouncilConfig,
    now: datetime,
    check: CheckSettings,
    alerts: list[str] | None = None,
) -> Digest:
    result = outcome.result
    new = [r for r in result.at_risk if outcome.is_new(r.pupil_ref)]
    critical = [r for r in result.at_risk if r.severity == Severity.CRITICAL]
    wanted = {r.pupil_ref for r in (*new[:LIST_LIMIT], *critical[:LIST_LIMIT])}
    wanted.update((alerts or [])[:LIST_LIMIT])
    names = pupil_names(conn, sorted(wanted))
    schools = school_names(conn)

    def child(risk: PupilRisk) -> DigestChild:
        return DigestChild(
            risk.pupil_ref,
            names.get(risk.pupil_ref, ""),
            schools.get(risk.school_urn, risk.school_urn),
            risk.risk_date,
            risk.days_until,
            Severity(risk.severity),
            tuple(risk.reasons),
        )

    from services.check import backlog_forecast_on

    failed = outbox.recent_failures(conn, since=now - timedelta(days=1))
    unposted, oldest = letters.waiting(conn)
    counts = outcome.counts()
    return Digest(
        council=council.name,
        as_of=result.as_of,
        counts=counts.totals(),
        by_reason=tuple((code, n) for code, n in counts.by_reason if n),
        compared_with=outcome.baseline.as_of if outcome.baseline else None,
        new=tuple(child(risk) for risk in new[:LIST_LIMIT]),
        new_total=len(new),
        critical=tuple(child(risk) for risk in critical[:LIST_LIMIT]),
        critical_total=len(critical),
        alerts=tuple((ref, names.get(ref, "")) for ref in alerts or []),
        # One banner at most: the worst stage (the earliest due day, then the largest need).
        short=worst_short(backlog_forecast_on(conn, outcome, check)),
        gaps=tuple(outcome.gaps),
        channels_down=tuple(channels.down(conn)),
        no_children=outcome.no_children,
        stale=outcome.stale,
        imported_at=outcome.data_imported_at,
        tasks=tuple(sorted(open_task_counts(conn).items())),
        letters_unposted=unposted,
        letters_oldest=oldest,
        failed=tuple(failed[:LIST_LIMIT]),
        failed_total=len(failed),
        unknown_total=sum(1 for row in failed if row.status == "unknown"),
    )


def morning_digest(app: App, on: date) -> Digest:
    """The digest for ``on``, computed now and stored nowhere (`transport digest`)."""
    now = app.clock.now()
    outcome = run_check(app, as_of=on, save=False, now=now)
    with app.engine.connect() as conn:
        return digest_data(
            conn, outcome, council=app.settings.council, now=now, check=app.settings.check
        )
