"""Safeguarding blocks through the command line (SQLite, or PostgreSQL with
TRANSPORT_TEST_DATABASE_URL): `contacts block|unblock|list`, the import's do_not_contact
column, and a blocked contact never messaged from the moment of the block."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from tests.bundles import contact
from tests.cli.test_contacts_cli import (
    ALEX,
    INVITE_DAY,
    REMINDER_DAY,
    SAM,
    contacts_of,
    household,
    imported,
    remind,
    run,
)
from transport.db.engine import make_engine, writer
from transport.db.tables import Contact


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # the file senders write under ./outbox
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}


def messages(env: dict[str, str], *options: str) -> list[dict[str, Any]]:
    code, out, err = run(env, "outbox", "list", "--format", "json", *options)
    assert code == 0, err
    rows: list[dict[str, Any]] = json.loads(out)
    return rows


def send(env: dict[str, str]) -> dict[str, Any]:
    code, out, err = run(env, "outbox", "send", "--format", "json")
    assert code in (0, 1), err
    result: dict[str, Any] = json.loads(out)
    return result


def test_block_by_mobile_in_any_form_is_listed_with_who_when_and_why(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", household(contact("P1", **ALEX), contact("P1", **SAM)))

    code, out, err = run(
        env,
        "contacts",
        "block",
        "+44 7700 900123",
        "--by",
        "A. Caseworker",
        "--reason",
        "court order",
    )

    assert code == 0, err
    listed = {c["name"]: c for c in contacts_of(env, "P1")}
    alex = listed["Alex O'Brien"]
    assert (alex["blocked"], alex["blocked_by"], alex["block_reason"]) == (
        True,
        "A. Caseworker",
        "court order",
    )
    assert alex["blocked_at"] is not None
    assert listed["Sam Jones"]["blocked"] is False
    code, out, _ = run(env, "contacts", "list", "--pupil", "P1")
    assert code == 0 and "BLOCKED" in out and "court order" in out
    # The ladder treats Alex as having no usable channel: only Sam hears.
    report = remind(env, INVITE_DAY)
    assert {m["to_address"] for m in report["messages"]} == {"sam@example.org"}


def test_a_block_cancels_queued_messages_and_nothing_goes(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", household(contact("P1", **ALEX)))
    remind(env, INVITE_DAY)
    assert [m["status"] for m in messages(env)] == ["queued"]

    code, out, err = run(
        env, "contacts", "block", "ALEX@example.com", "--by", "A. Caseworker", "--reason", "risk"
    )

    assert code == 0, err
    assert "1 queued message(s) cancelled" in out
    assert [m["status"] for m in messages(env)] == ["cancelled"]
    assert send(env)["sent"] == 0
    assert not (tmp_path / "outbox").exists() or not any((tmp_path / "outbox").rglob("*.*"))


def test_the_dispatcher_never_sends_to_a_blocked_contact_even_if_queued(
    tmp_path: Path, env: dict[str, str], db_url: str
) -> None:
    imported(env, tmp_path / "v1", household(contact("P1", **ALEX)))
    remind(env, INVITE_DAY)
    engine = make_engine(db_url)
    with writer(engine).begin() as conn:  # blocked behind the service's back
        conn.execute(update(Contact).values(do_not_contact=True))
    engine.dispose()

    report = send(env)

    assert report["sent"] == 0
    assert [m["status"] for m in messages(env)] in (["queued"], ["cancelled"])


def test_an_import_sets_a_block_never_clears_it_and_unblock_does(
    tmp_path: Path, env: dict[str, str]
) -> None:
    flagged = household(contact("P1", **ALEX, do_not_contact="yes"), contact("P1", **SAM))
    imported(env, tmp_path / "v1", flagged)
    assert {c["name"]: c["blocked"] for c in contacts_of(env, "P1")} == {
        "Alex O'Brien": True,
        "Sam Jones": False,
    }

    # The next export has no flag (or no column): the block stays.
    files = imported(env, tmp_path / "v2", household(contact("P1", **ALEX), contact("P1", **SAM)))
    assert files["contacts.csv"]["updated"] == 0
    assert {c["name"]: c["blocked"] for c in contacts_of(env, "P1")}["Alex O'Brien"] is True
    assert {m["to_address"] for m in remind(env, INVITE_DAY)["messages"]} == {"sam@example.org"}

    alex_id = str(next(c["id"] for c in contacts_of(env, "P1") if c["name"] == "Alex O'Brien"))
    code, _, err = run(
        env, "contacts", "unblock", alex_id, "--by", "Team lead", "--reason", "lifted"
    )

    assert code == 0, err
    assert all(not c["blocked"] for c in contacts_of(env, "P1"))
    report = remind(env, REMINDER_DAY)
    assert "alex@example.com" in {m["to_address"] for m in report["messages"]}


def test_block_needs_by_and_reason_and_a_known_contact(tmp_path: Path, env: dict[str, str]) -> None:
    imported(env, tmp_path / "v1", household(contact("P1", **ALEX)))
    code, _, err = run(env, "contacts", "block", "nobody@example.com", "--by", "X", "--reason", "Y")
    assert code == 2 and "no contact" in err
    code, _, err = run(env, "contacts", "block", "alex@example.com", "--by", " ", "--reason", "Y")
    assert code == 2 and "--by" in err
    code, _, err = run(env, "contacts", "block", "not a number", "--by", "X", "--reason", "Y")
    assert code == 2


def test_the_list_shows_the_blocked_alone_and_pages_a_long_one(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """A county has a million contacts: the list is the first 100 by id unless --limit
    says otherwise (0: all), says how many more there are, and --blocked lists the
    blocked ones alone, whoever they belong to."""
    refs = ("P1", "P2", "P3")
    families = [contact("P1", **ALEX), contact("P2", **SAM),
                contact("P3", name="Jo Smith", email="jo@example.net")]  # fmt: skip
    imported(env, tmp_path / "v1", household(*families, refs=refs))
    assert run(env, "contacts", "block", "sam@example.org", "--by", "A. Caseworker",
               "--reason", "court order")[0] == 0  # fmt: skip

    code, out, err = run(env, "contacts", "list", "--blocked", "--format", "json")
    assert code == 0, err
    assert [(c["name"], c["pupils"]) for c in json.loads(out)] == [("Sam Jones", "P2")]

    code, out, err = run(env, "contacts", "list", "--limit", "2")
    assert code == 0, err
    assert "Contacts (2 of 3)" in out and "… and 1 more" in out
    code, out, _ = run(env, "contacts", "list", "--limit", "2", "--format", "json")
    assert [c["name"] for c in json.loads(out)] == ["Alex O'Brien", "Sam Jones"]  # by id
    code, out, _ = run(env, "contacts", "list", "--limit", "0", "--format", "json")
    assert len(json.loads(out)) == 3
    code, out, _ = run(env, "contacts", "list")
    assert "Contacts (3)" in out and "more" not in out
