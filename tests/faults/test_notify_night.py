"""A night of the generated county sent through GOV.UK Notify (the local double), as a
council runs it: a team-only key stops both channels with every message still queued
(exit 2 naming NOTIFY_API_KEY); a live key sends each message once; `outbox poll` reads
each status by notification id; a permanent failure of a text marks the number invalid and
the same notice goes by email."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

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


def notify_config(tmp_path: Path, double: NotifyDouble) -> Path:
    path = tmp_path / "transport.toml"
    path.write_text(
        f"""[email]
backend = "notify"

[sms]
backend = "notify"

[notify]
base_url = "{double.url}"
email_template_id = "{double.email_template}"
sms_template_id = "{double.sms_template}"
timeout_seconds = 5.0

[sending]
quiet_hours = []
no_sms_on_sundays = false
email_per_second = 20.0
sms_per_second = 20.0
workers = 2
"""
    )
    return path


def notify_env(db_url: str, config: Path, key: str) -> dict[str, str]:
    env = environment(db_url, config)
    env["NOTIFY_API_KEY"] = key
    return env


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
        runs.append(run(team, "import", str(county), cwd=tmp_path))
        runs.append(run(team, "jobs", "run", "nightly", "--on", NIGHT, cwd=tmp_path))
        assert [r.code for r in runs] == [0, 0], runs[-1].out
        queued = outbox_rows(engine)
        assert {row.channel for row in queued} == {"email", "sms"}

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
        rows = outbox_rows(engine)
        assert {row.status for row in rows} == {"sent"}
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
            double.set_status(row.provider_id, status)
        polled = run(live, "outbox", "poll", cwd=tmp_path)
        runs.append(polled)
        assert polled.code == 0, polled.out
        assert f"delivered {len(rows) - 1}, undelivered 1" in polled.out, polled.out
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

        final = Counter(row.status for row in outbox_rows(engine))
        assert final == Counter({"delivered": len(rows), "failed_permanent": 1})
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
