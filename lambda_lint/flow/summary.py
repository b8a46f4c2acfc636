"""What a function's parameters are to the value flow, and how a caller's values go
into a callee.

`symbolic_seeds()` gives a function's parameters symbolic values (parameter i holds
`Ref("param", index=i)`), so that an analysis tells which parameter paths reach each
call and the return value (the index's summaries record those paths).
`arguments_to_parameters()` maps one call's arguments onto the callee's parameters,
and `passed()` records that step in the values' origins (the security flows follow
values across functions so).
"""

from __future__ import annotations

from collections.abc import Sequence

from lambda_lint.flow import ir
from lambda_lint.flow.engine import CallArgs
from lambda_lint.flow.refs import EMPTY, Ref, Refs, Where, with_step

#: the parameter kinds a call's arguments map onto by position or by name
SEEDED_KINDS = ("posonly", "positional", "kwonly")


def symbolic_seeds(function: ir.Function) -> dict[str, Refs]:
    """Parameter i holds `Ref("param", index=i)` (for the kinds a call's arguments map
    onto)."""
    return {
        p.name: frozenset({Ref("param", index=i)})
        for i, p in enumerate(function.params)
        if p.kind in SEEDED_KINDS
    }


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
