"""Typed configuration, validated once.

Sources, later wins: built-in defaults, the TOML file (``--config PATH`` or
``TRANSPORT_CONFIG``), then ``TRANSPORT_DATABASE_URL``. Secrets come only from the
environment. This is the only module that reads ``os.environ``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from transport.config_checks import (
    check_database_url,
    check_eligibility,
    check_notify,
    check_quiet_hours,
    check_scheduler,
    check_web,
)
from transport.config_reach import InformConfig, LetterConfig, check_reach
from transport.config_report import ReportConfig, check_report
from transport.config_web import NOTIFY_LETTER_PER_SECOND, NotifyConfig, WebConfig
from transport.errors import ConfigError


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite:///transport.db"
    # Bring the schema up to date automatically before each command (set false when
    # a deployment runs `transport db upgrade` as its own step).
    auto_migrate: bool = True
    echo: bool = False


@dataclass(frozen=True)
class CouncilConfig:
    name: str = "Example County Council"
    timezone: str = "Europe/London"
    contact_phone: str = "0300 123 4567"
    renewal_url: str = "https://www.council.example/school-transport/apply"
    team_email: str = "transport.team@council.example"


@dataclass(frozen=True)
class RiskConfig:
    horizon_days: int = 120
    critical_days: int = 7
    high_days: int = 21
    medium_days: int = 42


@dataclass(frozen=True)
class CheckConfig:
    # Data older than this (days since the last import) makes the check warn, and with
    # --fail-on, fail: an old record cannot give an all-clear.
    max_data_age_days: int = 3
    # The children's and schools' names in the JSON and CSV exports (pupil_name,
    # school_name); false for councils that want references only outside the table.
    names_in_exports: bool = True
    # The backlog forecast measures the team's pace over this many working days.
    rate_window_working_days: int = 10
    # A stage with no recent activity (pace unknown) is "not on track" once its due day is
    # this many working days away, or past.
    forecast_alert_working_days: int = 5


@dataclass(frozen=True)
class EligibilityConfig:
    """The council's transport policy (docs/eligibility.md): statutory values by default."""

    under8_walking_limit_miles: float = 2.0
    walking_limit_miles: float = 3.0
    low_income_lower_miles: float = 2.0
    low_income_upper_miles: float = 6.0
    religion_upper_miles: float = 15.0
    low_income_nearest_schools: int = 3
    award_period: str = "annual"
    year11_until: str = "csa_end"
    summer_term_end: str = "07-31"
    phase_transfer_years: list[str] = field(default_factory=lambda: ["6", "11"])
    discretionary_reception: bool = False
    post16: str = "send"
    post19: bool = True
    post16_lower_miles: float = 3.0  # post16 = "band": more than this (walking)...
    post16_upper_miles: float = 15.0  # ...and not more than this (by road)
    post16_needs_low_income: bool = False
    under8_limit_by: str = "birthday"  # or "year_group" (to the end of under8_until_year)
    under8_until_year: int = 3
    faith_transport: bool = False
    faith_primary_upper_miles: float = 15.0
    faith_secondary_upper_miles: float = 15.0
    faith_needs_low_income: bool = False
    review_working_days: int = 20
    letter_delivery_working_days: int = 2


@dataclass(frozen=True)
class LadderStepConfig:
    step: str
    days_before: int
    channels: list[str]
    caseworker_task: bool = False
    alert_team: bool = False


def _default_ladder() -> list[LadderStepConfig]:
    return [
        LadderStepConfig("invite", 100, ["email"]),
        LadderStepConfig("reminder", 56, ["email", "sms"]),
        LadderStepConfig("urgent", 28, ["sms", "email"], caseworker_task=True),
        LadderStepConfig("final", 10, ["sms", "email"], caseworker_task=True, alert_team=True),
    ]


@dataclass(frozen=True)
class RemindersConfig:
    ladder: list[LadderStepConfig] = field(default_factory=_default_ladder)
    # Ask families to apply this many days before transport is next needed.
    apply_by_days_before: int = 28
    # Open a task for the team when a readiness problem is this close to day one.
    task_within_days: int = 21


# The encodings a council's CSV files may be read in ([import] encoding).
IMPORT_ENCODINGS = ("utf-8", "cp1252", "windows-1252", "latin-1", "iso-8859-1")


