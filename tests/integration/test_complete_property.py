"""Properties (Hypothesis) of `import --complete`, on the real database (SQLite, or
PostgreSQL with TRANSPORT_TEST_DATABASE_URL), over small generated counties:

- for any sequence of complete bundles, with caseworkers' decisions made here between
  them, the stored record is what the last bundle says for every key: pupils it does not
  list are left (never deleted), awards, applications and arrangements it does not list
  are gone, each pupil it names in contacts.csv has exactly those contacts (the others
  keep theirs); plus what a decision made here keeps (docs/import-format.md): an export
  still at received or assessing does not undo it, a different decision in the export
  replaces it, and the award made here lives exactly while its approval stands;
- importing the same complete bundle again reports no change;
- a removal above the cap writes nothing, and the dry run reports what would go.

The expected record is worked out from the bundles alone (the model below), not read
from the code under test."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select
from sqlalchemy.engine import Engine

from services.app import build
from services.assessments import decide
from tests.bundles import (
    application,
    arrangement,
    award,
    council_terms,
    pupil,
    school,
    write_bundle,
)
from tests.integration.test_contacts_property import expected, person, rows, stored
from tests.integration.test_import import dump
from transport.clock import FixedClock
from transport.config import Config, DatabaseConfig
from transport.db.engine import writer
from transport.db.tables import Application, Arrangement, Award, Base, Pupil
from transport.imports.bundle import ImportReport, import_bundle

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
PUPILS = ("P1", "P2", "P3", "P4")
AWARDS = {"A1": "P1", "A2": "P2", "A3": "P3", "A4": "P1"}  # award -> its pupil
APPLICATIONS = {"APP1": "P1", "APP2": "P2", "APP3": "P3"}
YEARS = {"2025/26": 2025, "2026/27": 2026}
STATUSES = ("received", "assessing", "approved", "refused", "withdrawn")
UNDECIDED = ("received", "assessing")
FACTS = {"walking_distance_miles": "3.4", "road_distance_miles": "3.9",
         "nearest_suitable_school": "yes", "kind": "renewal"}  # fmt: skip
COMPLETE_FILES = ("pupils.csv", "awards.csv", "applications.csv", "arrangements.csv")


@dataclass(frozen=True)
class Bundle:
    pupils: dict[str, tuple[str, str]]  # ref -> (status, first name)
    awards: dict[str, str]  # ref -> valid_until
    applications: dict[str, str]  # ref -> status
    arrangements: dict[tuple[str, str], str]  # (pupil, year) -> operator
    contacts: dict[str, list[tuple[str, str, str]]]  # pupil -> people

    def files(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "schools.csv": [school("100001")],
            "terms.csv": council_terms(),
            "pupils.csv": [
                pupil(ref, status=status, first_name=name)
                for ref, (status, name) in self.pupils.items()
            ],
            "contacts.csv": rows(self.contacts),
            "awards.csv": [
                award(ref, pupil_ref=AWARDS[ref], valid_until=until)
                for ref, until in self.awards.items()
            ],
            "applications.csv": [
                application(ref, pupil_ref=APPLICATIONS[ref], status=status, **FACTS)
                for ref, status in self.applications.items()
            ],
            "arrangements.csv": [
                arrangement(ref, year=year, operator=operator)
                for (ref, year), operator in self.arrangements.items()
            ],
        }


def mostly(keys: list[Any], values: Sequence[Any] | st.SearchStrategy[Any]) -> Any:
    """Each key with one of ``values`` most of the time (a real export changes a little
    a night). Present comes first, so that examples shrink towards full bundles."""
    if not keys:
        return st.just({})
    if isinstance(values, st.SearchStrategy):
        slot = st.one_of(values, st.none())
    else:
        slot = st.sampled_from([*values, None])
    slots = st.tuples(*(slot for _ in keys))
    return slots.map(lambda got: {k: v for k, v in zip(keys, got, strict=True) if v is not None})


@st.composite
def bundles(draw: st.DrawFn) -> Bundle:
    """A complete export: its awards, applications, arrangements and contacts are of the
    pupils it lists (any of them may be left out, or the whole file may be empty)."""
    states = [(s, n) for s in ("active", "left") for n in ("Sam", "Samira")]
    listed = draw(mostly(list(PUPILS), [*states[:2], *states]))  # active twice as likely
    of_listed = [ref for ref in PUPILS if ref in listed]
    families = st.lists(person, min_size=1, max_size=2, unique_by=lambda p: p[0])
    return Bundle(
        pupils=listed,
        awards=draw(mostly([a for a, p in AWARDS.items() if p in listed],
                           ("2026-08-31", "2027-07-31"))),
        applications=draw(mostly([a for a, p in APPLICATIONS.items() if p in listed],
                                 STATUSES)),
        arrangements=draw(mostly([(p, y) for p in of_listed for y in YEARS],
                                 ("County Coaches", "Greenway Cars"))),
        contacts=draw(mostly(of_listed, families)),
    )  # fmt: skip


# Each night: a complete export, then the caseworkers' decisions (application: approve?).
decisions = mostly(sorted(APPLICATIONS), (True, False))
nights = st.lists(st.tuples(bundles(), decisions), min_size=1, max_size=3)


@dataclass
class Model:
    """The record as the bundles and the decisions made here say it should be."""

    pupils: dict[str, tuple[str, str]] = field(default_factory=dict)
    awards: dict[str, str] = field(default_factory=dict)
    applications: dict[str, str] = field(default_factory=dict)
    decided_here: set[str] = field(default_factory=set)
    arrangements: dict[tuple[str, str], str] = field(default_factory=dict)
    contacts: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    def imported(self, bundle: Bundle) -> None:
        for ref, (_, name) in list(self.pupils.items()):
            if ref not in bundle.pupils:
                self.pupils[ref] = ("left", name)  # never deleted
        self.pupils.update(bundle.pupils)
        self.awards = dict(bundle.awards)
        self.arrangements = dict(bundle.arrangements)
        self.contacts.update(bundle.contacts)  # pupils not named keep theirs
        applications = {}
        for ref, status in bundle.applications.items():
            was = self.applications.get(ref)
            if ref in self.decided_here and was is not None:
                if status in UNDECIDED:
                    status = was  # the export is behind the decision made here
                elif status != was:
                    self.decided_here.discard(ref)  # a different decision replaces it
            applications[ref] = status
        self.decided_here &= set(applications)
        self.applications = applications

    def decidable(self, ref: str, approve: bool) -> bool:
        status = self.applications.get(ref)
        own_approval = status == "approved" and ref in self.decided_here
        return status in UNDECIDED or (own_approval and not approve)

    def decided(self, ref: str, approve: bool) -> None:
        self.applications[ref] = "approved" if approve else "refused"
        self.decided_here.add(ref)

    def made_here(self) -> set[str]:
        """The awards this service made whose approval stands."""
        return {
            f"{ref}-A"
            for ref, status in self.applications.items()
            if status == "approved" and ref in self.decided_here
        }


def clean(engine: Engine) -> None:
    with writer(engine).begin() as conn:  # a clean record for each example
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))


def load(engine: Engine, folder: Path, bundle: Bundle, **options: Any) -> ImportReport:
    return import_bundle(
        engine, write_bundle(folder, bundle.files()), now=NOW, complete=True, **options
    )


def record(engine: Engine) -> dict[str, Any]:
    """The stored record, in the model's terms."""
    with engine.connect() as conn:
        every = conn.execute(select(Award.award_ref, Award.pupil_ref, Award.valid_until)).all()
        awards = [r for r in every if r.award_ref in AWARDS]
        arrangements = conn.execute(
            select(Arrangement.pupil_ref, Arrangement.academic_year, Arrangement.operator)
        ).all()
        return {
            "pupils": {
                r.pupil_ref: (r.status, r.first_name)
                for r in conn.execute(select(Pupil.pupil_ref, Pupil.status, Pupil.first_name))
            },
            "awards": {r.award_ref: r.valid_until.isoformat() for r in awards},
            "award_pupils": {r.award_ref: r.pupil_ref for r in awards},
            "made_here": {r.award_ref for r in every if r.award_ref not in AWARDS},
            "applications": {
                ref: status
                for ref, status in conn.execute(
                    select(Application.application_ref, Application.status)
                )
            },
            "arrangements": {(p, y): o for p, y, o in arrangements},
            "contacts": stored(engine),
        }  # fmt: skip


