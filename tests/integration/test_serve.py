"""`transport serve` running on 127.0.0.1, as the council's proxy reaches it: real signed
requests posted to it (the signature computed as Twilio computes it, and the twilio
package's validator agreeing), forged ones, replays, oversized bodies, a Host header that
lies, Notify's bearer token, replies and SIGTERM."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from twilio.request_validator import RequestValidator

from notifications import outbox
from tests.bundles import write_bundle
from tests.integration.test_remind import MOBILE, URGENT_DAY, family
from transport.db.engine import writer
from transport.db.tables import AuditEvent, Contact, InboundMessage, OutboxMessage, Task
from transport.imports.bundle import import_bundle

PUBLIC = "https://transport.council.example"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
NOTIFY_TOKEN = "notify-callback-token-for-tests"
REPLY = "We have moved to 12 Elm Road, please write there"


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    env: dict[str, str]
    cwd: Path

    def post(
        self, path: str, body: bytes, headers: dict[str, str], *, chunked: bool = False
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            if chunked:
                pieces = (body[i : i + 8192] for i in range(0, len(body), 8192))
                conn.request("POST", path, body=pieces, headers=headers, encode_chunked=True)
            else:
                conn.request("POST", path, body=body, headers=headers)
            answer = conn.getresponse()
            return answer.status, answer.read()
        finally:
            conn.close()

    def twilio(
        self,
        path: str,
        params: dict[str, str],
        *,
        token: str = TWILIO_TOKEN,
        signed_url: str | None = None,
        host: str | None = None,
    ) -> int:
        """Post a form as Twilio does, signed for ``signed_url`` (by default the public
        URL + path, as Twilio was given it)."""
        url = signed_url or PUBLIC + path
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": twilio_signature(url, params, token),
        }
        if host:
            headers["Host"] = host
        status, _ = self.post(path, urlencode(params).encode(), headers)
        return status

    def notify(self, path: str, data: dict[str, Any], *, token: str = NOTIFY_TOKEN) -> int:
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        status, _ = self.post(path, json.dumps(data).encode(), headers)
        return status

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def twilio_signature(url: str, params: dict[str, str], token: str) -> str:
    """As Twilio computes it: HMAC-SHA1 of the URL followed by each parameter's name and
    value, names in order, base64. Checked against the twilio package's own."""
    payload = url + "".join(name + params[name] for name in sorted(params))
    ours = base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest())
    theirs = RequestValidator(token).compute_signature(url, params)
    assert ours.decode() == theirs
    return ours.decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def inbound(body: str, sid: str | None = None, sender: str = MOBILE) -> dict[str, str]:
    return {
        "MessageSid": sid or "SM" + uuid.uuid4().hex,
        "AccountSid": "AC" + "d0" * 16,
        "From": sender,
        "To": "+447700900001",
        "Body": body,
        "NumMedia": "0",
    }


@pytest.fixture
def served(tmp_path: Path, db_url: str, engine: Engine) -> Iterator[Served]:
    report = import_bundle(
        engine,
        write_bundle(tmp_path / "bundle", family(("P1", "Sam"), preferred="sms")),
        now=datetime(2026, 5, 1, 9, 0, tzinfo=UTC),
    )
    assert report.ok
    config = tmp_path / "transport.toml"
    config.write_text(
        f'[web]\npublic_url = "{PUBLIC}"\n\n[email]\noutbox_dir = "{tmp_path / "outbox"}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRANSPORT_", "TWILIO_"))}
    env.update(
        TRANSPORT_DATABASE_URL=db_url,
        TRANSPORT_CONFIG=str(config),
        TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        NOTIFY_CALLBACK_TOKEN=NOTIFY_TOKEN,
    )
    port, log = free_port(), tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve", "--port", str(port)],
            env=env, cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    running = Served(port, process, log, env, tmp_path)
    try:
        _wait_until_up(running)
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def _wait_until_up(served: Served) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert served.process.poll() is None, served.output()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=1)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"serve did not answer in 30 s:\n{served.output()}")


def mobile_status(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(select(Contact.mobile_status)).scalar_one())


def reply_tasks(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(Task).where(Task.kind == "read_reply")).all())


def stop(served: Served) -> int:
    served.process.send_signal(signal.SIGTERM)
    return served.process.wait(timeout=30)


