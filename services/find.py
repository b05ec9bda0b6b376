"""`transport find TEXT`: the children a caller means, from what they give on the phone: a
reference (any case), a child's surname (and first name), a postcode, a parent's email or
phone number, a school's name or URN. Nothing matching: the nearest surnames and
references, as "did you mean".
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from services.app import App
from transport.db.queries import find as store
from transport.db.queries.find import Found

LIMIT = 20
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?:[0-9][A-Z]{2})?$")


@dataclass(frozen=True)
class Match:
    pupil_ref: str
    name: str  # for people's views only, never for logs
    school_urn: str
    school_name: str
    year_group: str | None
    status: str
    matched_on: tuple[str, ...]  # "reference", "name", "postcode", "email", "number", "school"


@dataclass(frozen=True)
class FindResult:
    text: str
    matches: tuple[Match, ...]
    more: bool  # more children match than are listed
    did_you_mean: tuple[str, ...] = ()  # when nothing matches: surnames or references


def find_children(app: App, text: str, *, limit: int = LIMIT) -> FindResult:
    """The children ``text`` points to, the closest matches first (a reference, then a
    name, then the rest), at most ``limit``."""
    text = " ".join(text.split())
    if not text:
        return FindResult(text, (), False)
    with app.ready().engine.connect() as conn:
        found: dict[str, tuple[Found, list[str]]] = {}
        for how, rows in _searches(conn, text, limit + 1):
            for row in rows:
                found.setdefault(row.pupil_ref, (row, []))[1].append(how)
        if not found:
            return FindResult(text, (), False, _did_you_mean(conn, text))
    matches = [
        Match(row.pupil_ref, f"{row.first_name} {row.last_name}", row.school_urn,
              row.school_name, row.year_group, row.status, tuple(dict.fromkeys(hows)))
        for row, hows in found.values()
    ]  # fmt: skip
    return FindResult(text, tuple(matches[:limit]), len(matches) > limit)


def _searches(conn: Connection, text: str, limit: int) -> list[tuple[str, list[Found]]]:
    """Each way ``text`` may name a child, in the order their matches are listed."""
    searches = [("reference", store.by_reference(conn, text, limit))]
    if "@" in text:
        searches.append(("email", store.by_contacts(conn, store.email_is(text), limit)))
    number = _phone(text)
    if number is not None:
        searches.append(("number", store.by_contacts(conn, store.number_is(number), limit)))
    compact = text.replace(" ", "").upper()
    if _POSTCODE.match(compact):
        searches.append(("postcode", store.by_postcode(conn, compact, limit)))
    if "@" not in text and number is None:
        for said in _apostrophes(text):  # O'Brien as typed, O’Brien as Word wrote it
            words = said.split()
            searches.append(("name", store.by_surname(conn, said, None, limit)))
            if len(words) > 1:  # "Amelia Fitzwilliam", or "Fitzwilliam Amelia"
                searches.append(("name", store.by_surname(conn, words[-1], words[0], limit)))
                searches.append(("name", store.by_surname(conn, words[0], words[-1], limit)))
        schools = store.schools_named(conn, text)
        if schools:
            urns = [urn for urn, _ in schools]
            searches.append(("school", store.at_schools(conn, urns, limit)))
    return searches


def _apostrophes(text: str) -> list[str]:
    """``text``, and with its apostrophes the other way (' and ’), when it has any."""
    said = [text]
    for straight, curly in (("'", "\u2019"), ("\u2019", "'")):
        if straight in text:
            said.append(text.replace(straight, curly))
    return said


def _phone(text: str) -> str | None:
    """``text`` as a UK phone number in E.164, or None when it is not one."""
    digits = re.sub(r"[\s()-]", "", text)
    if not re.fullmatch(r"\+?\d{10,13}", digits):
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(digits, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _did_you_mean(conn: Connection, text: str) -> tuple[str, ...]:
    """The surnames and references nearest ``text`` (by its last word for a surname), from
    the few that begin with the same two letters."""
    word = store.fold(conn, text.split()[-1])
    surnames = nearest(word, store.near_surnames(conn, word))
    refs = nearest(store.fold(conn, text), store.near_refs(conn, text))
    return tuple(
        [store.spelled(conn, surname) for surname in surnames]
        + [ref for folded in refs for ref in store.refs_folded(conn, folded, limit=2)]
    )


def nearest(word: str, candidates: list[str], *, n: int = 3, cutoff: float = 0.75) -> list[str]:
    """The candidates most like ``word``: whole, or their beginning as long as it (a typo
    in "Fitzwiliam" finds "Fitzwilliam-Hargreaves")."""
    scored = []
    for candidate in candidates:
        whole = difflib.SequenceMatcher(None, word, candidate).ratio()
        start = difflib.SequenceMatcher(None, word, candidate[: len(word) + 1]).ratio()
        if max(whole, start) >= cutoff:
            scored.append((-max(whole, start), candidate))
    return [candidate for _, candidate in sorted(scored)[:n]]
