"""What every command shares: the app built from the root's options, and option types
(dates are parsed by their type, never by hand)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from transport.vocabulary import Severity

if TYPE_CHECKING:  # the application loads when a command runs, not for --help
    from services.app import App


def parse_date(value: str | date) -> date:
    """YYYY-MM-DD: a bad date is a usage error (exit 2) naming the option."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def date_option(*names: str, help: str) -> Any:
    return typer.Option(*names, parser=parse_date, help=help, metavar="YYYY-MM-DD")


AsOf = Annotated[date | None, date_option("--as-of", help="Date D (YYYY-MM-DD); default today.")]


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