@dataclass(frozen=True)
class ImportConfig:
    max_errors: int = 200
    progress_min_rows: int = 20000
    # One import at a time: a second waits this long for the first, then stops (exit 2).
    lock_timeout_seconds: float = 600.0
    # import --complete refuses to remove more than this share of a table's rows (pupils
    # made left, awards, applications, arrangements removed) unless --allow-large-removal.
    max_removed_share: float = 0.1
    # The files' encoding: utf-8 (with or without a byte-order mark), or cp1252 for files
    # saved by older Excel ("CSV (Comma delimited)").
    encoding: str = "utf-8"
    # [import.columns.<file>]: the council's own headers mapped onto ours, file by file
    # ("Pupil Ref" = "pupil_ref"), matched after trimming spaces and ignoring case.
    columns: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RetentionConfig:
    # Settled messages older than this are redacted to metadata (docs/data-protection.md).
    message_bodies_days: int = 400
    # Pupils left for more than this are purged with their contacts, messages and tasks.
    left_pupils_years: int = 2


@dataclass(frozen=True)
class EmailConfig:
    backend: str = "file"
    outbox_dir: str = "outbox"
    host: str = "127.0.0.1"
    port: int = 587
    starttls: bool = True
    from_address: str = "school.transport@council.example"
    timeout_seconds: float = 30.0
    messages_per_connection: int = 100


@dataclass(frozen=True)
class SmsConfig:
    backend: str = "file"
    from_number: str = ""
    messaging_service_sid: str = ""
    api_base_url: str = ""
    timeout_seconds: float = 15.0


@dataclass(frozen=True)
class SendingConfig:
    quiet_hours: list[str] = field(default_factory=lambda: ["20:00", "08:00"])
    no_sms_on_sundays: bool = True
    email_per_second: float = 10.0
    sms_per_second: float = 5.0
    retry_base_seconds: float = 60.0
    retry_cap_seconds: float = 21600.0
    max_attempts: int = 8
    stale_after_seconds: int = 600
    batch_size: int = 50
    workers: int = 4


@dataclass(frozen=True)
class SchedulerConfig:
    # Local time (council.timezone) of the nightly job; not 01:00-01:59 (clock changes).
    nightly_time: str = "21:30"
    dispatch_minutes: float = 5.0
    poll_minutes: float = 15.0
    # One scheduler per database: the holder renews its lease; a dead holder's lease
    # expires after this long and another scheduler may take over.
    lease_seconds: float = 120.0


@dataclass(frozen=True)
class LoggingConfig:
    level: str = "INFO"


