"""Benchmark what the backlog forecast adds to `transport check`: on a database that holds
a county, the check alone (read, checked, not saved) and the forecast on its result (the
team's pace read from the record, then the stages worked out), in one process once the
libraries are loaded, each the median of ``--runs``.

    .venv/bin/python bench/forecast.py --database sqlite:////tmp/b1m.db --runs 5

The database must hold an imported county (`transport generate` then `transport import`,
or the file `bench/retention.py --keep` leaves). Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 8, 26)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    args = parser.parse_args()
    os.environ.update({"TRANSPORT_DATABASE_URL": args.database, "TRANSPORT_CONFIG": ""})
    sys.path.insert(0, str(ROOT))
    from services.app import build
    from services.check import backlog_forecast, run_check
    from transport.config import load_config

    app = build(load_config(), interactive=False)
    app.may_create = False
    backlog_forecast(app, run_check(app, as_of=args.as_of, save=False))  # warm: not timed
    checks: list[float] = []
    forecasts: list[float] = []
    outcome = None
    for _ in range(args.runs):
        started = time.perf_counter()
        outcome = run_check(app, as_of=args.as_of, save=False)
        checked = time.perf_counter()
        stages = backlog_forecast(app, outcome)
        done = time.perf_counter()
        checks.append(checked - started)
        forecasts.append(done - checked)
    assert outcome is not None
    check_s = statistics.median(checks)
    forecast_s = statistics.median(forecasts)
    figures = {
        "children_at_risk": len(outcome.result.at_risk),
        "stages": len(stages),
        "check_s": round(check_s, 3),
        "forecast_s": round(forecast_s, 3),
        "forecast_share_of_check": round(forecast_s / check_s, 4),
        "runs": args.runs,
    }
    print(f"{'measure':<44} {'median s':>9}")
    print(f"{'the check (read and checked, not saved)':<44} {figures['check_s']:>9}")
    print(f"{'the forecast on its result':<44} {figures['forecast_s']:>9}")
    print(f"{'forecast / check':<44} {figures['forecast_share_of_check']:>9.1%}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
