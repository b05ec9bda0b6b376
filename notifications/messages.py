"""Message kinds and their rendering: one message per household naming each child.

Templates live in templates/<kind>/: subject.txt.j2, email.txt.j2, email.html.j2 and
sms.txt.j2. The context is plain JSON (it is stored with the message, so a notice can
be re-rendered for the other channel when one fails). No special-category data (SEND,
health, religion) is ever put in a context meant for SMS: templates get first names,
dates, the council's URL and phone, and for transport details the operator and times.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notifications.rendering import html_environment, names_of, text_environment
from notifications.sms_encoding import gsm_safe

KINDS = (
    "renewal_invite",
    "renewal_reminder",
    "renewal_urgent",
    "renewal_final",
    "transport_details",
)
CHANNELS = ("email", "sms", "letter")


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    text: str
    html: str | None


def render(kind: str, channel: str, context: dict[str, Any]) -> Rendered:
    if kind not in KINDS:
        raise ValueError(f"unknown message kind {kind!r}; expected one of {', '.join(KINDS)}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
    values = {**context, "names": names(context["children"])}
    if channel == "sms":
        text = text_environment().get_template(f"{kind}/sms.txt.j2").render(values)
        return Rendered(None, gsm_safe(" ".join(text.split())), None)
    text_env = text_environment()
    subject = text_env.get_template(f"{kind}/subject.txt.j2").render(values).strip()
    if channel == "letter":
        # A letter's subject is its heading; the PDF adds the address and the date.
        letter = text_env.get_template(f"{kind}/letter.txt.j2").render(values)
        return Rendered(subject, letter, None)
    body = text_env.get_template(f"{kind}/email.txt.j2").render(values)
    html = html_environment().get_template(f"{kind}/email.html.j2").render(values)
    return Rendered(subject, body, html)


def names(children: list[dict[str, Any]]) -> str:
    """'Sam', 'Sam and Ella', 'Sam, Ella and Tom'."""
    return names_of([str(child["first_name"]) for child in children])
