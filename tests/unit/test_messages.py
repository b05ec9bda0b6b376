"""Rendering of reminder messages, and SMS encoding.

What a message must hold is in docs/reminders.md: the child's first name, the date
transport ends, how to apply and the council's number; no SEND or health details in an
SMS; text and SMS never HTML-escaped (O'Brien stays O'Brien). Expected dates are worked
out by hand on a calendar (1 January 2026 is a Thursday); segment sizes are the GSM
03.38 / UCS-2 limits (160 septets or 153 per part of a concatenated text; 70 UTF-16
units or 67 per part).
"""

from __future__ import annotations

import copy
import string
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notifications.messages import KINDS, Rendered, names, render
from notifications.sms_encoding import gsm_safe, is_gsm7, segments

TEMPLATES = Path(__file__).resolve().parents[2] / "notifications" / "templates"
RENEWAL_KINDS = tuple(kind for kind in KINDS if kind.startswith("renewal_"))

COUNCIL_NAME = "Example County Council"
CONTACT_PHONE = "0300 123 4567"
RENEWAL_URL = "https://www.council.example/school-transport/apply"

# Hand-worked: 31 August 2026 is day 243 of the year, 242 days after Thursday 1 January,
# 242 = 34 * 7 + 4, so a Monday; 3 September 2026 is 3 days later, a Thursday.
ENDS_ON = "2026-08-31"
ENDS_ON_LONG = "Monday 31 August 2026"
NEEDED_FROM = "2026-09-03"
NEEDED_FROM_LONG = "Thursday 3 September 2026"

SPECIAL_CATEGORY = (
    "send",
    "special educational",
    "disab",
    "medical",
    "health",
    "ehcp",
    "religio",
    "belief",
    "mobility",
)


def make_child(
    *,
    pupil_ref: str = "P1",
    first_name: str = "Sam",
    school_name: str = "St Mary's CofE Primary",
    ends_on: str = ENDS_ON,
    needed_from: str = NEEDED_FROM,
    academic_year: str = "2026/27",
    starts_on: str = NEEDED_FROM,
    operator: str | None = "County Coaches",
    route_ref: str | None = "R12",
    pickup_time: str | None = "07:45",
    situation: str = "renewal",
) -> dict[str, Any]:
    return {
        "pupil_ref": pupil_ref,
        "first_name": first_name,
        "situation": situation,
        "award_school_name": school_name,
        "school_name": school_name,
        "ends_on": ends_on,
        "needed_from": needed_from,
        "academic_year": academic_year,
        "starts_on": starts_on,
        "operator": operator,
        "route_ref": route_ref,
        "pickup_time": pickup_time,
        "passenger_assistant": False,
    }


def make_context(
    *,
    children: list[dict[str, Any]] | None = None,
    council_name: str = COUNCIL_NAME,
    contact_phone: str = CONTACT_PHONE,
    renewal_url: str = RENEWAL_URL,
    contact_name: str = "Alex O'Brien",
    apply_by: str | None = "2026-07-31",
    as_of: str = "2026-05-26",
) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "council": {
            "name": council_name,
            "contact_phone": contact_phone,
            "renewal_url": renewal_url,
        },
        "contact_name": contact_name,
        "apply_by": apply_by,
        "children": children if children is not None else [make_child()],
    }


def household(*first_names: str) -> list[dict[str, Any]]:
    return [
        make_child(pupil_ref=f"P{i}", first_name=name)
        for i, name in enumerate(first_names, start=1)
    ]


HOUSEHOLDS = {
    1: ("Sam",),
    2: ("Sam", "Ella"),
    3: ("Sam", "Ella", "Tom"),
}


def special_words_in(text: str) -> list[str]:
    lowered = text.lower()
    return [word for word in SPECIAL_CATEGORY if word in lowered]


# --------------------------------------------------------------------------- email


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("apply_by", ["2026-07-31", None])
def test_email_has_a_subject_a_text_body_and_an_html_body(kind: str, apply_by: str | None) -> None:
    rendered = render(kind, "email", make_context(apply_by=apply_by))

    assert isinstance(rendered, Rendered)
    assert rendered.subject and rendered.subject.strip()
    assert "\n" not in rendered.subject  # a subject is one header line
    assert rendered.text.strip()
    assert rendered.html is not None
    assert "<html" in rendered.html.lower()
    assert "</html>" in rendered.html.lower()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", sorted(HOUSEHOLDS))
