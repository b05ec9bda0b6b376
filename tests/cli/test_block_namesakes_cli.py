"""A safeguarding block does not lapse when the parent is re-listed (issue 23.1): a
contact listed for a pupil under the name, ignoring case and spaces, of a contact blocked
for that pupil, linked or detached, is blocked too (audited), until `contacts unblock`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

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

SIBLINGS = ("P1", "P2")


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # the file senders write under ./outbox
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}

# Alex again, her name typed differently, with a new email and mobile.
ALEX_AGAIN = {"name": "ALEX  o'brien", "email": "alex.new@example.net", "mobile": "07700 900777"}


def block(env: dict[str, str], reference: str) -> None:
    code, out, err = run(env, "contacts", "block", reference, "--by", "A. Caseworker",
                         "--reason", "court order")  # fmt: skip
    assert code == 0, out + err


def named(env: dict[str, str], ref: str, name: str) -> dict[str, Any]:
    return next(c for c in contacts_of(env, ref) if c["name"] == name)


def addresses(report: dict[str, Any]) -> set[str]:
    return {m["to_address"] for m in report["messages"]}


@pytest.mark.parametrize("detached_first", [True, False], ids=["detached", "linked"])
def test_a_blocked_parent_relisted_under_her_name_is_blocked_too(
    tmp_path: Path, env: dict[str, str], detached_first: bool
) -> None:
    both = [contact(ref, **ALEX) for ref in SIBLINGS] + [contact(ref, **SAM) for ref in SIBLINGS]
    imported(env, tmp_path / "v1", household(*both, refs=SIBLINGS))
    block(env, "alex@example.com")
    if detached_first:  # the next export leaves her out: detached from both children
        sams = [contact(ref, **SAM) for ref in SIBLINGS]
        files = imported(env, tmp_path / "v2", household(*sams, refs=SIBLINGS))
        assert files["contacts.csv"]["removed"] == 2

    relisted = [contact(ref, **ALEX_AGAIN) for ref in SIBLINGS]
    relisted += [contact(ref, **SAM) for ref in SIBLINGS]
    imported(env, tmp_path / "v3", household(*relisted, refs=SIBLINGS))

    for ref in SIBLINGS:
        again = named(env, ref, "ALEX  o'brien")
        assert again["blocked"] is True, again
        assert "blocked contact" in again["block_reason"]
    assert "alex.new@example.net" not in addresses(remind(env, INVITE_DAY))
    assert addresses(remind(env, REMINDER_DAY)) == {"sam@example.org", "+447700900456"}
    code, out, _ = run(env, "audit", "--action", "block", "--format", "json")
    assert code == 0
    blocks = json.loads(out)
    new_id = str(named(env, "P1", "ALEX  o'brien")["id"])
    assert [e for e in blocks if e["entity_key"] == new_id], blocks


def test_unblocking_the_relisted_contact_holds_on_the_next_import(
    tmp_path: Path, env: dict[str, str]
) -> None:
    imported(env, tmp_path / "v1", household(contact("P1", **ALEX), contact("P1", **SAM)))
    block(env, "alex@example.com")
    relisted = household(contact("P1", **ALEX_AGAIN), contact("P1", **SAM))
    imported(env, tmp_path / "v2", relisted)
    new_id = str(named(env, "P1", "ALEX  o'brien")["id"])

    # The team checks: this is another person of the same name.
    code, _, err = run(env, "contacts", "unblock", new_id, "--by", "Team lead",
                       "--reason", "a different person")  # fmt: skip
    assert code == 0, err
    imported(env, tmp_path / "v3", relisted)

    assert named(env, "P1", "ALEX  o'brien")["blocked"] is False
    assert "alex.new@example.net" in addresses(remind(env, INVITE_DAY))


def test_the_same_name_for_another_child_is_not_blocked(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """The rule is about the blocked person's own children; a namesake elsewhere is
    someone else."""
    files = household(contact("P1", **ALEX), contact("P2", **SAM), refs=SIBLINGS)
    imported(env, tmp_path / "v1", files)
    block(env, "alex@example.com")

    imported(env, tmp_path / "v2", {"contacts.csv": [contact("P2", **ALEX_AGAIN)]})

    assert named(env, "P2", "ALEX  o'brien")["blocked"] is False


@pytest.mark.parametrize("chunk_rows", [1, 5000])
@pytest.mark.parametrize("namesake_first", [False, True], ids=["below", "above"])
def test_a_block_set_by_one_row_holds_for_her_namesake_elsewhere_in_the_file(
    tmp_path: Path, env: dict[str, str], chunk_rows: int, namesake_first: bool
) -> None:
    """A block contacts.csv sets on one row holds for a namesake of hers for the same
    child on another row of the same file, above it or below, wherever the import's
    chunks end (rows one at a time, or all in one chunk)."""
    rows = [
        contact("P1", **ALEX, do_not_contact="yes"),
        contact("P1", **SAM),
        contact("P1", **ALEX_AGAIN),
    ]
    if namesake_first:
        rows.reverse()
    with mock.patch("transport.imports.bundle.CHUNK_ROWS", chunk_rows):
        imported(env, tmp_path / "v1", household(*rows))

    assert named(env, "P1", "Alex O'Brien")["blocked"] is True
    again = named(env, "P1", "ALEX  o'brien")
    assert again["blocked"] is True and "blocked contact" in again["block_reason"]
    assert "alex.new@example.net" not in addresses(remind(env, INVITE_DAY))
