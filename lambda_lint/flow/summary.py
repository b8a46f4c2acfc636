"""Function flow summaries: what a function does with its parameters, as plain data,
and how a caller's values go through it.

`summarise()` analyses a function with symbolic seeds — parameter i holds
`Ref("param", index=i)` — and with every call it cannot see into standing for its
result, `Ref("call", index=n)` (call site n). The `FunctionFlowSummary` it returns
says, for each call site, which parameter paths (with the facts known there and the
labels gained on the way) reach each argument, and which reach the return value. It is
plain data: tuples, strings, ints and frozen dataclasses (refs carry `(file, line,
column)` origins, not syntax nodes), so the index can cache it.

The project model then applies summaries to real values: `Instance(summary, seeds,
result_of)` gives, in terms of a caller's refs, what each call site receives and what
the function returns. `result_of` answers for call sites that reach a project
function (usually by instantiating that function's summary in turn); the others get
the engine's rule for unknown calls (derived from the receiver, else the arguments).
`arguments_to_parameters()` maps one call's arguments onto the callee's parameters,
and `passed()` records that step in the values' origins.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Callable, NamedTuple, Optional

from lambda_lint.flow import ir
from lambda_lint.flow.engine import CallArgs, analyse, derived_result, symbolic_call
from lambda_lint.flow.refs import EMPTY, Ref, Refs, Step, Where, step_text, substitute, with_step
from lambda_lint.flow.semantics import Semantics

#: parameter kinds that receive a symbolic seed (what a call's arguments map onto)
SEEDED_KINDS = ("posonly", "positional", "kwonly")

Located = Callable[[ir.Syntax], Optional[tuple[int, int]]]


def ast_location(node: ir.Syntax) -> tuple[int, int] | None:
    """(line, column) of an `ast` node. The column counts UTF-8 bytes, as `ast` does."""
    line = getattr(node, "lineno", None)
    return (line, node.col_offset) if line is not None else None


class CallFlow(NamedTuple):
    """One call site of a summarised function: the refs reaching its arguments. (A
    named tuple rather than a frozen dataclass: there is one per call of every
    function, and a tuple is several times cheaper to build.)"""

    index: int
    #: the callee as written ("helpers.build", "self.save"); None for `f()()` and the like
    target: str | None
    line: int
    column: int
    args: tuple[tuple[Ref, ...], ...]
    starred: tuple[bool, ...]
    keywords: tuple[tuple[str | None, tuple[Ref, ...]], ...]
    receiver: tuple[Ref, ...]

    def call_args(self) -> CallArgs:
        return CallArgs(
            tuple(frozenset(a) for a in self.args),
            self.starred,
            tuple((k, frozenset(v)) for k, v in self.keywords),
            frozenset(self.receiver),
        )


@dataclass(frozen=True)
class FunctionFlowSummary:
    """What flows from a function's parameters into its calls and its return value."""

    #: the file, as the origins of the refs name it
    path: str
    #: (name, kind) of each parameter, in order
    params: tuple[tuple[str, str], ...]
    calls: tuple[CallFlow, ...]
    returns: tuple[Ref, ...]


def symbolic_seeds(function: ir.Function) -> dict[str, Refs]:
    """Parameter i holds `Ref("param", index=i)` (for the kinds a call's arguments map
    onto)."""
    return {
        p.name: frozenset({Ref("param", index=i)})
        for i, p in enumerate(function.params)
        if p.kind in SEEDED_KINDS
    }


def summarise(
    function: ir.Function,
    *,
    semantics: Semantics,
    qualify: Callable[[str], str] = str,
    path: str = "",
    locate: Located = ast_location,
    module_env: Mapping[str, Refs] | None = None,
    constants: Collection[str] = (),
) -> FunctionFlowSummary:
    """The summary of one function of the file `path` (positions by `locate`)."""
    seeds = symbolic_seeds(function)
    # without a parameter (or module value) flowing in, call results cannot carry
    # anything a caller gave either: no need to stand for them
    flows = bool(seeds) or any((module_env or {}).values()) or bool(semantics.sources)
    analysis = analyse(
        function,
        seeds,
        semantics=semantics,
        qualify=qualify,
        resolve_call=symbolic_call if flows else None,
        module_env=module_env,
        constants=constants,
    )
    frozen = _Freezer(path, locate)
    calls = []
    for call in function.calls:
        args = analysis.call_args(call)
        line, column = locate(call.syntax) or (0, 0)
        calls.append(
            CallFlow(
                call.index,
                call.name,
                line,
                column,
                tuple(frozen.refs(a) for a in args.positional),
                args.starred,
                tuple((k, frozen.refs(v)) for k, v in args.keywords),
                frozen.refs(args.receiver),
            )
        )
    params = tuple((p.name, p.kind) for p in function.params)
    return FunctionFlowSummary(path, params, tuple(calls), frozen.refs(analysis.returns))


