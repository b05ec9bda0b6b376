"""The team's morning digest as a message: rendered from the digest's data (see
services/digest.py) and queued once per day to the team's address."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from notifications import outbox
from notifications.rendering import html_environment, text_environment
from transport.config import CouncilConfig


def render_digest(data: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html)."""
    text_env = text_environment()
    subject = text_env.get_template("team_digest/subject.txt.j2").render(data).strip()
    text = text_env.get_template("team_digest/email.txt.j2").render(data)
    html = html_environment().get_template("team_digest/email.html.j2").render(data)
    return subject, text, html


def queue_digest(
    conn: Connection, data: dict[str, Any], *, council: CouncilConfig, on: date, now: datetime
) -> int:
    subject, text, html = render_digest(data)
    message = outbox.NewMessage(
        dedupe_key=f"digest:{on.isoformat()}",
        kind="team_digest",
        channel="email",
        to_address=council.team_email,
        subject=subject,
        body_text=text,
        body_html=html,
    )
    return outbox.enqueue(conn, [message], now=now)