# --- Twilio -----------------------------------------------------------------------------


def test_a_signed_stop_opts_the_number_out_and_the_next_step_goes_by_email(
    served: Served, engine: Engine
) -> None:
    assert served.twilio("/callbacks/twilio/inbound", inbound("  stop ")) == 200

    assert mobile_status(engine) == "opted_out"
    with engine.connect() as conn:
        event = conn.execute(select(AuditEvent).where(AuditEvent.action == "opt_out")).one()
    assert (event.entity, event.actor) == ("contacts", "twilio text")
    # The urgent step (sms, then email) for a family that prefers texts: by email now.
    done = subprocess.run(
        [sys.executable, "-m", "cli", "remind", "--as-of", URGENT_DAY.isoformat()],
        env=served.env, cwd=served.cwd, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    with engine.connect() as conn:
        sent = conn.execute(select(OutboxMessage.step, OutboxMessage.channel)).all()
    assert [tuple(row) for row in sent] == [("urgent", "email")]


def test_forged_misaddressed_and_replayed_requests_change_nothing(
    served: Served, engine: Engine
) -> None:
    path = "/callbacks/twilio/inbound"
    here = f"http://127.0.0.1:{served.port}{path}"
    refused = [
        served.twilio(path, inbound("STOP"), token="not-our-token"),  # forged
        served.twilio(path, inbound("STOP"), signed_url=here),  # for the URL it reached
        served.twilio(path, inbound("STOP"), signed_url=PUBLIC + "/callbacks/twilio/status"),
        # A Host that lies, with a signature for the URL that Host and path make.
        served.twilio(
            path,
            inbound("STOP"),
            signed_url=f"http://transport.council.example{path}",
            host="transport.council.example",
        ),
    ]
    status, _ = served.post(path, urlencode(inbound("STOP")).encode(), {})  # no signature
    refused.append(status)
    assert refused == [403] * 5
    assert mobile_status(engine) == "ok"

    first = inbound("STOP")
    assert served.twilio(path, first, host="evil.example") == 200  # Host is not what counts
    assert mobile_status(engine) == "opted_out"
    assert served.twilio(path, inbound("Start")) == 200
    assert mobile_status(engine) == "ok"
    assert served.twilio(path, first) == 200  # the STOP again, replayed: nothing changes
    assert mobile_status(engine) == "ok"
    assert served.twilio(path, inbound("HELP")) == 200
    assert mobile_status(engine) == "ok"
    output = served.output()
    assert "refused /callbacks/twilio/inbound" in output and "signature" in output
    assert "STOP" not in output and "7700900123" not in output


def test_a_twilio_status_callback_moves_the_message_as_poll_would(
    served: Served, engine: Engine
) -> None:
    sid = "SM" + "ab" * 16
    message = _sent_message(engine, "sms", sid)
    path = "/callbacks/twilio/status"
    params = {"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30006"}

    assert served.twilio(path, params) == 200
    assert served.twilio(path, params) == 200  # told twice: once
    unknown = {"MessageSid": "SM" + "cd" * 16, "MessageStatus": "delivered"}
    assert served.twilio(path, unknown) == 200

    with engine.connect() as conn:
        rows = conn.execute(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(r.id, r.channel, r.status) for r in rows] == [
        (message, "sms", "failed_permanent"),
        (rows[1].id, "email", "queued"),
    ]
    assert mobile_status(engine) == "invalid"
    assert "SM" + "cd" * 16 in served.output()  # the unknown id is logged, by id


# --- Notify -----------------------------------------------------------------------------


def test_a_notify_receipt_with_the_wrong_token_is_refused_and_the_right_one_applied(
    served: Served, engine: Engine
) -> None:
    notification_id = str(uuid.uuid4())
    message = _sent_message(engine, "email", notification_id)
    receipt = {
        "id": notification_id,
        "reference": f"outbox-{message}",
        "to": "alex@example.com",
        "status": "delivered",
        "notification_type": "email",
        "created_at": "2026-06-01T10:00:00.000000Z",
        "completed_at": "2026-06-01T10:00:05.000000Z",
        "sent_at": "2026-06-01T10:00:01.000000Z",
        "template_id": str(uuid.uuid4()),
        "template_version": 1,
    }
    path = "/callbacks/notify/status"

    assert served.notify(path, receipt, token="wrong") == 403
    assert served.notify(path, receipt, token=NOTIFY_TOKEN + "x") == 403
    assert _status_of(engine, message) == "sent"
    assert served.notify(path, receipt) == 200
    assert _status_of(engine, message) == "delivered"
    assert served.notify(path, {**receipt, "id": str(uuid.uuid4())}) == 200  # not ours


def test_a_notify_stop_from_a_number_without_its_plus_opts_it_out(
    served: Served, engine: Engine
) -> None:
    text = {
        "id": str(uuid.uuid4()),
        "source_number": "447700900123",
        "destination_number": "07700900001",
        "message": "Stop",
        "date_received": "2026-06-01T10:00:00.000000Z",
    }
    assert served.notify("/callbacks/notify/inbound", text, token="wrong") == 403
    assert mobile_status(engine) == "ok"
    assert served.notify("/callbacks/notify/inbound", text) == 200
    assert mobile_status(engine) == "opted_out"


# --- replies ----------------------------------------------------------------------------


def test_a_reply_is_kept_for_the_team_with_one_read_reply_task(
    served: Served, engine: Engine
) -> None:
    path = "/callbacks/twilio/inbound"
    assert served.twilio(path, inbound(REPLY)) == 200
    assert served.twilio(path, inbound("Thank you")) == 200
    assert served.twilio(path, inbound("Who is this?", sender="+447700900999")) == 200

    with engine.connect() as conn:
        texts = conn.execute(select(InboundMessage).order_by(InboundMessage.id)).all()
        contact = conn.execute(select(Contact.id)).scalar_one()
    assert [(t.kind, t.contact_id, t.body) for t in texts] == [
        ("reply", contact, REPLY),
        ("reply", contact, "Thank you"),
        ("reply", None, "Who is this?"),
    ]
    tasks = sorted(reply_tasks(engine), key=lambda task: task.about)
    assert [(t.about, t.status, t.contact_id, t.pupil_ref) for t in tasks] == [
        (f"contact:{contact}", "open", contact, None),
        ("number:+447700900999", "open", None, None),
    ]
    assert tasks[0].reason.startswith(f"2 texts from contact {contact}")
    assert REPLY not in served.output() and "Thank you" not in served.output()


# --- the body, and stopping -------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_64_kb_is_refused_with_413(
    served: Served, engine: Engine, chunked: bool
) -> None:
    big = json.dumps({"id": str(uuid.uuid4()), "source_number": MOBILE, "message": "x" * 70_000})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {NOTIFY_TOKEN}"}

    status, _ = served.post("/callbacks/notify/inbound", big.encode(), headers, chunked=chunked)

    assert status == 413
    with engine.connect() as conn:
        assert conn.execute(select(InboundMessage)).all() == []


