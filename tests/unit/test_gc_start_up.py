"""A command's start-up (transport/gc_tuning.py start_up, started): the collector off while
modules load, then on again, with what start-up made set aside."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from transport.gc_tuning import start_up, started

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def collector() -> Iterator[None]:
    yield
    gc.enable()
    gc.unfreeze()


def test_start_up_turns_the_collector_off_and_started_turns_it_on_with_a_freeze(
    collector: None,
) -> None:
    start_up()
    assert not gc.isenabled()
    made = [[] for _ in range(1000)]  # objects that live on, as modules' do
    started()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)


def test_started_leaves_a_running_collector_as_it_is(collector: None) -> None:
    started()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_started_leaves_a_collector_its_caller_turned_off_as_it_is(collector: None) -> None:
    gc.disable()  # a caller's own choice, not start_up()'s
    started()
    assert not gc.isenabled()
    assert gc.get_freeze_count() == 0


PROBE = """\
import gc, sys
import transport.db.schema as schema
import transport.synthetic as synthetic

def probed(module, name):
    real = getattr(module, name)
    def probe(*args, **kwargs):
        print(name, "with the collector on:", gc.isenabled())
        return real(*args, **kwargs)
    setattr(module, name, probe)

probed(schema, "current_revision")
probed(synthetic, "generate_bundle")
import cli
sys.argv = ["transport", *sys.argv[1:]]
cli.main()
"""


@pytest.mark.parametrize(
    ("args", "work"),
    [
        (["db", "current"], "current_revision"),  # builds its application first
        (["generate", "--pupils", "5", "--out", "{tmp}/bundle"], "generate_bundle"),  # none
    ],
)
def test_a_command_does_its_work_with_the_collector_on(
    tmp_path: Path, args: list[str], work: str
) -> None:
    env = {**os.environ, "TRANSPORT_DATABASE_URL": f"sqlite:///{tmp_path}/t.db",
           "TRANSPORT_CONFIG": ""}  # fmt: skip
    argv = [a.format(tmp=tmp_path) for a in args]
    if work == "current_revision":
        made = subprocess.run([sys.executable, "-m", "cli", "db", "upgrade"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert made.returncode == 0, made.stderr
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{work} with the collector on: True" in done.stdout
