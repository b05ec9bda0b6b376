"""No form of database URL ever prints its password, in an error or the demo's banner
(issue 23.9). Nothing listens on the port: each command fails to connect, as a wrong
host would, and says so in words."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cli import app
from tests.smtp_server import free_port

runner = CliRunner()
SECRET = "hunter2"


def run(url: str, *args: str) -> tuple[int, str]:
    env = {"TRANSPORT_DATABASE_URL": url, "TRANSPORT_CONFIG": "", "COLUMNS": "220"}
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "postgres://transport:hunter2@127.0.0.1:{port}/transport",
        "postgresql://transport@127.0.0.1:{port}/transport?password=hunter2",
        "postgresql://transport@127.0.0.1:{port}/transport?sslmode=disable&password=hunter2",
        "postgresql://transport:hun@ter2@127.0.0.1:{port}/transport",
    ],
)
@pytest.mark.parametrize("command", [["check"], ["outbox", "list"], ["demo", "--pupils", "10"]])
def test_no_error_prints_the_password(url: str, command: list[str]) -> None:
    code, said = run(url.format(port=free_port()), *command)

    assert code == 2, said
    assert "error:" in said
    assert SECRET not in said and "ter2" not in said and "Traceback" not in said


def test_a_postgres_url_is_used_not_refused() -> None:
    code, said = run(f"postgres://transport:hunter2@127.0.0.1:{free_port()}/t", "check")
    assert code == 2
    assert "cannot use the database" in said and "postgres://transport:***@127.0.0.1" in said


def test_an_unencoded_at_sign_says_how_to_write_it() -> None:
    code, said = run(f"postgresql://u:hun@ter2@127.0.0.1:{free_port()}/t", "check")
    assert code == 2
    assert "%40" in said and "database.url" in said


def test_the_demo_banner_masks_a_query_password(backend: str, db_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("only a server URL carries a password")
    # trust auth on the test server: any password is accepted, and must never show
    url = make_url(db_url).update_query_dict({"password": "s3cret-pw"})
    code, said = run(url.render_as_string(hide_password=False), "demo", "--pupils", "60",
                     "--limit", "1")  # fmt: skip
    assert code == 0, said
    assert "s3cret-pw" not in said
    assert "password=***" in said
