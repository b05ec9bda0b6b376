"""The morning digest says what it gathered in one style: every day as "Fri 4 Dec", every
time in UK time with its zone (BST in summer), every task kind in words, and a header on
every table, in the text and in the HTML email."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from notifications.digest import Digest, DigestChild, render_digest
from notifications.digest import SeverityTotals as DigestCounts
from notifications.outbox import Failure
from transport.db.queries.channels import ChannelDown
from transport.domain.calendar_gaps import CalendarGap
from transport.domain.forecast import StageForecast
from transport.vocabulary import Reason, Severity

AS_OF = date(2026, 8, 24)  # a Monday
SUMMER = datetime(2026, 8, 23, 20, 5, tzinfo=UTC)  # 21:05 BST


def child(ref: str, day: date, severity: Severity, *reasons: Reason) -> DigestChild:
    return DigestChild(ref, "Sam O'Brien", "Oak Primary", day, (day - AS_OF).days, severity,
                       reasons)  # fmt: skip


DIGEST = Digest(
    council="Northshire County Council",
    as_of=AS_OF,
    counts=DigestCounts(in_scope=40, at_risk=3, critical=2, high=1, medium=0, low=0),
    by_reason=((Reason.NO_APPLICATION, 2), (Reason.FAMILY_NOT_INFORMED, 1)),
    compared_with=date(2026, 8, 21),
    new=(child("P1", date(2026, 9, 3), Severity.HIGH, Reason.NO_APPLICATION),),
    new_total=1,
    critical=(
        child("P2", date(2026, 8, 27), Severity.CRITICAL, Reason.NO_APPLICATION),
        child("P3", date(2026, 8, 28), Severity.CRITICAL, Reason.FAMILY_NOT_INFORMED),
    ),
    critical_total=2,
    alerts=(("P2", "Sam O'Brien"),),
    short=StageForecast(
        "chase", 2, date(2026, 8, 26), None, 10, None, 1.0, False, working_days_left=3
    ),
    gaps=(CalendarGap("acad1", 2026, ("autumn",), date(2026, 9, 7), ("100002",), 4),),
    channels_down=(ChannelDown("sms", SUMMER, "sms: Twilio refused the credentials"),),
    no_children=False,
    stale=True,
    imported_at=SUMMER,
    tasks=(("fix_contact", 1), ("phone_family", 2)),
    letters_unposted=1,
    letters_oldest=SUMMER,
    failed=(Failure(7, "renewal_final", "sms", "failed_permanent", "21610"),),
    failed_total=1,
    unknown_total=0,
)
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
PADDED_DAY = re.compile(r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) 0\d\b")


def test_the_text_says_days_in_one_style_times_in_uk_time_and_tasks_in_words() -> None:
    subject, text, _ = render_digest(DIGEST)
    assert subject.startswith("[SMS DOWN] School transport Mon 24 Aug 2026:")
    both = subject + text
    assert not ISO_DAY.search(both) and not PADDED_DAY.search(both)
    assert "UTC" not in both and "since Sun 23 Aug 2026 21:05 BST" in text
    assert "last imported on Sun 23 Aug 2026 21:05 BST" in text
    assert "morning of Mon 24 Aug 2026" in text
    assert "since the check of Fri 21 Aug" in text
    assert "2 to chase, overdue since Wed 26 Aug" not in text  # due in 3 working days
    assert "2 to chase by Wed 26 Aug: 1 a working day" in text
    assert "assumes school days from Mon 7 Sep 2026" in text
    assert "the oldest written Sun 23 Aug" in text
    assert "phone the family" in text and "fix contact details" in text
    assert "phone_family" not in text and "fix_contact" not in text


def test_every_table_of_the_text_has_its_header() -> None:
    _, text, _ = render_digest(DIGEST)
    for header in (["Reason", "Children", "Meaning"], ["From", "Severity", "Pupil"],
                   ["From", "Pupil", "Name,"], ["Pupil", "Name"], ["Task", "Open"],
                   ["Message", "Kind", "Channel"]):  # fmt: skip
        assert any(line.split()[: len(header)] == header for line in text.splitlines()), header
    rows = text.split("Critical (no transport within 7 days): 2", 1)[1].splitlines()
    assert rows[1].split()[:2] == ["From", "Pupil"]
    assert rows[2].split()[:4] == ["Thu", "27", "Aug", "P2"]


class Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[str]] = []  # each table's header cells
        self.in_th = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        roles = dict(attrs).get("role")
        if tag == "table" and roles != "presentation":
            self.tables.append([])
        self.in_th = tag == "th"

    def handle_endtag(self, tag: str) -> None:
        self.in_th = self.in_th and tag != "th"

    def handle_data(self, data: str) -> None:
        if self.in_th and self.tables and data.strip():
            self.tables[-1].append(data.strip())


def test_every_table_of_the_email_has_its_header() -> None:
    _, _, html = render_digest(DIGEST)
    found = Tables()
    found.feed(html)
    assert len(found.tables) >= 7  # severities, reasons, new, critical, alerts, tasks, failed
    assert all(headers for headers in found.tables), found.tables
    assert ["Task", "Open"] in found.tables
    assert "phone the family" in html and "phone_family" not in html
    assert not ISO_DAY.search(html) and not PADDED_DAY.search(html) and "UTC" not in html
