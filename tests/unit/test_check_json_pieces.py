"""The check's JSON for a large county is written in pieces: the same text as the whole
JSON, never held whole (nor as a dict for every child at once)."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, date, datetime

from commands.views.check import INDENTED, as_json, json_pieces
from services.check import CheckOutcome
from transport.domain.risk import CheckResult, PupilRisk
from transport.vocabulary import Reason

AS_OF = date(2026, 8, 26)


def outcome(children: int) -> CheckOutcome:
    day = date(2026, 9, 3)
    reasons = (Reason.NO_APPLICATION,)
    risks = tuple(
        PupilRisk(f"P{n:07d}", "100001", None, day, 8, "high", reasons, day)
        for n in range(children)
    )
    result = CheckResult(AS_OF, 120, children * 3, risks)
    imported = datetime(2026, 8, 25, tzinfo=UTC)
    return CheckOutcome(result, None, None, None, data_imported_at=imported)


def test_a_large_countys_json_is_the_compact_json_of_the_whole() -> None:
    found = outcome(INDENTED + 2500)
    assert "".join(json_pieces(found)) == json.dumps(as_json(found)) + "\n"


def test_a_small_countys_json_stays_indented_for_people() -> None:
    found = outcome(3)
    assert "".join(json_pieces(found)) == json.dumps(as_json(found), indent=2) + "\n"


def test_writing_a_large_countys_json_holds_a_small_part_of_it() -> None:
    found = outcome(40_000)
    tracemalloc.start()
    try:
        written = 0
        for piece in json_pieces(found):
            written += len(piece)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < written / 4  # a few children at a time, never the whole
