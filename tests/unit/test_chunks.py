"""Values bound in one statement come in slices of at most CHUNK, in order, none lost."""

from __future__ import annotations

from transport.db.dialect import CHUNK, chunks


def test_slices_keep_every_value_in_order_and_none_is_over_the_limit() -> None:
    values = list(range(2 * CHUNK + 7))
    sliced = list(chunks(values))
    assert [len(s) for s in sliced] == [CHUNK, CHUNK, 7]
    assert [v for s in sliced for v in s] == values


def test_no_values_no_slices() -> None:
    assert list(chunks([])) == []
