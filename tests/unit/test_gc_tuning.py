"""transport/gc_tuning.py: full collector passes held off during bulk work, young ones not."""

from __future__ import annotations

import gc
import weakref
from typing import Any

from transport.gc_tuning import full_passes_held


class Node:
    me: Any = None


def _generations_collected(work: Any) -> list[int]:
    """The generations of the collector passes that started while ``work()`` ran.

    The objects the test session already holds are frozen first: CPython starts a full
    pass only when the objects new since the last one exceed a quarter of those already
    long-lived, so a large session would otherwise hide (or fake) what is measured."""
    passes: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    thresholds, enabled = gc.get_threshold(), gc.isenabled()
    gc.collect()
    gc.freeze()
    gc.set_threshold(700, 10, 10)  # CPython's own defaults, whatever the session set
    gc.enable()
    gc.callbacks.append(note)
    try:
        work()
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*thresholds)
        if not enabled:
            gc.disable()
        gc.unfreeze()
    return passes


def _bulk_work() -> None:
    kept = [[n] for n in range(1_000_000)]  # many live containers, as in a check
    del kept


def test_the_bulk_work_sets_off_a_full_pass_when_nothing_holds_it() -> None:
    # The control: without full_passes_held the same work does set off a full pass, so
    # the test below can fail.
    gc.collect()
    assert 2 in _generations_collected(_bulk_work)


def test_no_full_pass_during_bulk_work_but_young_passes_go_on() -> None:
    restored: list[bool] = []

    def held() -> None:
        before = gc.get_threshold()
        with full_passes_held():
            _bulk_work()
        restored.append(gc.get_threshold() == before)

    passes = _generations_collected(held)
    assert restored == [True]
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
        del kept  # held alive to here, so that its allocations count
