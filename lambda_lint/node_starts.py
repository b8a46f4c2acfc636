"""Where the calls, function names and imported names of a libcst tree start, read off
CPython's `ast` tree of the same text rather than computed by code generation.

These are the nodes the index records by position (`lambda_lint.index`): a rule holding
a call site or an import from the project model looks for its libcst node, and a finding
on one needs its start. Both trees hold them in the same order — calls by where they
start, an enclosing call before the calls inside it; functions in the order a walk
leaves them; imported names in source order — so `NodeStarts` pairs them in that order,
checks each pair by its name, and pairs no more of a kind after a mismatch (a node it
cannot pair is left to libcst's positions).
"""

from __future__ import annotations

import ast

import libcst as cst

from lambda_lint.ast_nodes import SourceLines, dotted
from lambda_lint.finding import Position
from lambda_lint.model.names import dotted_name
from lambda_lint.walk import Visitor

#: the libcst node types `NodeStarts` may know (a function's name is a `Name`; a
#: `from x import *` is known by its statement)
PAIRED = (cst.Call, cst.Name, cst.ImportAlias, cst.ImportFrom)


class NodeStarts:
    """The starts of the calls of a dotted name, the function names and the imported
    names of `module` (parsed, as `tree`, from `text`)."""

    def __init__(self, module: cst.Module, tree: ast.Module, text: str) -> None:
        lines = SourceLines(text)
        calls: list[tuple[tuple[int, ...], str, ast.Call]] = []
        functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
        statements: list[ast.Import | ast.ImportFrom] = []
        for node in ast.walk(tree):
            kind = type(node)
            if kind is ast.Call:
                name = dotted(node.func)  # type: ignore[attr-defined]
                if name is not None:
                    calls.append((_call_order(node), name, node))  # type: ignore[arg-type]
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                functions.append(node)  # type: ignore[arg-type]
            elif kind is ast.Import or kind is ast.ImportFrom:
                statements.append(node)  # type: ignore[arg-type]
        calls.sort(key=lambda item: item[0])
        functions.sort(key=_leaving_order)
        statements.sort(key=lambda n: (n.lineno, n.col_offset))
        walk = _CstNodes()
        walk.walk(module)
        kinds = (
            ([(name, lines.start(node)) for _, name, node in calls], walk.calls),
            ([(f.name, lines.function_name(f)) for f in functions], walk.functions),
            (
                [
                    (alias.name, start)
                    for statement in statements
                    for alias, start in zip(statement.names, lines.import_names(statement))
                ],
                walk.imported,
            ),
        )
        self._starts: dict[cst.CSTNode, Position] = {}
        for starts, nodes in kinds:
            for (name, start), (cst_name, cst_node) in zip(starts, nodes):
                if name != cst_name:
                    break
                self._starts[cst_node] = start
        self._nodes = {(s.line, s.column): n for n, s in self._starts.items()}

    def start(self, node: cst.CSTNode) -> Position | None:
        return self._starts.get(node)

    def at(self, line: int, column: int) -> cst.CSTNode | None:
        """The node that starts at this position (a call, a function's name, an
        imported name), as the index records it."""
        return self._nodes.get((line, column))


def _call_order(node: ast.Call) -> tuple[int, int, int, int]:
    """Calls by where they start, an enclosing call before the calls inside it."""
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))


def _leaving_order(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, int, int, int]:
    """Functions in the order a walk leaves them: by where they end, and of two that end
    together the inner one (which starts later) first."""
    return (node.end_lineno or 0, node.end_col_offset or 0, -node.lineno, -node.col_offset)


class _CstNodes(Visitor):
    """The calls of a dotted name, the function names and the imported names, each
    with its name, in the orders `NodeStarts` pairs them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, cst.CSTNode]] = []
        self.functions: list[tuple[str, cst.CSTNode]] = []
        self.imported: list[tuple[str, cst.CSTNode]] = []

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted_name(node.func)
        if name is not None:
            self.calls.append((name, node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.append((original_node.name.value, original_node.name))

    def visit_Import(self, node: cst.Import) -> None:
        self.imported += [(dotted_name(a.name) or "", a) for a in node.names]

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            self.imported.append(("*", node))
        else:
            self.imported += [(dotted_name(a.name) or "", a) for a in node.names]
