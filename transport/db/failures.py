"""Placeholder until the database failures' sentences land (replaced by the real module)."""

from __future__ import annotations


def explain(exc: BaseException, *, url: str) -> str | None:
    return None
