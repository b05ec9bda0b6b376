"""What every command shares: the app built from the root's options, and option types
(dates are parsed by their type, never by hand: date_option)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from transport.vocabulary import Severity

if TYPE_CHECKING:  # the application loads when a command runs, not for --help
    from services.app import App


DATE_FORMS = "YYYY-MM-DD, DD/MM/YYYY, today or tomorrow"


@dataclass(frozen=True)
class _Day:
    """ "today" or "tomorrow" as typed, until the application's clock says which day it is."""

    days: int


DAY_WORDS = {"today": _Day(0), "tomorrow": _Day(1)}


def parse_date(value: str | date) -> date | _Day:
    """Every date option: YYYY-MM-DD or DD/MM/YYYY (as the CSV files have them), or today
    or tomorrow; anything else is a usage error (exit 2) naming the option."""
    if isinstance(value, date):
        return value
    from transport.imports.values import BadValue
    from transport.imports.values import parse_date as parse_cell

    text = value.strip()
    word = DAY_WORDS.get(text.lower())
    if word is not None:
        return word
    try:
        return parse_cell(text)
    except BadValue as exc:
        if exc.__cause__ is not None:  # the form is right, the day is not: 31/02/2026
            raise typer.BadParameter(str(exc)) from None
        raise typer.BadParameter(f"expected a date as {DATE_FORMS}, got {value!r}") from None


def _by_the_clock(ctx: typer.Context, value: date | _Day | None) -> date | None:
    """today and tomorrow by the application's clock: the council's time zone (Europe/London
    unless configured), never the machine's."""
    if isinstance(value, _Day):
        return app_from(ctx).clock.today() + timedelta(days=value.days)
    return value


def date_option(*names: str, help: str) -> Any:
    """A date option: its help ends with the forms it takes."""
    return typer.Option(
        *names,
        parser=parse_date,
        callback=_by_the_clock,
        help=f"{help} DATE: {DATE_FORMS}.",
        metavar="DATE",
    )


AsOf = Annotated[date | None, date_option("--as-of", help="The day to run as (default today).")]


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


class FailOn(StrEnum):
    """A severity, or none (never fail)."""

    none = "none"
    low = Severity.LOW.value
    medium = Severity.MEDIUM.value
    high = Severity.HIGH.value
    critical = Severity.CRITICAL.value


assert {f.value for f in FailOn} == {"none", *Severity}, "FailOn must follow Severity"


def app_from(ctx: typer.Context, *, create: bool = False, service: bool = False) -> App:
    """The application, built once per command from the root's --config. Only a command
    that fills a database (``create``) may create one; any other stops, creating nothing,
    on a missing or empty database. ``service``: the scheduler and the jobs keep the
    configured log level (their INFO summaries are the record of each run)."""
    from services.app import build
    from transport.config import load_config
    from transport.gc_tuning import started

    root = ctx.find_root()
    if root.obj is None:
        root.obj = {}
    if "app" not in root.obj:
        config = load_config(root.obj.get("config_path"))
        root.obj["app"] = build(config, interactive=not service)
        started()  # the command's modules are loaded: the collector runs from here
    built: App = root.obj["app"]
    built.may_create = create
    return built


def today_or(app: App, day: date | None) -> date:
    return day if day is not None else app.clock.today()


def actor_from(by: str | None) -> str:
    """Who does it, for the audit log: the --by name, else the OS user (never a generic
    word such as "import")."""
    from transport.audit import os_user
    from transport.errors import UsageError

    if by is not None:
        if not by.strip():
            raise UsageError("--by needs a name")
        return by.strip()
    user = os_user()
    if user is None:
        raise UsageError("cannot tell who you are: say it with --by NAME")
    return user