def expected_record(model: Model) -> dict[str, Any]:
    return {
        "pupils": model.pupils,
        "awards": model.awards,
        "award_pupils": {ref: AWARDS[ref] for ref in model.awards},
        "made_here": model.made_here(),
        "applications": model.applications,
        "arrangements": {(p, YEARS[y]): o for (p, y), o in model.arrangements.items()},
        "contacts": {ref: expected(people) for ref, people in model.contacts.items()},
    }


SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


# Rows read a chunk at a time: of 1 or 2 rows, what the import remembers across chunks
# (keys seen, contacts claimed, persons written) is all in its staging tables.
CHUNK_ROWS = st.sampled_from((1, 2, 5000))


@SETTINGS
@given(sequence=nights, last=bundles(), chunk_rows=CHUNK_ROWS)
def test_the_record_is_what_the_last_complete_bundle_says(
    engine: Engine,
    db_url: str,
    sequence: list[tuple[Bundle, dict[str, bool]]],
    last: Bundle,
    chunk_rows: int,
) -> None:
    clean(engine)
    with mock.patch("transport.imports.bundle.CHUNK_ROWS", chunk_rows):
        _the_record_is_what_the_last_bundle_says(engine, db_url, sequence, last)


def _the_record_is_what_the_last_bundle_says(
    engine: Engine,
    db_url: str,
    sequence: list[tuple[Bundle, dict[str, bool]]],
    last: Bundle,
) -> None:
    config = dataclasses.replace(Config(), database=DatabaseConfig(url=db_url))
    app = build(config, clock=FixedClock(NOW))
    model = Model()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n, (bundle, decided) in enumerate([*sequence, (last, {})]):
                report = load(engine, Path(tmp) / f"v{n}", bundle, allow_large_removal=True)
                assert report.ok, report.as_dict()["errors"]
                model.imported(bundle)
                assert record(engine) == expected_record(model)
                for ref, approve in decided.items():
                    if not model.decidable(ref, approve):
                        continue
                    decide(app, ref, approve=approve, by="J Smith", valid_until=date(2027, 7, 31))
                    model.decided(ref, approve)
                    event("an approval made here" if approve else "a refusal made here")
                    assert record(engine)["made_here"] == model.made_here()

            # The same bundle again: no change at all.
            report = load(engine, Path(tmp) / "again", last)
            assert report.ok, report.as_dict()["errors"]
            for summary in report.files:
                assert (summary.added, summary.updated, summary.removed) == (0, 0, 0), summary
            assert record(engine) == expected_record(model)
    finally:
        app.engine.dispose()


