"""The audit log: who changed what, when. Imports, decisions, tasks done and messages
settled by hand all write here."""

from __future__ import annotations

import getpass
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection

from transport.db.tables import AuditEvent, table_of


def os_user() -> str | None:
    """Who runs the command or the scheduler, as the operating system says: the audit
    log's actor when no --by name is given (None: neither the environment nor the
    password file has a login name)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


@dataclass(frozen=True)
class AuditContext:
    actor: str
    at: datetime

    def event(
        self, action: str, entity: str, key: Sequence[Any], detail: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor": self.actor,
            "action": action,
            "entity": entity,
            "entity_key": "/".join(str(plain(part)) for part in key),
            "detail": detail,
        }

    def record(
        self,
        conn: Connection,
        action: str,
        entity: str,
        key: Sequence[Any],
        detail: dict[str, Any],
    ) -> None:
        conn.execute(insert(table_of(AuditEvent)), [self.event(action, entity, key, detail)])


def plain(value: Any) -> Any:
    """A value as the audit log's JSON keeps it."""
    if isinstance(value, date | time):
        return value.isoformat()
    return value
