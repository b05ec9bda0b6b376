"""Configuration of the check's HTML report (section [report]): part of
transport/config.py, which loads and validates it with the rest."""

from __future__ import annotations

from dataclasses import dataclass

from transport.errors import ConfigError

MARKING_MAX = 60


@dataclass(frozen=True)
class ReportConfig:
    # The council's protective marking, printed at the top and bottom of every page of the
    # report (and above it on screen), e.g. "OFFICIAL-SENSITIVE"; blank: none.
    marking: str = ""


def check_report(report: ReportConfig) -> None:
    marking = report.marking
    if len(marking) > MARKING_MAX or not marking.isprintable() or marking != marking.strip():
        raise ConfigError(
            "config key 'report.marking' must be one line of at most "
            f'{MARKING_MAX} characters, such as "OFFICIAL-SENSITIVE", got {marking!r}'
        )
