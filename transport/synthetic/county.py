"""The synthetic county itself: families, pupils, awards, applications and arrangements,
streamed family by family into the bundle's files."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from transport.synthetic.parts import (
    BUS_OPERATORS,
    CHILD,
    DAY,
    EMAIL_DOMAINS,
    FAMILY_SIZES,
    MOBILE_BLOCKS,
    OPERATORS,
    PARENT_NAMES,
    PICKUP_TIMES,
    PLACES,
    POSTCODE_AREAS,
    POSTCODE_UNIT,
    PRIMARY_MODES,
    RELATIONSHIPS,
    SEND_MODES,
    SLUG,
    STREETS,
    SUFFIXES,
    SURNAMES,
    TENTHS_OF_A_MILE,
    YEAR_GROUPS,
    Pupil,
    School,
    Sink,
    T,
    academic_year,
)


class County:
    """Streams families, their contacts, awards, applications and arrangements.

    Dates are day ordinals while generating, turned into text by a table lookup. The day
    each arrangement was made is drawn from a generator of its own (`dates`), so that
    adding it left every other value of a seed's county as it was."""

    def __init__(
        self,
        rng: random.Random,
        year: int,
        schools: list[School],
        out: dict[str, Sink],
        dates: random.Random | None = None,
    ):
        self.r, self.year = rng.random, year
        self.d = (dates or random.Random(f"{year}:arranged_on")).random
        self.pupils, self.contacts = out["pupils.csv"], out["contacts.csv"]
        self.awards, self.apps, self.arrangements = (
            out["awards.csv"], out["applications.csv"], out["arrangements.csv"],
        )  # fmt: skip
        self.pools = {p: [s for s in schools if s.phase == p] for p in SUFFIXES}
        self.pools["sixth"] = [s for s in schools if s.sixth_form]
        self.base, end = date(year - 2, 9, 1).toordinal(), date(year + 8, 9, 1).toordinal()
        self.iso = [date.fromordinal(o).isoformat() for o in range(self.base, end)]
        self.dob = [self.birthdays(yg) for yg in range(15)]
        self.ay_old, self.ay_new = academic_year(year - 1), academic_year(year)
        self.old_from, self.new_from = self.day(year - 1, 9, 1), self.day(year, 9, 1)
        self.new_until = self.day(year + 1, 8, 31)
        self.award_no = self.app_no = 0

    def birthdays(self, yg: int) -> list[str]:
        """Dates of birth of Year yg in year-1/year: Reception is 4 on the 31 August before."""
        first, end = date(self.year - 6 - yg, 9, 1), date(self.year - 5 - yg, 9, 1)
        return [str(first + i * DAY) for i in range((end - first).days)]

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.r() * len(seq))]

    def day(self, y: int, m: int, d: int, spread: int = 0) -> int:
        return date(y, m, d).toordinal() + (int(self.r() * (spread + 1)) if spread else 0)

    def on(self, ordinal: int | None) -> str:
        return "" if ordinal is None else self.iso[ordinal - self.base]

    def flag(self, value: bool) -> str:
        return "yes" if value else ("no" if self.r() < 0.7 else "")

    # families and pupils
    def run(self, pupils: int) -> None:
        made = 0
        while made < pupils:
            size = min(self.pick(FAMILY_SIZES), pupils - made)
            self.family(range(made + 1, made + size + 1))
            made += size

    def family(self, numbers: range) -> None:
        surname, pick = self.pick(SURNAMES), self.pick
        district = f"{pick(POSTCODE_AREAS)}{1 + int(self.r() * 20)}"
        postcode = f"{district} {int(self.r() * 10)}{pick(POSTCODE_UNIT)}{pick(POSTCODE_UNIT)}"
        contacts = self.family_contacts(surname) if self.r() >= 0.015 else []
        contacts = self.reached_otherwise(contacts, postcode)
        chosen: dict[str, School] = {}  # siblings in the same phase share a school
        for n in numbers:
            pupil = self.pupil(f"P{n:07d}", surname, postcode, chosen)
            for contact in contacts:
                self.contacts.row([pupil.ref, *contact])
            self.transport(pupil)

    def school(self, pool: str, chosen: dict[str, School]) -> School:
        if pool not in chosen:
            chosen[pool] = self.pick(self.pools[pool])
        return chosen[pool]

    def place(self, yg: int, chosen: dict[str, School]) -> School:
        x = self.r()
        if yg <= 11:
            pool = ("primary" if yg <= 6 else "secondary") if x < 0.95 else "all_through"
            return self.school(pool, chosen)
        return self.school("post16" if x < 0.5 else "sixth" if x < 0.85 else "all_through", chosen)

    def next_school(self, yg: int, school: School, chosen: dict[str, School]) -> str:
        x = self.r()
        if school.phase in ("special", "post16") or yg in (12, 13):
            return ""
        if school.phase == "all_through" and yg in (6, 11):
            return "" if x < 0.6 else school.urn  # stays on
        if yg == 6:
            return self.school("secondary" if x < 0.95 else "all_through", chosen).urn
        if yg == 11 and school.sixth_form and x < 0.6:
            return school.urn if x < 0.4 else ""  # stays on into its sixth form
        if yg == 11:
            return self.school("post16" if x < 0.8 else "sixth", chosen).urn
        return self.pick(self.pools[school.phase]).urn if x < 0.01 else ""  # moves school

    def pupil(self, ref: str, surname: str, postcode: str, chosen: dict[str, School]) -> Pupil:
        send = self.r() < 0.2
        if send and self.r() < 0.3:
            yg, school = int(self.r() * 15), self.school("special", chosen)
        else:
            yg = self.pick(YEAR_GROUPS)
            school = self.place(yg, chosen)
        next_urn, x = self.next_school(yg, school, chosen), self.r()
        status = "left" if x < 0.01 else "active" if x < 0.6 else ""
        last = surname if self.r() < 0.92 else self.pick(SURNAMES)
        first, born, group = self.pick(CHILD), self.pick(self.dob[yg]), str(yg or "R")
        has_send = "yes" if send else self.flag(False)
        self.pupils.row(
            [ref, first, last, born, school.urn, next_urn, group, has_send, postcode, status]
        )
        return Pupil(ref, yg, send, school, next_urn, status != "left")

    # contacts: made once per family, written for every sibling
    def family_contacts(self, surname: str) -> list[list[str]]:
        people = [self.pick(RELATIONSHIPS)]
        if people[0] in ("mother", "father") and self.r() < 0.55:
            people.append("father" if people[0] == "mother" else "mother")
        elif self.r() < 0.1:
            people.append("grandparent")
        rows: list[list[str]] = []
        for relationship in people:
            row = self.contact(relationship, surname)
            if all(row[0] != other[0] for other in rows):
                rows.append(row)
        return rows

    def contact(self, relationship: str, surname: str) -> list[str]:
        first = self.pick(PARENT_NAMES.get(relationship, CHILD))
        last = surname if self.r() < 0.8 else self.pick(SURNAMES)
        x, email, mobile = self.r(), "", ""
        if x >= 0.1:  # 10% have a mobile only
            number = 1 + int(self.r() * 999)
            email = f"{SLUG[first]}.{SLUG[last]}{number}@{self.pick(EMAIL_DOMAINS)}"
        if x < 0.1 or x >= 0.2:  # a further 10% have an email only
            mobile = self.mobile()
        channels: tuple[str, ...] = ("email", "sms", "both", "both", "")
        if not (email and mobile):
            channels = ("email", "email", "") if email else ("sms", "sms", "")
        return [f"{first} {last}", relationship, email, mobile, self.pick(channels)]

    def reached_otherwise(self, contacts: list[list[str]], postcode: str) -> list[list[str]]:
        """Each contact row gets the landline and address columns. About 3% of families,
        as in councils' records, have no email or mobile: half only a landline (the team
        phones), half only a postal address (letters); the others no landline or address."""
        x = self.r()
        rows = []
        if 0.015 <= x < 0.03:  # one home: one address, one letter
            street, town = f"{1 + int(self.r() * 120)} {self.pick(STREETS)}", self.pick(PLACES)
        for name, relationship, email, mobile, preferred in (c[:5] for c in contacts):
            if x < 0.015:
                landline = f"01632 960{int(self.r() * 1000):03d}"
                rows.append([name, relationship, "", "", "", landline, "", "", "", "", ""])
            elif x < 0.03:
                rows.append([name, relationship, "", "", self.pick(("letter", "")), "",
                             street, "", "", town, postcode])  # fmt: skip
            else:
                rows.append([name, relationship, email, mobile, preferred, "", "", "", "", "", ""])
        return rows

    def mobile(self) -> str:
        block, rest, x = self.pick(MOBILE_BLOCKS), int(self.r() * 1_000_000), self.r()
        if x < 0.5:
            return f"0{block} {rest:06d}"
        return f"+44 {block} {rest:06d}" if x < 0.75 else f"0{block}{rest:06d}"

    # transport
    def transport(self, p: Pupil) -> None:
        yg, special = p.year_group, p.school.phase == "special"
        if not p.active or yg == 14 or (yg == 13 and not special):
            return  # leavers
        if self.r() < (0.85 if special else 0.6 if p.send else 0.45 if yg >= 7 else 0.33):
            self.current_traveller(p)
        elif self.r() < 0.04:
            self.new_traveller(p)

    def basis(self, yg: int, send: bool) -> str:
        x = self.r()
        if send and x < 0.85:
            return "SEND_MOBILITY"
        if yg >= 12:
            return "post16"
        if yg == 0:  # below compulsory school age
            return "discretionary" if x < 0.7 else "STATUTORY_DISTANCE"
        if x < 0.08:
            return "UNSAFE_ROUTE"
        if x < 0.16 and yg >= 4:
            return "EXTENDED_LOW_INCOME_8_10" if yg <= 6 else "EXTENDED_LOW_INCOME_11_PLUS"
        if x < 0.2 and yg >= 7:
            return "EXTENDED_RELIGION_BELIEF"
        return "discretionary" if x > 0.97 else "STATUTORY_DISTANCE"

    @staticmethod
    def next_basis(basis: str, yg: int) -> str:
        """The basis of next year's award, for a pupil then in Year yg."""
        if yg >= 14:
            return "post19"
        if yg >= 12 and basis != "SEND_MOBILITY":
            return "post16"
        if basis == "EXTENDED_LOW_INCOME_8_10" and yg >= 7:
            return "EXTENDED_LOW_INCOME_11_PLUS"
        return "STATUTORY_DISTANCE" if basis == "discretionary" and yg == 1 else basis

    def mode(self, p: Pupil) -> str:
        if p.send:
            return self.pick(SEND_MODES[:-1] if p.year_group < 7 else SEND_MODES)
        if p.year_group >= 7:
            return "bus_pass" if self.r() < 0.9 else "shared_vehicle"
        return self.pick(PRIMARY_MODES)

    def award(self, p: Pupil, span: tuple[int, int], urn: str, basis: str, mode: str) -> None:
        self.award_no += 1
        urn = urn or (p.school.urn if self.r() < 0.15 else "")
        dates = self.on(span[0]), self.on(span[1])
        self.awards.row([f"A{self.award_no:07d}", p.ref, *dates, urn, basis, mode])

    def new_award(self, p: Pupil, basis: str, mode: str) -> None:
        """An award for the new academic year, for the school the pupil will then attend."""
        urn = p.next_urn if p.next_urn != p.school.urn else ""
        self.award(p, (self.new_from, self.new_until), urn, basis, mode)

    def arrange(
        self, p: Pupil, ay: str, mode: str, informed: int | None, after: int | None = None
    ) -> None:
        """An arrangement for the year `ay`: made (arranged_on) up to three weeks before the
        family was told, never before the decision (`after`); not yet told: made in the
        five weeks before late August."""
        route = operator = pickup = ""
        if mode == "bus_pass":
            route, operator = f"S{1 + int(self.r() * 98)}", self.pick(BUS_OPERATORS)
        elif mode not in ("personal_budget", "mileage"):
            route, operator = f"R{100 + int(self.r() * 900)}", self.pick(OPERATORS)
            pickup = self.pick(PICKUP_TIMES)
        assistant = self.flag(p.send and mode.endswith("vehicle") and self.r() < 0.3)
        if informed is not None:
            arranged = min(max(informed - int(self.d() * 22), after or 0), informed)
        else:
            arranged = max(self.day(self.year, 7, 20) + int(self.d() * 37), after or 0)
        self.arrangements.row(
            [p.ref, ay, route, operator, pickup, assistant, self.on(informed), self.on(arranged)]
        )

    def arrange_new_year(
        self, p: Pupil, mode: str, chance: float, after: int | None = None
    ) -> None:
        if self.r() < chance:
            informed = self.day(self.year, 7, 1, 55) if self.r() < 0.9 else None
            self.arrange(p, self.ay_new, mode, informed, after)

    def current_traveller(self, p: Pupil) -> None:
        y, yg, x = self.year, p.year_group, self.r()
        if x < 0.03:
            self.medical(p)
            return
        basis, mode = self.basis(yg, p.send), self.mode(p)
        self.arrange(p, self.ay_old, mode, self.day(y - 1, 8, 1, 30))
        if x < 0.2 and not p.next_urn and yg not in (6, 11, 12, 13):  # a multi-year award
            stage_end = y + max(1, (6 if yg < 6 else 11) - yg)
            until = self.day(stage_end if self.r() < 0.5 else y + 1, 8, 31)
            self.award(p, (self.old_from, until), "", basis, mode)
            self.arrange_new_year(p, mode, 0.95)
            return
        until = self.day(y, 7, 31) + (31 if self.r() < 0.5 else 0)
        self.award(p, (self.old_from, until), "", basis, mode)
        self.renewal(p, basis, mode)

    def medical(self, p: Pupil) -> None:
        """A temporary medical award from the summer term to the middle of the autumn term."""
        mode = self.pick(("shared_vehicle", "shared_vehicle", "solo_vehicle"))
        start, until = self.day(self.year, 4, 27, 50), self.day(self.year, 10, 5, 18)
        asked = start - 40 + int(self.r() * 20), start - 1 - int(self.r() * 10)
        self.application(p, "approved", "new", "", asked, "SEND_MOBILITY", until, self.ay_old)
        self.award(p, (start, until), "", "SEND_MOBILITY", mode)
        self.arrange(p, self.ay_old, mode, start - 1, asked[1])
        self.arrange_new_year(p, mode, 0.9)
        if self.r() < 0.3:
            status, received = self.pick(("received", "assessing")), self.day(self.year, 7, 1, 50)
            self.application(p, status, "renewal", "", (received, None), "SEND_MOBILITY")

    def kind(self, p: Pupil, fresh: bool) -> str:
        moving = p.next_urn not in ("", p.school.urn)
        if p.year_group == 6 and moving:
            return "phase_transfer"
        if p.year_group in (11, 12):
            return "post16"
        if moving:
            return "change_of_school"
        return "change_of_address" if self.r() < 0.03 else "new" if fresh else "renewal"

    def renewal(self, p: Pupil, basis: str, mode: str) -> None:
        """Late August: 80% approved, 8% late and undecided, 3% refused, 1% withdrawn,
        8% never asked (the children the reminders are for)."""
        x = self.r()
        if x >= 0.92:
            return  # the family has not re-applied: the children at risk
        kind, urn = self.kind(p, False), p.next_urn or (p.school.urn if self.r() < 0.3 else "")
        if 0.80 <= x < 0.88:  # a late renewal, still in the queue
            asked = (self.day(self.year, 6, 1, 80), None)
            self.application(p, self.pick(("received", "assessing")), kind, urn, asked, basis)
            return
        received = self.day(self.year, 3, 1, 91)
        status = "approved" if x < 0.80 else "refused" if x < 0.91 else "withdrawn"
        decided = received + 15 + int(self.r() * 28) if status != "withdrawn" else None
        facts = basis if status == "approved" else ""
        self.application(p, status, kind, urn, (received, decided), facts)
        if status == "approved":
            self.new_award(p, self.next_basis(basis, p.year_group + 1), mode)
            self.arrange_new_year(p, mode, 0.94, decided)

    def new_traveller(self, p: Pupil) -> None:
        x = self.r()
        status = "received" if x < 0.35 else "assessing" if x < 0.6 else "approved"
        basis = self.basis(p.year_group + 1, p.send)
        received = self.day(self.year, 3, 1, 120 if status == "approved" else 172)
        decided = received + 15 + int(self.r() * 28) if status == "approved" else None
        self.application(p, status, self.kind(p, True), p.next_urn, (received, decided), basis)
        if status == "approved" and self.r() < 0.6:  # else: approved, award not yet made
            mode = self.mode(p)
            self.new_award(p, basis, mode)
            self.arrange_new_year(p, mode, 0.7, decided)

    def application(
        self, p: Pupil, status: str, kind: str, urn: str, asked: tuple[int, int | None],
        basis: str, medical: int | None = None, ay: str = "",
    ) -> None:  # fmt: skip
        """An application for the new year unless `ay` is given; basis "" = not eligible."""
        self.app_no += 1
        head = [f"APP{self.app_no:07d}", p.ref, ay or self.ay_new, self.on(asked[0]), status]
        facts = self.facts(basis, p.year_group)
        self.apps.row([*head, kind, urn, self.on(asked[1]), *facts, self.on(medical)])

    def facts(self, basis: str, yg: int) -> list[str]:
        """Walking and road miles, nearest, rank, low income, religion, SEND, unsafe route."""
        lo, hi = TENTHS_OF_A_MILE.get(basis, (21 if yg < 4 else 31, 90))
        walk = lo + int(self.r() * (hi - lo + 1))
        road = walk + int(self.r() * 16)
        far = basis in ("EXTENDED_RELIGION_BELIEF", "EXTENDED_LOW_INCOME_11_PLUS")
        rank = 1 + int(self.r() * 3) if far else 1 if self.r() < 0.9 else 2
        flag = self.flag
        return [
            f"{walk // 10}.{walk % 10}", f"{road // 10}.{road % 10}",
            flag(rank == 1 and basis != ""), str(rank), flag(basis.startswith("EXTENDED")),
            flag(basis == "EXTENDED_RELIGION_BELIEF"), flag(basis == "SEND_MOBILITY"),
            flag(basis == "UNSAFE_ROUTE"),
        ]  # fmt: skip
