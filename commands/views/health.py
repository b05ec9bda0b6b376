"""`transport health` as a monitor and a person read it: a first line that says it all
(what Nagios shows), then one line per concern."""

from __future__ import annotations

from collections.abc import Iterator

from services.health import HealthReport
from transport.vocabulary import HealthState

WORDS = {HealthState.OK: "ok", HealthState.PROBLEM: "PROBLEM", HealthState.UNKNOWN: "UNKNOWN"}


def health_lines(report: HealthReport) -> Iterator[tuple[str, str]]:
    """Each line as its lead (the state and the concern, in aligned columns) and its
    text."""
    problems = [c for c in report.concerns if c.state is HealthState.PROBLEM]
    unknown = [c for c in report.concerns if c.state is HealthState.UNKNOWN]
    if unknown:
        yield "UNKNOWN: ", f"transport health cannot tell ({', '.join(c.name for c in unknown)})"
    elif problems:
        names = ", ".join(c.name for c in problems)
        yield "PROBLEM: ", f"{len(problems)} concern(s) need a person: {names}"
    else:
        yield "OK: ", "all is well"
    width = max(len(c.name) for c in report.concerns)
    for concern in report.concerns:
        yield f"{WORDS[concern.state]:<8} {concern.name:<{width}}  ", concern.detail
