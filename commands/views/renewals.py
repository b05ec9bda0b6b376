"""The renewal run in words, for the person who ran it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from commands.views import plain
from services.inform import InformReport
from services.renewals import RenewalRun
from transport.domain.calendar import format_academic_year


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def remind_summary(run: RenewalRun, *, dry_run: bool) -> Iterator[str]:
    ladder, counts = run.ladder, run.ladder.counts()
    by_step = ", ".join(f"{n} at the {step} step" for step, n in sorted(counts.by_step))
    due = _count(counts.renewal_due, "child", "children")
    if by_step:
        yield f"{due} without an application for next year; due today: {by_step}."
    else:
        yield f"{due} without an application for next year; no step is due today."
    channels = Counter(message.channel for message in ladder.messages)
    how = ", ".join(f"{n} by {'SMS' if c == 'sms' else c}" for c, n in sorted(channels.items()))
    if dry_run:
        yield (
            f"Would queue {_count(len(ladder.messages), 'message')}"
            + (f" ({how})." if how else ".")
            + " Nothing was written (dry run)."
        )
    else:
        yield f"Queued {_count(counts.queued, 'message')}" + (f" ({how})." if how else ".")
        if counts.queued < len(ladder.messages):
            yield "The rest were queued by an earlier run: nothing is sent twice."
    if ladder.unreachable:
        yield (
            "Unreachable (no usable email, mobile, landline or postal address; a task asks "
            f"the team to fix their contact details): {', '.join(sorted(ladder.unreachable))}"
        )
    if ladder.by_phone:
        yield (
            "By phone only (no email, mobile or postal address; a phone_family task shows "
            f"their numbers): {', '.join(sorted(ladder.by_phone))}"
        )
    if not ladder.unreachable:
        yield "Every family due a reminder can be reached."
    for message in ladder.messages:
        yield (
            f"  {message.step:<9} {message.channel:<5} {plain(message.to_address):<32} "
            f"{plain(message.contact_name)}: {' '.join(message.pupil_refs)}"
        )
    if run.tasks is not None:
        yield (
            f"Tasks for the team: {run.tasks.opened} opened, {run.tasks.closed} closed "
            "(transport tasks list)."
        )


def inform_summary(report: InformReport) -> Iterator[str]:
    """`transport inform` for people: what is due, what went (or would), what waits."""
    verb = "Would queue" if report.dry_run else "Queued"
    channels = Counter(message.channel for message in report.messages)
    how = ", ".join(f"{n} by {'SMS' if c == 'sms' else c}" for c, n in sorted(channels.items()))
    yield f"{_count(report.due, 'arrangement')} due to be told to the family."
    queued = len(report.messages) if report.dry_run else report.queued
    yield f"{verb} {_count(queued, 'message')}" + (f" ({how})." if how else ".") + (
        " Nothing was written (dry run)." if report.dry_run else ""
    )
    if not report.dry_run and report.queued < len(report.messages):
        yield "The rest were queued by an earlier run: nothing is sent twice."
    for message in report.messages:
        yield (
            f"  {message.channel:<6} {plain(message.to_address):<32} "
            f"{format_academic_year(message.academic_year)}: {' '.join(message.pupil_refs)}"
        )
    if report.unreached:
        yield (
            "No message can reach (a confirm_arrangement task asks the team to phone): "
            + ", ".join(sorted(set(report.unreached)))
        )
    if report.tasks:
        yield "Not sent yet (a complete_arrangement task for each):"
        for task in report.tasks:
            yield f"  {task.pupil_ref}: {task.reason}"
