"""The composition root: the one place that makes the engine, sessions and clock.

The CLI, the scheduler and the tests all call :func:`build`; nothing happens at import time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from transport.clock import Clock, SystemClock
from transport.config import Config
from transport.db.engine import make_engine, writer
from transport.db.schema import ensure_current
from transport.errors import DatabaseUnavailable


@dataclass
class App:
    config: Config
    engine: Engine
    clock: Clock
    # Senders passed in (tests, the simulator); None: built from the config when needed.
    email: Any = None
    sms: Any = None
    _schema_checked: bool = field(default=False, repr=False)

    def ready(self) -> App:
        """Make sure the schema is current (creating it on a new database when allowed)."""
        if not self._schema_checked:
            try:
                ensure_current(self.engine, auto_migrate=self.config.database.auto_migrate)
            except OperationalError as exc:
                where = self.engine.url.render_as_string(hide_password=True)
                raise DatabaseUnavailable(
                    f"cannot use the database {where}: {exc.orig}".strip()
                ) from exc
            self._schema_checked = True
        return self

    def read_session(self) -> Session:
        return sessionmaker(self.ready().engine, expire_on_commit=False)()

    def write_session(self) -> Session:
        return sessionmaker(writer(self.ready().engine), expire_on_commit=False)()

    def close(self) -> None:
        self.engine.dispose()


def build(config: Config, *, clock: Clock | None = None, sms: Any = None, email: Any = None) -> App:
    logging.basicConfig(
        level=config.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if config.logging.level != "DEBUG":
        # Alembic narrates every plugin it loads at INFO; a migration is worth one line.
        logging.getLogger("alembic").setLevel(logging.WARNING)
    engine = make_engine(config.database.url, echo=config.database.echo)
    clock = clock or SystemClock(ZoneInfo(config.council.timezone))
    return App(config=config, engine=engine, clock=clock, email=email, sms=sms)