def test_one_email_per_household_names_every_child(kind: str, count: int) -> None:
    first_names = HOUSEHOLDS[count]
    rendered = render(kind, "email", make_context(children=household(*first_names)))

    assert rendered.html is not None
    assert rendered.subject is not None
    for first_name in first_names:
        assert first_name in rendered.text
        assert first_name in rendered.html
        assert first_name in rendered.subject


@pytest.mark.parametrize("kind", RENEWAL_KINDS)
def test_renewal_email_gives_the_date_in_long_form_the_url_and_the_phone(kind: str) -> None:
    rendered = render(kind, "email", make_context(children=household("Sam", "Ella")))

    assert rendered.html is not None
    for body in (rendered.text, rendered.html):
        assert NEEDED_FROM_LONG in body  # the day the family needs transport again
        assert RENEWAL_URL in body
        assert CONTACT_PHONE in body
        assert "2026-08-31" not in body  # dates are written for people, not as ISO
        assert "2026-09-03" not in body


@pytest.mark.parametrize("kind", ["renewal_invite", "renewal_reminder"])
def test_invite_and_reminder_give_the_end_date_of_the_current_award(kind: str) -> None:
    rendered = render(kind, "email", make_context())

    assert rendered.html is not None
    assert ENDS_ON_LONG in rendered.text
    assert ENDS_ON_LONG in rendered.html


@pytest.mark.parametrize("kind", RENEWAL_KINDS)
def test_each_child_has_their_own_date(kind: str) -> None:
    # Sam's award ends 31 August; Ella's ends and is needed again a week later.
    # 7 September 2026 is Monday 31 August + 7 days; 10 September is Thursday 3 + 7.
    children = [
        make_child(pupil_ref="P1", first_name="Sam"),
        make_child(
            pupil_ref="P2", first_name="Ella", ends_on="2026-09-07", needed_from="2026-09-10"
        ),
    ]
    rendered = render(kind, "email", make_context(children=children))

    assert rendered.html is not None
    for body in (rendered.text, rendered.html):
        assert ENDS_ON_LONG in body or NEEDED_FROM_LONG in body
        assert "Monday 7 September 2026" in body or "Thursday 10 September 2026" in body


def test_transport_details_shows_operator_route_and_pickup_time() -> None:
    children = [
        make_child(
            first_name="Sam", operator="County Coaches", route_ref="R12", pickup_time="07:45"
        ),
        make_child(
            pupil_ref="P2",
            first_name="Ella",
            operator="Vale Taxis",
            route_ref="T7",
            pickup_time="08:10",
        ),
    ]
    rendered = render("transport_details", "email", make_context(children=children))

    assert rendered.html is not None
    for body in (rendered.text, rendered.html):
        for value in ("County Coaches", "R12", "07:45", "Vale Taxis", "T7", "08:10"):
            assert value in body
        assert "to be confirmed" not in body.lower()


@pytest.mark.parametrize("count", [1, 2])
def test_transport_details_says_to_be_confirmed_when_not_known(count: int) -> None:
    children = [
        make_child(
            pupil_ref=f"P{i}", first_name=name, operator=None, route_ref=None, pickup_time=None
        )
        for i, name in enumerate(("Sam", "Ella")[:count], start=1)
    ]
    rendered = render("transport_details", "email", make_context(children=children))

    assert rendered.html is not None
    for body in (rendered.text, rendered.html):
        assert body.lower().count("to be confirmed") == 3 * count  # operator, route, time
        assert "None" not in body


def test_transport_details_confirms_only_what_is_missing() -> None:
    child = make_child(operator="County Coaches", route_ref=None, pickup_time="07:45")
    rendered = render("transport_details", "email", make_context(children=[child]))

    assert rendered.html is not None
    for body in (rendered.text, rendered.html):
        assert "County Coaches" in body
        assert "07:45" in body
        assert body.lower().count("to be confirmed") == 1


# --------------------------------------------------------------------------- SMS


@pytest.mark.parametrize("kind", KINDS)
def test_sms_has_no_subject_and_no_html(kind: str) -> None:
    rendered = render(kind, "sms", make_context())

    assert rendered.subject is None
    assert rendered.html is None
    assert rendered.text.strip()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_sms_names_each_child_and_the_contact_number(kind: str, count: int) -> None:
    first_names = HOUSEHOLDS[count]
    text = render(kind, "sms", make_context(children=household(*first_names))).text

    for first_name in first_names:
        assert first_name in text
    assert CONTACT_PHONE in text


