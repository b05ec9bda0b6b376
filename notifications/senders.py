"""Which sender each channel uses, from the config: the file outbox by default (sends
nothing), SMTP and Twilio when configured. Fakes can be passed in instead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from notifications.ports import EmailSender, LetterSender, SmsSender
from transport.config import EmailConfig, Secrets, SmsConfig
from transport.config_reach import LetterConfig
from transport.errors import ConfigError


@dataclass(frozen=True)
class Senders:
    email: EmailSender
    sms: SmsSender
    letter: LetterSender | None = None  # None: letters stay queued (no backend)

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
    letter_config: LetterConfig | None = None,
    letter: LetterSender | None = None,
) -> Senders:
    """The configured senders (the sections of the config that name them, and the
    secrets from the environment); a sender passed in is used as it is."""
    return Senders(
        email or _email(email_config, secrets),
        sms or _sms(sms_config, email_config, secrets),
        letter or _letter(letter_config or LetterConfig(), email_config),
    )


def _letter(settings: LetterConfig, email: EmailConfig) -> LetterSender:
    """The letter backend: ``file`` writes PDFs for the post room (another backend, such
    as a letter provider's, plugs in here by ``[letter] backend``)."""
    from notifications.file_outbox import FileLetterOutbox

    return FileLetterOutbox(
        Path(email.outbox_dir),
        return_address=tuple(settings.return_address),
        font=settings.font_file,
    )


def _email(settings: EmailConfig, secrets: Secrets) -> EmailSender:
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


def _sms(settings: SmsConfig, email: EmailConfig, secrets: Secrets) -> SmsSender:
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
        )
    except ValueError as exc:
        raise ConfigError(f"sms backend 'twilio': {exc}") from exc
