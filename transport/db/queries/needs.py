"""What a person reading about a child at risk needs to know of their needs: the SEND
flag, and the years whose travel arrangement has a passenger assistant (for the check's
HTML report; never for logs)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Connection

from transport.db.dialect import chunks
from transport.db.tables import Arrangement, Pupil


@dataclass(frozen=True)
class ChildNeeds:
    send: bool = False
    # academic year -> whether that year's arrangement has a passenger assistant
    assistant: dict[int, bool] = field(default_factory=dict)

    def assistant_year(self, academic_year: int) -> int | None:
        """The year of the arrangement that gives the child a passenger assistant for
        ``academic_year``: that year's own, else the latest one before it (a child who had
        one still needs one while next year's arrangement is not made); None: no
        arrangement up to that year has one."""
        years = [year for year in self.assistant if year <= academic_year]
        latest = max(years, default=None)
        return latest if latest is not None and self.assistant[latest] else None


def child_needs(conn: Connection, pupil_refs: Collection[str]) -> dict[str, ChildNeeds]:
    """The needs of the given children (one query per 1,000 or so, never one per child)."""
    send: dict[str, bool] = {}
    assistant: dict[str, dict[int, bool]] = {}
    for chunk in chunks(sorted(set(pupil_refs))):
        for ref, flag in conn.execute(
            select(Pupil.pupil_ref, Pupil.send).where(Pupil.pupil_ref.in_(chunk))
        ):
            send[ref] = bool(flag)
        for ref, year, with_assistant in conn.execute(
            select(
                Arrangement.pupil_ref, Arrangement.academic_year, Arrangement.passenger_assistant
            ).where(Arrangement.pupil_ref.in_(chunk))
        ):
            assistant.setdefault(ref, {})[year] = bool(with_assistant)
    return {
        ref: ChildNeeds(send.get(ref, False), assistant.get(ref, {}))
        for ref in send.keys() | assistant.keys()
    }
