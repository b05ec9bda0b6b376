"""The texts families sent us, as the team reads them (`transport replies list`)."""

from __future__ import annotations

from services.app import App
from transport.db.queries import contacts as contact_store
from transport.db.queries import replies
from transport.db.queries.replies import Reply
from transport.errors import UsageError
from transport.imports.values import parse_mobile


def e164_or_as_given(number: str) -> str:
    """A number in E.164 when it is a mobile we can read (Notify gives ``447700900123``),
    else as given (at most 20 characters): an unknown sender is still a sender."""
    cleaned = number.strip()
    if cleaned.isdigit() and cleaned.startswith("44"):
        cleaned = "+" + cleaned
    try:
        return parse_mobile(cleaned)
    except ValueError:
        return cleaned[:20]


def list_replies(
    app: App, *, contact_id: int | None = None, number: str | None = None, limit: int = 100
) -> list[Reply]:
    """Texts received, newest first (``limit`` 0: all); an unknown contact is exit 2."""
    with app.ready().engine.connect() as conn:
        if contact_id is not None and not contact_store.find(
            conn, contact_id=contact_id, email=None, mobile=None
        ):
            raise UsageError(f"--contact {contact_id}: the record holds no contact with that id")
        wanted = e164_or_as_given(number) if number is not None else None
        return replies.list_replies(conn, contact_id=contact_id, number=wanted, limit=limit)
