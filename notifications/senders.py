"""Which sender each channel uses, from the config: the file outbox by default (sends
nothing), SMTP, Twilio or GOV.UK Notify when configured. Fakes can be passed in instead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from notifications.ports import EmailSender, LetterSender, SmsSender, StatusReader
from transport.config import EmailConfig, Secrets, SmsConfig
from transport.config_reach import LetterConfig
from transport.config_web import NotifyConfig
from transport.errors import ConfigError

# Where `transport serve` receives Twilio's status callbacks (web/callbacks.py).
STATUS_PATH = "/callbacks/twilio/status"


@dataclass(frozen=True)
class Senders:
    email: EmailSender
    sms: SmsSender
    letter: LetterSender | None = None  # None: letters stay queued (no backend)

    def status_reader(self, channel: str) -> StatusReader | None:
        """The channel's sender if its provider reports delivery statuses, else None
        (SMTP and the file outbox for email say nothing after the send)."""
        sender: Any = {"email": self.email, "sms": self.sms, "letter": self.letter}[channel]
        return cast(StatusReader, sender) if callable(getattr(sender, "status", None)) else None

    def close(self) -> None:
        """End open sessions (SMTP keeps one per sending thread); they reopen on use."""
        for sender in (self.email, self.sms, self.letter):
            close = getattr(sender, "close", None)
            if close is not None:
                close()


def build_senders(
    email_config: EmailConfig,
    sms_config: SmsConfig,
    secrets: Secrets,
    *,
    email: EmailSender | None = None,
    sms: SmsSender | None = None,
    notify: NotifyConfig | None = None,
    public_url: str = "",
    letter_config: LetterConfig | None = None,
    letter: LetterSender | None = None,
) -> Senders:
    """The configured senders (the sections of the config that name them, and the
    secrets from the environment); a sender passed in is used as it is. ``public_url``
    ([web]): where Twilio posts status callbacks, when set."""
    notify = notify or NotifyConfig()
    return Senders(
        email or _email(email_config, secrets, notify),
        sms or _sms(sms_config, email_config, secrets, notify, public_url),
        letter or letter_sender(letter_config or LetterConfig(), email_config, secrets, notify),
    )


def letter_sender(
    settings: LetterConfig, email: EmailConfig, secrets: Secrets, notify: NotifyConfig
) -> LetterSender:
    """The letter backend: ``file`` writes PDFs for the post room; ``notify`` has GOV.UK
    Notify print and post them (ConfigError when its settings cannot work)."""
    if settings.backend == "notify":
        return _notify("letter", notify, secrets)  # type: ignore[no-any-return]
    from notifications.file_outbox import FileLetterOutbox

    return FileLetterOutbox(
        Path(email.outbox_dir),
        return_address=tuple(settings.return_address),
        font=settings.font_file,
    )


def _notify(channel: str, notify: NotifyConfig, secrets: Secrets) -> Any:
    from notifications.notify_senders import (
        NotifyEmailSender,
        NotifyLetterSender,
        NotifySmsSender,
    )

    options: dict[str, Any] = {
        "api_key": secrets.notify_api_key,
        "base_url": notify.base_url,
        "timeout_seconds": notify.timeout_seconds,
    }
    try:
        if channel == "email":
            return NotifyEmailSender(
                template_id=notify.email_template_id,
                reply_to_id=notify.email_reply_to_id,
                **options,
            )
        if channel == "letter":
            return NotifyLetterSender(template_id=notify.letter_template_id, **options)
        return NotifySmsSender(
            template_id=notify.sms_template_id, sms_sender_id=notify.sms_sender_id, **options
        )
    except ValueError as exc:
        raise ConfigError(f"{channel} backend 'notify': {exc}") from exc


def email_sender(settings: EmailConfig, secrets: Secrets, notify: NotifyConfig) -> EmailSender:
    """The email channel's sender alone (ConfigError when its settings cannot work)."""
    return _email(settings, secrets, notify)


def sms_sender(
    settings: SmsConfig,
    email: EmailConfig,
    secrets: Secrets,
    notify: NotifyConfig,
    public_url: str = "",
) -> SmsSender:
    """The SMS channel's sender alone (ConfigError when its settings cannot work)."""
    return _sms(settings, email, secrets, notify, public_url)


def _email(settings: EmailConfig, secrets: Secrets, notify: NotifyConfig) -> EmailSender:
    if settings.backend == "notify":
        return _notify("email", notify, secrets)  # type: ignore[no-any-return]
    if settings.backend == "file":
        from notifications.file_outbox import FileEmailOutbox

        return FileEmailOutbox(Path(settings.outbox_dir), settings.from_address)
    from notifications.smtp_email import SmtpEmailSender

    return SmtpEmailSender(
        host=settings.host,
        port=settings.port,
        from_address=settings.from_address,
        starttls=settings.starttls,
        username=secrets.smtp_username,
        password=secrets.smtp_password,
        timeout_seconds=settings.timeout_seconds,
        messages_per_connection=settings.messages_per_connection,
    )


def _sms(
    settings: SmsConfig,
    email: EmailConfig,
    secrets: Secrets,
    notify: NotifyConfig,
    public_url: str = "",
) -> SmsSender:
    if settings.backend == "notify":
        return _notify("sms", notify, secrets)  # type: ignore[no-any-return]
    if settings.backend == "file":
        from notifications.file_outbox import FileSmsOutbox

        return FileSmsOutbox(Path(email.outbox_dir))
    from notifications.twilio_sms import TwilioSmsSender

    try:
        return TwilioSmsSender(
            account_sid=secrets.twilio_account_sid,
            auth_token=secrets.twilio_auth_token,
            from_number=settings.from_number,
            messaging_service_sid=settings.messaging_service_sid,
            api_base_url=settings.api_base_url,
            timeout_seconds=settings.timeout_seconds,
            status_callback=public_url.rstrip("/") + STATUS_PATH if public_url else "",
        )
    except ValueError as exc:
        raise ConfigError(f"sms backend 'twilio': {exc}") from exc
