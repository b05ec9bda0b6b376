"""The composition root: the one place that reads the configuration and makes the engine,
the clock, the senders and the domain values the use cases run on.

The config is read once (``build``) and turned into :class:`Settings` (a Policy,
Thresholds, the Ladder, ScheduleSettings...). Use cases receive the :class:`App` and read
``app.settings``; nothing below this module receives the whole ``Config``. The CLI, the
scheduler, the simulator and the tests all call :func:`build`, passing fakes (a clock,
senders) where they need them. Nothing happens at import time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from transport.clock import Clock, SystemClock
from transport.config import (
    Config,
    CouncilConfig,
    EligibilityConfig,
    ImportConfig,
    RemindersConfig,
)
from transport.config_web import NOTIFY_LETTER_PER_SECOND
from transport.db.engine import make_engine, masked_url, sqlite_file
from transport.db.schema import current_revision, ensure_current
from transport.domain.eligibility import Policy
from transport.domain.ladder import LadderStep
from transport.domain.retention import RetentionRule
from transport.domain.risk import Thresholds
from transport.domain.schedule import ScheduleSettings
from transport.errors import ConfigError, DatabaseUnavailable, NoData

if TYPE_CHECKING:  # sending is loaded by the commands that send, not by every command
    from notifications.dispatch import DispatchSettings
    from notifications.ports import EmailSender, LetterSender, SmsSender
    from notifications.senders import Senders
    from notifications.sending_rules import RateLimiter


@dataclass(frozen=True)
class CheckSettings:
    horizon_days: int
    thresholds: Thresholds
    max_data_age_days: int = 3
    names_in_exports: bool = True
    rate_window_working_days: int = 10
    forecast_alert_working_days: int = 5


@dataclass(frozen=True)
class RenewalSettings:
    ladder: tuple[LadderStep, ...]
    apply_by_days_before: int  # families are asked to apply this long before R
    task_within_days: int  # the team gets a task when a problem is this close

    @property
    def steps(self) -> list[str]:
        """Every step's name, earliest first."""
        return [step.step for step in sorted(self.ladder, key=lambda step: -step.days_before)]

    @property
    def caseworker_steps(self) -> list[str]:
        """The steps that ask the team to phone, earliest first."""
        ordered = sorted(self.ladder, key=lambda step: -step.days_before)
        return [step.step for step in ordered if step.caseworker_task]


@dataclass(frozen=True)
class RetentionSettings:
    rule: RetentionRule
    outbox_dir: Path  # the file outbox: its message files go with the message bodies


@dataclass(frozen=True)
class Settings:
    """The configuration as the domain speaks it, built once per process."""

    check: CheckSettings
    renewals: RenewalSettings
    policy: Policy
    review_working_days: int
    letter_delivery_working_days: int
    council: CouncilConfig
    imports: ImportConfig
    rates: dict[str, float]  # messages per second, per channel
    retention: RetentionSettings
    inform_days_before: int = 21  # transport details go this long before the first day
    report_marking: str = ""  # the protective marking on every page of the HTML report


def ladder_from(reminders: RemindersConfig) -> tuple[LadderStep, ...]:
    return tuple(
        LadderStep(s.step, s.days_before, tuple(s.channels), s.caseworker_task, s.alert_team)
        for s in reminders.ladder
    )


def policy_from(config: EligibilityConfig) -> Policy:
    month, day = (int(part) for part in config.summer_term_end.split("-"))
    return Policy(
        under8_walking_limit_miles=config.under8_walking_limit_miles,
        walking_limit_miles=config.walking_limit_miles,
        low_income_lower_miles=config.low_income_lower_miles,
        low_income_upper_miles=config.low_income_upper_miles,
        religion_upper_miles=config.religion_upper_miles,
        low_income_nearest_schools=config.low_income_nearest_schools,
        award_period=config.award_period,
        year11_until=config.year11_until,
        summer_term_end=(month, day),
        phase_transfer_years=tuple(config.phase_transfer_years),
        discretionary_reception=config.discretionary_reception,
        post16=config.post16,
        post19=config.post19,
        under8_limit_by=config.under8_limit_by,
        under8_until_year=config.under8_until_year,
        faith_transport=config.faith_transport,
        faith_primary_upper_miles=config.faith_primary_upper_miles,
        faith_secondary_upper_miles=config.faith_secondary_upper_miles,
        faith_needs_low_income=config.faith_needs_low_income,
        post16_lower_miles=config.post16_lower_miles,
        post16_upper_miles=config.post16_upper_miles,
        post16_needs_low_income=config.post16_needs_low_income,
    )


def settings_from(config: Config) -> Settings:
    risk, sending = config.risk, config.sending  # (sending: see dispatch_from)
    return Settings(
        check=CheckSettings(
            risk.horizon_days,
            Thresholds(risk.critical_days, risk.high_days, risk.medium_days),
            config.check.max_data_age_days,
            config.check.names_in_exports,
            config.check.rate_window_working_days,
            config.check.forecast_alert_working_days,
        ),
        renewals=RenewalSettings(
            ladder_from(config.reminders),
            config.reminders.apply_by_days_before,
            config.reminders.task_within_days,
        ),
        policy=policy_from(config.eligibility),
        review_working_days=config.eligibility.review_working_days,
        letter_delivery_working_days=config.eligibility.letter_delivery_working_days,
        council=config.council,
        imports=config.imports,
        rates={
            "email": sending.email_per_second,
            "sms": sending.sms_per_second,
            "letter": NOTIFY_LETTER_PER_SECOND if config.letter.backend == "notify" else 0.0,
        },
        retention=RetentionSettings(
            RetentionRule(config.retention.message_bodies_days, config.retention.left_pupils_years),
            Path(config.email.outbox_dir),
        ),
        inform_days_before=config.inform.days_before_first_day,
        report_marking=config.report.marking,
    )


