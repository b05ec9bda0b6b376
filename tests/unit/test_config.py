from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from transport.config import Config, load_config
from transport.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_config_means_the_embedded_defaults() -> None:
    config = load_config(env={})
    assert config.database.url == "sqlite:///transport.db"
    assert config.email.backend == "file"
    assert config.sms.backend == "file"
    assert config.risk.horizon_days == 120


def test_example_config_is_valid_and_equals_the_defaults() -> None:
    example = load_config(ROOT / "config.example.toml", env={})
    defaults = Config()
    sections = [f.name for f in dataclasses.fields(Config) if f.name not in ("secrets", "source")]
    assert len(sections) >= 11
    for section in sections:
        assert getattr(example, section) == getattr(defaults, section), section


def test_the_example_config_shows_every_key_of_every_section() -> None:
    import tomllib

    raw = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    names = {"import": "imports"}
    for section, values in raw.items():
        fields = {
            f.name for f in dataclasses.fields(getattr(Config(), names.get(section, section)))
        }
        assert set(values) == fields, section


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "[risk]\nhorizon_days = 30\n")
    assert load_config(env={"TRANSPORT_CONFIG": str(path)}).risk.horizon_days == 30


def test_database_url_from_environment_wins(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\nurl = "sqlite:///a.db"\n')
    config = load_config(path, env={"TRANSPORT_DATABASE_URL": "postgresql://x@h/db"})
    assert config.database.url == "postgresql://x@h/db"


def test_secrets_come_from_the_environment_only(tmp_path: Path) -> None:
    config = load_config(env={"TWILIO_AUTH_TOKEN": "t0k", "SMTP_PASSWORD": "pw"})
    assert config.secrets.twilio_auth_token == "t0k"
    assert config.secrets.smtp_password == "pw"
    with pytest.raises(ConfigError, match=r"sms\.auth_token"):
        load_config(write(tmp_path, '[sms]\nauth_token = "x"\n'), env={})


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[risk]\nhorizon_days = 'soon'\n", "risk.horizon_days"),
        ("[risk]\nhorizon_days = -1\n", "risk.horizon_days"),
        ("[risk]\ncritical_days = 30\nhigh_days = 21\n", "risk.critical_days"),
        ("[database]\nauto_migrate = 'yes'\n", "database.auto_migrate"),
        ('[database]\nurl = "mysql://x"\n', "database.url"),
        ('[email]\nbackend = "carrier-pigeon"\n', "email.backend"),
        ('[sending]\nquiet_hours = ["25:00", "08:00"]\n', "sending.quiet_hours"),
        ('[sending]\nquiet_hours = ["08:00", "20:00"]\n', "sending.quiet_hours"),
        ('[sending]\nquiet_hours = ["00:00", "00:00"]\n', "sending.quiet_hours"),
        ('[sending]\nquiet_hours = ["22:00", "07:00"]\n', "sending.quiet_hours"),
        ('[council]\ntimezone = "Mars/Olympus"\n', "council.timezone"),
        ("[risk]\nhorizon = 10\n", "risk.horizon"),
        ("[riks]\nhorizon_days = 10\n", "[riks]"),
        ("risk = 3\n", "risk"),
        ('[scheduler]\nnightly_time = "01:30"\n', "scheduler.nightly_time"),
        ("[scheduler]\ndispatch_minutes = 0\n", "scheduler.dispatch_minutes"),
        ("[[reminders.ladder]]\nstep = 'x'\ndays_before = 5\n", "reminders.ladder[0]"),
        (
            "[[reminders.ladder]]\nstep = 'x'\ndays_before = 5\nchannels = ['fax']\n",
            "reminders.ladder[0].channels",
        ),
        (
            "[[reminders.ladder]]\nstep = 'a'\ndays_before = 5\nchannels = ['sms']\n"
            "[[reminders.ladder]]\nstep = 'a'\ndays_before = 9\nchannels = ['sms']\n",
            "reminders.ladder",
        ),
        ("[eligibility]\npost16 = 'some'\n", "eligibility.post16"),
        ("[eligibility]\nsummer_term_end = '07-32'\n", "eligibility.summer_term_end"),
        ("[eligibility]\nunder8_limit_by = 'age'\n", "eligibility.under8_limit_by"),
        ("[eligibility]\nunder8_until_year = 0\n", "eligibility.under8_until_year"),
        ("[eligibility]\nunder8_until_year = 7\n", "eligibility.under8_until_year"),
        ("[eligibility]\nfaith_transport = 'yes'\n", "eligibility.faith_transport"),
        ("[eligibility]\nfaith_primary_upper_miles = 0\n", "eligibility.faith_primary_upper_miles"),
        (
            "[eligibility]\nfaith_secondary_upper_miles = 101\n",
            "eligibility.faith_secondary_upper_miles",
        ),
        ("[eligibility]\nfaith_needs_low_income = 1\n", "eligibility.faith_needs_low_income"),
        ("[eligibility]\npost16_upper_miles = 0\n", "eligibility.post16_upper_miles"),
        (
            "[eligibility]\npost16_lower_miles = 15.0\npost16_upper_miles = 10.0\n",
            "eligibility.post16_lower_miles",
        ),
        ("[eligibility]\npost16_needs_low_income = 'no'\n", "eligibility.post16_needs_low_income"),
        (
            "[eligibility]\nletter_delivery_working_days = -1\n",
            "eligibility.letter_delivery_working_days",
        ),
        (
            "[eligibility]\nletter_delivery_working_days = 11\n",
            "eligibility.letter_delivery_working_days",
        ),
        ("[sending]\nmax_attempts = 0\n", "sending.max_attempts"),
        ("[sending]\nworkers = 0\n", "sending.workers"),
        ("[sending]\nworkers = 33\n", "sending.workers"),
        ("[email]\nmessages_per_connection = 0\n", "email.messages_per_connection"),
    ],
)
def test_a_bad_value_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), env={})
    assert key in str(error.value)


