"""Import a council's CSV bundle into the record: all files in one transaction, nothing
written on any error (see transport/imports/bundle.py)."""

from __future__ import annotations

from pathlib import Path

from services.app import App
from transport.imports.bundle import ImportReport, Progress, import_bundle
from transport.imports.files import BUNDLE
from transport.imports.headers import Reading, check_mapping


def import_folder(
    app: App,
    directory: Path,
    *,
    actor: str,
    dry_run: bool = False,
    complete: bool = False,
    allow_large_removal: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    now = app.clock.now()
    settings = app.settings.imports
    check_mapping(settings.columns, BUNDLE)  # a wrong mapping: exit 2, naming it
    return import_bundle(
        app.ready().engine,
        directory,
        now=now,
        dry_run=dry_run,
        max_errors=app.settings.imports.max_errors,
        actor=actor,
        progress=progress,
        lock_timeout_seconds=app.settings.imports.lock_timeout_seconds,
        today=app.clock.date_of(now),
        complete=complete,
        max_removed_share=app.settings.imports.max_removed_share,
        allow_large_removal=allow_large_removal,
        reading=Reading(settings.encoding, settings.columns),
    )
