"""contacts.csv lists each named pupil's whole set of contacts (docs/import-format.md).

A row links a pupil to a person. The person (a row of ``contacts``, shared by siblings)
is found by name, email and mobile together (its ``identity``); the link
(``pupil_contacts``) by the pupil and, within that pupil, by the name, else by an email
or mobile that a stored contact of that pupil has: a corrected name is the same person.

Set-based, per chunk: one read of the chunk's pupils' stored links, one of the persons,
then bulk writes. A stored link of a named pupil that no row of the file claims is
detached when the file ends (``finish``), audited and counted as removed.

A person's own values (preferred channel) are written once per import, by the first row
naming them, so siblings' rows that disagree cannot flip them back and forth (which made
a re-import of an unchanged bundle report updates). ``do_not_contact`` only ever sets a
block; only ``transport contacts unblock`` clears one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from transport.audit import AuditContext
from transport.db.queries.contacts import (
    Namesake,
    blocked_by_name,
    blocked_namesakes,
    cancel_messages,
    ever_unblocked,
    name_key,
    pupils_detached,
    unblocked_namesakes_beside,
)
from transport.db.tables import AuditEvent, PupilContact, table_of
from transport.imports.persons import (
    ADDRESS_PARTS,
    CONTACTS,
    PERSON_VALUES,
    add_persons,
    block_of,
    identity_of,
    persons_by_id,
    read_persons,
    same_address,
    same_text,
)
from transport.imports.staging import KeySet
from transport.imports.upsert import Counts, among, insert_rows, is_empty

LINKS = table_of(PupilContact)
IMPORT_BLOCK = "do_not_contact in contacts.csv"


@dataclass(frozen=True)
class _Stored:
    """A stored link of a pupil, with its person's email and mobile."""

    id: int
    pupil_ref: str
    name: str
    relationship: str | None
    contact_id: int
    email: str | None
    mobile: str | None
    landline: str | None
    claimed: bool = False  # an earlier chunk's row took it
    listed: bool = False  # the file has a row under its pupil and name (so far)

    def same_person(self, row: dict[str, Any]) -> bool:
        email = row["email"]
        return bool(
            (email and self.email and email.casefold() == self.email.casefold())
            or (row["mobile"] and row["mobile"] == self.mobile)
            or (row.get("landline") and row.get("landline") == self.landline)
        )


