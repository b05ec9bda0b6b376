"""Every filter that names a key (--pupil, --school, --contact), in every command, names
one the record holds: an unknown key is a usage error naming it (exit 2), never an empty
list that reads as "nothing here".

A reference is trimmed and matched exactly, then in any case when that finds exactly one
("nc001 " is NC001); two that differ only by case are both named (exit 2). A school is
its URN, or its name (or a part of it) when that names one school.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from transport.db.queries.find import fold, near_refs, refs_folded, schools_named
from transport.db.queries.record import has_contact, has_pupil, has_school
from transport.errors import UsageError

SCHOOLS_NAMED = 8  # the schools an ambiguous name lists


@dataclass(frozen=True)
class Keys:
    """The keys as the record holds them."""

    pupil_ref: str | None = None
    school_urn: str | None = None
    contact_id: int | None = None


def known_keys(
    conn: Connection,
    *,
    pupil_ref: str | None = None,
    school_urn: str | None = None,
    contact_id: int | None = None,
) -> Keys:
    """The keys given, as the record holds them; a UsageError naming the first one it
    does not hold (or that names several)."""
    if contact_id is not None and not has_contact(conn, contact_id):
        raise UsageError(f"--contact {contact_id}: the record holds no contact with that id")
    return Keys(
        None if pupil_ref is None else pupil_key(conn, pupil_ref),
        None if school_urn is None else school_key(conn, school_urn),
        contact_id,
    )


def pupil_key(conn: Connection, text: str, *, option: str = "--pupil") -> str:
    """The pupil ``text`` names: trimmed, exactly, else in any case when that is one.
    ``option``: how the command took it, for the message (an option, or an argument)."""
    ref = text.strip()
    if not ref:
        raise UsageError(f"{option}: expected a pupil reference, got nothing")
    if has_pupil(conn, ref):
        return ref
    same = refs_folded(conn, ref)
    if len(same) == 1:
        return same[0]
    if same:
        raise UsageError(
            f"{option} {ref}: the record holds {len(same)} pupils whose references differ "
            f"only by case: {', '.join(same)}; say which, exactly"
        )
    near = difflib.get_close_matches(fold(conn, ref), near_refs(conn, ref), n=3, cutoff=0.75)
    named = [found for folded in near for found in refs_folded(conn, folded, limit=2)]
    maybe = f"; did you mean {' or '.join(named)}?" if named else ""
    said = (
        f"{option} {ref}: the record holds no pupil with that reference"
        if option.startswith("--")
        else f"no pupil {ref!r} in the record"
    )
    raise UsageError(
        f"{said}{maybe} (transport find TEXT finds a child by name, postcode, email or number)"
    )


def school_key(conn: Connection, text: str, *, option: str = "--school") -> str:
    """The school ``text`` names: its URN, or its name (or a part) naming one school."""
    urn = text.strip()
    if has_school(conn, urn):
        return urn
    named = schools_named(conn, urn, limit=SCHOOLS_NAMED + 1) if urn else []
    if len(named) == 1:
        return named[0][0]
    if named:
        listed = "; ".join(f"{found} {name}" for found, name in named[:SCHOOLS_NAMED])
        more = " and more" if len(named) > SCHOOLS_NAMED else ""
        raise UsageError(
            f"{option} {urn!r} names several schools: {listed}{more}; say which by its URN"
        )
    raise UsageError(f"{option} {urn}: the record holds no school with that URN or name")
