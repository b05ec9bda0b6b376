"""The demo county: a synthetic county imported into the configured database, to be
checked in late August."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine

from services.app import App
from transport import synthetic
from transport.db.engine import writer
from transport.db.tables import AuditEvent, Contact, Pupil
from transport.errors import UsageError
from transport.imports.bundle import ImportReport, Progress, import_bundle

DEMO_ACTOR = "demo"


@dataclass(frozen=True)
class DemoCounty:
    year: int
    as_of: date
    report: ImportReport
    failed_channels: int


def demo_as_of(year: int) -> date:
    """Late August: the new academic year's first school days are a few days away."""
    return date(year, 8, 26)


def refuse_real_data(app: App, *, force: bool) -> None:
    """Stop unless the database is empty or holds only an earlier demo (or ``force``)."""
    with app.ready().engine.connect() as conn:
        pupils = conn.execute(select(func.count()).select_from(Pupil)).scalar_one()
        demo = conn.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.actor == DEMO_ACTOR)
        ).scalar_one()
    if pupils and not demo and not force:
        raise UsageError(
            f"the database already holds {pupils} pupils that the demo did not make; "
            "point the demo at another database (TRANSPORT_DATABASE_URL) or pass --force"
        )


def build_county(
    app: App,
    *,
    pupils: int,
    seed: int,
    year: int,
    progress: Progress | None = None,
) -> DemoCounty:
    engine, now = app.ready().engine, app.clock.now()
    with tempfile.TemporaryDirectory(prefix="transport-demo-") as folder:
        bundle = Path(folder)
        synthetic.generate_bundle(bundle, pupils=pupils, seed=seed, year=year)
        report = import_bundle(engine, bundle, now=now, actor=DEMO_ACTOR, progress=progress)
    failed = record_failed_channels(engine, now=now) if report.ok else 0
    return DemoCounty(year, demo_as_of(year), report, failed)


def record_failed_channels(engine: Engine, *, now: datetime) -> int:
    """Some families' channels have failed before, as they do in life: a few addresses
    bounced, a few mobiles sent STOP. (The dispatcher records these in production.)"""
    with writer(engine).begin() as conn:
        bounced = conn.execute(
            update(Contact)
            .where(Contact.id % 41 == 0, Contact.email_status == "ok")
            .values(email_status="bounced", status_changed_at=now)
        ).rowcount
        stopped = conn.execute(
            update(Contact)
            .where(Contact.id % 43 == 0, Contact.mobile_status == "ok")
            .values(mobile_status="opted_out", status_changed_at=now)
        ).rowcount
    return int(bounced or 0) + int(stopped or 0)
