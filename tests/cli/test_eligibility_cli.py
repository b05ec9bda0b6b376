"""`transport eligibility assess` and `transport applications assess|decide`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from cli import app
from tests.bundles import application, closure, small_county, write_bundle
from transport.db.engine import make_engine
from transport.db.tables import Application, ApplicationAssessment, AuditEvent, Award

runner = CliRunner()

SPEC_EXAMPLE = {
    "date_of_birth": "2018-03-14",
    "travel_from": "2025-09-04",
    "year_group": "2",
    "walking_distance_miles": 2.4,
    "road_distance_miles": 2.9,
    "nearest_suitable_school": True,
    "suitable_school_rank": 1,
    "low_income": False,
    "religion_or_belief": False,
    "cannot_walk_send": False,
    "unsafe_route": False,
    "medical_until": None,
    "post16": False,
}


@pytest.fixture
def env(db_url: str) -> dict[str, str]:
    return {"TRANSPORT_DATABASE_URL": db_url, "TRANSPORT_CONFIG": "", "COLUMNS": "200"}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def facts_file(tmp_path: Path, **changes: Any) -> Path:
    path = tmp_path / "facts.json"
    data = {**SPEC_EXAMPLE, **changes}
    path.write_text(json.dumps({k: v for k, v in data.items() if v != "<absent>"}))
    return path


def test_assess_a_facts_file_as_json(tmp_path: Path, env: dict[str, str]) -> None:
    code, out, _ = run(env, "eligibility", "assess", str(facts_file(tmp_path)))
    assert code == 0
    data = json.loads(out)
    # Born Wed 14 Mar 2018: aged 7 on 4 Sep 2025, so the 2-mile limit applies; the award
    # rests on it and must end the day before the 8th birthday, Mon 13 Mar 2026.
    assert data["eligible"] is True
    assert data["basis"] == "STATUTORY_DISTANCE"
    assert data["valid_until"] == "2026-03-13"
    assert data["review_reasons"] == ["AGE_8_THRESHOLD"]
    codes = [rule["code"] for rule in data["rules"]]
    assert codes[:3] == ["COMPULSORY_SCHOOL_AGE", "SEND_MOBILITY", "STATUTORY_DISTANCE"]
    assert all({"code", "met", "detail", "source"} <= rule.keys() for rule in data["rules"])


def test_assess_as_text_and_as_a_letter(tmp_path: Path, env: dict[str, str]) -> None:
    path = facts_file(tmp_path)
    code, out, _ = run(env, "eligibility", "assess", str(path), "--format", "text")
    assert code == 0 and out.startswith("ELIGIBLE on STATUTORY_DISTANCE")
    code, out, _ = run(
        env,
        "eligibility",
        "assess",
        str(path),
        "--format",
        "letter",
        "--decided-on",
        "2026-12-14",
        "--child",
        "Zoë",
    )
    assert code == 0
    assert "Zoë is eligible" in out and "Friday 13 March 2026" in out
    # Received 2 working days after Mon 14 Dec 2026 (letter_delivery_working_days): Wed 16
    # Dec; 20 working days from then, skipping Fri 25 Dec, Mon 28 Dec (Boxing Day moved
    # from the Saturday) and Fri 1 Jan: Mon 18 Jan 2027.
    letter = " ".join(out.split())
    assert "(we take that to be Wednesday 16 December 2026, 2 working days after" in letter
    assert "that is by Monday 18 January 2027" in letter


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date_of_birth": "<absent>"}, "date_of_birth"),
        ({"travel_from": None}, "travel_from"),
        ({"walking_distance_miles": -1}, "walking_distance_miles"),
        ({"road_distance_miles": 250}, "road_distance_miles"),
        ({"date_of_birth": "14/03/2018"}, "date_of_birth"),
        ({"low_income": "yes"}, "low_income"),
    ],
)
def test_bad_facts_exit_non_zero_naming_the_field(
    tmp_path: Path, env: dict[str, str], changes: dict[str, Any], field: str
) -> None:
    code, _, err = run(env, "eligibility", "assess", str(facts_file(tmp_path, **changes)))
    assert code == 1
    assert f"'{field}'" in err


@pytest.mark.parametrize("misspelt", ["low_incme", "Low_Income"])
def test_a_misspelt_fact_is_an_error_not_a_different_decision(
    tmp_path: Path, env: dict[str, str], misspelt: str
) -> None:
    """Issue 23.4: a low-income child of 12 living 4 miles away, at one of the three
    nearest schools, is eligible; the misspelt key used to read as "not low income" and
    give NOT ELIGIBLE with exit 0."""
    facts = {"date_of_birth": "2013-05-01", "year_group": "7", "walking_distance_miles": 4.0,
             "road_distance_miles": 4.5, "nearest_suitable_school": False,
             "suitable_school_rank": 2}  # fmt: skip
    right = facts_file(tmp_path, **facts, low_income=True)
    code, out, _ = run(env, "eligibility", "assess", str(right))
    assert code == 0 and json.loads(out)["eligible"] is True

    wrong = {k: v for k, v in json.loads(right.read_text()).items() if k != "low_income"}
    right.write_text(json.dumps({**wrong, misspelt: True}))
    code, out, err = run(env, "eligibility", "assess", str(right))

    assert code == 1, out
    assert f"'{misspelt}'" in err and "did you mean 'low_income'?" in err
    assert out == ""


def test_nearest_school_with_a_later_rank_names_both_fields(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = facts_file(tmp_path, nearest_suitable_school=True, suitable_school_rank=2)
    code, _, err = run(env, "eligibility", "assess", str(path))
    assert code == 1
    assert "'nearest_suitable_school'" in err and "'suitable_school_rank'" in err


def test_assess_needs_exactly_one_source(tmp_path: Path, env: dict[str, str]) -> None:
    assert run(env, "eligibility", "assess")[0] == 2
    path = str(facts_file(tmp_path))
    assert run(env, "eligibility", "assess", path, "--application", "APP1")[0] == 2


# --- stored applications --------------------------------------------------------------


def county_with_applications(tmp_path: Path, env: dict[str, str]) -> Engine:
    files = small_county()
    facts = {
        "walking_distance_miles": "3.4",
        "road_distance_miles": "3.9",
        "nearest_suitable_school": "yes",
        "kind": "renewal",
    }
    files["applications.csv"] = [
        application("APP1", pupil_ref="P1", status="received", **facts),
        application("APP2", pupil_ref="P2", status="assessing", **facts),
        application(
            "APP3",
            pupil_ref="P3",
            status="received",
            walking_distance_miles="1.0",
            nearest_suitable_school="yes",
        ),
        application("APP4", pupil_ref="P3", year="2025/26", status="approved"),
    ]
    code, _, err = run(env, "import", str(write_bundle(tmp_path / "b", files)))
    assert code == 0, err
    return make_engine(env["TRANSPORT_DATABASE_URL"])


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(Application.application_ref, Application.status)).all())


def test_applications_assess_stores_recommendations_and_decides_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    engine = county_with_applications(tmp_path, env)
    before = statuses(engine)
    code, out, _ = run(env, "applications", "assess", "--dry-run", "--format", "json")
    assert code == 0 and json.loads(out)["assessed"] == 3
    with engine.connect() as conn:
        assert conn.execute(select(ApplicationAssessment)).first() is None
    code, out, _ = run(env, "applications", "assess", "--format", "json")
    summary = json.loads(out)
    assert (summary["assessed"], summary["eligible"]) == (3, 2)
    with engine.connect() as conn:
        stored = {row.application_ref: row for row in conn.execute(select(ApplicationAssessment))}
    assert set(stored) == {"APP1", "APP2", "APP3"}
    assert stored["APP1"].eligible and stored["APP1"].basis == "STATUTORY_DISTANCE"
    assert not stored["APP3"].eligible and stored["APP3"].valid_until is None
    assert stored["APP1"].decision["rules"]
    assert statuses(engine) == before  # the caseworker decides, not the engine
    # Re-running updates in place.
    assert run(env, "applications", "assess")[0] == 0
    with engine.connect() as conn:
        assert len(conn.execute(select(ApplicationAssessment)).all()) == 3


def test_assess_only_one_academic_year(tmp_path: Path, env: dict[str, str]) -> None:
    county_with_applications(tmp_path, env)
    code, out, _ = run(
        env, "applications", "assess", "--academic-year", "2025/26", "--format", "json"
    )
    assert code == 0 and json.loads(out)["assessed"] == 0
    assert run(env, "applications", "assess", "--academic-year", "2025/27")[0] == 2


def test_decide_approve_creates_the_award_and_audits_who(
    tmp_path: Path, env: dict[str, str]
) -> None:
    engine = county_with_applications(tmp_path, env)
    code, out, _ = run(env, "applications", "decide", "APP1", "--approve", "--by", "J Smith")
    assert code == 0, out
    with engine.connect() as conn:
        award = conn.execute(select(Award).where(Award.award_ref == "APP1-A")).one()
        event = conn.execute(select(AuditEvent).where(AuditEvent.action == "decide")).one()
    # P1 (born 2016-05-01) is 10 on Thu 3 Sep 2026, the first day of autumn 2026/27 at its
    # school; 3.4 miles > 3: an annual award to Tue 31 Aug 2027.
    assert (award.valid_from.isoformat(), award.valid_until.isoformat()) == (
        "2026-09-03",
        "2027-08-31",
    )
    assert award.basis == "STATUTORY_DISTANCE" and award.pupil_ref == "P1"
    assert event.actor == "J Smith" and event.entity_key == "APP1"
    assert statuses(engine)["APP1"] == "approved"
    # The check now sees P1 covered for the new year.
    code, out, _ = run(env, "check", "--as-of", "2026-08-24", "--format", "json", "--no-save")
    reasons = {i["pupil_ref"]: i["reasons"] for i in json.loads(out)["at_risk"]}
    assert "NO_APPLICATION" not in reasons.get("P1", [])
    assert "AWARD_MISSING" not in reasons.get("P1", [])


def test_an_award_starts_on_the_first_school_day_not_the_published_first_day(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """Autumn 2026/27 is published from Thu 3 Sep; the council's INSET day that Thursday
    and Oak Primary's own on the Friday put the first school day on Mon 7 Sep: the
    assessment's travel_from, and so the award, start then."""
    engine = county_with_applications(tmp_path, env)
    closures = [closure("default", "2026-09-03", kind="inset"),
                closure("default", "2026-09-04", urn="100001", kind="inset")]  # fmt: skip
    code, _, err = run(env, "import", str(write_bundle(tmp_path / "c", {"closures.csv": closures})))
    assert code == 0, err
    assert run(env, "applications", "assess")[0] == 0
    with engine.connect() as conn:
        travel_from = conn.execute(
            select(ApplicationAssessment.travel_from).where(
                ApplicationAssessment.application_ref == "APP1"
            )
        ).scalar_one()
    assert travel_from.isoformat() == "2026-09-07"
    code, out, _ = run(env, "applications", "decide", "APP1", "--approve", "--by", "J Smith")
    assert code == 0, out
    with engine.connect() as conn:
        award = conn.execute(select(Award).where(Award.award_ref == "APP1-A")).one()
    assert award.valid_from.isoformat() == "2026-09-07"


