"""Benchmark `transport outbox send`: messages per second to a local SMTP server (aiosmtpd)
and to the local Twilio double, with rate limits off, on SQLite and PostgreSQL. Checks
that every message arrived exactly once.

    .venv/bin/python bench/dispatch.py --messages 2000 [--runs 3] [--only sqlite|postgresql]

Each run queues the messages in a fresh database and sends them with a fresh process.
Prints a table (the median run's wall time; every run must deliver each message exactly
once) and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.run import fresh_database  # noqa: E402
from notifications import outbox  # noqa: E402
from tests.smtp_server import SmtpServer  # noqa: E402
from tests.twilio_double import TwilioDouble  # noqa: E402
from transport.db.engine import make_engine, writer  # noqa: E402
from transport.db.schema import upgrade  # noqa: E402


def queue(url: str, channel: str, count: int) -> None:
    engine = make_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    messages = [
        outbox.NewMessage(
            dedupe_key=f"bench-{channel}-{i}",
            kind="renewal_reminder",
            channel=channel,
            to_address=f"parent{i}@example.com"
            if channel == "email"
            else f"+4477009{i % 100000:05d}",
            body_text=f"Bench {channel} {i}: school transport ends soon. Apply now.",
            subject=f"Reminder {i}" if channel == "email" else None,
        )
        for i in range(count)
    ]
    with writer(engine).begin() as conn:
        outbox.enqueue(conn, messages, now=now)
    engine.dispose()


def config(folder: Path, smtp: SmtpServer, twilio: TwilioDouble) -> Path:
    path = folder / "config.toml"
    path.write_text(
        f"""
[email]
backend = "smtp"
host = "127.0.0.1"
port = {smtp.port}
starttls = false
[sms]
backend = "twilio"
from_number = "+447700900001"
api_base_url = "{twilio.url}"
[sending]
quiet_hours = []
no_sms_on_sundays = false
email_per_second = 0.0
sms_per_second = 0.0
batch_size = 200
[logging]
level = "WARNING"
"""
    )
    return path


def run(url: str, channel: str, count: int, folder: Path) -> dict[str, Any]:
    queue(url, channel, count)
    with SmtpServer() as smtp, TwilioDouble() as twilio, tempfile.NamedTemporaryFile() as out:
        env = {
            **os.environ,
            "TRANSPORT_DATABASE_URL": url,
            "TRANSPORT_CONFIG": str(config(folder, smtp, twilio)),
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
        }
        subprocess.run(
            [sys.executable, str(HERE / "measure.py"), out.name, "--", "outbox", "send"],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        figures = json.loads(Path(out.name).read_text())
        arrived = Counter(
            [r.message["Subject"] for r in smtp.received] + [m.body for m in twilio.sent]
        )
    once = len(arrived) == count and set(arrived.values()) == {1}
    return {
        "channel": channel,
        "messages": count,
        "wall_s": round(figures["wall_s"], 2),
        "messages_per_s": round(count / figures["wall_s"]),
        "peak_rss_mb": round(figures["peak_rss_mb"]),
        "each_exactly_once": once,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
        folder = Path(tmp)
        for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
            for channel in ("email", "sms"):
                runs = []
                for _ in range(args.runs):
                    url = fresh_database(kind, folder, args.postgres, args.messages)
                    runs.append(run(url, channel, args.messages, folder))
                runs.sort(key=lambda r: r["wall_s"])
                median = runs[len(runs) // 2]
                results.append(
                    {
                        "database": kind,
                        **median,
                        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                        "each_exactly_once": all(r["each_exactly_once"] for r in runs),
                        "runs": len(runs),
                    }
                )
    header = f"{'database':<11}{'channel':<8}{'messages':>9}{'wall s':>8}{'msg/s':>8}"
    print(f"{header}{'peak MB':>9}  once")
    for r in results:
        print(
            f"{r['database']:<11}{r['channel']:<8}{r['messages']:>9}{r['wall_s']:>8}"
            f"{r['messages_per_s']:>8}{r['peak_rss_mb']:>9}  {r['each_exactly_once']}"
        )
    print(json.dumps({"machine": f"{os.cpu_count()} cores", "results": results}))
    if not all(r["each_exactly_once"] for r in results):
        raise SystemExit("a message was lost or sent twice")


if __name__ == "__main__":
    main()
