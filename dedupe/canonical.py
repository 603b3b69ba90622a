"""Which copy of an article is kept: one policy, in one place.

The most complete copy (longest cleaned text), then the earliest date when known, then the
shortest URL, then the smallest id. Unlike a union-find root or the first index, this does not
depend on input order, and `decided_by` says which rule settled it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence


@dataclass(frozen=True, slots=True)
class DocKey:
    """The facts about a document the canonical policy looks at."""

    id: str
    length: int  # characters of cleaned text
    published: str | None = None  # ISO date when known
    url: str | None = None


def sort_key(key: DocKey) -> tuple:
    return (
        -key.length,
        key.published is None,
        key.published or "",
        key.url is None,
        len(key.url) if key.url else 0,
        key.id,
    )


def canonical_order(keys: Sequence[DocKey]) -> list[int]:
    """Indexes of `keys`, best canonical candidate first."""
    return sorted(range(len(keys)), key=lambda i: sort_key(keys[i]))


def decided_by(canonical: DocKey, runner_up: DocKey) -> str:
    """The first rule of the policy that puts `canonical` before `runner_up`."""
    if canonical.length != runner_up.length:
        return "longest"
    if canonical.published and runner_up.published and canonical.published != runner_up.published:
        return "earliest"
    if (canonical.published is None) != (runner_up.published is None):
        return "earliest"
    if canonical.url and runner_up.url and len(canonical.url) != len(runner_up.url):
        return "shortest_url"
    if (canonical.url is None) != (runner_up.url is None):
        return "shortest_url"
    return "smallest_id"
