"""Which sending channels are down (their configuration refused), and since when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from transport.db.dialect import insert_ignoring
from transport.db.tables import ChannelHealth, OutboxMessage, table_of


@dataclass(frozen=True)
class ChannelDown:
    channel: str
    since: datetime
    reason: str  # names the setting to fix; no personal data

    def as_dict(self) -> dict[str, str]:
        return {"channel": self.channel, "since": self.since.isoformat(), "reason": self.reason}


def mark_down(conn: Connection, channel: str, reason: str, *, now: datetime) -> None:
    """Down since the first run that found it down; the latest reason is kept."""
    table = table_of(ChannelHealth)
    conn.execute(
        insert_ignoring(conn, table, ["channel"]).values(
            channel=channel, down_since=now, reason=reason[:500], checked_at=now
        )
    )
    conn.execute(
        update(table).where(table.c.channel == channel).values(reason=reason[:500], checked_at=now)
    )


def mark_up(conn: Connection, channels: Iterable[str]) -> None:
    wanted = list(channels)
    if wanted:
        conn.execute(delete(ChannelHealth).where(ChannelHealth.channel.in_(wanted)))


def down(conn: Connection) -> list[ChannelDown]:
    rows = conn.execute(
        select(ChannelHealth.channel, ChannelHealth.down_since, ChannelHealth.reason).order_by(
            ChannelHealth.channel
        )
    )
    return [ChannelDown(*row) for row in rows]


def sent_since(conn: Connection, since: datetime) -> set[str]:
    """The channels that sent at least one message since ``since``."""
    rows = conn.execute(
        select(OutboxMessage.channel).where(OutboxMessage.sent_at >= since).distinct()
    )
    return {row[0] for row in rows}


def outcomes_since(conn: Connection, since: datetime) -> dict[str, dict[tuple[str, str], int]]:
    """channel -> (status, error code or "") -> messages that changed since ``since``."""
    rows = conn.execute(
        select(
            OutboxMessage.channel,
            OutboxMessage.status,
            OutboxMessage.error_code,
            func.count(),
        )
        .where(OutboxMessage.updated_at >= since)
        .group_by(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.error_code)
    )
    found: dict[str, dict[tuple[str, str], int]] = {}
    for channel, status, code, count in rows:
        found.setdefault(channel, {})[(status, code or "")] = int(count)
    return found
