"""transport/gc_tuning.py: full collector passes held off during bulk work, young ones not."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from transport.gc_tuning import full_passes_held


class Node:
    me: Any = None


def test_no_full_pass_during_bulk_work_but_young_passes_go_on() -> None:
    passes: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    before = gc.get_threshold()
    gc.callbacks.append(note)
    try:
        with full_passes_held():
            kept = [[n] for n in range(1_000_000)]  # many live containers, as in a check
        assert kept[-1] == [999_999]
    finally:
        gc.callbacks.remove(note)
    assert gc.get_threshold() == before
    assert 0 in passes  # young collections still ran
    assert 2 not in passes  # but never a full one


def test_cyclic_garbage_made_inside_is_still_freed() -> None:
    with full_passes_held():
        node = Node()
        node.me = node  # a cycle: only the collector can free it
        ref = weakref.ref(node)
        del node
        kept = [[n] for n in range(50_000)]  # live allocations set off young collections
        assert ref() is None
    assert len(kept) == 50_000
