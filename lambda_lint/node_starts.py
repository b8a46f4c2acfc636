"""Where the calls, function names and imported names of a libcst tree start, read off
CPython's `ast` tree of the same text rather than computed by code generation.

These are the nodes the index records by position (`lambda_lint.index`): a rule holding
a call site or an import from the project model looks for its libcst node, and a finding
on one needs its start. Both trees hold them in the same order — calls by where they
start, an enclosing call before the calls inside it; functions in the order a walk
leaves them; imported names in source order — so `NodeStarts` pairs them in that order,
checks each pair by its name, and pairs no more of a kind after a mismatch (a node it
cannot pair is left to libcst's positions). Calls need a walk of the whole libcst tree;
functions and imports, found among statements, a walk of its statements only: each is
paired when first asked for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

import libcst as cst

from lambda_lint.ast_nodes import SourceLines, dotted
from lambda_lint.finding import Position
from lambda_lint.model.names import dotted_name, imported_names
from lambda_lint.walk import Visitor, children, node_types

#: the libcst node types `NodeStarts` may know (a function's name is a `Name`; a
#: `from x import *` is known by its statement)
PAIRED = (cst.Call, cst.Name, cst.ImportAlias, cst.ImportFrom)


class NodeStarts:
    """The starts of the calls of a dotted name, the function names and the imported
    names of `module` (parsed, as `tree`, from `text`)."""

    def __init__(self, module: cst.Module, tree: ast.Module, text: str) -> None:
        self._module = module
        self._tree = tree
        self._lines = SourceLines(text)
        self._calls: dict[cst.CSTNode, Position] | None = None
        self._statements: dict[cst.CSTNode, Position] | None = None
        self._nodes: dict[tuple[int, int], cst.CSTNode] | None = None

    def start(self, node: cst.CSTNode) -> Position | None:
        table = self._call_starts() if type(node) is cst.Call else self._statement_starts()
        return table.get(node)

    def at(self, line: int, column: int) -> cst.CSTNode | None:
        """The node that starts at this position (a call, a function's name, an
        imported name), as the index records it."""
        if self._nodes is None:
            every = {**self._call_starts(), **self._statement_starts()}
            self._nodes = {(s.line, s.column): n for n, s in every.items()}
        return self._nodes.get((line, column))

    def _call_starts(self) -> dict[cst.CSTNode, Position]:
        if self._calls is None:
            found = [
                (_call_order(n), name, n)
                for n in ast.walk(self._tree)
                if type(n) is ast.Call and (name := dotted(n.func)) is not None  # type: ignore[attr-defined]
            ]
            found.sort(key=lambda item: item[0])
            walk = _CstCalls()
            walk.walk(self._module)
            starts = [(name, self._lines.start(node)) for _, name, node in found]
            self._calls = _paired(starts, walk.calls)
        return self._calls

    def _statement_starts(self) -> dict[cst.CSTNode, Position]:
        if self._statements is None:
            functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
            imports: list[ast.Import | ast.ImportFrom] = []
            for node in _ast_statements(self._tree.body):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    functions.append(node)
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    imports.append(node)
            functions.sort(key=_leaving_order)
            lines = self._lines
            cst_functions, cst_imported = _cst_statements(self._module)
            self._statements = _paired(
                [(f.name, lines.function_name(f)) for f in functions], cst_functions
            )
            imported = [
                (alias.name, start)
                for statement in imports
                for alias, start in zip(statement.names, lines.import_names(statement))
            ]
            self._statements.update(_paired(imported, cst_imported))
        return self._statements


def _paired(
    starts: list[tuple[str, Position]], nodes: list[tuple[str, cst.CSTNode]]
) -> dict[cst.CSTNode, Position]:
    """Each node with the start of the same rank, up to the first whose names differ."""
    found = {}
    for (name, start), (cst_name, node) in zip(starts, nodes):
        if name != cst_name:
            break
        found[node] = start
    return found


def _call_order(node: ast.Call) -> tuple[int, int, int, int]:
    """Calls by where they start, an enclosing call before the calls inside it."""
    return (node.lineno, node.col_offset, -(node.end_lineno or 0), -(node.end_col_offset or 0))


def _leaving_order(node: ast.FunctionDef | ast.AsyncFunctionDef) -> tuple[int, int, int, int]:
    """Functions in the order a walk leaves them: by where they end, and of two that end
    together the inner one (which starts later) first."""
    return (node.end_lineno or 0, node.end_col_offset or 0, -node.lineno, -node.col_offset)


#: the fields of an `ast` statement that hold statements
_AST_SUITES = ("body", "orelse", "finalbody", "handlers", "cases")


def _ast_statements(statements: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement (and `except` clause, `case`) in and below `statements`, in
    source order."""
    for statement in statements:
        yield statement
        for field in _AST_SUITES:
            inner = getattr(statement, field, None)
            if inner:
                yield from _ast_statements(inner)


#: libcst nodes that hold statements (met on the way down to them); a node is tested by
#: `type(node) in`, not isinstance (see `walk.node_types`)
_CST_HOLDERS = node_types(
    cst.BaseCompoundStatement,
    cst.BaseSuite,
    cst.SimpleStatementLine,
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
    cst.MatchCase,
)


def _cst_statements(
    module: cst.Module,
) -> tuple[list[tuple[str, cst.CSTNode]], list[tuple[str, cst.CSTNode]]]:
    """The function names (in the order a walk leaves their functions) and the imported
    names (in source order) of `module`, found among its statements alone."""
    functions: list[tuple[str, cst.CSTNode]] = []
    imported: list[tuple[str, cst.CSTNode]] = []
    _visit_statements(module, functions, imported)
    return functions, imported


def _visit_statements(
    node: cst.CSTNode,
    functions: list[tuple[str, cst.CSTNode]],
    imported: list[tuple[str, cst.CSTNode]],
) -> None:
    # a module-level function, not a recursive closure: a closure that calls itself is
    # a reference cycle, which would keep what it refers to until the cyclic collector runs
    for child in children(node):
        if type(child) is cst.Import or type(child) is cst.ImportFrom:
            for name, item in imported_names(child):
                imported.append((item.module if item.name is None else item.name, name))
        elif type(child) in _CST_HOLDERS:
            _visit_statements(child, functions, imported)
            if type(child) is cst.FunctionDef:
                functions.append((child.name.value, child.name))


class _CstCalls(Visitor):
    """The calls of a dotted name, in source order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, cst.CSTNode]] = []

    def visit_Call(self, node: cst.Call) -> None:
        name = dotted_name(node.func)
        if name is not None:
            self.calls.append((name, node))
