"""The report's two charts, as inline SVG (no JavaScript; they print): a timeline of the
days children are first without transport, each day's number written on its bar, and the
trend of the last checks. Both carry their values in a text alternative for a screen
reader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from html import escape

from transport.db.queries.snapshots import RunPoint
from transport.domain.dates_text import day as _day

WIDTH, HEIGHT = 680, 240
LEFT, RIGHT, TOP, BOTTOM = 12, 16, 30, 58  # the plot's margins: labels go in them
FONT = 11  # px
DIGIT = 6.5  # the width of a digit at FONT px, for keeping labels apart
MIN_DAYS = 14  # the timeline shows at least two weeks, so that one day is not a wall
AFTER_DAYS = 5  # and a few days after the last bar, room for its month's name
BLUE, INK, GREY = "#1d70b8", "#0b0c0c", "#505a5f"


def _svg(body: str, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(label)}" '
        f'style="max-width:100%;height:auto;font-family:Arial,Helvetica,sans-serif;'
        f'font-size:{FONT}px;">{body}</svg>'
    )


class _Labels:
    """Places short labels at a point, moving each up a row while it would overlap one
    already placed (days next to each other both keep their numbers)."""

    def __init__(self, top: float) -> None:
        self.top = top
        self.placed: list[tuple[float, float, float]] = []  # (left, right, baseline)

    def place(self, x: float, y: float, text: str) -> float | None:
        half = len(text) * DIGIT / 2 + 1
        while y >= self.top:
            if not any(
                left < x + half and x - half < right and abs(base - y) < FONT
                for left, right, base in self.placed
            ):
                self.placed.append((x - half, x + half, y))
                return y
            y -= FONT + 1
        return None  # no room: the bar's title and the text alternative still say it


def timeline(per_day: Mapping[date, int], *, start: date) -> str:
    """Children at risk by the first day they are without transport, on a time axis from
    ``start`` (the as-of date): a bar on each such day with its number above it, the day
    of the month under each bar, and the month names."""
    days = sorted(day for day, count in per_day.items() if count)
    end = max(days[-1] + timedelta(days=AFTER_DAYS), start + timedelta(days=MIN_DAYS))
    span = (end - start).days
    plot_width = WIDTH - LEFT - RIGHT
    base = HEIGHT - BOTTOM
    plot_height = base - TOP
    per_px = plot_width / span
    bar = max(2.0, min(18.0, per_px * 0.7))
    top = max(per_day[day] for day in days)

    def x_of(day: date) -> float:
        return LEFT + ((day - start).days + 0.5) * per_px

    parts = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="{INK}"/>']
    values = _Labels(12)
    rows = [float("-inf"), float("-inf")]  # the right edge of the last day number in each row
    for day in days:
        count, x = per_day[day], x_of(day)
        height = max(plot_height * count / top, 1.5)
        parts.append(
            f'<rect x="{x - bar / 2:.1f}" y="{base - height:.1f}" width="{bar:.1f}" '
            f'height="{height:.1f}" fill="{BLUE}"><title>{_day(day)}: {count}</title></rect>'
        )
        at = values.place(x, base - height - 4, str(count))
        if at is not None:
            parts.append(
                f'<text x="{x:.1f}" y="{at:.1f}" text-anchor="middle" font-weight="bold">'
                f"{count}</text>"
            )
        parts.append(
            f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="{INK}"/>'
        )
        half = len(str(day.day)) * DIGIT / 2
        # The day of the month under its bar; a day too close to the one before goes a row
        # lower (with a longer tick), and with no room in either it is left to the title.
        row = next((i for i, edge in enumerate(rows) if x - half > edge + 2), None)
        if row is not None:
            y = base + 15 + row * 12
            parts.append(
                f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{y - 10}" stroke="{GREY}"/>'
                f'<text x="{x:.1f}" y="{y}" text-anchor="middle">{day.day}</text>'
            )
            rows[row] = x + half
    parts.extend(_months(start, end, per_px, base + 46))
    parts.append(
        f'<text x="{LEFT}" y="{TOP - 18}" fill="{GREY}">from {_day(start)} (the as-of date)</text>'
    )
    label = "; ".join(f"{_day(day)}: {per_day[day]}" for day in days)
    return _svg("".join(parts), f"Children at risk by the first day without transport: {label}")


def _months(start: date, end: date, per_px: float, y: int) -> list[str]:
    """The months under the days: a dashed line at each 1st, and each month's name where
    its part of the axis has room ("September 2026", else "Sep", else nothing)."""
    firsts = [start]
    month = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    while month <= end:
        firsts.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    parts = []
    for index, first in enumerate(firsts):
        x = LEFT + (first - start).days * per_px
        following = firsts[index + 1] if index + 1 < len(firsts) else end
        room = (following - first).days * per_px - 6
        if index:
            parts.append(
                f'<line x1="{x:.1f}" y1="{HEIGHT - BOTTOM}" x2="{x:.1f}" y2="{y + 2}" '
                f'stroke="{GREY}" stroke-dasharray="2,2"/>'
            )
        name = next(
            (text for text in (f"{first:%B %Y}", f"{first:%b}") if len(text) * DIGIT <= room), ""
        )
        if name:
            parts.append(f'<text x="{x + 3:.1f}" y="{y}" fill="{GREY}">{name}</text>')
    return parts


def trend(points: Sequence[RunPoint]) -> str:
    """Children at risk in each of the last checks (the snapshots), at least two of
    different days: a line on a time axis (a weekend without checks is a gap, not a
    step), each check's number over its point, the first and last dates under it."""
    top = max(max(p.at_risk for p in points), 1)
    plot_width = WIDTH - LEFT - RIGHT - 24
    base = HEIGHT - BOTTOM
    first, last = points[0].as_of, points[-1].as_of
    per_day = plot_width / max((last - first).days, 1)

    def xy(index: int, value: int) -> tuple[float, float]:
        days = (points[index].as_of - first).days
        return LEFT + 12 + days * per_day, base - (base - TOP) * value / top

    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(i, p.at_risk) for i, p in enumerate(points)))
    parts = [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="{INK}"/>',
        f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2"/>',
    ]
    values = _Labels(12)
    for index, point in enumerate(points):
        x, y = xy(index, point.at_risk)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{BLUE}">'
            f"<title>{_day(point.as_of)}: {point.at_risk}</title></circle>"
        )
        at = values.place(x, y - 7, str(point.at_risk))
        if at is not None:
            parts.append(
                f'<text x="{x:.1f}" y="{at:.1f}" text-anchor="middle">{point.at_risk}</text>'
            )
    parts.append(f'<text x="{LEFT}" y="{base + 16}">{_day(first)}</text>')
    parts.append(f'<text x="{WIDTH - RIGHT}" y="{base + 16}" text-anchor="end">{_day(last)}</text>')
    label = "; ".join(f"{_day(p.as_of)}: {p.at_risk}" for p in points)
    return _svg("".join(parts), f"Children at risk in each check: {label}")
