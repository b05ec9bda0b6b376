"""The nightly's and the renewal commands' results as JSON: the job's record (kept in
job_runs, shown by `transport jobs list`) and what `transport remind` and `transport
inform` print with --format json. Here rather than in commands/views because the jobs
keep the same record, and jobs/ sits below commands/; the keys are those the docs and
tests describe."""

from __future__ import annotations

import dataclasses
from typing import Any

from services.inform import DetailsMessage, InformReport
from services.renewals import LadderCounts, LadderMessage, RenewalCounts


def ladder_record(counts: LadderCounts) -> dict[str, Any]:
    data = dataclasses.asdict(counts)
    data["by_step"] = dict(counts.by_step)
    return data


def renewal_record(counts: RenewalCounts) -> dict[str, Any]:
    """A renewal run's figures: the check's totals, the ladder, the digest, and the
    transport details and tasks when the run did them."""
    data: dict[str, Any] = {
        "check": dataclasses.asdict(counts.check),
        "ladder": ladder_record(counts.ladder),
        "digest_queued": counts.digest_queued,
    }
    if counts.inform is not None:
        data["inform"] = dataclasses.asdict(counts.inform)
    if counts.tasks is not None:
        data["tasks"] = dataclasses.asdict(counts.tasks)
    return data


def ladder_message(message: LadderMessage) -> dict[str, Any]:
    """A household's reminder as reported (never its text)."""
    data = {**dataclasses.asdict(message), "pupil_refs": list(message.pupil_refs)}
    del data["body_text"]
    return data


def details_message(message: DetailsMessage) -> dict[str, Any]:
    return {
        "channel": message.channel,
        "to_address": message.to_address,
        "pupil_refs": list(message.pupil_refs),
        "contact_id": message.contact_id,
        "academic_year": message.academic_year,
    }


def inform_record(report: InformReport) -> dict[str, Any]:
    """`transport inform --format json`."""
    return {
        **dataclasses.asdict(report.counts()),
        "dry_run": report.dry_run,
        "pupils_to_complete": [task.pupil_ref for task in report.tasks],
        "unreached_pupils": report.unreached,
        "sent_to": [details_message(message) for message in report.messages],
    }
