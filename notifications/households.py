"""Where a household's message goes (its address, number or postal address) and the
council's part of every message's context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transport.config import CouncilConfig


def postal_address(person: Mapping[str, Any]) -> list[str]:
    """The lines of a letter's address, for the window of a DL envelope: the contact's
    name, the address lines, the town, the postcode last."""
    parts = ("name", "address_line_1", "address_line_2", "address_line_3", "town", "postcode")
    return [str(person[part]) for part in parts if person.get(part)]


def address_for(channel: str, person: Mapping[str, Any]) -> str | None:
    """Where a message by ``channel`` goes: the email, the mobile, or for a letter the
    postcode (the outbox lists it; the whole address travels in the message's context)."""
    key = {"email": "email", "sms": "mobile", "letter": "postcode"}[channel]
    value = person.get(key)
    return str(value) if value else None


def with_address(
    channel: str, context: dict[str, Any], person: Mapping[str, Any]
) -> dict[str, Any]:
    """A message's context, with the postal address when it goes by letter."""
    if channel != "letter":
        return context
    return {**context, "address": postal_address(person)}


def council_context(council: CouncilConfig) -> dict[str, str]:
    return {
        "name": council.name,
        "contact_phone": council.contact_phone,
        "renewal_url": council.renewal_url,
    }
