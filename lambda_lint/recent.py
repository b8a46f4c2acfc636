"""A map that holds the entries used last, up to a bound: what a process keeps of the
files it worked on between runs, or of the functions a rule asked about."""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecentlyUsed(Generic[K, V]):
    """At most `size` entries; keeping one more lets go of the one kept longest ago."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[K, V] = {}

    def take(self, key: K) -> V | None:
        """The entry under `key`, removed (keep it again to use it again), if any."""
        return self._entries.pop(key, None)

    def keep(self, key: K, value: V) -> None:
        """Keep `value` under `key`, as the entry used last."""
        self._entries.pop(key, None)
        self._entries[key] = value
        while len(self._entries) > self.size:
            del self._entries[next(iter(self._entries))]
