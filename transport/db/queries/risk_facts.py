"""Set-based reads that feed the pure risk check.

Pupils are read in pages by key; each page's awards, applications, arrangements and
reachability come from one range query per table (never a query per pupil), and are
merged in memory into :class:`PupilFacts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import String, and_, bindparam, exists, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement, ColumnElement

from transport.db.dialect import among_values
from transport.db.prefetch import ahead
from transport.db.tables import (
    Application,
    Arrangement,
    Award,
    Contact,
    Pupil,
    PupilContact,
    School,
    table_of,
)
from transport.db.tables import Closure as ClosureRow
from transport.db.tables import Term as TermRow
from transport.domain.calendar import DEFAULT_CALENDAR, Calendar, Closure, Term
from transport.domain.risk import ApplicationFact, ArrangementFact, AwardFact, PupilFacts

PAGE = 20000


def load_calendars(
    conn: Connection, urns: Collection[str] | None = None
) -> tuple[dict[str, Calendar], dict[str, str]]:
    """All term calendars with their closures, and each school's calendar name; or, given
    ``urns``, only those schools and the calendars they follow (and the default one,
    which a school with no row follows): one child's check reads a handful of terms, not
    the county's."""
    school_stmt = select(School.urn, School.calendar)
    term_stmt = select(
        TermRow.calendar, TermRow.first_day, TermRow.last_day, TermRow.academic_year, TermRow.term
    )
    closure_stmt = select(
        ClosureRow.calendar,
        ClosureRow.first_day,
        ClosureRow.last_day,
        ClosureRow.urn,
        ClosureRow.kind,
    )
    # The URNs as one array (among_values): the nightly's transport details can name
    # every school of a country, more than a statement's 65,535 parameters.
    if urns is not None:
        school_stmt = school_stmt.where(among_values(conn, table_of(School).c.urn, sorted(urns)))
    schools = {urn: name for urn, name in conn.execute(school_stmt)}
    if urns is not None:
        followed = sorted({*schools.values(), DEFAULT_CALENDAR})
        term_stmt = term_stmt.where(among_values(conn, table_of(TermRow).c.calendar, followed))
        closure_stmt = closure_stmt.where(
            among_values(conn, table_of(ClosureRow).c.calendar, followed),
            among_values(conn, table_of(ClosureRow).c.urn, ["", *sorted(urns)]),
        )
    terms: dict[str, list[Term]] = defaultdict(list)
    for calendar, first, last, year, name in conn.execute(term_stmt):
        terms[calendar].append(Term(first, last, year, name))
    closures: dict[str, list[Closure]] = defaultdict(list)
    for calendar, first, last, urn, kind in conn.execute(closure_stmt):
        closures[calendar].append(Closure(first, last, urn or None, kind))
    names = terms.keys() | closures.keys()
    calendars = {name: Calendar.of(name, terms[name], closures[name]) for name in names}
    return calendars, schools


def schools_named(facts: Iterable[PupilFacts]) -> set[str]:
    """Every school the facts refer to: each pupil's, the next one, each award's."""
    urns: set[str] = set()
    for pupil in facts:
        urns.add(pupil.school_urn)
        if pupil.next_school_urn:
            urns.add(pupil.next_school_urn)
        urns.update(award.school_urn for award in pupil.awards if award.school_urn)
    return urns


def schools_of_pupil(conn: Connection, pupil_ref: str) -> list[str]:
    """The pupil's school and next school (a pupil the check does not read: no award nor
    application, or left)."""
    row = conn.execute(
        select(Pupil.school_urn, Pupil.next_school_urn).where(Pupil.pupil_ref == pupil_ref)
    ).first()
    return [urn for urn in (row or ()) if urn]


def pupil_facts(
    conn: Connection, *, school_urn: str | None = None, pupil_ref: str | None = None
) -> Iterator[PupilFacts]:
    """Every active pupil's facts (only those at ``school_urn`` now or next, or only the
    one ``pupil_ref``, when given).

    The check's hot path: statements are compiled once and run on the driver's own
    cursor, so rows are plain tuples with no per-row SQLAlchemy work; SQLite's ISO date
    text is parsed here.
    """
    reads = _Reads(conn, school_urn, pupil_ref)
    pages = _pages(conn, reads, school_urn, pupil_ref)
    if conn.dialect.name == "postgresql" and pupil_ref is None:
        # The server reads the next page while Python works on this one (prefetch.py).
        # Not on SQLite, whose reads are Python's own time: nothing to overlap.
        pages = ahead(pages)
    try:
        for page in pages:
            yield from page
    finally:
        pages.close()


def _pages(
    conn: Connection, reads: _Reads, school_urn: str | None, pupil_ref: str | None
) -> Generator[list[PupilFacts], None, None]:
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        last = ""
        while True:
            page = reads.fetch(cursor, "pupils", last=last, urn=school_urn, ref=pupil_ref)
            if not page:
                return
            first, last = page[0][0], page[-1][0]
            yield list(_merge(cursor, reads, page, first, last))
            if len(page) < PAGE:
                return
    finally:
        cursor.close()


