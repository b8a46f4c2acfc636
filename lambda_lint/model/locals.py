"""What a function's local names are bound to, read straight from its body.

Rules ask these questions for many nodes of the same function (every `.get()` call asks
what its receiver is bound to), so one walk of a function's body answers all of them,
and the answers of the last few functions are kept (libcst trees never change).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

import libcst as cst

from lambda_lint.recent import RecentlyUsed
from lambda_lint.walk import descendants

#: how many functions' bindings are kept
KEPT = 32


@dataclass
class _Body:
    """The assignments and returns of one function's own body, in source order, and
    whether it yields."""

    values: dict[str, list[cst.BaseExpression]] = field(default_factory=dict)
    returns: list[cst.Return] = field(default_factory=list)
    yields: bool = False


_bodies: RecentlyUsed[int, tuple[cst.FunctionDef, _Body]] = RecentlyUsed(KEPT)


def assigned_values(function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
    """The values of every `name = value` in `function` (not in nested functions)."""
    return list(_body(function).values.get(name, ()))


def returns_of(function: cst.FunctionDef) -> list[cst.Return]:
    """The `return` statements of `function` itself (not of nested functions)."""
    return list(_body(function).returns)


def _body(function: cst.FunctionDef) -> _Body:
    kept = _bodies.take(id(function))
    if kept is not None and kept[0] is function:
        _bodies.keep(id(function), kept)
        return kept[1]
    body = _read(function)
    _bodies.keep(id(function), (function, body))
    return body


def _read(function: cst.FunctionDef) -> _Body:
    body = _Body()
    for node in descendants(function.body, into_functions=False):
        # `type(...) is`, not isinstance: see `walk.node_types`
        if type(node) is cst.Assign:
            names = {t.target.value for t in node.targets if type(t.target) is cst.Name}
            for name in names:
                body.values.setdefault(name, []).append(node.value)
        elif type(node) is cst.AnnAssign:
            if type(node.target) is cst.Name and node.value is not None:
                body.values.setdefault(node.target.value, []).append(node.value)
        elif type(node) is cst.Return:
            body.returns.append(node)
        elif type(node) is cst.Yield:
            body.yields = True
    return body


def returns_constants(function: cst.FunctionDef, local: Collection[str]) -> bool:
    """Whether every value `function` returns is a constant: a literal, or a name the
    function does not bind (`local`: its parameters and local variables), read alone or
    through attributes (`None`, a module-level constant, an enum member `Kind.S3`),
    or a choice between constants (`"a" if test else "b"`).
    Whatever it was given, its result then carries none of it. A generator's items
    are not its returns: it does not qualify."""
    body = _body(function)
    return not body.yields and all(
        n.value is None or _constant(n.value, local) for n in body.returns
    )


def _constant(node: cst.BaseExpression, local: Collection[str]) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _constant(node.left, local) and _constant(node.right, local)
    if isinstance(node, cst.UnaryOperation):
        return _constant(node.expression, local)
    if isinstance(node, cst.IfExp):
        return _constant(node.body, local) and _constant(node.orelse, local)
    if isinstance(node, cst.Tuple):
        return all(_constant(e.value, local) for e in node.elements)
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name) and node.value not in local
