"""Golden messages: every kind, for every situation a family can be in, by every channel
(email text, email HTML, SMS, letter), compared whole with a file under
tests/unit/golden/messages/<kind>/, and read as a parent would (issue 22).

The situations (transport/domain/notice.py) and the families they are written for:

- ``renewal``: Sam, at Oakfield Primary; the award ends Mon 31 Aug 2026 with the school
  year; Oakfield's 2026/27 starts Thu 3 Sep 2026.
- ``phase_transfer``: Amira's award is for Oakfield Primary (ends Mon 31 Aug 2026); she
  moves to Northgate Academy, whose 2026/27 starts Mon 7 Sep 2026.
- ``mid_year``: Leo's temporary (medical) award for Oakfield Primary was made until Fri 13
  Feb 2026; after half term he is next at school Mon 23 Feb 2026.
- ``post16``: Maya, Year 12 from 2026/27 at Northgate Academy's sixth form; her award for
  Northgate ends Mon 31 Aug 2026; Northgate's year starts Mon 7 Sep 2026.
- ``new``: Tom has no award that ended (nothing to renew); Oakfield from Thu 3 Sep 2026.
- ``siblings``: Sam (renewal, Oakfield, Thu 3 Sep) and Amira (phase transfer to Northgate,
  Mon 7 Sep) in one message: two schools, two dates.
- ``assumed``: Ella moves from Oakfield Primary to Hill Academy, whose 2026/27 term dates
  are not known: her first day is assumed, so a message says "from the start of the autumn
  term", never the assumed date (the calendar's ``needed_from_assumed``/``needed_from_term``).

Each renewal message is written on the day its step falls due: R - 100 (invite), R - 56
(reminder), R - 28 (urgent), R - 10 (final), R being the earliest day of the household;
families are asked to apply 28 days before R (no "apply by" once that day has passed).

Transport details: ``single`` (Sam, Town Taxis, route T-04, 07:35, from Thu 3 Sep 2026),
``siblings`` (Sam, and Amira at Northgate with a passenger assistant from Mon 7 Sep 2026),
``started`` (sent on Tue 29 Sep 2026, after the school year began).

To accept a deliberate change: ``UPDATE_GOLDEN=1 .venv/bin/python -m pytest
tests/unit/test_message_golden.py``, then read every changed file before committing it.
"""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from notifications.messages import KINDS, render
from notifications.rendering import long_date, short_date
from notifications.sms_encoding import segments

GOLDEN = Path(__file__).parent / "golden" / "messages"
CHANNELS = ("email", "sms", "letter")
RENEWAL_KINDS = ("renewal_invite", "renewal_reminder", "renewal_urgent", "renewal_final")
DAYS_BEFORE = {"renewal_invite": 100, "renewal_reminder": 56, "renewal_urgent": 28,
               "renewal_final": 10}  # fmt: skip
APPLY_BY_DAYS = 28
COUNCIL = {
    "name": "Example County Council",
    "contact_phone": "0300 123 4567",
    "renewal_url": "https://www.council.example/school-transport/apply",
}
SCHOOLS = ("Oakfield Primary", "Northgate Academy", "Hill Academy")
# Words an SMS must never carry (privacy): a school, a medical reason, an assistant.
SMS_NEVER = (*SCHOOLS, "medical", "health", "assistant", "SEND", "disab")


def child(
    first_name: str,
    situation: str,
    *,
    award_school: str | None,
    school: str,
    ends_on: date | None,
    needed_from: date,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "pupil_ref": f"P-{first_name}",
        "first_name": first_name,
        "situation": situation,
        "award_school_name": award_school,
        "ends_on": ends_on.isoformat() if ends_on else None,
        "school_name": school,
        "needed_from": needed_from.isoformat(),
        "academic_year": "2025/26" if needed_from < date(2026, 9, 1) else "2026/27",
        **extra,
    }


SAM = child("Sam", "renewal", award_school="Oakfield Primary", school="Oakfield Primary",
            ends_on=date(2026, 8, 31), needed_from=date(2026, 9, 3))
AMIRA = child("Amira", "phase_transfer", award_school="Oakfield Primary",
              school="Northgate Academy", ends_on=date(2026, 8, 31),
              needed_from=date(2026, 9, 7))
LEO = child("Leo", "mid_year", award_school="Oakfield Primary", school="Oakfield Primary",
            ends_on=date(2026, 2, 13), needed_from=date(2026, 2, 23))
MAYA = child("Maya", "post16", award_school="Northgate Academy", school="Northgate Academy",
             ends_on=date(2026, 8, 31), needed_from=date(2026, 9, 7))