def test_decide_refuse_override_and_errors(tmp_path: Path, env: dict[str, str]) -> None:
    engine = county_with_applications(tmp_path, env)
    assert run(env, "applications", "decide", "APP2", "--refuse", "--by", "A")[0] == 0
    assert statuses(engine)["APP2"] == "refused"
    code, _, err = run(env, "applications", "decide", "APP2", "--approve", "--by", "A")
    assert code == 2 and "already refused" in err
    assert run(env, "applications", "decide", "APP1", "--approve")[0] == 2  # no --by
    assert run(env, "applications", "decide", "APP1", "--by", "A")[0] == 2  # no decision
    assert run(env, "applications", "decide", "NOPE", "--approve", "--by", "A")[0] == 2
    # Not eligible: approving needs an explicit end date.
    code, _, err = run(env, "applications", "decide", "APP3", "--approve", "--by", "A")
    assert code == 2 and "--valid-until" in err
    assert statuses(engine)["APP3"] == "received"
    code, _, _ = run(
        env,
        "applications",
        "decide",
        "APP3",
        "--approve",
        "--by",
        "A",
        "--valid-until",
        "2026-12-18",
    )
    assert code == 0
    with engine.connect() as conn:
        until = conn.execute(select(Award.valid_until).where(Award.award_ref == "APP3-A"))
        assert until.scalar_one().isoformat() == "2026-12-18"


def test_letter_for_a_stored_application_names_the_child(
    tmp_path: Path, env: dict[str, str]
) -> None:
    county_with_applications(tmp_path, env)
    code, out, _ = run(
        env,
        "eligibility",
        "assess",
        "--application",
        "APP1",
        "--format",
        "letter",
        "--decided-on",
        "2026-06-01",
    )
    assert code == 0
    assert "Dear parent or carer of Sam" in out and "Application reference: APP1" in out
