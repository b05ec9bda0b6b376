"""Finding children by what a caller gives on the phone: a reference in any case, a
surname (and first name), a postcode, a parent's email or number, a school.

Every query is an index probe or an index range (migration 0016: pupils' references and
surnames folded to lower case, postcodes without spaces, contacts' emails folded, numbers)
with a LIMIT: a county of a million pupils is searched in milliseconds, and nothing is
read into Python to be searched there. Ranges and equalities on folded text compare byte
by byte (COLLATE "C" on PostgreSQL, as SQLite does), so "o'b" finds "O'Brien" whatever
the server's collation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select
from sqlalchemy.engine import Connection

from transport.db.tables import Contact, Pupil, PupilContact, School


class Found(NamedTuple):
    pupil_ref: str
    first_name: str
    last_name: str
    school_urn: str
    school_name: str
    year_group: str | None
    status: str


def _c(conn: Connection, expression: Any) -> Any:
    """The expression compared byte by byte (as its index is built, migration 0016)."""
    return expression.collate("C") if conn.dialect.name == "postgresql" else expression


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(conn: Connection, text: str) -> str:
    """``text`` folded as the database's lower() folds it: SQLite's folds ASCII letters
    only (É stays É), PostgreSQL's every letter."""
    return text.lower() if conn.dialect.name == "postgresql" else text.translate(_ASCII_LOWER)


def folded_ref(conn: Connection) -> Any:
    return _c(conn, func.lower(Pupil.pupil_ref))


def folded_surname(conn: Connection) -> Any:
    return _c(conn, func.lower(Pupil.last_name))


def compact_postcode(conn: Connection, column: Any) -> Any:
    # Literals, not bound values: SQLite uses an index on an expression only when the
    # query spells the same expression.
    return _c(conn, func.upper(func.replace(column, literal_column("' '"), literal_column("''"))))


def starts_with(expression: Any, prefix: str) -> ColumnElement[bool]:
    """``expression`` starts with ``prefix``: an index range, then the exact test on the
    few rows in it."""
    if not prefix:
        found: ColumnElement[bool] = expression.is_not(None)
        return found
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(
        expression >= prefix,
        expression < following,
        func.substr(expression, 1, len(prefix)) == prefix,
    )


def _pupils(conn: Connection, where: ColumnElement[bool], limit: int) -> list[Found]:
    stmt = (
        select(
            Pupil.pupil_ref,
            Pupil.first_name,
            Pupil.last_name,
            Pupil.school_urn,
            School.name,
            Pupil.year_group,
            Pupil.status,
        )
        .join(School, School.urn == Pupil.school_urn)
        .where(where)
        .limit(limit)
    )
    return [Found(*row) for row in conn.execute(stmt)]


def refs_folded(conn: Connection, ref: str, limit: int = 10) -> list[str]:
    """The references equal to ``ref`` but for case."""
    stmt = select(Pupil.pupil_ref).where(folded_ref(conn) == fold(conn, ref)).limit(limit)
    return sorted(conn.execute(stmt).scalars())


def by_reference(conn: Connection, text: str, limit: int) -> list[Found]:
    """Children whose reference starts with ``text`` (any case)."""
    return _pupils(conn, starts_with(folded_ref(conn), fold(conn, text)), limit)


def by_surname(conn: Connection, surname: str, first: str | None, limit: int) -> list[Found]:
    """Children whose surname starts with ``surname`` (and first name with ``first``)."""
    where = starts_with(folded_surname(conn), fold(conn, surname))
    if first:
        first_name = func.lower(Pupil.first_name)
        where = and_(where, first_name.like(_like_prefix(fold(conn, first)), escape="\\"))
    return _pupils(conn, where, limit)


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def by_postcode(conn: Connection, compact: str, limit: int) -> list[Found]:
    """Children whose home postcode (or a contact's) is ``compact`` (no spaces, upper
    case): a whole postcode, or an outward code ("NR14") with any inward code."""

    def matches(column: Any) -> ColumnElement[bool]:
        expression = compact_postcode(conn, column)
        if len(compact) >= 5 and compact[-3].isdigit():  # a whole postcode
            return expression == compact  # type: ignore[no-any-return]
        return and_(starts_with(expression, compact), func.length(expression) == len(compact) + 3)

    found = _pupils(conn, matches(Pupil.home_postcode), limit)
    return found + by_contacts(conn, matches(Contact.postcode), limit - len(found))


def by_contacts(conn: Connection, where: ColumnElement[bool], limit: int) -> list[Found]:
    """Children of the contacts that match ``where``."""
    if limit <= 0:
        return []
    contacts = select(Contact.id).where(where).limit(50).scalar_subquery()
    refs = (
        select(PupilContact.pupil_ref)
        .where(PupilContact.contact_id.in_(contacts))
        .limit(limit)
        .scalar_subquery()
    )
    return _pupils(conn, Pupil.pupil_ref.in_(refs), limit)


def email_is(email: str) -> ColumnElement[bool]:
    return func.lower(Contact.email) == email.lower()


def number_is(e164: str) -> ColumnElement[bool]:
    return or_(Contact.mobile == e164, Contact.landline == e164)


def schools_named(conn: Connection, text: str, limit: int = 20) -> list[tuple[str, str]]:
    """Schools whose URN is ``text``, or whose name is ``text`` (any case); failing that,
    whose name has a word that begins it ("mary's" finds "St Mary's CofE Academy"). The
    schools table is small (a county has hundreds)."""
    folded = text.lower()
    name = func.lower(School.name)
    for where in (
        or_(School.urn == text, name == folded),
        or_(
            name.like(_like_prefix(folded), escape="\\"),
            name.like("% " + _like_prefix(folded), escape="\\"),
        ),
    ):
        found = conn.execute(
            select(School.urn, School.name).where(where).order_by(School.name).limit(limit)
        ).all()
        if found:
            return [(urn, name) for urn, name in found]
    return []


def at_schools(conn: Connection, urns: Sequence[str], limit: int) -> list[Found]:
    """Children at these schools, now or from next year."""
    where = or_(Pupil.school_urn.in_(urns), Pupil.next_school_urn.in_(urns))
    return _pupils(conn, and_(where, Pupil.status == "active"), limit)


def near_surnames(conn: Connection, text: str, limit: int = 500) -> list[str]:
    """Surnames (folded to lower case) that begin as ``text`` does, its first two letters:
    the candidates for "did you mean" (read from the index alone, at most ``limit``)."""
    return _near(conn, folded_surname(conn), text, limit)


def near_refs(conn: Connection, text: str, limit: int = 500) -> list[str]:
    """References (folded) that begin as ``text`` does: candidates for "did you mean"."""
    return _near(conn, folded_ref(conn), text, limit)


def _near(conn: Connection, folded: Any, text: str, limit: int) -> list[str]:
    head = fold(conn, text)[:2]
    if len(head) < 2:
        return []
    stmt = select(folded).where(starts_with(folded, head)).distinct().limit(limit)
    return [str(value) for value in conn.execute(stmt).scalars()]


def spelled(conn: Connection, folded: str) -> str:
    """A surname as the record spells it (the first of its spellings)."""
    stmt = select(Pupil.last_name).where(folded_surname(conn) == folded).limit(1)
    found = conn.execute(stmt).scalar()
    return str(found) if found is not None else folded
