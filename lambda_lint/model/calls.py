"""The call graph: which project functions each function calls, and what a set of
starting functions reaches through those calls.

`CallGraph.reach` is the one reachability walk of the model: breadth-first from the
starts, so each reached function remembers the call that first reached it and
`Reach.chain` gives the shortest call path back to a start. Phases, value propagation
and rules that need "reached from a handler, not through X" all ask it, with their own
starts and their own filter.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lambda_lint.index import CallSite
from lambda_lint.model.symbols import FunctionKey, Symbols


@dataclass(frozen=True)
class ChainStep:
    """One call on the way from a start to a function."""

    caller: FunctionKey
    call: CallSite


class Reach:
    """The functions reached from some starts, each with the call that reached it."""

    def __init__(self, parents: dict[FunctionKey, ChainStep | None]) -> None:
        self.parents = parents

    def __contains__(self, key: object) -> bool:
        return key in self.parents

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.parents)

    def __len__(self) -> int:
        return len(self.parents)

    def chain(self, key: FunctionKey) -> list[ChainStep] | None:
        """The calls from a start to `key` (empty for a start); None if not reached."""
        if key not in self.parents:
            return None
        steps: list[ChainStep] = []
        current = self.parents[key]
        seen: set[FunctionKey] = set()
        while current is not None and current.caller not in seen:
            seen.add(current.caller)
            steps.append(current)
            current = self.parents.get(current.caller)
        return list(reversed(steps))

    def start_of(self, key: FunctionKey) -> FunctionKey | None:
        """The start whose calls reach `key` first."""
        chain = self.chain(key)
        if chain is None:
            return None
        return chain[0].caller if chain else key


class CallGraph:
    """Resolved calls between project functions, computed on demand and kept."""

    def __init__(self, symbols: Symbols) -> None:
        self.symbols = symbols
        self._callees: dict[FunctionKey, list[tuple[CallSite, FunctionKey]]] = {}
        self._resolved: dict[FunctionKey, list[tuple[int, FunctionKey]]] = {}
        self._kept: Mapping[Path, Mapping[str, list[tuple[int, FunctionKey]]]] = {}
        self._callers: dict[FunctionKey, list[tuple[FunctionKey, CallSite]]] | None = None

    def callees(self, key: FunctionKey) -> list[tuple[CallSite, FunctionKey]]:
        found = self._callees.get(key)
        if found is None:
            calls = self._calls_of(key)
            found = self._callees[key] = [(calls[i], target) for i, target in self.resolved(key)]
        return found

    def resolved(self, key: FunctionKey) -> list[tuple[int, FunctionKey]]:
        """The calls of `key` that resolve to a project function: each as its position
        in the function's calls, with the function it calls."""
        found = self._resolved.get(key)
        if found is None:
            found = self._kept.get(key[0], {}).get(key[1])
            if found is None:
                found = []
                for index, call in enumerate(self._calls_of(key)):
                    target = self.symbols.resolve_call(key, call)
                    if target is not None:
                        found.append((index, target))
            self._resolved[key] = found
        return found

    def keep(self, kept: Mapping[Path, Mapping[str, list[tuple[int, FunctionKey]]]]) -> None:
        """Take what `resolved` gave in an earlier run for the functions of each file
        in `kept` (by file, then qualified name; the file and every module's surface
        unchanged) instead of resolving their calls again, when they are asked for."""
        self._kept = kept

    def _calls_of(self, key: FunctionKey) -> tuple[CallSite, ...]:
        function = self.symbols.function(key)
        return function.calls if function else ()

    def callers(self, key: FunctionKey) -> list[tuple[FunctionKey, CallSite]]:
        """Every resolved call site, anywhere in the project, that calls `key`."""
        if self._callers is None:
            self._callers = {}
            for caller, _ in self.symbols.functions():
                for call, target in self.callees(caller):
                    self._callers.setdefault(target, []).append((caller, call))
        return self._callers.get(key, [])

    def reach(
        self,
        starts: Iterable[FunctionKey],
        enter: Callable[[FunctionKey], bool] | None = None,
    ) -> Reach:
        """Everything the starts reach through resolved calls; `enter` (when given)
        decides which functions the walk may reach (and go on from)."""
        parents: dict[FunctionKey, ChainStep | None] = {}
        queue: deque[FunctionKey] = deque()
        for key in starts:
            if key not in parents and (enter is None or enter(key)):
                parents[key] = None
                queue.append(key)
        while queue:
            key = queue.popleft()
            for call, target in self.callees(key):
                if target not in parents and (enter is None or enter(target)):
                    parents[target] = ChainStep(key, call)
                    queue.append(target)
        return Reach(parents)
