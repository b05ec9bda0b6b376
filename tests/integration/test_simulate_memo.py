"""The simulator checks each shape of facts once a day (RiskMemo): over a whole season on
the demo county, it gives exactly what checking every child every day gives."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date

import pytest
from typer.testing import CliRunner

import jobs.simulate
from cli import app
from services.app import build
from transport.config import Config, DatabaseConfig
from transport.domain.risk import CheckResult, PupilFacts, RiskContext, check


class FullCheck:
    """The check of every child, every day (what RiskMemo stands for)."""

    days = 0  # checks made, over every instance: proof the stand-in was used

    def __init__(self, school_calendar: dict[str, str]) -> None:
        pass

    def check(self, pupils: Iterable[PupilFacts], ctx: RiskContext) -> CheckResult:
        FullCheck.days += 1
        return check(pupils, ctx)


@pytest.mark.slow
def test_a_season_on_the_demo_county_is_the_same_as_checking_every_child_daily(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": ""}
    result = CliRunner().invoke(app, ["demo", "--year", "2026"], env=env)
    assert result.exit_code == 0, result.stderr
    config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
    season = {"start": date(2026, 5, 1), "end": date(2026, 9, 7), "reply_rate": 0.3}
    memoised = jobs.simulate.simulate(build(config), **season).as_dict()  # type: ignore[arg-type]
    monkeypatch.setattr(jobs.simulate, "RiskMemo", FullCheck)
    full = jobs.simulate.simulate(build(config), **season).as_dict()  # type: ignore[arg-type]
    assert FullCheck.days > 0  # the second season really checked every child daily
    assert memoised == full
    # Something happened: children at risk on the first day, replies, decisions.
    totals = full["runs"]["with_reminders"]["totals"]
    assert totals["at_risk_on_first_day"] > 0
    assert totals["replies"] > 0
    assert totals["approved"] > 0
