"""A simulation as people read it: totals, messages by step, tasks, first days."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from rich.table import Table
from rich.text import Text

from jobs.simulate import Simulation


def simulation_report(sim: Simulation, *, seed: int) -> Iterator[Any]:
    data = sim.as_dict()
    totals = data["totals"]
    yield Text.assemble(
        (f"Simulated {sim.start} to {sim.end}", "bold"),
        f" (reply rate {sim.reply_rate:.0%}, seed {seed}): "
        f"{totals['messages']} messages to {totals['families']} families, "
        f"{totals['replies']} replies, {totals['unreachable_children']} children unreachable",
    )
    steps = Table(title="Messages by step and channel", title_justify="left")
    steps.add_column("Step")
    steps.add_column("Messages", justify="right")
    for key, count in totals["by_step"].items():
        steps.add_row(key, str(count))
    yield steps
    tasks = Table(title="Tasks opened", title_justify="left")
    tasks.add_column("Kind")
    tasks.add_column("Opened", justify="right")
    for kind, count in sorted(totals["tasks_opened"].items()):
        tasks.add_row(kind, str(count))
    yield tasks
    firsts = Table(title="Still at risk on the school's first day", title_justify="left")
    for column in ("First day", "Children", "By reason"):
        firsts.add_column(column)
    for day, children in data["at_risk_on_first_day"].items():
        reasons = Counter(reason for child in children for reason in child["reasons"])
        firsts.add_row(
            day, str(len(children)), ", ".join(f"{k} {v}" for k, v in reasons.most_common())
        )
    yield firsts


FIRST_DAY_COLUMNS = ("first_day", "pupil_ref", "school_urn", "reasons")


def first_day_rows(sim: Simulation) -> list[dict[str, Any]]:
    """One row per child still at risk on a school's first day of term."""
    return [
        {
            "first_day": day,
            "pupil_ref": child["pupil_ref"],
            "school_urn": child["school_urn"],
            "reasons": " ".join(child["reasons"]),
        }
        for day, children in sim.as_dict()["at_risk_on_first_day"].items()
        for child in children
    ]
