"""Files a run reads beyond those discovery lists, such as an OpenAPI document that a
template includes by path. The reader notes each one here; the cache keys a project's
result by their content too, so an edit to one is never answered from a stale result."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

_noted: ContextVar[set[Path] | None] = ContextVar("lambda_lint_reads", default=None)


def note_read(path: Path) -> None:
    """Record that the run read (or looked for) `path`."""
    noted = _noted.get()
    if noted is not None:
        noted.add(path)


@contextmanager
def noting_reads() -> Iterator[set[Path]]:
    """The files noted while the block runs."""
    noted: set[Path] = set()
    token = _noted.set(noted)
    try:
        yield noted
    finally:
        _noted.reset(token)