class _Freezer:
    """Turns refs into plain data: origins located, sets sorted."""

    def __init__(self, path: str, locate: Located) -> None:
        self.path = path
        self.locate = locate
        self._refs: dict[Ref, Ref] = {}
        self._steps: dict[int, tuple[Where, str]] = {}

    def refs(self, refs: Refs) -> tuple[Ref, ...]:
        if not refs:
            return ()
        if len(refs) < 2:
            return tuple(self.ref(r) for r in refs)
        return tuple(sorted((self.ref(r) for r in refs), key=_order))

    def ref(self, ref: Ref) -> Ref:
        frozen = self._refs.get(ref)
        if frozen is None:
            origin = tuple(self.step(step) for step in ref.origin)
            frozen = self._refs[ref] = ref._but(origin=origin)
        return frozen

    def step(self, step: Step) -> tuple[Where, str]:
        found = self._steps.get(id(step))
        if found is None:
            where = step[0]
            if not isinstance(where, tuple):
                located = self.locate(where)
                where = (self.path, *located) if located is not None else (self.path, 0, 0)
            found = self._steps[id(step)] = (where, step_text(step))
        return found


def _order(ref: Ref) -> tuple[object, ...]:
    return (
        ref.root,
        ref.index,
        ref.path,
        ref.trigger or "",
        ref.default,
        repr(ref.facts),
        ref.labels,
    )


#: what a resolved call site returns, given the actual arguments; None: not a project
#: function (the engine's rule for unknown calls applies)
ResultOf = Callable[[CallFlow, CallArgs], Optional[Refs]]


class Instance:
    """A summary applied to actual values: `seeds` maps parameter index to the refs
    the caller passes."""

    def __init__(
        self,
        summary: FunctionFlowSummary,
        seeds: Mapping[int, Refs],
        result_of: ResultOf | None = None,
    ) -> None:
        self.summary = summary
        self.seeds = seeds
        self.result_of = result_of
        self._results: dict[int, Refs] = {}
        self._args: dict[int, CallArgs] = {}

    def actual(self, refs: Sequence[Ref]) -> Refs:
        """Summary refs in terms of the actual values."""
        found: set[Ref] = set()
        for ref in refs:
            if ref.root == "param":
                found |= substitute(ref, self.seeds.get(ref.index, EMPTY))
            elif ref.root == "call":
                found |= substitute(ref, self.result(ref.index))
            else:
                found.add(ref)
        return frozenset(found)

    def args(self, index: int) -> CallArgs:
        """What call site `index` receives."""
        found = self._args.get(index)
        if found is None:
            call = self.summary.calls[index]
            found = self._args[index] = CallArgs(
                tuple(self.actual(a) for a in call.args),
                call.starred,
                tuple((k, self.actual(v)) for k, v in call.keywords),
                self.actual(call.receiver),
            )
        return found

    def result(self, index: int) -> Refs:
        """What call site `index` returns."""
        found = self._results.get(index)
        if found is not None:
            return found
        self._results[index] = EMPTY  # a call feeding itself (in a loop) ends here
        call = self.summary.calls[index]
        args = self.args(index)
        resolved = self.result_of(call, args) if self.result_of is not None else None
        if resolved is None:
            where = (self.summary.path, call.line, call.column)
            resolved = derived_result(args, where, f"{call.target or 'call'}(...)")
        self._results[index] = resolved
        return resolved

    def returns(self) -> Refs:
        return self.actual(self.summary.returns)


def arguments_to_parameters(
    params: Sequence[tuple[str, str]], args: CallArgs, offset: int = 0
) -> dict[int, Refs]:
    """Which parameter (by index) receives which refs from a call's arguments.
    `offset` skips parameters the call does not pass (1 for `self` when a method is
    called on an instance)."""
    positional = [i for i, (_, kind) in enumerate(params) if kind in ("posonly", "positional")]
    by_name = {name: i for i, (name, kind) in enumerate(params) if kind != "posonly"}
    received: dict[int, Refs] = {}
    slots = positional[offset:]
    for position, (refs, starred) in enumerate(zip(args.positional, args.starred)):
        if starred:
            break  # `*args`: which parameters the items reach is not known
        if position < len(slots) and refs:
            received[slots[position]] = refs
    for name, refs in args.keywords:
        if name is not None and name in by_name and refs:
            index = by_name[name]
            received[index] = received.get(index, EMPTY) | refs
    return received


def passed(refs: Refs, where: Where, callee: str, parameter: str) -> Refs:
    """`refs` with the step into a callee in their origin."""
    return with_step(refs, where, f"passed to {callee}() as `{parameter}`")
