"""The check's reads (transport/db/risk_facts.py) on a real database: each pupil's facts
as the pure check sees them, paged by key, with reachability worked out by the database."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine

from tests.bundles import (
    application,
    arrangement,
    award,
    contact,
    council_terms,
    pupil,
    school,
    write_bundle,
)
from transport.db.engine import writer
from transport.db.queries import inform, risk_facts
from transport.db.tables import Contact
from transport.domain.risk import ApplicationFact, ArrangementFact, AwardFact
from transport.imports.bundle import import_bundle


@pytest.fixture
def county(engine: Engine, tmp_path: Path) -> Engine:
    files = {
        "schools.csv": [school("100001"), school("100002", name="Hill Academy")],
        "terms.csv": council_terms(),
        "pupils.csv": [
            pupil("P1"),
            pupil("P2", next_school_urn="100002"),
            pupil("P3", school_urn="100002"),
            pupil("P4"),  # no award, no application: never in scope, never read
            pupil("P5", status="left"),
            pupil("P6"),
        ],
        "contacts.csv": [
            contact("P1"),
            contact("P2", name="Jo Smith", email="jo@example.org", mobile=""),
            contact("P3", name="Kim Lee", email="", mobile="07700 900456"),
            contact("P3", name="Ash Lee", email="ash@example.org", mobile=""),
            contact("P4"),
            contact("P5"),
            # P6 has no contact at all
        ],
        "awards.csv": [
            award("A1"),
            award("A1b", valid_from="2026-09-01", valid_until="2027-07-31", school_urn="100002"),
            award("A2", pupil_ref="P2"),
            award("A5", pupil_ref="P5"),
        ],
        "applications.csv": [
            application("APP3", pupil_ref="P3"),
            application("APP6", pupil_ref="P6", status="approved", year="2026/27"),
        ],
        "arrangements.csv": [
            arrangement("P1", year="2025/26", family_informed_on="2025-08-20"),
            arrangement("P1", family_informed_on=""),
        ],
    }
    report = import_bundle(
        engine, write_bundle(tmp_path / "b", files), now=datetime(2026, 5, 1, tzinfo=UTC)
    )
    assert report.ok, report.as_dict()
    with writer(engine).begin() as conn:  # P2's only channel bounces; P3 keeps Ash's email
        conn.execute(
            update(Contact)
            .where(Contact.name.in_(["Jo Smith", "Kim Lee"]))
            .values(email_status="bounced", mobile_status="opted_out")
        )
    return engine


def read(engine: Engine, **kw: str) -> dict[str, risk_facts.PupilFacts]:
    with engine.connect() as conn:
        return {facts.pupil_ref: facts for facts in risk_facts.pupil_facts(conn, **kw)}


def test_each_traveller_s_facts_as_the_check_sees_them(county: Engine) -> None:
    facts = read(county)
    assert sorted(facts) == ["P1", "P2", "P3", "P6"]  # P4 never travels, P5 has left
    p1 = facts["P1"]
    assert (p1.school_urn, p1.next_school_urn, p1.active) == ("100001", None, True)
    assert sorted(p1.awards) == [
        AwardFact(date(2025, 9, 1), date(2026, 8, 31), None),
        AwardFact(date(2026, 9, 1), date(2027, 7, 31), "100002"),
    ]
    assert sorted(p1.arrangements) == [ArrangementFact(2025, True), ArrangementFact(2026, False)]
    assert p1.applications == ()
    assert facts["P2"].next_school_urn == "100002"
    assert facts["P3"].applications == (ApplicationFact(2026, "received"),)
    assert facts["P6"].awards == () and facts["P6"].applications == (
        ApplicationFact(2026, "approved"),
    )


def test_reachable_means_some_contact_has_a_usable_channel(county: Engine) -> None:
    facts = read(county)
    assert facts["P1"].reachable  # email and mobile fine
    assert not facts["P2"].reachable  # the only channel bounced
    assert facts["P3"].reachable  # Kim's mobile opted out, but Ash's email works
    assert not facts["P6"].reachable  # nobody to tell


def test_one_school_reads_its_pupils_now_and_next(county: Engine) -> None:
    assert sorted(read(county, school_urn="100002")) == ["P2", "P3"]
    assert sorted(read(county, school_urn="100001")) == ["P1", "P2", "P6"]


def test_pages_join_up_without_losing_or_repeating_a_pupil(
    county: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = read(county)
    monkeypatch.setattr(risk_facts, "PAGE", 1)
    assert read(county) == whole
    monkeypatch.setattr(risk_facts, "PAGE", 3)
    assert read(county) == whole


def test_the_import_leaves_the_planner_statistics_current(county: Engine) -> None:
    """PostgreSQL plans the check's page queries from ANALYZE's statistics: a table
    planned as empty (reltuples -1 before any ANALYZE) gets full scans on every page."""
    with county.connect() as conn:
        if conn.dialect.name == "postgresql":
            counted = dict(
                conn.exec_driver_sql(
                    "SELECT relname, reltuples FROM pg_class WHERE relname IN "
                    "('pupils', 'awards', 'contacts', 'pupil_contacts') "
                    "AND relnamespace = to_regnamespace(current_schema())::oid"
                ).all()
            )
            # Alex is the contact of P1, P4 and P5: one person, three links.
            assert counted == {"pupils": 6, "awards": 4, "contacts": 4, "pupil_contacts": 6}
        else:  # SQLite plans by its indexes: no statistics are kept
            found = conn.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            ).scalar_one()
            assert found == 0


def test_each_page_probes_the_pupils_rows_instead_of_hashing_whole_tables(
    county: Engine,
) -> None:
    """PostgreSQL reads a whole table into a hash for an EXISTS, once per page, when it
    fits in work_mem: at a million pupils each page took 2 s instead of 0.18 s. The
    check's page of pupils probes each pupil's awards, applications and contacts."""
    with county.connect() as conn:
        if conn.dialect.name != "postgresql":
            pytest.skip("SQLite has no hashed subplans")  # runs in the PostgreSQL pass
        conn.exec_driver_sql("SET LOCAL work_mem = '64MB'")  # docs/operations.md's
        compiled = risk_facts._Reads(conn, None, None).compiled["pupils"]
        params = {**compiled.params, "last": ""}
        plan = "\n".join(
            row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled.string}", params)
        )
    assert {"SubPlan 1", "SubPlan 2", "SubPlan 3"} <= set(re.findall(r"SubPlan \d", plan))
    assert "hashed" not in plan, plan


def test_the_calendars_of_more_schools_than_a_statement_has_parameters(county: Engine) -> None:
    """The nightly's transport details may name every school of a country: 70,000 URNs
    are more than a PostgreSQL statement may bind (65,535)."""
    urns = {"100001", "100002", *(f"9{n:06d}" for n in range(70_000))}
    with county.connect() as conn:
        calendars, schools = risk_facts.load_calendars(conn, urns)
    assert set(schools) == {"100001", "100002"}
    assert calendars  # the calendar the two schools follow, with its terms


def test_the_details_lines_of_more_schools_than_a_statement_has_parameters(
    county: Engine,
) -> None:
    """Transport details for a country name more schools than a PostgreSQL statement may
    bind: each child's line still has their school's name."""
    with county.connect() as conn:
        facts = inform.details_facts(conn, date(2026, 8, 26), told=True)
        assert facts
        others = [
            dataclasses.replace(facts[0], pupil_ref=f"Q{n}", school_urn=f"9{n:06d}")
            for n in range(70_000)
        ]
        lines = inform.details_lines(conn, [*facts, *others])
    names = {"100001": "Oak Primary", "100002": "Hill Academy"}
    for fact in facts:
        assert lines[fact.pupil_ref]["school_name"] == names[fact.school_urn]
    assert lines["Q0"]["school_name"] == ""  # a school the record does not have
