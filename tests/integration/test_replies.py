"""Texts families send us, on a real database: what the words mean, the team's list,
queued texts to a number that says STOP, and retention."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from services.app import App, build
from services.callbacks import text_received
from services.replies import list_replies
from services.retention import apply_retention
from tests.bundles import pupil
from tests.integration.test_remind import MOBILE, URGENT_DAY, family, load, run
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig
from transport.db.tables import Contact, InboundMessage, OutboxMessage, Task
from transport.domain.replies import classify_text
from transport.errors import UsageError
from transport.vocabulary import InboundKind

TEXT = "Our new address is 12 Elm Road"


@pytest.fixture
def app(db_url: str, engine: Engine) -> Iterator[App]:
    config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
    built = build(config, clock=FixedClock(datetime(2026, 5, 1, 9, 0, tzinfo=UTC)))
    yield built
    built.close()


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("STOP", InboundKind.OPT_OUT),
        (" stopall\n", InboundKind.OPT_OUT),
        ("Unsubscribe", InboundKind.OPT_OUT),
        ("cancel", InboundKind.OPT_OUT),
        ("END", InboundKind.OPT_OUT),
        ("quit ", InboundKind.OPT_OUT),
        ("start", InboundKind.OPT_IN),
        ("Yes", InboundKind.OPT_IN),
        ("UNSTOP", InboundKind.OPT_IN),
        ("help", InboundKind.HELP),
        ("STOP please", InboundKind.REPLY),
        ("stop.", InboundKind.REPLY),
        ("", InboundKind.REPLY),
    ],
)
def test_only_the_exact_words_act(text: str, kind: InboundKind) -> None:
    assert classify_text(text) == kind


def test_stop_sends_the_texts_still_queued_by_email_instead(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam"), preferred="sms"))
    run(app, URGENT_DAY)  # queues the urgent step by text
    outcome = text_received(
        app, provider="twilio", provider_id="SM1", from_number=MOBILE, text="STOP"
    )

    assert (outcome.outcome, outcome.contacts_changed, outcome.fallbacks) == ("opt_out", 1, 1)
    with engine.connect() as conn:
        rows = conn.execute(
            select(OutboxMessage.channel, OutboxMessage.status).order_by(OutboxMessage.id)
        ).all()
    assert [tuple(r) for r in rows] == [("sms", "cancelled"), ("email", "queued")]
    again = text_received(
        app, provider="twilio", provider_id="SM1", from_number=MOBILE, text="STOP"
    )
    assert again.outcome == "duplicate"


def test_the_team_lists_replies_by_contact_or_number(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    text_received(app, provider="notify", provider_id="n1", from_number="447700900123", text=TEXT)
    text_received(app, provider="twilio", provider_id="SM2", from_number="07700 900999", text="Hi")
    with engine.connect() as conn:
        contact = conn.execute(select(Contact.id)).scalar_one()

    mine = list_replies(app, contact_id=contact)
    theirs = list_replies(app, number="+44 7700 900999")

    assert [(r.kind, r.text, r.from_number) for r in mine] == [("reply", TEXT, MOBILE)]
    assert [(r.contact_id, r.text) for r in theirs] == [(None, "Hi")]
    with pytest.raises(UsageError, match="--contact 999"):
        list_replies(app, contact_id=999)


def test_replies_are_redacted_after_the_retention_period_and_go_with_their_contact(
    app: App, engine: Engine, tmp_path: Path
) -> None:
    load(engine, tmp_path / "b", family(("P1", "Sam")))
    text_received(app, provider="twilio", provider_id="SM3", from_number=MOBILE, text=TEXT)
    text_received(app, provider="twilio", provider_id="SM4", from_number="+447700900999", text="Hi")
    days = app.settings.retention.rule.message_bodies_days
    later = datetime(2026, 5, 1, tzinfo=UTC).date() + timedelta(days=days + 1)

    report = apply_retention(app, as_of=later, actor="test")

    assert report.replies_redacted == 2
    with engine.connect() as conn:
        kept = conn.execute(select(InboundMessage.body, InboundMessage.from_number)).all()
    assert [tuple(r) for r in kept] == [(None, None), (None, None)]

    # The child leaves; two years on, the family's contact is purged, and so are its texts
    # and its read_reply task (the unknown number's task stays for the team).
    load(engine, tmp_path / "left", {"pupils.csv": [pupil("P1", first_name="Sam", status="left")]})
    purge_day = later + timedelta(days=3 * 366)
    purged = apply_retention(app, as_of=purge_day, actor="test")

    assert purged.purge.rows["contacts"] == 1
    assert purged.purge.rows["inbound_messages"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(Contact)).all() == []
        assert [r.about for r in conn.execute(select(Task.about)).all()] == ["number:+447700900999"]