TOM = child("Tom", "new", award_school=None, school="Oakfield Primary", ends_on=None,
            needed_from=date(2026, 9, 3))
ELLA = child("Ella", "phase_transfer", award_school="Oakfield Primary", school="Hill Academy",
             ends_on=date(2026, 8, 31), needed_from=date(2026, 9, 1),
             needed_from_assumed=True, needed_from_term="autumn")  # fmt: skip

SITUATIONS: dict[str, list[dict[str, Any]]] = {
    "renewal": [SAM],
    "phase_transfer": [AMIRA],
    "mid_year": [LEO],
    "post16": [MAYA],
    "new": [TOM],
    "siblings": [SAM, AMIRA],
    "assumed": [ELLA],
}


def details(first_name: str, school: str, starts_on: date, **values: Any) -> dict[str, Any]:
    return {
        "pupil_ref": f"P-{first_name}",
        "first_name": first_name,
        "school_name": school,
        "starts_on": starts_on.isoformat(),
        "academic_year": "2026/27",
        "operator": "Town Taxis",
        "route_ref": "T-04",
        "pickup_time": "07:35",
        "passenger_assistant": False,
        **values,
    }


SAM_DETAILS = details("Sam", "Oakfield Primary", date(2026, 9, 3))
AMIRA_DETAILS = details("Amira", "Northgate Academy", date(2026, 9, 7), operator="Vale Coaches",
                        route_ref="NG-2", pickup_time="07:50",
                        passenger_assistant=True)  # fmt: skip
DETAILS: dict[str, tuple[list[dict[str, Any]], date]] = {
    "single": ([SAM_DETAILS], date(2026, 8, 13)),
    "siblings": ([SAM_DETAILS, AMIRA_DETAILS], date(2026, 8, 13)),
    "started": ([SAM_DETAILS], date(2026, 9, 29)),
}


def renewal_context(kind: str, children: list[dict[str, Any]]) -> dict[str, Any]:
    first = min(date.fromisoformat(c["needed_from"]) for c in children)
    written = first - timedelta(days=DAYS_BEFORE[kind])
    apply_by = first - timedelta(days=APPLY_BY_DAYS)
    return {
        "as_of": written.isoformat(),
        "council": COUNCIL,
        "contact_name": "Alex O'Brien",
        "children": children,
        "apply_by": apply_by.isoformat() if apply_by > written else None,
    }


def details_context(children: list[dict[str, Any]], written: date) -> dict[str, Any]:
    return {
        "as_of": written.isoformat(),
        "council": COUNCIL,
        "contact_name": "Alex O'Brien",
        "children": children,
        "apply_by": None,
    }


CASES: list[tuple[str, str, dict[str, Any]]] = [
    *((kind, name, renewal_context(kind, kids)) for kind in RENEWAL_KINDS
      for name, kids in SITUATIONS.items()),
    *(("transport_details", name, details_context(kids, written))
      for name, (kids, written) in DETAILS.items()),
]  # fmt: skip


def test_every_kind_is_covered() -> None:
    assert {kind for kind, _, _ in CASES} == set(KINDS)


def outputs(kind: str, context: dict[str, Any]) -> dict[str, str]:
    """Each file a family could receive: the email (subject and text), its HTML, the SMS
    and the letter (heading and text)."""
    email = render(kind, "email", context)
    letter = render(kind, "letter", context)
    assert email.html is not None
    return {
        "email.txt": f"Subject: {email.subject}\n\n{email.text}",
        "email.html": email.html,
        "sms.txt": render(kind, "sms", context).text + "\n",
        "letter.txt": f"{letter.subject}\n\n{letter.text}",
    }


@pytest.mark.parametrize(("kind", "situation", "context"), CASES, ids=lambda v: str(v)[:20])
def test_golden(kind: str, situation: str, context: dict[str, Any]) -> None:
    folder = GOLDEN / kind
    for suffix, text in outputs(kind, context).items():
        path = folder / f"{situation}.{suffix}"
        if os.environ.get("UPDATE_GOLDEN"):
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"no golden file {path}: run with UPDATE_GOLDEN=1 and read it"
        assert text == path.read_text(encoding="utf-8"), path


# --- read as a parent would ---------------------------------------------------------------

ENDING = re.compile(r"(\w+)'s school transport to (.+?) (?:ends on|ended on|was agreed until) ")
LONG_DATE = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday) \d{1,2} [A-Z][a-z]+ \d{4}"
)
SHORT_DATE = re.compile(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2}\b")