@dataclass(frozen=True)
class Secrets:
    """Credentials, read from the environment only; never from the config file."""

    smtp_username: str = ""
    smtp_password: str = ""
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    notify_api_key: str = ""
    notify_callback_token: str = ""


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    council: CouncilConfig = field(default_factory=CouncilConfig)
    risk: RiskConfig = field(default_factory=RiskConfig)
    check: CheckConfig = field(default_factory=CheckConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    eligibility: EligibilityConfig = field(default_factory=EligibilityConfig)
    reminders: RemindersConfig = field(default_factory=RemindersConfig)
    inform: InformConfig = field(default_factory=InformConfig)
    letter: LetterConfig = field(default_factory=LetterConfig)
    imports: ImportConfig = field(default_factory=ImportConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    sms: SmsConfig = field(default_factory=SmsConfig)
    notify: NotifyConfig = field(default_factory=NotifyConfig)
    web: WebConfig = field(default_factory=WebConfig)
    sending: SendingConfig = field(default_factory=SendingConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    secrets: Secrets = field(default_factory=Secrets)
    source: str = "built-in defaults"


# TOML table name -> Config attribute (``import`` is a Python keyword).
_SECTIONS = {
    "database": "database",
    "council": "council",
    "risk": "risk",
    "check": "check",
    "report": "report",
    "eligibility": "eligibility",
    "reminders": "reminders",
    "inform": "inform",
    "letter": "letter",
    "import": "imports",
    "retention": "retention",
    "email": "email",
    "sms": "sms",
    "notify": "notify",
    "web": "web",
    "sending": "sending",
    "scheduler": "scheduler",
    "logging": "logging",
}

_CHOICES: dict[str, tuple[str, ...]] = {
    "email.backend": ("file", "smtp", "notify"),
    "sms.backend": ("file", "twilio", "notify"),
    "letter.backend": ("file", "notify"),
    "logging.level": ("DEBUG", "INFO", "WARNING", "ERROR"),
    "eligibility.award_period": ("annual", "key_stage"),
    "eligibility.year11_until": ("csa_end", "end_of_summer_term"),
    "eligibility.post16": ("none", "send", "all", "band"),
    "eligibility.under8_limit_by": ("birthday", "year_group"),
}


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Load and validate the configuration. Raises ConfigError naming the bad key."""
    env = os.environ if env is None else env
    if path is None and env.get("TRANSPORT_CONFIG"):
        path = Path(env["TRANSPORT_CONFIG"])
    raw: dict[str, Any] = {}
    source = "built-in defaults"
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file {path} does not exist") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
        source = str(path)

    sections: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _SECTIONS:
            raise ConfigError(f"unknown config section [{key}] in {source}")
        if not isinstance(value, dict):
            raise ConfigError(f"config key '{key}' must be a table ([{key}])")
        attr = _SECTIONS[key]
        cls = type(getattr(Config(), attr))
        sections[attr] = _build_section(key, cls, value)

    config = Config(**sections, secrets=_secrets(env), source=source)
    if env.get("TRANSPORT_DATABASE_URL"):
        url = env["TRANSPORT_DATABASE_URL"]
        config = dataclasses.replace(config, database=dataclasses.replace(config.database, url=url))
    _check(config)
    return config


def _build_section(section: str, cls: type[Any], values: dict[str, Any]) -> Any:
    hints = get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{section}.{key}"
        if key not in known:
            raise ConfigError(f"unknown config key '{name}'")
        kwargs[key] = _coerce(name, hints[key], value)
    return cls(**kwargs)


def _coerce(name: str, hint: Any, value: Any) -> Any:
    origin = get_origin(hint)
    if origin is dict:
        _key, item = get_args(hint)
        if not isinstance(value, dict):
            raise ConfigError(f"config key '{name}' must be a table, got {value!r}")
        return {str(k): _coerce(f"{name}.{k}", item, v) for k, v in value.items()}
    if origin is list:
        (item,) = get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"config key '{name}' must be a list, got {value!r}")
        return [_coerce(f"{name}[{i}]", item, v) for i, v in enumerate(value)]
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"config key '{name}' must be a table, got {value!r}")
        missing = [
            f.name
            for f in dataclasses.fields(hint)
            if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and f.name not in value
        ]
        if missing:
            raise ConfigError(f"config key '{name}' needs {', '.join(missing)}")
        return _build_section(name, hint, value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"config key '{name}' must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"config key '{name}' must be a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"config key '{name}' must be a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"config key '{name}' must be a string, got {value!r}")
        return value
    raise ConfigError(f"config key '{name}' has an unsupported type")  # pragma: no cover


def _secrets(env: Mapping[str, str]) -> Secrets:
    return Secrets(
        smtp_username=env.get("SMTP_USERNAME", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
        twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
        notify_api_key=env.get("NOTIFY_API_KEY", ""),
        notify_callback_token=env.get("NOTIFY_CALLBACK_TOKEN", ""),
    )


def _check(config: Config) -> None:
    for name, choices in _CHOICES.items():
        section, key = name.split(".")
        value = getattr(getattr(config, _SECTIONS[section]), key)
        if value not in choices:
            raise ConfigError(
                f"config key '{name}' must be one of {', '.join(choices)}, got {value!r}"
            )
    check_database_url(config.database.url)
    risk = config.risk
    if risk.horizon_days < 0:
        raise ConfigError("config key 'risk.horizon_days' must not be negative")
    if not 0 <= risk.critical_days <= risk.high_days <= risk.medium_days:
        raise ConfigError(
            "config keys 'risk.critical_days' <= 'risk.high_days' <= 'risk.medium_days' "
            f"must hold, got {risk.critical_days}, {risk.high_days}, {risk.medium_days}"
        )
    if not 1 <= config.check.rate_window_working_days <= 60:
        raise ConfigError("config key 'check.rate_window_working_days' must be 1 to 60")
    if not 0 <= config.check.forecast_alert_working_days <= 60:
        raise ConfigError("config key 'check.forecast_alert_working_days' must be 0 to 60")
    if config.check.max_data_age_days < 0:
        raise ConfigError("config key 'check.max_data_age_days' must not be negative")
    check_eligibility(config.eligibility)
    _check_ladder(config.reminders)
    check_scheduler(config.scheduler)
    check_reach(config.inform, config.letter)
    check_report(config.report)
    if config.imports.lock_timeout_seconds < 0:
        raise ConfigError("config key 'import.lock_timeout_seconds' must not be negative")
    if not 0 <= config.imports.max_removed_share <= 1:
        raise ConfigError("config key 'import.max_removed_share' must be between 0 and 1")
    if config.imports.encoding.lower() not in IMPORT_ENCODINGS:
        raise ConfigError(
            f"config key 'import.encoding' must be one of {', '.join(IMPORT_ENCODINGS)}, "
            f"got {config.imports.encoding!r}"
        )
    if config.imports.max_errors < 1:
        raise ConfigError("config key 'import.max_errors' must be at least 1")
    if not 1 <= config.retention.message_bodies_days <= 36500:
        raise ConfigError("config key 'retention.message_bodies_days' must be 1 to 36500")
    if not 1 <= config.retention.left_pupils_years <= 100:
        raise ConfigError("config key 'retention.left_pupils_years' must be 1 to 100")
    sending = config.sending
    if sending.email_per_second < 0 or sending.sms_per_second < 0:
        raise ConfigError(
            "config keys 'sending.email_per_second' and 'sms_per_second' must be >= 0"
        )
    if not 0 < sending.retry_base_seconds <= sending.retry_cap_seconds:
        raise ConfigError(
            "config keys 'sending.retry_base_seconds' <= 'sending.retry_cap_seconds' must hold"
        )
    if sending.max_attempts < 1 or sending.batch_size < 1 or sending.stale_after_seconds < 1:
        raise ConfigError(
            "config keys 'sending.max_attempts', 'sending.batch_size' and "
            "'sending.stale_after_seconds' must be at least 1"
        )
    if not 1 <= sending.workers <= 32:
        raise ConfigError("config key 'sending.workers' must be from 1 to 32")
    backends = {"email": config.email.backend, "sms": config.sms.backend}
    backends["letter"] = config.letter.backend
    rates = {"email": sending.email_per_second, "sms": sending.sms_per_second}
    rates["letter"] = NOTIFY_LETTER_PER_SECOND
    check_notify(config.notify, backends, rates)
    check_web(config.web)
    if config.email.messages_per_connection < 1:
        raise ConfigError("config key 'email.messages_per_connection' must be at least 1")
    check_quiet_hours(config.sending.quiet_hours)
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(config.council.timezone)
    except (KeyError, ValueError) as exc:
        raise ConfigError(
            f"config key 'council.timezone' is not a known timezone: {config.council.timezone!r}"
        ) from exc


def terminal_columns(env: Mapping[str, str] | None = None) -> int | None:
    """The width ``COLUMNS`` asks tables to fit (a person or a test set it), or None."""
    value = (os.environ if env is None else env).get("COLUMNS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def notify_channels(config: Config) -> list[str]:
    """The channels sent through GOV.UK Notify."""
    backends = {"email": config.email.backend, "sms": config.sms.backend}
    backends["letter"] = config.letter.backend
    return [channel for channel, backend in backends.items() if backend == "notify"]


def _check_ladder(reminders: RemindersConfig) -> None:
    names = [step.step for step in reminders.ladder]
    if not names:
        raise ConfigError("config key 'reminders.ladder' needs at least one step")
    if len(set(names)) != len(names):
        raise ConfigError(f"config key 'reminders.ladder' has a step name twice: {names}")
    days = [step.days_before for step in reminders.ladder]
    if len(set(days)) != len(days):
        raise ConfigError(
            f"config key 'reminders.ladder' has two steps with one days_before: {days}"
        )
    for index, step in enumerate(reminders.ladder):
        where = f"reminders.ladder[{index}]"
        if not step.step.replace("_", "").isalnum():
            raise ConfigError(f"config key '{where}.step' must be a simple name, got {step.step!r}")
        if step.days_before < 0:
            raise ConfigError(f"config key '{where}.days_before' must not be negative")
        if not step.channels or any(c not in ("email", "sms") for c in step.channels):
            raise ConfigError(f"config key '{where}.channels' must list email and/or sms")
    if reminders.apply_by_days_before < 0 or reminders.task_within_days < 0:
        raise ConfigError(
            "config keys 'reminders.apply_by_days_before' and "
            "'reminders.task_within_days' must not be negative"
        )