class _Reads:
    """The check's statements, compiled once for the connection's dialect."""

    def __init__(self, conn: Connection, school_urn: str | None, pupil_ref: str | None) -> None:
        first, last = bindparam("first", type_=String), bindparam("last", type_=String)
        # A pupil with neither an award nor an application can never be in scope: the
        # database skips them (two index probes each) instead of Python looking at them.
        #
        # Each EXISTS is probed per pupil through its index, never hashed: PostgreSQL may
        # instead read the whole table into a hash, once per page, when the hash fits in
        # work_mem. With the settings of docs/operations.md a million pupils' contacts
        # fit, and each page took 2 s instead of 0.18 s (bench/explain.py). It hashes only
        # an EXISTS that refers to the pupil by equality alone, hence the redundant
        # ``>=`` beside each ``=`` (``_probed``), which the index applies for free.
        travels = or_(
            exists().where(*_probed(Award.pupil_ref, Pupil.pupil_ref)),
            exists().where(*_probed(Application.pupil_ref, Pupil.pupil_ref)),
        )
        usable = and_(
            Contact.do_not_contact.is_(False),  # a blocked contact is no way to reach them
            or_(
                and_(Contact.email.is_not(None), Contact.email_status == "ok"),
                and_(Contact.mobile.is_not(None), Contact.mobile_status == "ok"),
                Contact.landline.is_not(None),  # the team can phone
                and_(  # a letter can be posted
                    Contact.address_line_1.is_not(None),
                    Contact.town.is_not(None),
                    Contact.postcode.is_not(None),
                    Contact.address_status == "ok",
                ),
            ),
        )
        # Reachable: some contact of the pupil's has a usable channel (probed per pupil
        # by the database, cheaper than a join over every contact then a set in Python).
        reachable = (
            exists()
            .where(*_probed(PupilContact.pupil_ref, Pupil.pupil_ref), usable)
            .where(Contact.id == PupilContact.contact_id)
        )
        pupils = (
            select(Pupil.pupil_ref, Pupil.school_urn, Pupil.next_school_urn, reachable)
            .where(Pupil.status == "active", Pupil.pupil_ref > last, travels)
            .order_by(Pupil.pupil_ref)
            .limit(PAGE)
        )
        if school_urn is not None:
            urn = bindparam("urn", type_=String)
            pupils = pupils.where(or_(Pupil.school_urn == urn, Pupil.next_school_urn == urn))
        if pupil_ref is not None:  # one pupil: every read below is then an index probe
            pupils = pupils.where(Pupil.pupil_ref == bindparam("ref", type_=String))
        statements: dict[str, ClauseElement] = {
            "pupils": pupils,
            "awards": select(
                Award.pupil_ref, Award.valid_from, Award.valid_until, Award.school_urn
            ).where(Award.pupil_ref.between(first, last)),
            "applications": select(
                Application.pupil_ref, Application.academic_year, Application.status
            ).where(Application.pupil_ref.between(first, last)),
            "arrangements": select(
                Arrangement.pupil_ref,
                Arrangement.academic_year,
                Arrangement.family_informed_on.is_not(None),
            ).where(Arrangement.pupil_ref.between(first, last)),
        }
        dialect = conn.dialect
        self.compiled: dict[str, SQLCompiler] = {
            name: cast(SQLCompiler, stmt.compile(dialect=dialect))
            for name, stmt in statements.items()
        }
        self.positional = dialect.positional
        # SQLite keeps dates as ISO text; PostgreSQL's driver gives dates.
        self.to_date: Callable[[Any], date] = (
            date.fromisoformat if dialect.name == "sqlite" else _same
        )

    def fetch(self, cursor: Any, name: str, **given: Any) -> list[Any]:
        compiled = self.compiled[name]
        values = {**compiled.params, **given}
        params: Any = values
        if self.positional:
            params = tuple(values[key] for key in compiled.positiontup or ())
        cursor.execute(compiled.string, params)
        rows: list[Any] = cursor.fetchall()
        return rows


def _probed(inner: Any, outer: Any) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """``inner = outer``, as a subquery's correlation that PostgreSQL probes per row."""
    return inner == outer, inner >= outer


def _same(value: Any) -> Any:
    return value


def _merge(
    cursor: Any, reads: _Reads, page: Sequence[Any], first: str, last: str
) -> Iterator[PupilFacts]:
    to_date = reads.to_date
    awards: dict[str, list[AwardFact]] = defaultdict(list)
    for ref, valid_from, valid_until, urn in reads.fetch(cursor, "awards", first=first, last=last):
        awards[ref].append(AwardFact(to_date(valid_from), to_date(valid_until), urn))

    applications: dict[str, list[ApplicationFact]] = defaultdict(list)
    for ref, year, status in reads.fetch(cursor, "applications", first=first, last=last):
        applications[ref].append(ApplicationFact(year, status))

    arrangements: dict[str, list[ArrangementFact]] = defaultdict(list)
    for ref, year, informed in reads.fetch(cursor, "arrangements", first=first, last=last):
        arrangements[ref].append(ArrangementFact(year, bool(informed)))

    no: tuple[()] = ()
    for ref, school, next_school, reachable in page:
        yield PupilFacts(
            ref,
            school,
            next_school,
            True,
            tuple(awards[ref]) if ref in awards else no,
            tuple(applications[ref]) if ref in applications else no,
            tuple(arrangements[ref]) if ref in arrangements else no,
            bool(reachable),
        )


def pupil_names(conn: Connection, refs: list[str]) -> dict[str, str]:
    """'First Last' for the given pupils (for people's views only, never for logs)."""
    names: dict[str, str] = {}
    for start in range(0, len(refs), 1000):
        chunk = refs[start : start + 1000]
        stmt = select(Pupil.pupil_ref, Pupil.first_name, Pupil.last_name).where(
            Pupil.pupil_ref.in_(chunk)
        )
        names.update({ref: f"{first} {last}" for ref, first, last in conn.execute(stmt)})
    return names


def school_names(conn: Connection) -> dict[str, str]:
    return {urn: name for urn, name in conn.execute(select(School.urn, School.name))}


def first_name(conn: Connection, pupil_ref: str) -> str | None:
    found: str | None = conn.execute(
        select(Pupil.first_name).where(Pupil.pupil_ref == pupil_ref)
    ).scalar()
    return found
