"""`transport channels check`: is each sending channel ready? Sends nothing.

For each channel (email, sms, letter), by its backend: the file outbox (ready: it writes
files, letters as PDFs for the post room, and sends nothing); SMTP (connect, STARTTLS,
login, as a send would, then QUIT); Twilio (the credentials, and that the sender is one
of the account's numbers or its messaging service); GOV.UK Notify (the key, and that the
template exists, is of the channel's kind and holds our placeholders). What is not ready
is said with the setting to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.app import App
from transport.errors import ConfigError


@dataclass(frozen=True)
class ChannelCheck:
    channel: str
    backend: str
    ready: bool
    detail: str  # what was verified, or what is wrong and the setting to fix
    setting: str | None = None  # the setting to fix, when not ready


def check_channels(app: App) -> list[ChannelCheck]:
    from notifications.ports import ChannelConfigError, DeliveryError
    from notifications.senders import email_sender, letter_sender, sms_sender

    config = app.config
    builders: dict[str, tuple[str, Callable[[], Any]]] = {
        "email": (
            config.email.backend,
            lambda: email_sender(config.email, config.secrets, config.notify),
        ),
        "sms": (
            config.sms.backend,
            lambda: sms_sender(config.sms, config.email, config.secrets, config.notify),
        ),
        "letter": (
            config.letter.backend,
            lambda: letter_sender(config.letter, config.email, config.secrets, config.notify),
        ),
    }
    found = []
    for channel, (backend, build) in builders.items():
        if backend == "file":
            where = config.email.outbox_dir + ("/letters" if channel == "letter" else "")
            found.append(ChannelCheck(channel, backend, True, f"writes to {where}/, sends nothing"))
            continue
        sender: Any = None
        try:
            sender = build()
            found.append(ChannelCheck(channel, backend, True, sender.check()))
        except ConfigError as exc:
            found.append(ChannelCheck(channel, backend, False, str(exc), _setting_in(str(exc))))
        except ChannelConfigError as exc:
            found.append(ChannelCheck(channel, backend, False, str(exc), exc.setting))
        except DeliveryError as exc:
            found.append(ChannelCheck(channel, backend, False, f"cannot check it now: {exc}"))
        finally:
            close = getattr(sender, "close", None)
            if close is not None:
                close()
    return found


def _setting_in(message: str) -> str | None:
    for name in (
        "NOTIFY_API_KEY",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
    ):
        if name in message:
            return name
    return None
