"""`transport contacts reset-status --email-bounced` (issue 22.4): the bounce marks a
relay that refused everyone made in the past are cleared, audited; a real bounce, an
older one, an opt-out and an invalid number stay as they are."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.bundles import contact
from tests.cli.test_contacts_cli import INVITE_DAY, household, imported, remind, run
from transport.db.engine import make_engine, writer
from transport.db.tables import Contact, OutboxMessage

RELAY = "SMTP RCPT the recipient's address refuses mail at relay:25: 554 5.7.1 Relay access denied"
GONE = "SMTP RCPT the recipient's address refuses mail at relay:25: 550 5.1.1 User unknown"
FAMILIES = {
    "P1": {"name": "Ann Ash", "email": "ann@example.com", "mobile": "07700 900101"},
    "P2": {"name": "Bob Birch", "email": "bob@example.com", "mobile": "07700 900102"},
    "P3": {"name": "Cat Cedar", "email": "cat@example.com", "mobile": "07700 900103"},
    "P4": {"name": "Dan Dale", "email": "dan@example.com", "mobile": "07700 900104"},
}


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


def as_a_past_version_left_it(db_url: str, marks: dict[str, tuple[str, datetime]]) -> None:
    """Each family's invite failed for good with this reply at this time, and its address
    was marked bounced (what the relay misconfiguration did before 5.7.x was read)."""
    engine = make_engine(db_url)
    try:
        with writer(engine).begin() as conn:
            for email, (error, when) in marks.items():
                person = conn.execute(select(Contact.id).where(Contact.email == email)).scalar_one()
                conn.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.contact_id == person, OutboxMessage.channel == "email")
                    .values(status="failed_permanent", error_code=error.split()[-4],
                            error_message=error, updated_at=when)
                )  # fmt: skip
                conn.execute(
                    update(Contact)
                    .where(Contact.id == person)
                    .values(email_status="bounced", status_changed_at=when)
                )
            conn.execute(update(Contact).where(Contact.email == "ann@example.com")
                         .values(mobile_status="opted_out"))  # fmt: skip
            conn.execute(update(Contact).where(Contact.email == "bob@example.com")
                         .values(mobile_status="invalid"))  # fmt: skip
    finally:
        engine.dispose()


def statuses(env: dict[str, str], db_url: str) -> dict[str, tuple[str, str]]:
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Contact.email, Contact.email_status, Contact.mobile_status))
            return {email: (e, m) for email, e, m in rows}
    finally:
        engine.dispose()


def audited(env: dict[str, str]) -> list[dict[str, Any]]:
    code, out, _ = run(env, "audit", "--action", "reset_status", "--format", "json")
    assert code == 0
    events: list[dict[str, Any]] = json.loads(out)
    return events


def test_reset_status_clears_the_relays_marks_since_a_day_and_nothing_else(
    tmp_path: Path, env: dict[str, str], db_url: str
) -> None:
    refs = tuple(FAMILIES)
    imported(env, tmp_path / "v1", household(*(contact(r, **c) for r, c in FAMILIES.items()),
                                             refs=refs))  # fmt: skip
    remind(env, INVITE_DAY)
    today, before = datetime(2026, 6, 3, 9, tzinfo=UTC), datetime(2026, 5, 1, 9, tzinfo=UTC)
    as_a_past_version_left_it(db_url, {
        "ann@example.com": (RELAY, today), "bob@example.com": (RELAY, today),
        "cat@example.com": (GONE, today), "dan@example.com": (RELAY, before),
    })  # fmt: skip
    ask = ("contacts", "reset-status", "--email-bounced", "--since", "2026-06-01", "--code", "5.7")

    code, out, err = run(env, *ask, "--dry-run")
    assert code == 0, err
    assert "would clear: 2 contact(s)" in out
    assert statuses(env, db_url)["ann@example.com"][0] == "bounced" and audited(env) == []

    code, out, err = run(env, *ask, "--by", "Team lead")

    assert code == 0, err
    assert "cleared: 2 contact(s)" in out and "outbox retry" in out
    assert statuses(env, db_url) == {
        "ann@example.com": ("ok", "opted_out"),  # the opt-out stays
        "bob@example.com": ("ok", "invalid"),  # the invalid number stays
        "cat@example.com": ("bounced", "ok"),  # a real bounce (5.1.1)
        "dan@example.com": ("bounced", "ok"),  # made before the day asked
    }
    events = audited(env)
    assert len(events) == 2 and {e["actor"] for e in events} == {"Team lead"}
    code, out, _ = run(env, *ask, "--by", "Team lead")  # again: nothing left to clear
    assert code == 0 and "cleared: 0 contact(s)" in out
    code, out, _ = run(env, *ask[:5], "--by", "Team lead")  # without --code: the 5.1.1 too
    assert "cleared: 1 contact(s)" in out
    assert statuses(env, db_url)["cat@example.com"][0] == "ok"


@pytest.mark.parametrize(
    "args",
    [
        ("--since", "2026-06-01", "--by", "X"),  # what to reset?
        ("--email-bounced", "--since", "2026-06-01"),  # who?
        ("--email-bounced", "--since", "2026-06-01", "--code", "relay", "--by", "X"),
        ("--email-bounced", "--by", "X"),  # since when?
    ],
)
def test_reset_status_usage_errors_exit_2(
    tmp_path: Path, env: dict[str, str], args: tuple[str, ...]
) -> None:
    imported(env, tmp_path / "v1", household(contact("P1")))
    code, _, err = run(env, "contacts", "reset-status", *args)
    assert code == 2, err
