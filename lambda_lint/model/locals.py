"""What a function's local names are bound to, read straight from its body."""

from __future__ import annotations

import libcst as cst

from lambda_lint.walk import descendants


def assigned_values(function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
    """The values of every `name = value` in `function` (not in nested functions)."""
    found: list[cst.BaseExpression] = []
    for node in descendants(function.body, into_functions=False):
        if (
            isinstance(node, cst.Assign)
            and any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets)
        ) or (
            isinstance(node, cst.AnnAssign)
            and isinstance(node.target, cst.Name)
            and node.target.value == name
            and node.value is not None
        ):
            found.append(node.value)
    return found


def returns_of(function: cst.FunctionDef) -> list[cst.Return]:
    """The `return` statements of `function` itself (not of nested functions)."""
    return [
        n for n in descendants(function.body, into_functions=False) if isinstance(n, cst.Return)
    ]
