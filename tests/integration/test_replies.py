"""Texts families send us, on a real database: what the words mean, the team's list,
queued texts to a number that says STOP, and retention."""

from __future__ import annotations

import dataclasses
import json
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
from services.tasks import list_tasks, mark_done
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
    # and its read_reply task (the unknown number's task stays for the team, without the
    # number: it went with the texts).
    load(engine, tmp_path / "left", {"pupils.csv": [pupil("P1", first_name="Sam", status="left")]})
    purge_day = later + timedelta(days=3 * 366)
    purged = apply_retention(app, as_of=purge_day, actor="test")

    assert purged.purge.rows["contacts"] == 1
    assert purged.purge.rows["inbound_messages"] == 1
    with engine.connect() as conn:
        assert conn.execute(select(Contact)).all() == []
        assert [r.about for r in conn.execute(select(Task.about)).all()] == [None]


def test_an_unknown_numbers_task_loses_the_number_when_its_texts_are_redacted(
    app: App, engine: Engine
) -> None:
    assert isinstance(app.clock, FixedClock)
    first, late = "+447700900111", "+447700900222"
    text_received(app, provider="twilio", provider_id="SM5", from_number=first, text=TEXT)
    text_received(app, provider="twilio", provider_id="SM6", from_number=late, text="Hi")
    mark_done(app, _task_of(engine, late), by="team", note="wrong number")
    # The number texts again a week later: a new task; the first one told of one text only.
    app.clock.set(datetime(2026, 5, 8, 9, 0, tzinfo=UTC))
    text_received(app, provider="twilio", provider_id="SM7", from_number=late, text="Again")
    days = app.settings.retention.rule.message_bodies_days
    on_the_day = datetime(2026, 5, 1, tzinfo=UTC).date() + timedelta(days=days)

    kept = apply_retention(app, as_of=on_the_day, actor="test")
    dry = apply_retention(app, as_of=on_the_day + timedelta(days=1), actor="test", dry_run=True)
    after = apply_retention(app, as_of=on_the_day + timedelta(days=1), actor="test")

    assert (kept.replies_redacted, kept.reply_tasks_redacted) == (0, 0)
    assert (dry.replies_redacted, dry.reply_tasks_redacted) == (2, 2)
    assert (after.replies_redacted, after.reply_tasks_redacted) == (2, 2)
    assert after.as_dict()["reply_tasks_redacted"] == 2
    tasks = list_tasks(app, status=None, kind="read_reply")
    shown = json.dumps([task.as_dict() for task in tasks])
    assert first not in shown and "+44 7700 900111" not in shown
    assert [(t.status, t.note, late in t.reason) for t in tasks] == [
        ("open", None, False),
        ("done", "wrong number", False),
        ("open", None, True),
    ]
    with engine.connect() as conn:
        abouts = sorted(str(a) for a in conn.execute(select(Task.about)).scalars())
    assert abouts == ["None", "None", f"number:{late}"]
    # The week-later text goes on its day, and its task's number with it.
    last = apply_retention(app, as_of=on_the_day + timedelta(days=8), actor="test")
    assert (last.replies_redacted, last.reply_tasks_redacted) == (1, 1)


def _task_of(engine: Engine, number: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(Task.id).where(Task.about == f"number:{number}")).scalar_one()
        )
