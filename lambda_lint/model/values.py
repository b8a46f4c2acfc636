"""What each parameter of a per-invocation function holds: the event (of which trigger,
at which access path) or the context, propagated from the handlers through the value
flow the index recorded at every call site."""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from pathlib import Path

from lambda_lint.model.calls import CallGraph
from lambda_lint.model.flow import Ref
from lambda_lint.model.handlers import Handler
from lambda_lint.model.symbols import FunctionKey, Symbols

#: parameter index -> the refs it may hold
Seeds = dict[int, frozenset[Ref]]

#: a bound on propagation rounds (recursion through many functions converges long before)
MAX_ROUNDS = 10000


def propagate(
    symbols: Symbols,
    calls: CallGraph,
    handlers: Iterable[Handler],
    within: Collection[Path] | None = None,
) -> dict[FunctionKey, Seeds]:
    """Seeds for every function the handlers' event or context reaches; with `within`,
    only through the functions of those files (then they must hold every function that
    calls one of theirs, for their seeds to be whole)."""
    seeds: dict[FunctionKey, Seeds] = {}
    queue: deque[FunctionKey] = deque()
    for handler in handlers:
        function = symbols.function(handler.key)
        if function is None or (within is not None and handler.file not in within):
            continue
        names = [p.name for p in function.params]
        start: Seeds = {}
        if handler.event_param is not None:
            start[names.index(handler.event_param)] = frozenset(
                {Ref("event", (), handler.event_kind)}
            )
        if handler.context_param is not None:
            start[names.index(handler.context_param)] = frozenset({Ref("context")})
        if handler.chalice_view:  # Chalice passes the URL's path parameters by name
            for index, name in enumerate(names):
                start[index] = frozenset({Ref("event", ("pathParameters", name))})
        seeds[handler.key] = start
        queue.append(handler.key)
    #: each ref extended by each access path, made once: propagation meets the same
    #: ones again and again, and sets compare the same objects faster
    extended: dict[tuple[Ref, tuple[str, ...]], Ref] = {}
    rounds = 0
    while queue and rounds < MAX_ROUNDS:
        rounds += 1
        key = queue.popleft()
        caller_seeds = seeds.get(key, {})
        for call, target in calls.callees(key):
            callee = symbols.function(target)
            if callee is None or (within is not None and target[0] not in within):
                continue
            offset = symbols.bound_offset(callee, call.target)
            incoming: dict[int, set[Ref]] = {}
            for position, paths in enumerate(call.args):
                _flow_into(incoming, position + offset, paths, caller_seeds, extended)
            names = [p.name for p in callee.params] if call.kwargs else []
            for keyword, paths in call.kwargs:
                if keyword in names:
                    _flow_into(incoming, names.index(keyword), paths, caller_seeds, extended)
            current = seeds.setdefault(target, {})
            changed = False
            for index, refs in incoming.items():
                merged = current.get(index, frozenset()) | refs
                if merged != current.get(index):
                    current[index] = merged
                    changed = True
            if changed:
                queue.append(target)
    return seeds


def _flow_into(
    incoming: dict[int, set[Ref]],
    index: int,
    paths: tuple[tuple[int, tuple[str, ...]], ...],
    caller_seeds: Seeds,
    extended: dict[tuple[Ref, tuple[str, ...]], Ref],
) -> None:
    """Add to parameter `index` of `incoming` the caller's refs that an argument passes
    (`paths`: the caller's parameter and the access path), each extended by its path
    (made once, in `extended`)."""
    for param_index, path in paths:
        for ref in caller_seeds.get(param_index, ()):
            found = extended.get((ref, path))
            if found is None:
                found = extended[ref, path] = ref.extend(*path)
            incoming.setdefault(index, set()).add(found)
