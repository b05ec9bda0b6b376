"""Which sending channels are down (their configuration refused), and since when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from transport.db.dialect import chunks, insert_ignoring
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


def outcomes_of(
    conn: Connection, claims: Iterable[str]
) -> dict[str, dict[tuple[str, str], int]]:
    """channel -> (status, error code or "") -> messages of these claims (one send run's:
    a run reports its own messages, not those another run sent meanwhile)."""
    found: dict[str, dict[tuple[str, str], int]] = {}
    for chunk in chunks(sorted(claims)):
        rows = conn.execute(
            select(
                OutboxMessage.channel,
                OutboxMessage.status,
                OutboxMessage.error_code,
                func.count(),
            )
            .where(OutboxMessage.claim_token.in_(chunk))
            .group_by(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.error_code)
        )
        for channel, status, code, count in rows:
            outcomes = found.setdefault(channel, {})
            key = (status, code or "")
            outcomes[key] = outcomes.get(key, 0) + int(count)
    return found


def digests_waiting(conn: Connection, channels: list[str]) -> list[str]:
    """The dates of the team's digests not yet sent by these channels (queued or waiting
    for a retry), oldest first."""
    rows = conn.execute(
        select(OutboxMessage.dedupe_key)
        .where(
            OutboxMessage.kind == "team_digest",
            OutboxMessage.channel.in_(channels),
            OutboxMessage.status.in_(("queued", "failed_temporary")),
        )
        .order_by(OutboxMessage.id)
    )
    return [key.removeprefix("digest:") for (key,) in rows]