def removals(model: Model, second: Bundle) -> dict[str, tuple[int, int]]:
    """What a complete import of ``second`` over ``model`` removes from each table, of how
    many rows (the table once the file is written; pupils: those not left)."""
    awards, apps, arrangements = (
        (set(stored_), set(listed))
        for stored_, listed in (
            (model.awards, second.awards),
            (model.applications, second.applications),
            (model.arrangements, second.arrangements),
        )
    )
    staying = {ref for ref, (status, _) in model.pupils.items() if status != "left"}
    unlisted = staying - set(second.pupils)
    active = unlisted | {ref for ref, (status, _) in second.pupils.items() if status != "left"}
    made_here = model.made_here()  # kept: their approvals stand (nothing decided between)
    return {
        "pupils.csv": (len(unlisted), len(active)),
        "awards.csv": (len(awards[0] - awards[1]), len(awards[0] | awards[1]) + len(made_here)),
        "applications.csv": (len(apps[0] - apps[1]), len(apps[0] | apps[1])),
        "arrangements.csv": (
            len(arrangements[0] - arrangements[1]),
            len(arrangements[0] | arrangements[1]),
        ),
    }


@SETTINGS
@given(first=bundles(), second=bundles(), cap=st.sampled_from((0.0, 0.1, 0.25, 0.5)))
def test_a_removal_above_the_cap_writes_nothing_and_the_dry_run_shows_it(
    engine: Engine, first: Bundle, second: Bundle, cap: float
) -> None:
    clean(engine)
    model = Model()
    with tempfile.TemporaryDirectory() as tmp:
        assert load(engine, Path(tmp) / "v1", first, allow_large_removal=True).ok
        model.imported(first)
        before = dump(engine, audit=True)
        gone = removals(model, second)

        dry = load(engine, Path(tmp) / "v2", second, dry_run=True, allow_large_removal=True)
        assert dry.ok and not dry.written
        assert {f.file: f.removed for f in dry.files if f.file in gone} == {
            name: removed for name, (removed, _) in gone.items()
        }
        assert dump(engine, audit=True) == before

        over = [name for name, (removed, rows_) in gone.items() if rows_ and removed / rows_ > cap]
        report = load(engine, Path(tmp) / "v2", second, max_removed_share=cap)
        refused = sorted(p.file for p in report.problems.items)
        assert refused == sorted(over)
        event("refused" if over else "written")
        if over:
            assert not report.written
            assert dump(engine, audit=True) == before
        else:
            assert report.written
            model.imported(second)
            assert record(engine) == expected_record(model)
