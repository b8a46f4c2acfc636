"""What a function's local names are bound to, read straight from its body."""

from __future__ import annotations

import libcst as cst


def assigned_values(function: cst.FunctionDef, name: str) -> list[cst.BaseExpression]:
    """The values of every `name = value` in `function` (not in nested functions)."""
    found: list[cst.BaseExpression] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_Assign(self, node: cst.Assign) -> None:
            if any(isinstance(t.target, cst.Name) and t.target.value == name for t in node.targets):
                found.append(node.value)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if isinstance(node.target, cst.Name) and node.target.value == name and node.value:
                found.append(node.value)

    function.visit(Finder())
    return found


def returns_of(function: cst.FunctionDef) -> list[cst.Return]:
    """The `return` statements of `function` itself (not of nested functions)."""
    found: list[cst.Return] = []

    class Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Return(self, node: cst.Return) -> None:
            found.append(node)

    function.visit(Finder())
    return found
