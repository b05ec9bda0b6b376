"""Shipped fakes of our own sending ports (never of our database): scriptable senders
for dispatcher tests. The real adapters have their own contract tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from notifications.ports import DeliveryError, EmailMessage, SmsMessage, SmsStatus

Script = Callable[[str], DeliveryError | None]
_LOCK = threading.Lock()


@dataclass
class FakeEmail:
    sent: list[EmailMessage] = field(default_factory=list)
    failures: dict[str, list[DeliveryError]] = field(default_factory=dict)

    def fail(self, to: str, *errors: DeliveryError) -> None:
        self.failures.setdefault(to, []).extend(errors)

    def send(self, message: EmailMessage) -> str:
        with _LOCK:  # the dispatcher may send from several threads
            queue = self.failures.get(message.to)
            if queue:
                raise queue.pop(0)
            self.sent.append(message)
            return f"<{message.reference}@fake>"


@dataclass
class FakeSms:
    sent: list[SmsMessage] = field(default_factory=list)
    failures: dict[str, list[DeliveryError]] = field(default_factory=dict)
    statuses: dict[str, SmsStatus] = field(default_factory=dict)
    at_provider: dict[str, tuple[str, str]] = field(default_factory=dict)  # sid -> (to, body)

    def fail(self, to: str, *errors: DeliveryError) -> None:
        self.failures.setdefault(to, []).extend(errors)

    def send(self, message: SmsMessage) -> str:
        with _LOCK:  # the dispatcher may send from several threads
            queue = self.failures.get(message.to)
            if queue:
                raise queue.pop(0)
            self.sent.append(message)
            sid = f"SM{len(self.at_provider):032d}"
            self.at_provider[sid] = (message.to, message.body)
            return sid

    def status(self, provider_id: str) -> SmsStatus:
        return self.statuses.get(provider_id, SmsStatus("sent"))

    def find(self, to: str, body: str, since: datetime) -> str | None:
        for sid, (number, text) in self.at_provider.items():
            if (number, text) == (to, body):
                return sid
        return None
