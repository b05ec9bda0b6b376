"""Mutation testing of the pure core with the unit tests (issue 16). Run by hand, never in CI.

    .venv/bin/pip install 'mutmut==3.8.1'          # in your venv only, not in pyproject
    .venv/bin/python bench/mutation.py ladder school_age working_days --min-score 95
    .venv/bin/python bench/mutation.py               # every core module (about 1 h on 2 busy cores)

For each module it copies the working tree (tracked and untracked files, not .git, .venv or
mutants/) to a temporary directory, writes a ``[mutmut]`` section to a ``setup.cfg`` there
(so pyproject.toml is never changed: mutmut 3 reads setup.cfg when pyproject.toml has no
``[tool.mutmut]``), runs ``mutmut run`` against ``tests/unit``, and reads the results. It
prints, per module, the mutants, the killed, the survivors, the mutants argued equivalent
in ``bench/mutation_equivalent.txt`` (one mutant name a line, ``#`` comments) and the score
``killed / (mutants - equivalent)``, then each survivor's diff. It exits 1 when a module
scores below ``--min-score``.

Modules run one after another (``--max-children``, default 1, bounds the processes mutmut
forks): the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MODULES = {
    "risk": "transport/domain/risk.py",
    "ladder": "transport/domain/ladder.py",
    "rules": "transport/domain/eligibility/rules.py",
    "assess": "transport/domain/eligibility/assess.py",
    "school_age": "transport/domain/school_age.py",
    "working_days": "transport/domain/working_days.py",
}
SOURCE_DIRS = ("transport", "services", "notifications", "commands", "jobs")
SKIP = {".git", ".venv", "mutants", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".hypothesis"}
EQUIVALENT_FILE = ROOT / "bench" / "mutation_equivalent.txt"
KILLED = {"killed", "timeout", "caught by type check", "segfault"}
RESULT_LINE = re.compile(r"^\s+(\S+): (.+)$")


@dataclass
class ModuleScore:
    module: str
    statuses: dict[str, str] = field(default_factory=dict)
    equivalent: set[str] = field(default_factory=set)
    diffs: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return len(self.statuses)

    @property
    def killed(self) -> int:
        return sum(status in KILLED for status in self.statuses.values())

    @property
    def survivors(self) -> list[str]:
        return [name for name, status in self.statuses.items() if status not in KILLED]

    @property
    def counted(self) -> int:
        return self.total - len(self.equivalent & set(self.survivors))

    @property
    def score(self) -> float:
        return 100.0 * self.killed / self.counted if self.counted else 100.0


def equivalent_mutants(path: Path = EQUIVALENT_FILE) -> set[str]:
    if not path.exists():
        return set()
    names = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return {name for name in names if name}


def copy_tree(destination: Path) -> None:
    for entry in ROOT.iterdir():
        if entry.name in SKIP:
            continue
        target = destination / entry.name
        if entry.is_dir():
            shutil.copytree(entry, target, ignore=shutil.ignore_patterns("__pycache__", *SKIP))
        else:
            shutil.copy2(entry, target)


def setup_cfg(module_path: str) -> str:
    also_copy = sorted(
        entry.name
        for entry in ROOT.iterdir()
        if entry.name not in SKIP and entry.name not in SOURCE_DIRS
    )
    lines = [
        "[mutmut]",
        "source_paths =",
        *(f"    {name}" for name in SOURCE_DIRS),
        "only_mutate =",
        f"    {module_path}",
        "pytest_add_cli_args_test_selection =",
        "    tests/unit",
        "pytest_add_cli_args =",
        # mutmut runs pytest in its own process and forks it: no pytest-xdist workers.
        "    -n",
        "    0",
        "    -p",
        "    no:cacheprovider",
        "    --hypothesis-profile=mutation",
        "    -p",
        "    tests.mutation_plugin",
        # It counts the lines of the source, which mutmut multiplies: not a test of behaviour.
        "    --ignore=tests/unit/test_architecture.py",
        "also_copy =",
        *(f"    {name}" for name in also_copy),
        "",
    ]
    return "\n".join(lines)


def mutmut(workdir: Path, *args: str, capture: bool = False) -> str:
    env = {**os.environ, "COLUMNS": "200"}
    command = [sys.executable, "-m", "mutmut", *args]
    result = subprocess.run(
        command, cwd=workdir, env=env, check=False, text=True, capture_output=capture
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}) in {workdir}")
    return result.stdout if capture else ""


def run_module(name: str, max_children: int, keep: bool) -> ModuleScore:
    module_path = MODULES[name]
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix=f"mutation-{name}-"))
    try:
        copy_tree(workdir)
        (workdir / "setup.cfg").write_text(setup_cfg(module_path), "utf-8")
        print(f"== {module_path}: mutmut run in {workdir}", flush=True)
        mutmut(workdir, "run", "--max-children", str(max_children))
        score = ModuleScore(module_path, equivalent=equivalent_mutants())
        for line in mutmut(workdir, "results", "--all", "true", capture=True).splitlines():
            match = RESULT_LINE.match(line)
            if match:
                score.statuses[match.group(1)] = match.group(2).strip()
        for survivor in score.survivors:
            score.diffs[survivor] = mutmut(workdir, "show", survivor, capture=True)
        score.seconds = time.monotonic() - started
        return score
    finally:
        if keep:
            print(f"   kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(scores: list[ModuleScore]) -> None:
    print()
    head = ("mutants", "killed", "surv.", "equiv.", "score", "time")
    print(f"{'module':45} " + " ".join(f"{h:>7}" for h in head))
    for s in scores:
        equivalent = len(s.equivalent & set(s.survivors))
        print(
            f"{s.module:45} {s.total:>7} {s.killed:>7} {len(s.survivors):>7} {equivalent:>7}"
            f" {s.score:>6.1f}% {s.seconds:>6.0f}s"
        )
    for s in scores:
        for survivor in s.survivors:
            tag = " (argued equivalent)" if survivor in s.equivalent else ""
            print(f"\n--- {survivor}: {s.statuses[survivor]}{tag}")
            print(s.diffs.get(survivor, "").strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"any of {', '.join(MODULES)} (default: all)")
    parser.add_argument("--min-score", type=float, default=95.0)
    parser.add_argument("--max-children", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary copies")
    args = parser.parse_args(argv)
    names = args.modules or list(MODULES)
    unknown = [name for name in names if name not in MODULES]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}: choose from {', '.join(MODULES)}")
    scores = [run_module(name, args.max_children, args.keep) for name in names]
    report(scores)
    below = [s for s in scores if s.score < args.min_score]
    for s in below:
        print(f"\n{s.module}: {s.score:.1f}% is below --min-score {args.min_score}")
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
