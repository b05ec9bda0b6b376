"""Configuration of transport details and letters (sections [inform] and [letter]): part
of transport/config.py, which loads and validates them with the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transport.errors import ConfigError


@dataclass(frozen=True)
class InformConfig:
    # Families are sent their transport details (operator, route, pick-up time) no earlier
    # than this many days before the child's first school day of the year.
    days_before_first_day: int = 21


@dataclass(frozen=True)
class LetterConfig:
    # "file" writes each letter as an A4 PDF in <email.outbox_dir>/letters/ for the post
    # room (it counts as sent when written; `transport outbox posted` records the posting).
    backend: str = "file"
    # A TrueType font for letters (names in any alphabet); blank: DejaVu Sans where the
    # system has it, else the PDF's built-in Helvetica (Latin letters only).
    font_file: str = ""
    # The council's return address, printed at the top right of each letter.
    return_address: list[str] = field(default_factory=list)


def check_reach(inform: InformConfig, letter: LetterConfig) -> None:
    if not 0 <= inform.days_before_first_day <= 120:
        raise ConfigError("config key 'inform.days_before_first_day' must be 0 to 120")
    if letter.font_file and not Path(letter.font_file).is_file():
        raise ConfigError(f"config key 'letter.font_file' names no file: {letter.font_file!r}")
