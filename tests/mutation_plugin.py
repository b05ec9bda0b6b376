"""A pytest plugin for bench/mutation.py only (`-p tests.mutation_plugin`).

mutmut 3 forks each mutant's run from a process that has already run the tests, so a
cache filled there (bank_holidays is an lru_cache) would hand the mutant the original
code's answers, and a mutant in a helper behind it would survive unseen. Each test starts
with the caches empty.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from transport.domain.working_days import bank_holidays


@pytest.fixture(autouse=True)
def _empty_core_caches() -> Iterator[None]:
    bank_holidays.cache_clear()
    yield
