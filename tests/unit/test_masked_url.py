"""No form of database URL ever prints its password (issue 23.9)."""

from __future__ import annotations

import pytest

from transport.config import load_config
from transport.db.engine import masked_url, password_at_signs
from transport.errors import ConfigError

SECRET = "hunter2"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgres://u:hunter2@db.example/transport", "postgres://u:***@db.example/transport"),
        ("postgresql://u:hunter2@db:5432/t", "postgresql://u:***@db:5432/t"),
        # An unencoded @ in the password: its tail ("2@tail") must not show either.
        ("postgresql://u:hunter2@tail@db:5432/t", "postgresql://u:***@db:5432/t"),
        ("postgresql://u:hun/ter2@db/t", "postgresql://u:***@db/t"),
        # libpq reads the password from the query string too.
        ("postgresql://u@db/t?password=hunter2", "postgresql://u@db/t?password=***"),
        (
            "postgresql://u@db/t?sslmode=require&PassWord=hunter2&x=1",
            "postgresql://u@db/t?sslmode=require&PassWord=***&x=1",
        ),
        ("postgresql://u@db/t?sslpassword=hunter2", "postgresql://u@db/t?sslpassword=***"),
        ("sqlite:///transport.db", "sqlite:///transport.db"),
        ("postgresql://db/t", "postgresql://db/t"),
        # Not a URL at all (a libpq keyword string): nothing of it is shown.
        ("host=db password=hunter2", "…"),
        ("hunter2", "…"),
    ],
)
def test_masked_url_hides_every_form_of_password(url: str, shown: str) -> None:
    assert masked_url(url) == shown
    assert SECRET not in masked_url(url)


def test_an_encoded_at_sign_is_fine_and_an_unencoded_one_is_counted() -> None:
    assert password_at_signs("postgresql://u:p%40ss@db/t") == 0
    assert password_at_signs("postgresql://u:p@ss@db/t") == 1
    assert password_at_signs("postgresql://u@db/t?application_name=a@b") == 0
    assert password_at_signs("sqlite:///a@b.db") == 0


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u:hunter2@db/t",
        "postgresql://u:hunter2@tail@db/t",
        "host=db password=hunter2",
    ],
)
def test_a_refused_url_is_named_without_its_password(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, env={"TRANSPORT_DATABASE_URL": url})
    message = str(caught.value)
    assert "database.url" in message
    assert SECRET not in message and "tail" not in message


def test_a_postgres_scheme_is_accepted() -> None:
    config = load_config(None, env={"TRANSPORT_DATABASE_URL": "postgres://u:hunter2@db/t"})
    assert config.database.url == "postgres://u:hunter2@db/t"