def dispatch_from(config: Config) -> DispatchSettings:
    from notifications.dispatch import DispatchSettings
    from notifications.sending_rules import Backoff, parse_quiet_hours

    sending = config.sending
    return DispatchSettings(
        quiet=parse_quiet_hours(
            sending.quiet_hours,
            no_sundays=sending.no_sms_on_sundays,
            tz=ZoneInfo(config.council.timezone),
        ),
        backoff=Backoff(
            sending.retry_base_seconds, sending.retry_cap_seconds, sending.max_attempts
        ),
        batch_size=sending.batch_size,
        stale_after=timedelta(seconds=sending.stale_after_seconds),
        workers=sending.workers,
    )


def schedule_from(config: Config) -> ScheduleSettings:
    scheduler = config.scheduler
    try:
        return ScheduleSettings(
            nightly_time=scheduler.nightly_time,
            dispatch_minutes=scheduler.dispatch_minutes,
            poll_minutes=scheduler.poll_minutes,
            lease_seconds=scheduler.lease_seconds,
            timezone=config.council.timezone,
        )
    except ValueError as exc:
        raise ConfigError(f"config key 'scheduler.nightly_time': {exc}") from exc


@dataclass
class App:
    config: Config
    engine: Engine
    clock: Clock
    settings: Settings
    # Senders passed in (tests, the simulator); None: built from the config when needed.
    email: EmailSender | None = None
    sms: SmsSender | None = None
    letter: LetterSender | None = None
    # Only the commands that fill a database (db upgrade, import, demo) may create one;
    # every other command stops on a missing or empty database (see ``ready``).
    may_create: bool = True
    _schema_checked: bool = field(default=False, repr=False)

    @property
    def tz(self) -> ZoneInfo:
        """The council's time zone: instants are shown to people in it (JSON keeps ISO
        with the offset)."""
        return ZoneInfo(self.settings.council.timezone)

    @property
    def database(self) -> str:
        """The database URL, safe to print (the password masked)."""
        return masked_url(self.config.database.url)

    def ready(self) -> App:
        """Make sure the schema is current (creating it on a new database when allowed)."""
        if not self._schema_checked:
            try:
                if not self.may_create:
                    self._require_schema()
                ensure_current(self.engine, auto_migrate=self.config.database.auto_migrate)
            except OperationalError as exc:
                why = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
                raise DatabaseUnavailable(
                    f"cannot use the database {self.database}: {why}".strip()
                ) from exc
            self._schema_checked = True
        return self

    def require_file(self) -> None:
        """Stop, creating nothing, when a SQLite database file does not exist."""
        path = sqlite_file(self.config.database.url)
        if path is not None and not path.exists():
            raise NoData(
                f"no data: the database {self.database} does not exist (run "
                "`transport import DIR` to create it, or set TRANSPORT_DATABASE_URL to "
                "the council's database)"
            )

    def _require_schema(self) -> None:
        """Stop, creating nothing, when the database does not exist or has no schema."""
        self.require_file()
        if current_revision(self.engine) is None:
            raise NoData(
                f"no data: the database {self.database} has no tables: run "
                "`transport db upgrade` and `transport import DIR` first"
            )

    def dispatch_settings(self) -> DispatchSettings:
        return dispatch_from(self.config)

    def senders(self) -> Senders:
        from notifications.senders import build_senders

        config = self.config
        return build_senders(
            config.email,
            config.sms,
            config.secrets,
            email=self.email,
            sms=self.sms,
            letter_config=config.letter,
            letter=self.letter,
            notify=config.notify,
            public_url=config.web.public_url,
        )

    def rate_limiter(self) -> RateLimiter:
        from notifications.sending_rules import RateLimiter

        return RateLimiter(self.settings.rates, monotonic=time.monotonic, sleep=time.sleep)

    def schedule(self) -> ScheduleSettings:
        return schedule_from(self.config)

    def close(self) -> None:
        self.engine.dispose()


def build(
    config: Config,
    *,
    clock: Clock | None = None,
    sms: SmsSender | None = None,
    email: EmailSender | None = None,
    letter: LetterSender | None = None,
    interactive: bool = False,
) -> App:
    """``interactive``: a person runs one command at a terminal; the command says what
    happened itself, so the log's INFO summaries stay quiet (warnings still show)."""
    level = config.logging.level
    if interactive and level == "INFO":
        level = "WARNING"
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if config.logging.level != "DEBUG":
        # Alembic narrates every plugin it loads at INFO; a migration is worth one line.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    engine = make_engine(config.database.url, echo=config.database.echo)
    clock = clock or SystemClock(ZoneInfo(config.council.timezone))
    return App(
        config=config,
        engine=engine,
        clock=clock,
        settings=settings_from(config),
        email=email,
        sms=sms,
        letter=letter,
    )