def readable(text: str) -> str:
    """The text a parent reads: tags out, entities back, lines joined."""
    text = re.sub(r"<[^>]+>", " ", text).replace("&#39;", "'").replace("&amp;", "&")
    return " ".join(text.split())


def record_dates(context: dict[str, Any]) -> set[date]:
    found: set[date] = set()
    if context.get("apply_by"):
        found.add(date.fromisoformat(context["apply_by"]))
    for kid in context["children"]:
        for key in ("ends_on", "starts_on"):
            if kid.get(key):
                found.add(date.fromisoformat(kid[key]))
        if kid.get("needed_from") and not kid.get("needed_from_assumed"):
            found.add(date.fromisoformat(kid["needed_from"]))
    return found


@pytest.mark.parametrize(("kind", "situation", "context"), CASES, ids=lambda v: str(v)[:20])
def test_every_school_date_and_name_comes_from_the_record(
    kind: str, situation: str, context: dict[str, Any]
) -> None:
    children = context["children"]
    schools = {kid.get("award_school_name") for kid in children} | {
        kid["school_name"] for kid in children
    }
    dates = record_dates(context)
    for suffix, raw in outputs(kind, context).items():
        text = readable(raw)
        for kid in children:
            assert kid["first_name"] in text, (suffix, kid["first_name"])
        for school in SCHOOLS:
            if school in text:
                assert school in schools, f"{suffix} names {school}, not in the record"
        said = {d for d in dates if long_date(d) in text or short_date(d) in text}
        shown = LONG_DATE.findall(text) + SHORT_DATE.findall(text)
        allowed = {long_date(d) for d in dates} | {short_date(d) for d in dates}
        assert set(shown) <= allowed, (suffix, set(shown) - allowed)
        assumed = any(kid.get("needed_from_assumed") for kid in children)
        assert said or assumed or kind == "transport_details", suffix
        if suffix != "sms.txt":
            assert "Alex O'Brien" in text


@pytest.mark.parametrize(("kind", "situation", "context"), CASES, ids=lambda v: str(v)[:20])
def test_a_message_never_says_transport_to_a_school_ends_unless_the_award_is_for_it(
    kind: str, situation: str, context: dict[str, Any]
) -> None:
    award_school = {kid["first_name"]: kid.get("award_school_name") for kid in context["children"]}
    for suffix, raw in outputs(kind, context).items():
        for first_name, school in ENDING.findall(readable(raw)):
            assert school == award_school[first_name], (suffix, first_name, school)


@pytest.mark.parametrize(("kind", "situation", "context"), CASES, ids=lambda v: str(v)[:20])
def test_an_sms_is_private_and_short(kind: str, situation: str, context: dict[str, Any]) -> None:
    text = render(kind, "sms", context).text
    for word in SMS_NEVER:
        assert word.lower() not in text.lower(), word
    encoding, parts = segments(text)
    assert encoding == "GSM-7" and parts <= 2, (len(text), text)
    for kid in context["children"]:  # each child's first name and their own date
        when = kid.get("starts_on") or kid["needed_from"]
        if kid.get("needed_from_assumed"):
            assert f"{kid['first_name']} from the {kid['needed_from_term']} term" in text
        elif kind != "transport_details" or when >= context["as_of"]:
            assert short_date(when) in text


@pytest.mark.parametrize(("kind", "situation", "context"), CASES, ids=lambda v: str(v)[:20])
def test_no_sentence_is_false_for_the_situation(
    kind: str, situation: str, context: dict[str, Any]
) -> None:
    """A new application (phase transfer, post-16, no award) is never called a renewal nor
    'kept'; an award that ends mid-year is not said to end with the year; an assumed first
    day is never given as a date."""
    children = context["children"]
    renewing = {kid["first_name"] for kid in children if kid.get("situation") == "renewal"}
    for suffix, raw in outputs(kind, context).items():
        text = readable(raw)
        sentences = re.split(r"(?<=[.:])\s+", text)
        for sentence in sentences:
            if re.search(r"renew|keep it|apply again", sentence, re.IGNORECASE):
                named = {kid["first_name"] for kid in context["children"]
                         if kid["first_name"] in sentence}  # fmt: skip
                assert named and named <= renewing, (suffix, sentence)
        for kid in context["children"]:
            if kid.get("needed_from_assumed"):
                assert long_date(kid["needed_from"]) not in text
                assert short_date(kid["needed_from"]) not in text
            if kid.get("situation") == "mid_year":
                ending = f"{kid['first_name']}'s school transport to {kid['award_school_name']} end"
                assert ending not in text