def test_sigterm_stops_it_cleanly(served: Served) -> None:
    assert stop(served) == 0
    assert "Traceback" not in served.output()


def _sent_message(engine: Engine, channel: str, provider_id: str) -> int:
    with engine.connect() as conn:
        contact = conn.execute(select(Contact)).one()
    message = outbox.NewMessage(
        dedupe_key=f"test|{provider_id}",
        kind="renewal_reminder",
        channel=channel,
        to_address=contact.email if channel == "email" else contact.mobile,
        body_text="Transport for Sam ends on 31 August.",
        subject="Renew" if channel == "email" else None,
        contact_id=contact.id,
        pupil_refs=("P1",),
        step="reminder",
        context=_context(),
    )
    now = datetime.now(UTC)
    with writer(engine).begin() as conn:
        outbox.enqueue(conn, [message], now=now)
        conn.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == message.dedupe_key)
            .values(status="sent", provider_id=provider_id, sent_at=now, attempts=1)
        )
        return int(
            conn.execute(
                select(OutboxMessage.id).where(OutboxMessage.dedupe_key == message.dedupe_key)
            ).scalar_one()
        )


def _status_of(engine: Engine, message: int) -> str:
    with engine.connect() as conn:
        return str(
            conn.execute(
                select(OutboxMessage.status).where(OutboxMessage.id == message)
            ).scalar_one()
        )


def _context() -> dict[str, Any]:
    from tests.integration.test_dispatch import CONTEXT

    return CONTEXT
