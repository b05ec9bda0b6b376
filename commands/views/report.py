"""The check as an HTML page a manager opens, prints (A4) or forwards: calendar gaps
first, the totals, the most urgent children (on the first printed page), the forecast,
a timeline and the trend (inline SVG, no JavaScript: commands/views/report_charts.py),
the schools and the other children; each child's reasons in words, SEND and passenger
assistant; the council's protective marking on every printed page. The digest's email
shares its summary sections (notifications/templates/report/sections.html.j2)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup

from commands.views import report_charts as charts
from notifications.rendering import html_environment
from services.check import CheckOutcome
from transport.db.queries.needs import ChildNeeds
from transport.db.queries.snapshots import RunPoint
from transport.domain.calendar import academic_year_of, format_academic_year
from transport.domain.dates_text import day as day_text
from transport.domain.dates_text import day_year, moment_text
from transport.domain.forecast import StageForecast
from transport.domain.risk import PupilRisk
from transport.vocabulary import REASON_HELP, Severity

LIST_LIMIT = 2000  # children listed in the page; the CSV has them all
# With no critical child, the first this-many children lead the page as the most urgent.
URGENT_WITHOUT_CRITICAL = 10


def html_report(
    outcome: CheckOutcome,
    *,
    council: str,
    pupils: Mapping[str, str],
    schools: Mapping[str, str],
    trend: Sequence[RunPoint],
    made_at: datetime,
    forecast: Sequence[StageForecast] = (),
    needs: Mapping[str, ChildNeeds] | None = None,
    marking: str = "",
) -> str:
    result = outcome.result
    counts = outcome.counts()
    at_risk = list(result.at_risk)
    by_school = Counter(risk.school_urn for risk in at_risk)
    urgent = Counter(r.school_urn for r in at_risk if r.severity in ("critical", "high"))
    listed = at_risk[:LIST_LIMIT]
    children = [_child(risk, outcome, pupils, schools, needs or {}) for risk in listed]
    # Sorted by risk date, so the critical children come first: they lead the page (the
    # first printed page); with none, the first few do.
    critical = sum(1 for child in children if child["severity"] == Severity.CRITICAL)
    lead = critical or min(URGENT_WITHOUT_CRITICAL, len(children))
    context: dict[str, Any] = {
        "council": council,
        "marking": marking,
        # Printed in the page's margins (CSS @page), on every page.
        "marking_css": Markup(_css_string(marking)),
        "footer_css": Markup(_css_string(f"as of {day_year(result.as_of)}")),
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
        "by_day_svg": (
            Markup(charts.timeline(Counter(r.risk_date for r in at_risk), start=result.as_of))
            if at_risk
            else None
        ),
        # A trend needs two checks: before that, no chart (and no empty frame).
        "trend_svg": Markup(charts.trend(trend)) if len(trend) >= 2 else None,
        "trend_count": len(trend),
        "schools": [
            {"urn": urn, "name": schools.get(urn, ""), "count": n, "urgent": urgent.get(urn, 0)}
            for urn, n in by_school.most_common(15)
        ],
        "compared": outcome.baseline is not None,
        "urgent": children[:lead],
        "urgent_are_critical": bool(critical),
        "others": children[lead:],
        "listed": len(children),
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


def _child(
    risk: PupilRisk,
    outcome: CheckOutcome,
    pupils: Mapping[str, str],
    schools: Mapping[str, str],
    needs: Mapping[str, ChildNeeds],
) -> dict[str, Any]:
    """A row of the children's tables: the reasons in words (each code beside, small),
    the SEND flag, and the passenger assistant the record has for the child's year at
    risk (or, while that year has no arrangement, the latest year's)."""
    need = needs.get(risk.pupil_ref, ChildNeeds())
    year = academic_year_of(risk.risk_date)
    assistant = need.assistant_year(year)
    return {
        "severity": str(risk.severity),
        "risk_date": day_text(risk.risk_date),
        "days_until": risk.days_until,
        "pupil_ref": risk.pupil_ref,
        "name": pupils.get(risk.pupil_ref, ""),
        "school": _school(risk.school_urn, risk.next_school_urn, schools),
        "reasons": [{"code": str(r), "meaning": REASON_HELP[r]} for r in risk.reasons],
        "send": need.send,
        "assistant": (
            None
            if assistant is None
            else "yes"
            if assistant == year
            else f"had one in {format_academic_year(assistant)}"
        ),
        "new": outcome.is_new(risk.pupil_ref),
    }


def _css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a <style> element: every character
    that could end the string or the element is written as a CSS escape."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in "\"\\<>&'" or not char.isprintable() else char
        for char in text
    )
    return f'"{escaped}"'


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
