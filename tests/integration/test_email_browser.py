"""The family emails in a real browser (headless Chromium): every kind, for every
situation of the golden messages, reads on a 390-pixel phone without scrolling sideways,
keeps to one 600-pixel column on a desktop, and its action button is GOV.UK green.

(What the messages say is fixed by tests/unit/test_message_golden.py; this is how they
are laid out.)"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from notifications.messages import render
from tests.browser import measure, measure_all
from tests.unit.test_message_golden import CASES, COUNCIL

GOVUK_GREEN = "rgb(0, 112, 60)"  # #00703c, the GOV.UK button
WHITE = "rgb(255, 255, 255)"


def email_html(kind: str, context: dict[str, Any]) -> str:
    page = render(kind, "email", context).html
    assert page is not None
    return page


def test_every_email_reads_on_a_phone_and_its_button_is_govuk_green(tmp_path: Path) -> None:
    pages = [email_html(kind, context) for kind, _, context in CASES]
    for (kind, situation, _), phone in zip(
        CASES, measure_all(pages, tmp_path, width=390), strict=True
    ):
        assert phone["content_width"] <= phone["frame_width"], (
            f"{kind}/{situation} is {phone['content_width']} px wide on a "
            f"{phone['frame_width']} px phone: it scrolls sideways"
        )
        buttons = [link for link in phone["links"] if link["text"].startswith("Apply")]
        if kind.startswith("renewal_"):
            assert len(buttons) == 1, (kind, situation, phone["links"])
            (button,) = buttons
            assert (button["background"], button["color"]) == (GOVUK_GREEN, WHITE), button
        else:  # transport details ask for nothing
            assert buttons == [], (kind, situation)


@pytest.mark.parametrize("width", [390, 1200])
def test_the_message_is_one_column_as_wide_as_the_screen_up_to_600_pixels(
    width: int, tmp_path: Path
) -> None:
    kind, _, context = next(case for case in CASES if case[0] == "renewal_final")
    page = email_html(kind, context)
    seen = measure(page, tmp_path, width=width)
    # The outer table fills the screen; the message's column (the next widest) is as
    # wide as the screen allows, up to 600 px.
    outer, column = sorted(seen["tables"], reverse=True)[:2]
    assert outer == seen["frame_width"]
    assert column == min(600, seen["frame_width"] - 16), seen["tables"]  # 8 px each side
    # Only Outlook on Windows (which ignores max-width) is given a fixed 600 px table.
    assert 'width="600"' not in re.sub(r"<!--\[if mso\]>.*?<!\[endif\]-->", "", page)


@pytest.mark.parametrize(("kind", "situation", "context"), CASES, ids=lambda v: str(v)[:20])
def test_the_councils_phone_line_is_given_once(
    kind: str, situation: str, context: dict[str, Any]
) -> None:
    page = email_html(kind, context)
    assert page.count(COUNCIL["contact_phone"]) == 1, f"{kind}/{situation}"