class ContactImport:
    """contacts.csv, chunk by chunk (``write``), then the detachments (``finish``).

    What it must remember across chunks is kept in temporary tables (staging.py), not in
    Python: the file's keys (``listed``, filled by the import as it reads), the persons
    this import has written, and the stored links a row has claimed. Into a record with
    no persons yet, every person found was written by this import: that needs no table
    (at 10,000,000 pupils, keeping it cost a sixth of the server's time in this file)."""

    def __init__(
        self, conn: Connection, audit: AuditContext, listed: KeySet, fresh: bool = False
    ) -> None:
        self.conn = conn
        self.audit = audit
        self.fresh = fresh
        self.listed = listed  # (pupil_ref, name) of the file's rows read so far
        # Identities this import has written; none to keep when there were no persons
        # before it (every person found is then one it wrote).
        self.people_written = (
            None if is_empty(conn, CONTACTS) else KeySet(conn, "import_people_written", 1)
        )
        self.claimed = KeySet(conn, "import_links_claimed", 1)  # stored link ids, as text
        self._blocked: dict[str, list[int]] | None = None  # see _blocked_by_name
        self._blocked_here: dict[int, str] = {}  # person id -> name key: blocked by this file

    def drop(self) -> None:
        if self.people_written is not None:
            self.people_written.drop()
        self.claimed.drop()

    def write(self, rows: list[dict[str, Any]]) -> Counts:
        counts = Counts()
        stored = {} if self.fresh else self._stored_links(rows)
        matched = self._match(rows, stored)
        people = self._people(rows, matched)
        new_links: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for index, row in enumerate(rows):
            contact_id, person_changed = people[index]
            link = {
                "pupil_ref": row["pupil_ref"],
                "name": row["name"],
                "relationship": row["relationship"],
                "contact_id": contact_id,
            }
            old = matched.get(index)
            if old is None:
                new_links.append(link)
                continue
            before = {
                "name": old.name,
                "relationship": old.relationship,
                "contact_id": old.contact_id,
            }
            diff = {k: [before[k], link[k]] for k in before if before[k] != link[k]}
            if diff:
                changed.append({"b_id": old.id, **link})
                events.append(
                    self.audit.event(
                        "update", LINKS.name, (old.pupil_ref, old.name), {"changes": diff}
                    )
                )
            if diff or person_changed:
                counts.updated += 1
            else:
                counts.unchanged += 1
        if changed:
            self.conn.execute(
                update(LINKS)
                .where(LINKS.c.id == bindparam("b_id"))
                .values(
                    {c: bindparam(c) for c in ("pupil_ref", "name", "relationship", "contact_id")}
                ),
                changed,
            )
        if new_links:
            insert_rows(self.conn, LINKS, new_links)
        counts.added = len(new_links)
        if events:
            self.audit_rows(events)
        return counts

    def audit_rows(self, events: list[dict[str, Any]]) -> None:
        self.conn.execute(insert(table_of(AuditEvent)), events)

    def finish(self) -> int:
        """Block the namesakes listed above the row that blocked their person; detach
        every stored link of a named pupil that no row claimed: the number detached."""
        self._block_namesakes_above()
        if self.fresh:  # every link is this file's
            return 0
        stmt = (
            select(LINKS.c.id, LINKS.c.pupil_ref, LINKS.c.name, LINKS.c.contact_id)
            .where(
                LINKS.c.pupil_ref.in_(self.listed.first_column()),
                ~self.claimed.has(LINKS.c.id),
                ~self.listed.has(LINKS.c.pupil_ref, LINKS.c.name),
            )
            .order_by(LINKS.c.id)
        )
        gone = self.conn.execute(stmt).all()
        ids = [link.id for link in gone]
        for start in range(0, len(ids), 1000):
            self.conn.execute(delete(LINKS).where(LINKS.c.id.in_(ids[start : start + 1000])))
        if gone:
            self.audit_rows(
                [
                    self.audit.event(
                        "detach",
                        LINKS.name,
                        (link.pupil_ref, link.name),
                        {"contact_id": link.contact_id, "reason": "not in contacts.csv"},
                    )
                    for link in gone
                ]
            )
            pupils_detached(
                self.conn,
                [(link.contact_id, link.pupil_ref) for link in gone],
                audit=self.audit,
            )
        return len(gone)

    # --- the reads and the persons -------------------------------------------------------

    def _stored_links(self, rows: list[dict[str, Any]]) -> dict[str, list[_Stored]]:
        pupils = sorted({row["pupil_ref"] for row in rows})
        stmt = (
            select(
                LINKS.c.id,
                LINKS.c.pupil_ref,
                LINKS.c.name,
                LINKS.c.relationship,
                LINKS.c.contact_id,
                CONTACTS.c.email,
                CONTACTS.c.mobile,
                CONTACTS.c.landline,
                self.claimed.has(LINKS.c.id),
                self.listed.has(LINKS.c.pupil_ref, LINKS.c.name),
            )
            .join(CONTACTS, CONTACTS.c.id == LINKS.c.contact_id)
            .where(among(self.conn, [LINKS.c.pupil_ref], [(p,) for p in pupils]))
            .order_by(LINKS.c.id)
        )
        found: dict[str, list[_Stored]] = {}
        for row in self.conn.execute(stmt):
            link = _Stored(*row)  # claimed and listed: 0 or 1 on SQLite
            found.setdefault(link.pupil_ref, []).append(link)
        return found

    def _match(
        self, rows: list[dict[str, Any]], stored: dict[str, list[_Stored]]
    ) -> dict[int, _Stored]:
        """Row index -> the stored link it is: by name first, then by email or mobile
        among the pupil's links that no row of the file names."""
        matched: dict[int, _Stored] = {}
        taken = {link.id for links in stored.values() for link in links if link.claimed}
        for index, row in enumerate(rows):
            for link in stored.get(row["pupil_ref"], ()):
                if link.name == row["name"] and link.id not in taken:
                    matched[index] = link
                    taken.add(link.id)
                    break
        for index, row in enumerate(rows):
            if index in matched:
                continue
            for link in stored.get(row["pupil_ref"], ()):
                free = link.id not in taken and not link.listed
                if free and link.same_person(row):
                    matched[index] = link
                    taken.add(link.id)
                    break
        self.claimed.add_all((str(link.id),) for link in matched.values())
        return matched

    def _people(
        self, rows: list[dict[str, Any]], matched: dict[int, _Stored]
    ) -> list[tuple[int, bool]]:
        """Each row's person (id) and whether this row changed that person's values.
        New persons are added; a person found under a new identity (a corrected name,
        say) inherits the block and the channel statuses of the one the link had."""
        keys = [identity_of(row) for row in rows]  # each row's person, worked out once
        wanted = set(keys)
        found = read_persons(self.conn, wanted)
        # Of this chunk's persons, those an earlier chunk wrote.
        written = (
            set(found) if self.people_written is None else self.people_written.add_batch(wanted)
        )
        previous = persons_by_id(self.conn, {link.contact_id for link in matched.values()})
        new: dict[str, dict[str, Any]] = {}
        for index, row in enumerate(rows):
            key = keys[index]
            if key in found or key in new:
                continue
            person = {
                "identity": key,
                "name": row["name"],
                "email": row["email"],
                "mobile": row["mobile"],
                **{value: row.get(value) for value in PERSON_VALUES},
                "email_status": "ok",
                "mobile_status": "ok",
                "address_status": "ok",
                "do_not_contact": False,
                "blocked_by": None,
                "blocked_at": None,
                "block_reason": None,
            }
            old = matched.get(index)
            before = previous.get(old.contact_id) if old is not None else None
            if before is not None:
                if same_text(before["email"], row["email"]):
                    person["email_status"] = before["email_status"]
                if before["mobile"] and before["mobile"] == row["mobile"]:
                    person["mobile_status"] = before["mobile_status"]
                if same_address(before, row):
                    person["address_status"] = before["address_status"]
                if before["do_not_contact"]:
                    person.update(block_of(before))
            new[key] = person
        if new:
            found.update(add_persons(self.conn, list(new.values())))
            written.update(new)
        updates: dict[int, dict[str, Any]] = {}
        changed_by: dict[int, int] = {}  # person id -> the row that changed it

        def change(person: dict[str, Any], index: int, values: dict[str, Any]) -> None:
            person.update(values)
            updates.setdefault(person["id"], {}).update(values)
            changed_by.setdefault(person["id"], index)

        for index, row in enumerate(rows):
            key = keys[index]
            person = found[key]
            values: dict[str, Any] = {}
            if key not in written:
                values = {
                    name: row.get(name) for name in PERSON_VALUES if person[name] != row.get(name)
                }
                if any(name in values for name in ADDRESS_PARTS):
                    values["address_status"] = "ok"  # a new address: worth a letter again
            old = matched.get(index)
            before = previous.get(old.contact_id) if old is not None else None
            inherits = before is not None and before["do_not_contact"]
            if (row.get("do_not_contact") or inherits) and not person["do_not_contact"]:
                values.update(
                    block_of(before)
                    if inherits and before is not None
                    else {
                        "do_not_contact": True,
                        "blocked_by": self.audit.actor,
                        "blocked_at": self.audit.at,
                        "block_reason": IMPORT_BLOCK,
                    }
                )
            written.add(key)
            if values:
                change(person, index, values)
        # Namesakes last: a block set by a row of this chunk holds for a namesake further
        # down it, as for one in a later chunk (one above it: see finish).
        self._note_blocks(found.values())
        linking = {
            (row["pupil_ref"], found[key]["id"]) for row, key in zip(rows, keys, strict=True)
        }
        for index, namesake in self._namesakes(rows, keys, found, linking).items():
            person = found[keys[index]]
            if not person["do_not_contact"]:
                change(person, index, self._block_as_namesake(namesake))
        self._note_blocks(found.values())
        by_id = {person["id"]: person for person in found.values()}
        for person_id, values in updates.items():
            if values.get("do_not_contact"):
                self._blocked_here[person_id] = name_key(by_id[person_id]["name"])
        self._update_persons(updates)
        ids = [found[key]["id"] for key in keys]
        return [(person_id, changed_by.get(person_id) == i) for i, person_id in enumerate(ids)]

    def _namesakes(
        self,
        rows: list[dict[str, Any]],
        keys: list[str],
        found: dict[str, dict[str, Any]],
        linking: set[tuple[str, int]],
    ) -> dict[int, Namesake]:
        """Row index -> the blocked contact whose name (ignoring case and spaces) the row
        gives for a pupil they are or were linked to: a blocked parent re-listed with a
        new email or mobile is still blocked (issue 23.1). Not for a person the team has
        unblocked before, nor for the blocked person themself."""
        namesakes = blocked_namesakes(
            self.conn,
            {(row["pupil_ref"], name_key(row["name"])) for row in rows},
            self._blocked_by_name(),
            linking,
        )
        if not namesakes:
            return {}
        hits: dict[int, tuple[int, Namesake]] = {}  # row -> (its person, the namesake)
        for index, row in enumerate(rows):
            namesake = namesakes.get((row["pupil_ref"], name_key(row["name"])))
            person = found[keys[index]]["id"]
            if namesake is not None and namesake.contact_id != person:
                hits[index] = (person, namesake)
        lifted = ever_unblocked(self.conn, {person for person, _ in hits.values()})
        return {i: namesake for i, (person, namesake) in hits.items() if person not in lifted}

    def _block_namesakes_above(self) -> None:
        """A namesake of a person this file blocked, listed for the same child on a row
        above hers (in an earlier chunk), is blocked as one below it is: the outcome
        does not depend on the order of the rows or where the chunks end. The persons
        this file blocked are few; each family's contacts are read once."""
        found: dict[int, Namesake] = {}
        for blocked_id, key in sorted(self._blocked_here.items()):
            for pupil, contact_id in unblocked_namesakes_beside(self.conn, blocked_id, key):
                found.setdefault(contact_id, Namesake(blocked_id, pupil))
        lifted = ever_unblocked(self.conn, found)
        self._update_persons(
            {cid: self._block_as_namesake(n) for cid, n in found.items() if cid not in lifted}
        )

    def _blocked_by_name(self) -> dict[str, list[int]]:
        """The blocked persons by name key: read once (blocks are few), then kept up to
        date with the blocks this import makes (an import never lifts one)."""
        if self._blocked is None:
            self._blocked = blocked_by_name(self.conn)
        return self._blocked

    def _note_blocks(self, persons: Iterable[dict[str, Any]]) -> None:
        blocked = self._blocked_by_name()
        for person in persons:
            if person["do_not_contact"]:
                ids = blocked.setdefault(name_key(person["name"]), [])
                if person["id"] not in ids:
                    ids.append(person["id"])

    def _block_as_namesake(self, namesake: Namesake) -> dict[str, Any]:
        return {
            "do_not_contact": True,
            "blocked_by": self.audit.actor,
            "blocked_at": self.audit.at,
            "block_reason": (
                f"listed for pupil {namesake.pupil_ref} under the name of blocked contact "
                f"{namesake.contact_id}; lift with `transport contacts unblock` if this is "
                "someone else"
            ),
        }

    def _update_persons(self, updates: dict[int, dict[str, Any]]) -> None:
        events = []
        blocked = []
        for person_id, values in updates.items():
            self.conn.execute(update(CONTACTS).where(CONTACTS.c.id == person_id).values(values))
            if values.get("do_not_contact"):
                blocked.append(person_id)
            detail = {k: str(v) for k, v in values.items()}
            action = "block" if values.get("do_not_contact") else "update"
            events.append(self.audit.event(action, CONTACTS.name, (person_id,), detail))
        if events:
            self.audit_rows(events)
        if blocked:
            cancel_messages(self.conn, blocked, audit=self.audit, why="contact blocked")
