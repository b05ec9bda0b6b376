"""A deterministic synthetic county, written as an import bundle (docs/import-format.md).

`year` is the start year of the new academic year: the data describes the end of
`year-1/year` and the run-up to `year/year+1`. Rows are streamed family by family, so a
million pupils never sit in memory, and the same (pupils, seed, year) always gives
byte-identical files. Run it with `python -m transport.synthetic --pupils N --out DIR`.
"""

from __future__ import annotations

import argparse
import random
from contextlib import ExitStack
from pathlib import Path

from transport.synthetic.county import County
from transport.synthetic.parts import HEADERS, Sink, write_closures, write_schools, write_terms

__all__ = ["generate_bundle", "main"]


def generate_bundle(
    out_dir: Path, *, pupils: int = 2000, seed: int = 7, year: int = 2026
) -> dict[str, int]:
    """Write schools.csv, terms.csv, closures.csv, pupils.csv, contacts.csv, awards.csv,
    applications.csv, arrangements.csv into out_dir (created if missing).
    Return rows written per file name."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with ExitStack() as stack:
        out = {name: Sink(stack, out_dir / name, header) for name, header in HEADERS.items()}
        schools = write_schools(out["schools.csv"], rng, max(30, pupils // 65))
        write_terms(out["terms.csv"], year)
        write_closures(out["closures.csv"], year, schools, seed)
        # The days arrangements were made come from a generator of their own.
        dates = random.Random(f"{seed}:{year}:arranged_on")
        County(rng, year, schools, out, dates).run(pupils)
    return {name: sink.rows for name, sink in out.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m transport.synthetic",
        description="Write a synthetic county as an import bundle.",
    )
    parser.add_argument("--pupils", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2026, help="start of the new academic year")
    parser.add_argument("--out", type=Path, default=Path("synthetic-bundle"))
    args = parser.parse_args(argv)
    if args.pupils < 0:
        parser.error("--pupils must not be negative")
    counts = generate_bundle(args.out, pupils=args.pupils, seed=args.seed, year=args.year)
    for name, rows in counts.items():
        print(f"{name:<17} {rows:>9}")
    return 0