@pytest.mark.parametrize("kind", RENEWAL_KINDS)
def test_renewal_sms_gives_the_renewal_url_and_a_date(kind: str) -> None:
    text = render(kind, "sms", make_context()).text

    assert RENEWAL_URL in text
    assert "31 Aug" in text or "3 Sep" in text  # when transport ends / is needed again


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "first_names",
    [
        ("Sam",),
        ("Sam", "Ella"),
        ("Christopher",),  # 11 characters
        ("Christopher", "Maximiliana"),  # 11 + 11
    ],
)
def test_sms_of_normal_length_is_gsm7_and_at_most_two_segments(
    kind: str, first_names: tuple[str, ...]
) -> None:
    text = render(kind, "sms", make_context(children=household(*first_names))).text

    assert is_gsm7(text), text
    encoding, parts = segments(text)
    assert encoding == "GSM-7"
    assert parts <= 2, (len(text), text)


NAME_LETTERS = string.ascii_letters + "'-" + "éèàäöüñáíóúëïçÉÖ"


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(
    first_names=st.lists(
        st.text(alphabet=NAME_LETTERS, min_size=1, max_size=11), min_size=1, max_size=2
    ),
    ends_on=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    needed_from=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    operator=st.sampled_from(["County Coaches", None]),
    pickup_time=st.sampled_from(["07:45", None]),
)
def test_any_sms_for_normal_names_fits_two_gsm7_segments(
    kind: str,
    first_names: list[str],
    ends_on: date,
    needed_from: date,
    operator: str | None,
    pickup_time: str | None,
) -> None:
    children = [
        make_child(
            pupil_ref=f"P{i}",
            first_name=name,
            ends_on=ends_on.isoformat(),
            needed_from=needed_from.isoformat(),
            starts_on=needed_from.isoformat(),
            operator=operator,
            pickup_time=pickup_time,
        )
        for i, name in enumerate(first_names, start=1)
    ]
    text = render(kind, "sms", make_context(children=children)).text

    encoding, parts = segments(text)
    assert encoding == "GSM-7", text
    assert parts <= 2, (len(text), text)
    for name in first_names:
        assert gsm_safe(name) in text
    assert CONTACT_PHONE in text


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("first_name", "as_sent"),
    [
        ("Zoë", "Zoe"),  # ë is not in GSM-7: the accent goes
        ("Siobhán", "Siobhan"),  # nor is á
        ("Chloé", "Chloé"),  # é is in GSM-7: kept
    ],
)
def test_sms_makes_accented_names_gsm_safe(kind: str, first_name: str, as_sent: str) -> None:
    children = [make_child(first_name=first_name), make_child(pupil_ref="P2", first_name="Ella")]
    text = render(kind, "sms", make_context(children=children)).text

    assert as_sent in text
    assert is_gsm7(text)
    assert segments(text)[0] == "GSM-7"
    assert segments(text)[1] <= 2


@pytest.mark.parametrize("kind", KINDS)
def test_sms_template_source_has_no_special_category_words(kind: str) -> None:
    source = (TEMPLATES / kind / "sms.txt.j2").read_text(encoding="utf-8")

    assert special_words_in(source) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [1, 2, 3])
def test_rendered_sms_has_no_special_category_words(kind: str, count: int) -> None:
    text = render(kind, "sms", make_context(children=household(*HOUSEHOLDS[count]))).text

    assert special_words_in(text) == []


@pytest.mark.parametrize("kind", KINDS)
def test_sms_leaks_no_special_category_data_carried_by_the_context(kind: str) -> None:
    # The school's name and extra fields can reveal a need; an SMS must not repeat them.
    child = make_child(school_name="Meadowbank School for Disabled Children (SEND)")
    child.update(
        {
            "send_need": "EHCP: special educational needs",
            "medical": "health plan",
            "religion": "religious belief",
            "mobility": "wheelchair",
        }
    )
    context = make_context(children=[child])
    context["ehcp"] = True
    text = render(kind, "sms", context).text

    assert special_words_in(text) == []


# --------------------------------------------------------------------------- escaping

ESCAPED = {
    "O'Brien": ("O&#39;Brien", "O&#x27;Brien"),
    "Smith & Sons": ("Smith &amp; Sons",),
}


