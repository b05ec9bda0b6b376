"""The synthetic county's parts: names and places, term dates, the CSV sinks, and the
schools. Deterministic: the same random generator gives the same county."""

from __future__ import annotations

import csv
import random
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def _words(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


HEADERS = {
    "schools.csv": _words("urn, name, phase, calendar"),
    "terms.csv": _words("calendar, academic_year, term, first_day, last_day"),
    "closures.csv": _words("calendar, first_day, last_day, urn, kind, note"),
    "pupils.csv": _words(
        "pupil_ref, first_name, last_name, date_of_birth, school_urn, next_school_urn, "
        "year_group, send, home_postcode, status"
    ),
    "contacts.csv": _words(
        "pupil_ref, name, relationship, email, mobile, preferred_channel, landline, "
        "address_line_1, address_line_2, address_line_3, town, postcode"
    ),
    "awards.csv": _words(
        "award_ref, pupil_ref, valid_from, valid_until, school_urn, basis, travel_mode"
    ),
    "applications.csv": _words(
        "application_ref, pupil_ref, academic_year, received_on, status, kind, school_urn, "
        "decided_on, walking_distance_miles, road_distance_miles, nearest_suitable_school, "
        "suitable_school_rank, low_income, religion_or_belief, cannot_walk_send, "
        "unsafe_route, medical_until"
    ),
    "arrangements.csv": _words(
        "pupil_ref, academic_year, route_ref, operator, pickup_time, passenger_assistant, "
        "family_informed_on, arranged_on"
    ),
}
FEMALE = _words(
    "Olivia, Amelia, Isla, Ava, Zoë, Siobhán, Aoife, Amara, Fatima, Priya, Maja, Freya, "
    "Grace, Chloé, Hannah, Sophie, Aisha, Niamh, Ruby, Ellie"
)
MALE = _words(
    "Oliver, George, Muhammad, Noah, Leo, Arthur, Oscar, Jakub, Tomás, Kwame, Rhys, Eoin, "
    "Harry, Jack, Ravi, Samuel, Dylan, Theo, Yusuf, Finley"
)
CHILD, PARENT_NAMES = FEMALE + MALE, {"mother": FEMALE, "father": MALE}
SURNAMES = _words(
    "Smith, Jones, Taylor, Brown, Williams, Wilson, Davies, Evans, Patel, Khan, O'Brien, "
    "Nowak, Adeyemi, Murphy, Kowalski, Thomas, Roberts, Walker, Wright, Begum, Ali, Okafor, "
    "Nguyen, MacDonald, Hughes, Green, Clarke, D'Souza, Lewandowski, Ó Briain"
)
PLACES = _words(
    "Oakfield, Riverside, Millbrook, Ashgrove, Kingsmead, Hawthorn, Brookside, Westfield, "
    "Elmhurst, Fernhill, Meadowbank, Highcliffe, Longford, Stonebridge, Willowdene, "
    "Chalk Hill, Beacon, Thornbury, Cedar Park, Larkrise, Marston, Harbour View"
)
SAINTS = _words("St Mary's, St Peter's, St Joseph's, St Anne's, Holy Trinity, St Bede's")
SUFFIXES = {  # a CofE or Catholic school is named after a saint
    "primary": _words(
        "Primary School, Community Primary School, Primary Academy, Infant and Junior School, "
        "CofE Primary, Catholic Primary School"
    ),
    "secondary": _words("Academy, High School, School, Community College, CofE Academy"),
    "special": _words("School, Special School, Academy"),
    "post16": _words("Sixth Form College, College"),
    "all_through": _words("All-Through School, School"),
}
OPERATORS = _words("County Coaches, Star Taxis, Vale Travel, Hilltop Minibuses, Greenway Cars")
BUS_OPERATORS = _words("Stagecoach, Arriva, County Connect")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
STREETS = _words("Mill Lane, Church Street, Station Road, Park Avenue, The Green, Oak Close")
POSTCODE_AREAS, POSTCODE_UNIT = _words("OX, RG, SN, GL, HP, MK, NN, CV"), "ABDEFGHJLNPQRSTUWXYZ"
# 4-digit blocks after the leading 0 that `phonenumbers` accepts as GB mobiles: not 076xx
# (pagers, Isle of Man), 07700 (900xxx is for drama) nor 07911 (partly unallocated).
MOBILE_BLOCKS = tuple(b for b in range(7400, 8000) if b // 100 != 76 and b not in (7700, 7911))
PICKUP_TIMES = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(430, 510, 5))  # 07:10-08:25
FAMILY_SIZES = (1,) * 75 + (2,) * 17 + (3,) * 8  # a quarter of families have 2-3 children
YEAR_GROUPS = (*range(12), *range(12), 12, 13)  # 0 = Reception; fewer stay on after 16
RELATIONSHIPS = ("mother",) * 65 + ("father",) * 25 + ("carer",) * 6 + ("grandparent",) * 4
SEND_MODES: tuple[str, ...] = (
    ("shared_vehicle",) * 11 + ("solo_vehicle",) * 5 + ("personal_budget",) * 2
)
SEND_MODES += ("mileage", "travel_training")  # travel training: secondary age only
PRIMARY_MODES = ("shared_vehicle",) * 6 + ("bus_pass",) * 3 + ("mileage",)
TENTHS_OF_A_MILE = {  # walking distance range per basis; "" = not eligible
    "EXTENDED_LOW_INCOME_8_10": (21, 29), "EXTENDED_LOW_INCOME_11_PLUS": (21, 29),
    "SEND_MOBILITY": (3, 80), "UNSAFE_ROUTE": (8, 29), "EXTENDED_RELIGION_BELIEF": (25, 140),
    "": (5, 19),
}  # fmt: skip
MON, TUE, WED, THU, FRI, ANY = 0, 1, 2, 3, 4, -1  # ANY: any Monday to Friday
# Per calendar: autumn first (Sept day, weekday on or after), autumn last (Dec day, weekday on
# or before), spring first (Jan day, on or after), spring last and summer first (days from
# Easter Sunday), summer last (July day, on or before). The council's own schools use default.
TERM_RULES: dict[str, tuple[int, ...]] = {
    "default":     (2, THU, 20, FRI, 5, ANY, -3, 15, 22, ANY),
    "trust-north": (3, MON, 19, THU, 4, MON, -9, 16, 24, FRI),
    "trust-south": (1, TUE, 19, ANY, 6, ANY, -10, 8, 20, ANY),
}  # fmt: skip
DAY = timedelta(days=1)


def _slug(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalpha())


SLUG = {name: _slug(name) for name in FEMALE + MALE + SURNAMES}


def academic_year(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


def nearest(d: date, weekday: int, step: int) -> date:
    """d, or the first day from d, going `step` days at a time, that is `weekday`."""
    while d.weekday() > FRI if weekday == ANY else d.weekday() != weekday:
        d += step * DAY
    return d


def easter(y: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, (b, c) = y % 19, divmod(y, 100)
    d, e = divmod(b, 4)
    h = (19 * a + b - d - (b - (b + 8) // 25 + 1) // 3 + 15) % 30
    i, k = divmod(c, 4)
    w = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * w) // 451
    month, day = divmod(h + w - 7 * m + 114, 31)
    return date(y, month, day + 1)


def term_dates(calendar: str, start: int) -> list[tuple[str, date, date]]:
    """Autumn, spring and summer (first_day, last_day) of academic year start/start+1."""
    sep, sep_wd, dec, dec_wd, jan, jan_wd, spring_end, summer, jul, jul_wd = TERM_RULES[calendar]
    e, nxt = easter(start + 1), start + 1
    autumn = nearest(date(start, 9, sep), sep_wd, 1), nearest(date(start, 12, dec), dec_wd, -1)
    spring = nearest(date(nxt, 1, jan), jan_wd, 1), e + spring_end * DAY
    summer_term = e + summer * DAY, nearest(date(nxt, 7, jul), jul_wd, -1)
    return [("autumn", *autumn), ("spring", *spring), ("summer", *summer_term)]


class Sink:
    """One CSV file being written, with its row count."""

    def __init__(self, stack: ExitStack, path: Path, header: Sequence[str]) -> None:
        handle = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
        writer = csv.writer(handle, lineterminator="\n")
        self._write: Callable[[Sequence[str]], object] = writer.writerow
        self._write(header)
        self.rows = 0

    def row(self, values: Sequence[str]) -> None:
        self._write(values)
        self.rows += 1


@dataclass(frozen=True)
class School:
    urn: str
    phase: str
    sixth_form: bool = False
    calendar: str = "default"


@dataclass(frozen=True)
class Pupil:
    ref: str
    year_group: int  # in year-1/year; 0 = Reception
    send: bool
    school: School
    next_urn: str
    active: bool


def write_schools(sink: Sink, rng: random.Random, count: int) -> list[School]:
    """About 75% primary, 15% secondary, 5% special, a few post-16 and all-through."""
    sizes = {"special": count // 20, "post16": count // 150, "all_through": count // 200}
    phases = [p for p, n in sizes.items() for _ in range(max(2, n))]
    phases += ["secondary"] * max(4, count * 15 // 100)
    phases += ["primary"] * (count - len(phases))
    rng.shuffle(phases)
    schools: list[School] = []
    sixth_forms = 0
    for i, phase in enumerate(phases):
        sixth = phase == "secondary" and (rng.random() < 0.5 or not sixth_forms)
        urn = str(100000 + 7 * i + rng.randrange(7))
        sixth_forms += sixth
        suffix = rng.choice(SUFFIXES[phase])
        saint = "CofE" in suffix or "Catholic" in suffix
        name = f"{rng.choice(SAINTS if saint else PLACES)} {suffix}"
        calendar = rng.choice(("", "default", "", "default", "trust-north", "trust-south"))
        calendar = "" if phase == "post16" else calendar
        sink.row([urn, name, phase, calendar])
        schools.append(School(urn, phase, sixth, calendar or "default"))
    return schools


def write_terms(sink: Sink, year: int) -> None:
    for calendar in TERM_RULES:
        for start in (year - 1, year, year + 1):
            for term, first, last in term_dates(calendar, start):
                sink.row([calendar, academic_year(start), term, str(first), str(last)])


def _week_of(monday: date) -> tuple[date, date]:
    return monday, monday + 4 * DAY


def closure_dates(calendar: str, start: int) -> list[tuple[str, date, date, str]]:
    """A calendar's half terms and its five INSET days of academic year start/start+1:
    (kind, first_day, last_day, note). Half terms: the last full week of October, the week
    of the third Monday in February, the week of the spring bank holiday (late May). INSET
    days: the first two days of the autumn term, the first days of spring and summer, the
    last day of summer."""
    (_, autumn, _), (_, spring, _), (_, summer, summer_end) = term_dates(calendar, start)
    october = nearest(date(start, 10, 31), MON, -1)
    if october + 4 * DAY > date(start, 10, 31):
        october -= 7 * DAY
    february = nearest(date(start + 1, 2, 15), MON, 1)
    may = nearest(date(start + 1, 5, 31), MON, -1)
    second = nearest(autumn + DAY, ANY, 1)
    return [
        ("half_term", *_week_of(october), "October half term"),
        ("half_term", *_week_of(february), "February half term"),
        ("half_term", *_week_of(may), "May half term"),
        ("inset", autumn, autumn, "INSET day"),
        ("inset", second, second, "INSET day"),
        ("inset", spring, spring, "INSET day"),
        ("inset", summer, summer, "INSET day"),
        ("inset", summer_end, summer_end, "INSET day"),
    ]


def write_closures(sink: Sink, year: int, schools: Sequence[School], seed: int) -> None:
    """Every calendar's half terms and INSET days, and one school in ten sets one INSET
    day of its own: the first day its calendar's pupils are back after the two INSET days
    (so its own first day of the year is later), as an academy may."""
    for calendar in TERM_RULES:
        for start in (year - 1, year, year + 1):
            for kind, first, last, note in closure_dates(calendar, start):
                sink.row([calendar, str(first), str(last), "", kind, note])
    rng = random.Random(f"{seed}:{year}:closures")
    for school in schools:
        if school.phase == "post16" or rng.random() >= 0.1:
            continue
        for start in (year - 1, year, year + 1):
            autumn = term_dates(school.calendar, start)[0][1]
            own = nearest(nearest(autumn + DAY, ANY, 1) + DAY, ANY, 1)
            sink.row([school.calendar, str(own), str(own), school.urn, "inset", "INSET day"])


