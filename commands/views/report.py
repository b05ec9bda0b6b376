"""The check as an HTML page a manager opens, prints (A4) or forwards: totals, reasons,
schools, two charts (inline SVG, no JavaScript) and the children at risk. The digest's
email shares its summary sections (notifications/templates/report/sections.html.j2)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from markupsafe import Markup

from notifications.rendering import html_environment
from services.check import CheckOutcome
from transport.db.queries.snapshots import RunPoint
from transport.domain.calendar import format_academic_year
from transport.domain.dates_text import day as day_text
from transport.domain.dates_text import moment_text
from transport.domain.forecast import StageForecast
from transport.vocabulary import REASON_HELP

LIST_LIMIT = 2000  # children listed in the page; the CSV has them all
WIDTH, HEIGHT, PAD = 520, 220, 36


def html_report(
    outcome: CheckOutcome,
    *,
    council: str,
    pupils: Mapping[str, str],
    schools: Mapping[str, str],
    trend: Sequence[RunPoint],
    made_at: datetime,
    forecast: Sequence[StageForecast] = (),
) -> str:
    result = outcome.result
    counts = outcome.counts()
    at_risk = list(result.at_risk)
    by_school = Counter(risk.school_urn for risk in at_risk)
    urgent = Counter(r.school_urn for r in at_risk if r.severity in ("critical", "high"))
    listed = at_risk[:LIST_LIMIT]
    context: dict[str, Any] = {
        "council": council,
        "as_of": result.as_of.isoformat(),
        "until": (result.as_of + timedelta(days=result.horizon_days)).isoformat(),
        "school": outcome.school_urn,
        "imported_at": (_when(outcome.data_imported_at) if outcome.data_imported_at else None),
        "made_at": _when(made_at),
        "gaps": [
            {
                "calendar": gap.calendar,
                "academic_year": format_academic_year(gap.academic_year),
                "terms": gap.terms,
                "from": f"{gap.first_assumed:%a %d %b %Y}" if gap.first_assumed else "",
                "pupils": gap.pupils,
                "schools": _schools_of(gap.schools, schools),
            }
            for gap in outcome.gaps
        ],
        "warnings": _warnings(outcome),
        "no_children": outcome.no_children,
        "counts": counts,
        "by_reason": [
            {"code": code, "count": n, "meaning": REASON_HELP[code]}
            for code, n in counts["by_reason"].items()
            if n
        ],
        "by_day_svg": Markup(
            _bars(
                Counter(r.risk_date for r in at_risk),
                no_children=outcome.no_children,
                gaps=bool(outcome.gaps),
            )
        ),
        "trend_svg": Markup(_line(trend)),
        "trend_count": len(trend),
        "schools": [
            {"urn": urn, "name": schools.get(urn, ""), "count": n, "urgent": urgent.get(urn, 0)}
            for urn, n in by_school.most_common(15)
        ],
        "compared": outcome.baseline is not None,
        "children": [
            {
                "severity": str(risk.severity),
                "risk_date": f"{risk.risk_date:%a %d %b}",
                "days_until": risk.days_until,
                "pupil_ref": risk.pupil_ref,
                "name": pupils.get(risk.pupil_ref, ""),
                "school": _school(risk.school_urn, risk.next_school_urn, schools),
                "reasons": [str(reason) for reason in risk.reasons],
                "new": outcome.is_new(risk.pupil_ref),
            }
            for risk in listed
        ],
        "more": len(at_risk) - len(listed),
        "forecast": [
            {
                **stage.as_dict(),
                "short_by": stage.short_by,
                "due_by": day_text(stage.due_by) if stage.due_by else "",
                "clears_on": day_text(stage.clears_on) if stage.clears_on else "",
                "pace_words": "no recent activity" if stage.measured else "not measured",
                "needed_words": (
                    f"all, overdue since {day_text(stage.due_by)}"
                    if stage.overdue and stage.due_by
                    else f"{stage.needed_per_working_day:g}"
                ),
            }
            for stage in forecast
            if stage.outstanding
        ],
    }
    template = html_environment().get_template("report/check.html.j2")
    return template.render(context)


def _when(moment: datetime | None) -> str | None:
    """An instant in UK time (BST in summer), with its zone: 'Mon 7 Dec 2026 13:27 GMT'."""
    return moment_text(moment) if moment else None


def _warnings(outcome: CheckOutcome) -> list[str]:
    from commands.views.check import warnings

    return warnings(outcome, gaps=False)  # the gaps have their own section, first


def _schools_of(urns: Sequence[str], schools: Mapping[str, str], shown: int = 12) -> str:
    named = [f"{urn} {schools.get(urn, '')}".strip() for urn in urns[:shown]]
    more = f" and {len(urns) - shown} more" if len(urns) > shown else ""
    return ", ".join(named) + more


def _school(urn: str, next_urn: str | None, schools: Mapping[str, str]) -> str:
    name = schools.get(urn, urn)
    if next_urn and next_urn != urn:
        name += f" → {schools.get(next_urn, next_urn)}"
    return name


def _svg(body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'style="font-family:Arial,Helvetica,sans-serif;font-size:11px;">{body}</svg>'
    )


def _axes(top: int) -> str:
    bottom, right = HEIGHT - PAD, WIDTH - 8
    return (
        f'<line x1="{PAD}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#0b0c0c"/>'
        f'<line x1="{PAD}" y1="12" x2="{PAD}" y2="{bottom}" stroke="#0b0c0c"/>'
        f'<text x="{PAD - 4}" y="16" text-anchor="end">{top}</text>'
        f'<text x="{PAD - 4}" y="{bottom}" text-anchor="end">0</text>'
    )


def _bars(per_day: Counter[date], *, no_children: bool = False, gaps: bool = False) -> str:
    """Children by the first day they are without transport: a bar per day."""
    if not per_day:
        if no_children:  # not an all-clear
            return _svg('<text x="10" y="30">No child is in scope.</text>', "No child in scope")
        if gaps:  # not an all-clear either
            text = "No child is listed at risk: term dates are missing."
            return _svg(f'<text x="10" y="30">{text}</text>', text)
        return _svg('<text x="10" y="30">No child is at risk.</text>', "No child is at risk")
    days = sorted(per_day)[:40]
    top = max(per_day[d] for d in days)
    span = (WIDTH - PAD - 12) / len(days)
    plot = HEIGHT - PAD - 14
    parts = [_axes(top)]
    for index, day in enumerate(days):
        height = plot * per_day[day] / top
        x = PAD + 4 + index * span
        y = HEIGHT - PAD - height
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(span - 3, 2):.1f}" height="{height:.1f}" '
            f'fill="#1d70b8"><title>{day:%a %d %b}: {per_day[day]}</title></rect>'
        )
        if index % max(1, len(days) // 8) == 0:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD + 14}">{day:%d %b}</text>')
    label = ", ".join(f"{day:%d %b}: {per_day[day]}" for day in days)
    return _svg("".join(parts), f"Children at risk by first day without transport: {label}")


def _line(points: Sequence[RunPoint]) -> str:
    """Children at risk in each of the last checks (the snapshots)."""
    if len(points) < 2:
        text = "The trend appears after two days of checks."
        return _svg(f'<text x="10" y="30">{text}</text>', text)
    top = max(max(p.at_risk for p in points), 1)
    span = (WIDTH - PAD - 16) / (len(points) - 1)
    plot = HEIGHT - PAD - 14

    def xy(index: int, value: int) -> tuple[float, float]:
        return PAD + 4 + index * span, HEIGHT - PAD - plot * value / top

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, p.at_risk) for i, p in enumerate(points)))
    parts = [
        _axes(top),
        f'<polyline points="{line}" fill="none" stroke="#1d70b8" stroke-width="2"/>',
    ]
    for index, point in enumerate(points):
        x, y = xy(index, point.at_risk)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1d70b8">'
            f"<title>{point.as_of:%d %b}: {point.at_risk}</title></circle>"
        )
    first, last = points[0].as_of, points[-1].as_of
    parts.append(f'<text x="{PAD}" y="{HEIGHT - PAD + 14}">{first:%d %b}</text>')
    parts.append(
        f'<text x="{WIDTH - 8}" y="{HEIGHT - PAD + 14}" text-anchor="end">{last:%d %b}</text>'
    )
    label = ", ".join(f"{p.as_of:%d %b}: {p.at_risk}" for p in points)
    return _svg("".join(parts), f"Children at risk in each check: {label}")
