"""The report's charts (commands/views/report_charts.py) read as a timeline: each bar sits
at its date on a time axis, carries its number and its day of the month, and no two
labels overlap; the trend's checks are spaced by their dates."""

from __future__ import annotations

import re
from datetime import date
from itertools import combinations

from commands.views.report_charts import timeline, trend
from transport.db.queries.snapshots import RunPoint

AS_OF = date(2026, 8, 26)  # a Wednesday
PER_DAY = {
    date(2026, 9, 3): 12,  # Thu
    date(2026, 9, 7): 86,  # Mon
    date(2026, 9, 8): 49,  # Tue, the day after: its labels must not overlap Monday's
    date(2026, 10, 26): 1,  # Mon, weeks later: far to the right, not next to Tuesday
}


def bars(svg: str) -> list[tuple[float, float, float]]:
    """(centre x, top y, bottom y) of each bar, in order."""
    found = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', svg)
    return [(float(x) + float(w) / 2, float(y), float(y) + float(h)) for x, y, w, h in found]


def texts(svg: str) -> list[tuple[float, float, str, bool]]:
    """(x, y, text, bold) of each label."""
    found = re.findall(r'<text x="([\d.]+)" y="([\d.]+)"([^>]*)>([^<]*)</text>', svg)
    return [(float(x), float(y), text, "bold" in rest) for x, y, rest, text in found]


def test_bars_stand_at_their_dates_on_a_time_axis() -> None:
    centres = [x for x, _, _ in bars(timeline(PER_DAY, start=AS_OF))]
    assert len(centres) == 4
    days = [(day - AS_OF).days for day in PER_DAY]
    # Distances between bars are in proportion to the days between them.
    unit = (centres[3] - centres[0]) / (days[3] - days[0])
    for centre, day in zip(centres, days, strict=True):
        assert abs(centre - centres[0] - unit * (day - days[0])) < 0.2


def test_each_bar_carries_its_number_and_its_day_without_overlap() -> None:
    svg = timeline(PER_DAY, start=AS_OF)
    labels = texts(svg)
    for (centre, top, bottom), (day, count) in zip(bars(svg), PER_DAY.items(), strict=True):
        numbers = [(x, y) for x, y, text, bold in labels if bold and text == str(count)]
        assert len(numbers) == 1 and abs(numbers[0][0] - centre) < 0.1, (day, count)
        assert numbers[0][1] < top  # above its bar
        under = [x for x, y, text, bold in labels if y > bottom and text == str(day.day)]
        assert under and abs(under[0] - centre) < 0.1, day  # the day of the month, under it
    assert {"September 2026", "October 2026"} <= {text for _, _, text, _ in labels}
    boxes = [  # each number's box at 11 px, about 6.5 px a digit
        (x - len(text) * 3.25, x + len(text) * 3.25, y - 11, y)
        for x, y, text, _ in labels
        if text.isdigit()
    ]
    for a, b in combinations(boxes, 2):
        overlap = a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]
        assert not overlap, (a, b)


def test_the_timeline_says_its_values_to_a_screen_reader() -> None:
    label = re.search(r'aria-label="([^"]*)"', timeline(PER_DAY, start=AS_OF))
    assert label is not None
    assert label.group(1).endswith("Thu 3 Sep: 12; Mon 7 Sep: 86; Tue 8 Sep: 49; Mon 26 Oct: 1")


def test_the_trend_spaces_checks_by_their_dates() -> None:
    points = [  # Thu, Fri, then Mon (no checks at the weekend)
        RunPoint(date(2026, 8, 20), 30, 0),
        RunPoint(date(2026, 8, 21), 28, 0),
        RunPoint(date(2026, 8, 24), 31, 2),
    ]
    svg = trend(points)
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)"', svg)]
    assert abs((xs[2] - xs[1]) / (xs[1] - xs[0]) - 3) < 0.01
    assert {"30", "28", "31"} <= {text for _, _, text, _ in texts(svg)}
