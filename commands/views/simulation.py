"""A simulation as people read it: the team, the first days with and without the
reminders, when each stage clears, messages by step, tasks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from rich.text import Text

from commands.views.tables import Sheet, number, prose, value
from jobs.simulate import Comparison

RUN_TITLES = {"with_reminders": "with reminders", "no_reminders": "no reminders"}


def _rate(value: float | None) -> str:
    return "not measured" if value is None else f"{value:g}"


def simulation_report(comparison: Comparison) -> Iterator[Any]:
    data = comparison.as_dict()
    runs = data["runs"]
    yield Text.assemble(
        (f"Simulated {comparison.start} to {comparison.end}", "bold"),
        f" (reply rate {comparison.reply_rate:.0%}, unprompted "
        f"{comparison.unprompted_rate:.0%}, seed {comparison.seed})",
    )
    for name, run in runs.items():
        totals = run["totals"]
        yield Text(
            f"{RUN_TITLES[name].capitalize()}: {totals['messages']} messages to "
            f"{totals['families']} families, {totals['replies']} applications, "
            f"{totals['approved']} approved and {totals['refused']} refused by the team, "
            f"{totals['at_risk_on_first_day']} children at risk on their first day, "
            f"{totals['uncovered_on_first_day']} of them uncovered"
        )
    yield _team(comparison, data["team"])
    yield _first_days(data)
    yield _stages(runs)
    if "with_reminders" in runs:
        steps = Sheet("Messages by step and channel", [value("Step"), number("Messages")])
        for key, count in runs["with_reminders"]["totals"]["by_step"].items():
            steps.add_row(key, str(count))
        yield steps
    tasks = Sheet(
        "Tasks opened", [value("Kind"), *(number(RUN_TITLES[name].capitalize()) for name in runs)]
    )
    kinds = sorted({kind for run in runs.values() for kind in run["totals"]["tasks_opened"]})
    for kind in kinds:
        tasks.add_row(
            kind, *(str(run["totals"]["tasks_opened"].get(kind, 0)) for run in runs.values())
        )
    yield tasks


def _team(comparison: Comparison, team: dict[str, Any]) -> Sheet:
    changes_from = comparison.team.changes_from
    columns = [value("Stage"), number("Measured"), number("Simulated")]
    if changes_from is not None:
        columns.append(number(f"From {changes_from}"))
    table = Sheet(
        f"The team, items a working day (measured over the "
        f"{comparison.window_working_days} working days before {comparison.rates_as_of})",
        columns,
    )
    for stage, entry in team.items():
        row = [stage, _rate(entry["measured_per_working_day"]), f"{entry['per_working_day']:g}"]
        if changes_from is not None:
            row.append(f"{entry['per_working_day_from']:g}")
        table.add_row(*row)
    return table


def _first_days(data: dict[str, Any]) -> Sheet:
    runs = data["runs"]
    table = Sheet("Children at risk on their school's first day", [
        value("First day"), value("Run"), number("At risk"), number("Uncovered"),
        value("By reason"),
    ])  # fmt: skip
    for day, counts in data["first_days"].items():
        for name, run in runs.items():
            children = run["at_risk_on_first_day"].get(day, [])
            found = Counter(reason for child in children for reason in child["reasons"])
            table.add_row(
                day,
                RUN_TITLES[name],
                str(counts[name]["at_risk"]),
                str(counts[name]["uncovered"]),
                "\n".join(f"{k} {v}" for k, v in found.most_common()) or "-",
            )
    return table


def _stages(runs: dict[str, Any]) -> Sheet:
    table = Sheet("Each stage: children worked, waiting at the end, clear from", [
        value("Stage"), value("Run"), number("Worked"), number("Waiting"), prose("Clear from"),
    ])  # fmt: skip
    stages = next(iter(runs.values()))["stages"]
    for stage in stages:
        for name, run in runs.items():
            entry = run["stages"][stage]
            table.add_row(
                stage,
                RUN_TITLES[name],
                str(entry["worked"]),
                str(entry["waiting_at_end"]),
                entry["clears_on"] or "not by the end",
            )
    return table


FIRST_DAY_COLUMNS = ("run", "first_day", "pupil_ref", "school_urn", "reasons")


def first_day_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """One row per child at risk on a school's first day of term, per run."""
    return [
        {
            "run": name,
            "first_day": day,
            "pupil_ref": child["pupil_ref"],
            "school_urn": child["school_urn"],
            "reasons": " ".join(child["reasons"]),
        }
        for name, run in comparison.runs.items()
        for day, children in run.first_day_at_risk.items()
        for child in children
    ]