def test_missing_file_and_bad_toml_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", env={})
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[risk\n"), env={})


def test_the_councils_policy_settings_default_to_the_statute() -> None:
    from services.app import policy_from, settings_from
    from transport.domain.eligibility import Policy

    config = load_config(env={})
    assert policy_from(config.eligibility) == Policy()
    policy = Policy()
    assert (policy.under8_limit_by, policy.faith_transport, policy.post16) == (
        "birthday",
        False,
        "send",
    )
    assert settings_from(config).letter_delivery_working_days == 2


def test_the_councils_policy_settings_reach_the_policy(tmp_path: Path) -> None:
    from services.app import policy_from, settings_from

    text = (
        "[eligibility]\nunder8_limit_by = 'year_group'\nunder8_until_year = 2\n"
        "faith_transport = true\nfaith_primary_upper_miles = 20.0\n"
        "faith_secondary_upper_miles = 25\nfaith_needs_low_income = true\n"
        "post16 = 'band'\npost16_lower_miles = 3.5\npost16_upper_miles = 12.0\n"
        "post16_needs_low_income = true\nletter_delivery_working_days = 0\n"
    )
    config = load_config(write(tmp_path, text), env={})
    policy = policy_from(config.eligibility)
    assert (policy.under8_limit_by, policy.under8_until_year) == ("year_group", 2)
    assert (policy.faith_transport, policy.faith_needs_low_income) == (True, True)
    assert (policy.faith_primary_upper_miles, policy.faith_secondary_upper_miles) == (20.0, 25.0)
    assert (policy.post16, policy.post16_lower_miles, policy.post16_upper_miles) == (
        "band",
        3.5,
        12.0,
    )
    assert policy.post16_needs_low_income is True
    assert settings_from(config).letter_delivery_working_days == 0


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[retention]\nmessage_bodies_days = 0\n", "retention.message_bodies_days"),
        ("[retention]\nmessage_bodies_days = 36501\n", "retention.message_bodies_days"),
        ("[retention]\nmessage_bodies_days = 'a year'\n", "retention.message_bodies_days"),
        ("[retention]\nleft_pupils_years = 0\n", "retention.left_pupils_years"),
        ("[retention]\nleft_pupils_years = 101\n", "retention.left_pupils_years"),
        ("[retention]\nleft_pupils_years = 2.5\n", "retention.left_pupils_years"),
        ("[retention]\nbodies_days = 30\n", "retention.bodies_days"),
    ],
)
def test_a_bad_retention_value_names_its_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), env={})
    assert key in str(error.value)


def test_retention_defaults_and_a_council_s_own_periods(tmp_path: Path) -> None:
    defaults = load_config(None, env={}).retention
    assert (defaults.message_bodies_days, defaults.left_pupils_years) == (400, 2)
    text = "[retention]\nmessage_bodies_days = 90\nleft_pupils_years = 6\n"
    own = load_config(write(tmp_path, text), env={}).retention
    assert (own.message_bodies_days, own.left_pupils_years) == (90, 6)