def tricky_context(value: str) -> dict[str, Any]:
    child = make_child(first_name=value, school_name=value, operator=value)
    return make_context(
        children=[child], contact_name=value, council_name=f"{value} District Council"
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", sorted(ESCAPED))
def test_text_subject_and_sms_are_not_html_escaped(kind: str, value: str) -> None:
    email = render(kind, "email", tricky_context(value))
    sms = render(kind, "sms", tricky_context(value))

    assert email.subject is not None
    for plain in (email.subject, email.text, sms.text):
        assert value in plain
        for entity in ("&#39;", "&#x27;", "&amp;", "&quot;"):
            assert entity not in plain


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("value", sorted(ESCAPED))
def test_html_is_escaped(kind: str, value: str) -> None:
    html = render(kind, "email", tricky_context(value)).html

    assert html is not None
    assert any(escaped in html for escaped in ESCAPED[value])
    assert value not in html


@pytest.mark.parametrize("kind", KINDS)
def test_markup_in_a_value_is_escaped_in_html(kind: str) -> None:
    context = make_context(children=household("<b>Sam</b>"))
    html = render(kind, "email", context).html

    assert html is not None
    assert "&lt;b&gt;Sam&lt;/b&gt;" in html
    assert "<b>Sam</b>" not in html


# --------------------------------------------------------------------------- strictness


def without(context: dict[str, Any], *path: str) -> dict[str, Any]:
    trimmed = copy.deepcopy(context)
    target = trimmed
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return trimmed


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", ["email", "sms"])
@pytest.mark.parametrize("path", [("council",), ("council", "contact_phone")])
def test_a_missing_value_raises(kind: str, channel: str, path: tuple[str, ...]) -> None:
    with pytest.raises(jinja2.UndefinedError):
        render(kind, channel, without(make_context(), *path))


@pytest.mark.parametrize("kind", KINDS)
def test_email_without_the_contact_name_raises(kind: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        render(kind, "email", without(make_context(), "contact_name"))


@pytest.mark.parametrize("kind", RENEWAL_KINDS)
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_renewal_message_without_the_renewal_url_raises(kind: str, channel: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        render(kind, channel, without(make_context(), "council", "renewal_url"))


DATE_SHOWN = {
    "renewal_invite": "needed_from",
    "renewal_reminder": "needed_from",
    "renewal_urgent": "needed_from",
    "renewal_final": "needed_from",
    "transport_details": "starts_on",
}


def test_every_kind_has_a_date_to_remove() -> None:
    assert set(DATE_SHOWN) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_child_missing_a_date_raises_undefined_error(kind: str, channel: str) -> None:
    # The date goes through a filter (long_date / short_date); StrictUndefined must still
    # be what the caller sees, not an error from inside the filter.
    children = household("Sam")
    del children[0][DATE_SHOWN[kind]]
    with pytest.raises(jinja2.UndefinedError):
        render(kind, channel, make_context(children=children))


@pytest.mark.parametrize("kind", KINDS)
def test_email_for_a_child_missing_the_school_raises(kind: str) -> None:
    children = household("Sam", "Ella")
    del children[1]["school_name"]
    del children[1]["award_school_name"]
    with pytest.raises(jinja2.UndefinedError):
        render(kind, "email", make_context(children=children))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_child_missing_a_first_name_fails_loudly(kind: str, channel: str) -> None:
    children = household("Sam", "Ella")
    del children[1]["first_name"]
    with pytest.raises((jinja2.UndefinedError, KeyError)):  # names() reads it in Python
        render(kind, channel, make_context(children=children))


@pytest.mark.parametrize("kind", ["reminder", "decision_letter", "", "RENEWAL_INVITE"])
@pytest.mark.parametrize("channel", ["email", "sms"])
def test_an_unknown_kind_is_refused(kind: str, channel: str) -> None:
    with pytest.raises(ValueError):
        render(kind, channel, make_context())


def test_kinds_are_the_renewal_ladder_and_transport_details() -> None:
    assert set(KINDS) == {
        "renewal_invite",
        "renewal_reminder",
        "renewal_urgent",
        "renewal_final",
        "transport_details",
    }


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_all_four_templates(kind: str) -> None:
    for name in ("subject.txt.j2", "email.txt.j2", "email.html.j2", "sms.txt.j2"):
        assert (TEMPLATES / kind / name).is_file()


# --------------------------------------------------------------------------- names()


@pytest.mark.parametrize(
    ("first_names", "expected"),
    [
        ((), ""),
        (("Sam",), "Sam"),
        (("Sam", "Ella"), "Sam and Ella"),
        (("Sam", "Ella", "Tom"), "Sam, Ella and Tom"),
        (("Sam", "Ella", "Tom", "Ava"), "Sam, Ella, Tom and Ava"),
    ],
)
def test_names(first_names: tuple[str, ...], expected: str) -> None:
    assert names(household(*first_names)) == expected


# --------------------------------------------------------------------------- SMS encoding


@pytest.mark.parametrize(
    ("length", "parts"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)],
)
def test_gsm7_segments(length: int, parts: int) -> None:
    assert segments("a" * length) == ("GSM-7", parts)


@pytest.mark.parametrize("char", ["€", "[", "^", "{", "}", "\\", "~", "]", "|"])
@pytest.mark.parametrize(("count", "parts"), [(80, 1), (81, 2), (153, 2), (154, 3)])
def test_an_extension_character_costs_two_septets(char: str, count: int, parts: int) -> None:
    # 80 x 2 = 160 septets; 81 x 2 = 162; 153 x 2 = 306; 154 x 2 = 308
    assert segments(char * count) == ("GSM-7", parts)


def test_one_extension_character_tips_159_characters_into_two_segments() -> None:
    assert segments("a" * 158 + "€") == ("GSM-7", 1)  # 160 septets
    assert segments("a" * 159 + "€") == ("GSM-7", 2)  # 161 septets


@pytest.mark.parametrize("char", ["Ł", "ж", "ë", "\u2019"])
@pytest.mark.parametrize(
    ("length", "parts"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3), (202, 4)]
)
def test_ucs2_segments(char: str, length: int, parts: int) -> None:
    assert segments(char * length) == ("UCS-2", parts)


def test_one_non_gsm_character_makes_the_whole_text_ucs2() -> None:
    assert segments("a" * 69 + "ë") == ("UCS-2", 1)
    assert segments("a" * 70 + "ë") == ("UCS-2", 2)
    assert segments("a" * 100 + "\u201c") == ("UCS-2", 2)  # 101 units


def test_an_emoji_makes_it_ucs2_and_counts_two_units() -> None:
    assert not is_gsm7("Hello 😀")
    assert segments("😀") == ("UCS-2", 1)
    assert segments("a" * 68 + "😀") == ("UCS-2", 1)  # 70 units
    assert segments("a" * 69 + "😀") == ("UCS-2", 2)  # 71 units
    assert segments("😀" * 35) == ("UCS-2", 1)  # 70 units
    assert segments("😀" * 36) == ("UCS-2", 2)  # 72 units
    assert segments("😀" * 67) == ("UCS-2", 2)  # 134 units
    assert segments("😀" * 68) == ("UCS-2", 3)  # 136 units


def test_is_gsm7() -> None:
    assert is_gsm7("")
    assert is_gsm7("Hello Sam, call 0300 123 4567 @ £5 & 10% [ok] €")
    assert is_gsm7("Chloé, Renée, Ñ, ü, à, Ø, Å, ß")
    assert not is_gsm7("Zoë")
    assert not is_gsm7("it\u2019s")
    assert not is_gsm7("a \u2013 b")
    assert not is_gsm7("Łukasz")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("\u2018quoted\u2019", "'quoted'"),
        ("it\u2019s", "it's"),
        ("\u201cquoted\u201d", '"quoted"'),
        ("8:00 \u2013 9:00", "8:00 - 9:00"),
        ("wait \u2014 then", "wait - then"),
        ("Zoë", "Zoe"),
        ("Siobhán", "Siobhan"),
        ("Chloé", "Chloé"),
        ("Peña", "Peña"),
        ("Müller", "Müller"),
    ],
)
def test_gsm_safe(before: str, after: str) -> None:
    assert gsm_safe(before) == after
    assert is_gsm7(gsm_safe(before))


@pytest.mark.parametrize("text", ["Łukasz", "Hi 😀", "Wrocław"])
def test_gsm_safe_keeps_characters_with_no_gsm_base(text: str) -> None:
    safe = gsm_safe(text)

    for char in ("Ł", "😀", "ł"):
        if char in text:
            assert char in safe
    assert not is_gsm7(safe)


@given(st.text(alphabet=st.sampled_from(sorted(set("abcXYZ 0123'.,-!?@£€[]^é")))))
def test_gsm_safe_leaves_gsm7_text_alone(text: str) -> None:
    assert gsm_safe(text) == text


@given(st.text())
def test_gsm_safe_is_idempotent(text: str) -> None:
    safe = gsm_safe(text)

    assert gsm_safe(safe) == safe
    if is_gsm7(text):
        assert safe == text
