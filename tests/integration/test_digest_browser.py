"""The team's morning digest in a real browser (headless Chromium): read on a 390-pixel
phone, it never scrolls sideways, even with a long name, a long school name, every
reason and a long message kind; on a desktop it keeps to one 760-pixel column.

(What the digest says is fixed by tests/unit/test_digest_words.py; this is how it is laid
out.)"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from notifications.digest import Digest, render_digest
from notifications.outbox import Failure
from tests.browser import measure
from tests.unit.test_digest_words import DIGEST, child
from transport.vocabulary import Reason, Severity

SCHOOL = "St Bartholomew's Church of England Voluntary Aided Primary School"


def crowded() -> Digest:
    """The digest with its widest content: every reason for one child, names and a
    reference as long as a council's, a transport details letter whose outcome is
    unknown."""
    every = child("NC0000123456", date(2026, 8, 27), Severity.CRITICAL, *Reason)
    long = dataclasses.replace(every, name="Oluwaseun Adebayo-Richardson", school=SCHOOL)
    return dataclasses.replace(
        DIGEST,
        new=(long, *DIGEST.new),
        critical=(long, *DIGEST.critical),
        by_reason=tuple((reason, 12) for reason in Reason),
        failed=(
            *DIGEST.failed,
            Failure(123456, "transport_details", "letter", "unknown", "validation-failed"),
        ),
    )


def test_the_digest_reads_on_a_phone_without_scrolling_sideways(tmp_path: Path) -> None:
    _, _, page = render_digest(crowded())
    assert "Voluntary Aided Primary School" in page and "FAMILY_NOT_INFORMED" in page

    phone = measure(page, tmp_path, width=390)

    assert phone["content_width"] <= phone["frame_width"], (
        f"the digest is {phone['content_width']} px wide on a {phone['frame_width']} px "
        "phone: it scrolls sideways"
    )
    assert max(phone["tables"]) <= phone["frame_width"], phone["tables"]


@pytest.mark.parametrize("width", [390, 1200])
def test_the_digest_is_one_column_as_wide_as_the_screen_up_to_760_pixels(
    width: int, tmp_path: Path
) -> None:
    _, _, page = render_digest(crowded())
    seen = measure(page, tmp_path, width=width)
    outer, column = sorted(seen["tables"], reverse=True)[:2]
    assert outer == seen["frame_width"]
    assert column == min(760, seen["frame_width"] - 16), seen["tables"]  # 8 px each side
