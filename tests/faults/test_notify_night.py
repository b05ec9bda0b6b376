"""A night of the generated county sent through GOV.UK Notify (the local double) for
email, texts and letters, as a council runs it: a team-only key stops every channel with
every message still queued (exit 2 naming NOTIFY_API_KEY); a live key sends each message
once; `outbox poll` reads each status by notification id (letters printed and posted); a
permanent failure of a text marks the number invalid and the same notice goes by email."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.faults.conftest import NIGHT
from tests.faults.support import (
    Personal,
    Run,
    assert_clean,
    environment,
    outbox_rows,
    run,
)
from tests.notify_double import NotifyDouble
from transport.db.tables import Contact
from transport.domain.working_days import is_working_day


def notify_config(tmp_path: Path, double: NotifyDouble) -> Path:
    path = tmp_path / "transport.toml"
    path.write_text(
        f"""[email]
backend = "notify"

[sms]
backend = "notify"

[letter]
backend = "notify"

[notify]
base_url = "{double.url}"
email_template_id = "{double.email_template}"
sms_template_id = "{double.sms_template}"
letter_template_id = "{double.letter_template}"
timeout_seconds = 5.0

[sending]
quiet_hours = []
no_sms_on_sundays = false
email_per_second = 19.0
sms_per_second = 19.0
workers = 2
"""
    )
    return path


def notify_env(db_url: str, config: Path, key: str) -> dict[str, str]:
    env = environment(db_url, config)
    env["NOTIFY_API_KEY"] = key
    return env


def with_letters(county: Path, folder: Path) -> Path:
    """The county, with every tenth family asking for letters at a postal address."""
    shutil.copytree(county, folder)
    path = folder / "contacts.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = list(reader.fieldnames or []), list(reader)
    for index, row in enumerate(rows):
        if index % 10 == 0:
            row.update(address_line_1=f"{index} Mill Lane", town="Northtown", postcode="NE1 4XY")
            row["preferred_channel"] = "letter"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return folder


def arrived(double: NotifyDouble) -> Counter[int]:
    """How many notifications Notify holds for each outbox id (by our reference)."""
    return Counter(int(n["reference"].removeprefix("outbox-")) for n in double.sent())


def test_a_night_through_notify_sent_delivered_and_a_failed_text_goes_by_email(
    tmp_path: Path, db_url: str, engine: Engine, county: Path, county_personal: Personal
) -> None:
    runs: list[Run] = []
    with NotifyDouble() as double:
        config = notify_config(tmp_path, double)
        team = notify_env(db_url, config, double.key("team"))
        live = notify_env(db_url, config, double.key("live"))
        bundle = with_letters(county, tmp_path / "bundle")
        runs.append(run(team, "import", str(bundle), cwd=tmp_path))
        runs.append(run(team, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path))
        assert [r.code for r in runs] == [0, 0], runs[-1].out
        queued = outbox_rows(engine)
        assert {row.channel for row in queued} == {"email", "sms", "letter"}
        # Letters go on working days only, and `outbox send` runs on today's date.
        posting = is_working_day(datetime.now(ZoneInfo("Europe/London")).date())

        refused = run(team, "outbox", "send", cwd=tmp_path)
        runs.append(refused)
        assert refused.code == 2, refused.out
        assert "NOTIFY_API_KEY" in refused.out and "team-only" in refused.out
        after = outbox_rows(engine)
        assert [(r.id, r.status, r.attempts, r.error_message) for r in after] == [
            (r.id, "queued", 0, None) for r in queued
        ]
        assert double.sent() == []

        sent = run(live, "outbox", "send", cwd=tmp_path)
        runs.append(sent)
        assert sent.code == 0, sent.out
        everything = outbox_rows(engine)
        rows = [row for row in everything if posting or row.channel != "letter"]
        assert {row.status for row in rows} == {"sent"}
        kept = {row.id for row in rows}
        assert {row.status for row in everything if row.id not in kept} <= {"queued"}
        assert arrived(double) == Counter({row.id: 1 for row in rows})
        by_id = {n["id"]: n for n in double.sent()}
        for row in rows:  # our text, through the template, to the contact's address
            notification = by_id[row.provider_id]
            assert notification["body"] == row.body_text
            if row.channel == "email":
                assert notification["subject"] == row.subject

        waiting = run(live, "outbox", "poll", cwd=tmp_path)
        runs.append(waiting)
        assert f"still pending {len(rows)}" in waiting.out, waiting.out

        failing = _a_text_to_a_contact_with_email(engine, rows)
        for row in rows:
            status = "permanent-failure" if row.id == failing.id else "delivered"
            double.set_status(row.provider_id, "received" if row.channel == "letter" else status)
        polled = run(live, "outbox", "poll", cwd=tmp_path)
        runs.append(polled)
        assert polled.code == 0, polled.out
        letters = [row for row in rows if row.channel == "letter"]
        texts_and_emails = len(rows) - len(letters)
        assert f"delivered {texts_and_emails - 1}, undelivered 1," in polled.out, polled.out
        letter_ids = {row.id for row in letters}
        posted = [row.posted_on for row in outbox_rows(engine) if row.id in letter_ids]
        assert len(posted) == len(letters) and None not in posted
        assert f"letters posted {len(letters)}" in polled.out, polled.out
        assert "sent by another channel 1" in polled.out

        fallback = [row for row in outbox_rows(engine) if row.fallback_of == failing.id]
        assert [(row.channel, row.status) for row in fallback] == [("email", "queued")]
        with engine.connect() as conn:
            contact = conn.execute(select(Contact).where(Contact.id == failing.contact_id)).one()
        assert contact.mobile_status == "invalid"

        again = run(live, "outbox", "send", cwd=tmp_path)
        runs.append(again)
        assert again.code == 0, again.out
        [resent] = [row for row in outbox_rows(engine) if row.fallback_of == failing.id]
        assert resent.status == "sent"
        double.set_status(resent.provider_id, "delivered")
        runs.append(run(live, "outbox", "poll", cwd=tmp_path))

        final = Counter(row.status for row in outbox_rows(engine) if row.channel != "letter")
        assert final == Counter({"delivered": texts_and_emails, "failed_permanent": 1})
        assert arrived(double)[failing.id] == 1 and arrived(double)[resent.id] == 1
    assert_clean(runs, county_personal)


def _a_text_to_a_contact_with_email(engine: Engine, rows: list[Any]) -> Any:
    with engine.connect() as conn:
        with_email = {
            row.id
            for row in conn.execute(
                select(Contact.id).where(Contact.email.is_not(None), Contact.email_status == "ok")
            )
        }
    return next(row for row in rows if row.channel == "sms" and row.contact_id in with_email)
