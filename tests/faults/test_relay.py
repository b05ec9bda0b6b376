"""A relay that refuses everyone (issue 22.4): the council's smarthost answers
`554 5.7.1 Relay access denied` to every recipient, a common misconfiguration. It is the
channel's configuration, not a bounce: `outbox send` exits 2 naming the relay settings,
no contact is marked bounced, nothing goes by another channel instead; once the relay is
fixed every held message goes at once, and once only. A real `550 5.1.1` still bounces
that one address. The scheduler's `jobs run dispatch` is a failed run, exit 2 (23.10)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from tests.faults.support import (
    Personal,
    arrivals,
    assert_clean,
    environment,
    job_runs,
    outbox_rows,
    run,
    smtp_with_login,
    write_config,
)
from tests.faults.test_channels import by_channel, queue_night
from tests.twilio_double import TwilioDouble
from transport.db.tables import Contact


def email_statuses(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(conn.execute(select(Contact.email_status)).scalars())


def test_a_relay_refusing_everyone_stops_email_marks_no_one_and_sends_all_once_fixed(
    tmp_path: Path, db_url: str, engine: Engine, county: Path, county_personal: Personal
) -> None:
    with smtp_with_login() as smtp, TwilioDouble() as twilio:
        config = write_config(tmp_path, smtp=smtp, twilio=twilio)
        env = environment(db_url, config, twilio=twilio)
        runs = queue_night(env, county, tmp_path)
        queued = outbox_rows(engine)
        emails = {row.id: row for row in by_channel(engine, "email")}
        assert len(emails) >= 4 and len(emails) < len(queued)
        smtp.refuse_every_recipient(554, "5.7.1 Relay access denied")

        refused = run(env, "outbox", "send", cwd=tmp_path)

        assert refused.code == 2, refused.out
        assert "email.host" in refused.out and "5.7.1" in refused.out
        assert "refuses everyone" in refused.out
        assert smtp.received == []
        assert email_statuses(engine) == Counter({"ok": email_statuses(engine)["ok"]})
        after = outbox_rows(engine)
        assert len(after) == len(queued), "a notice was queued by another channel"
        for row in after:
            if row.id in emails:
                assert row.status in ("queued", "failed_temporary"), (row.id, row.status)
                assert row.attempts == 0, "a refused attempt was counted"
            else:
                assert row.status == "sent", (row.id, row.status)
        dispatch = run(env, "jobs", "run", "dispatch", cwd=tmp_path)
        assert dispatch.code == 2, dispatch.out
        last = job_runs(engine)[-1]
        assert (last.job, last.outcome) == ("dispatch", "failed")
        assert "channel down" in last.error and "email.host" in last.error
        assert email_statuses(engine)["bounced"] == 0

        # The relay is fixed; one family's address is really gone.
        smtp.accept_every_recipient()
        gone = sorted(emails.values(), key=lambda row: row.id)[1]
        smtp.refuse_recipient(gone.to_address, 550, "5.1.1 User unknown")
        fixed = run(env, "outbox", "send", cwd=tmp_path)

        assert fixed.code == 1, fixed.out  # the one bounce failed
        seen = arrivals(engine, smtp, twilio)
        assert {row_id: seen[row_id] for row_id in emails if row_id != gone.id} == {
            row_id: 1 for row_id in emails if row_id != gone.id
        }, "each held email arrives once, without waiting for a backoff"
        assert seen[gone.id] == 0
        statuses = {row.id: row.status for row in outbox_rows(engine)}
        assert statuses[gone.id] == "failed_permanent"
        assert email_statuses(engine)["bounced"] == 1  # that one address only
        fallback = [row for row in outbox_rows(engine) if row.fallback_of == gone.id]
        assert [row.channel for row in fallback] in ([], ["sms"])  # if the family has a mobile
        again = run(env, "outbox", "send", cwd=tmp_path)
        assert again.code == 0, again.out
        assert max(arrivals(engine, smtp, twilio).values()) == 1
    assert_clean([*runs, refused, dispatch, fixed, again], county_personal)
