"""Where the nodes the index records start, read from the `ast` tree of the same text.

The index records the position of every call, import, function name and module-level
assignment. libcst computes positions by generating code (`lambda_lint.positions`),
which costs several times the parse; CPython's `ast`, which the source check builds
anyway, has them for free. The index walks the libcst tree in source order, so it meets
the calls (the imports, the functions as it leaves them, the module-level assignments)
in the order their `ast` counterparts start: `Anchors` hands out the `ast` positions of
each kind in that order, and checks each against the libcst node it is given (the
callee's dotted name, the import's name, the function's name in the line's text, the
assignment's targets). Columns are converted from `ast`'s UTF-8 byte offsets to
characters, as libcst counts them.

Where the two could disagree, the libcst position is computed instead, per node: a call
inside an f-string (whose inner positions CPython before 3.12 does not always give), an
import alias before Python 3.10 (it has no position of its own), a function whose name
is not on its `def` line, and, for the rest of the file, every node of a kind whose
sequence once failed its check. The answers are therefore always libcst's positions,
and the starts of calls, imports and function names are handed to the module's
`Positions` too, so the check stage finds them there without code generation.
"""

from __future__ import annotations

import ast
import re
from typing import Callable, NamedTuple

import libcst as cst

from lambda_lint.finding import Position
from lambda_lint.model.names import dotted_name
from lambda_lint.positions import NEWLINE, Positions
from lambda_lint.walk import Visitor

#: `def name` / `async def name` from the start of a function statement
DEF = re.compile(r"(?:async[ \t]+)?def[ \t]+")


class _Anchor(NamedTuple):
    """Where an `ast` node starts, and what the libcst node must match to use it."""

    key: str
    line: int
    column: int
    #: False where `ast`'s position may differ from libcst's (the libcst one is used)
    trusted: bool


class _Sequence:
    """The anchors of one kind of node, handed out in source order."""

    def __init__(self, anchors: list[_Anchor]) -> None:
        self._anchors = anchors
        self._next = 0
        self.broken = False

    def take(self, key: str) -> _Anchor | None:
        """The next anchor if it matches `key`; None (and none from now on) if not."""
        if self.broken or self._next >= len(self._anchors):
            self.broken = True
            return None
        anchor = self._anchors[self._next]
        self._next += 1
        if anchor.key != key:
            self.broken = True
            return None
        return anchor if anchor.trusted else None


class Anchors:
    """Start positions of the nodes the index records, from `ast` where it agrees with
    libcst, else from `fallback` (libcst's positions of the same module)."""

    def __init__(self, tree: ast.Module, text: str, fallback: Positions) -> None:
        self._fallback = fallback
        self._lines = NEWLINE.split(text)
        collected = _Collector(self)
        collected.visit(tree)
        collected.calls.sort(key=lambda item: item[0])
        self._calls = _Sequence([anchor for _, anchor in collected.calls])
        self._imports = _Sequence(collected.imports)
        self._functions = _Sequence(collected.functions)
        self._assignments = _Sequence(collected.assignments)

    # -- what the index asks ---------------------------------------------------------------

    def call(self, node: cst.Call, target: str) -> Position:
        return self._start(self._calls.take(target), node)

    def imported(self, node: cst.ImportAlias | cst.ImportFrom, name: str) -> Position:
        """The start of an import alias (`name` as written), or of `from x import *`."""
        return self._start(self._imports.take(name), node)

    def function_name(self, node: cst.FunctionDef) -> Position:
        anchor = self._functions.take(node.name.value)
        if anchor is not None:
            text = self._line(anchor.line)
            if text[anchor.column : anchor.column + len(node.name.value)] != node.name.value:
                anchor = None
        return self._start(anchor, node.name)

    def assignment_line(self, node: cst.Assign | cst.AnnAssign) -> int:
        """The line of a module-scope assignment (every one is asked for, in order)."""
        anchor = self._assignments.take(_targets(node))
        return anchor.line if anchor is not None else self._fallback.line(node)

    # -- the rest -----------------------------------------------------------------------------

    def _start(self, anchor: _Anchor | None, node: cst.CSTNode) -> Position:
        if anchor is None:
            return self._fallback.start(node)
        start = Position(anchor.line, anchor.column)
        self._fallback.know_start(node, start)  # the check stage asks for some again
        return start

    def _line(self, line: int) -> str:
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def column(self, line: int, offset: int) -> int:
        """The character column of `ast`'s byte offset `offset` on `line`."""
        text = self._line(line)
        if text.isascii():
            return offset
        return len(text.encode("utf-8")[:offset].decode("utf-8", "replace"))

    def name_column(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
        """The column of a function's name, when it is on the line its statement starts."""
        column = self.column(node.lineno, node.col_offset)
        found = DEF.match(self._line(node.lineno), column)
        return found.end() if found else None


def starts_by_position(
    module: cst.Module, tree: ast.Module, text: str
) -> dict[tuple[int, int], cst.CSTNode]:
    """The calls of a dotted name and the function names of `module` (the nodes the
    index records) by the line and column where they start."""
    walk = _StartsWalk(Anchors(tree, text, Positions(module, text, tree)))
    walk.walk(module)
    return walk.found


class _StartsWalk(Visitor):
    """Meets calls and function names in the order the index does."""

    def __init__(self, anchors: Anchors) -> None:
        self.anchors = anchors
        self.found: dict[tuple[int, int], cst.CSTNode] = {}

    def visit_Call(self, node: cst.Call) -> None:
        target = dotted_name(node.func)
        if target is not None:
            self._add(self.anchors.call(node, target), node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._add(self.anchors.function_name(original_node), original_node.name)

    def _add(self, start: Position, node: cst.CSTNode) -> None:
        self.found[(start.line, start.column)] = node


def _targets(node: cst.Assign | cst.AnnAssign | ast.Assign | ast.AnnAssign) -> str:
    """The assignment's targets as a comparable key: names by name, others by kind."""
    if isinstance(node, cst.AnnAssign):
        return _target_key(node.target)
    if isinstance(node, cst.Assign):
        return ",".join(_target_key(t.target) for t in node.targets)
    if isinstance(node, ast.AnnAssign):
        return _target_key(node.target)
    return ",".join(_target_key(t) for t in node.targets)


def _target_key(node: cst.CSTNode | ast.AST) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, ast.Name):
        return node.id
    return "-"


class _Collector(ast.NodeVisitor):
    """One walk over the `ast` tree collecting the anchors of each kind."""

    def __init__(self, anchors: Anchors) -> None:
        self.anchors = anchors
        #: (sort key, anchor): sorted by start, the enclosing call first on a tie
        self.calls: list[tuple[tuple[int, int, int, int], _Anchor]] = []
        self.imports: list[_Anchor] = []
        #: in the order a walk leaves them (nested functions first)
        self.functions: list[_Anchor] = []
        self.assignments: list[_Anchor] = []
        self.scopes = 0
        self.in_fstring = 0

    # `ast.NodeVisitor`'s walk, without its per-node method lookup by name, and without
    # entering the leaves no method wants (`Load`, `Add`, ...): this walk meets every node

    def visit(self, node: ast.AST) -> None:
        method = _METHODS.get(type(node))
        if method is None:
            method = _METHODS[type(node)] = getattr(
                _Collector, f"visit_{type(node).__name__}", _Collector.generic_visit
            )
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        visit = self.visit
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        visit(item)
            elif isinstance(value, ast.AST) and value._fields:
                visit(value)

    def _anchor(self, key: str, node: ast.AST, trusted: bool = True) -> _Anchor:
        line: int = node.lineno  # type: ignore[attr-defined]
        column = self.anchors.column(line, node.col_offset)  # type: ignore[attr-defined]
        return _Anchor(key, line, column, trusted)

    def visit_Call(self, node: ast.Call) -> None:
        target = _dotted(node.func)
        if target is not None:
            order = (
                node.lineno,
                node.col_offset,
                -(node.end_lineno or 0),
                -(node.end_col_offset or 0),
            )
            self.calls.append((order, self._anchor(target, node, not self.in_fstring)))
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        self.in_fstring += 1
        self.generic_visit(node)
        self.in_fstring -= 1

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.imports.append(self._alias(alias.name, alias))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.imports.append(self._anchor("*", node))
            else:
                self.imports.append(self._alias(alias.name, alias))

    def _alias(self, name: str, alias: ast.alias) -> _Anchor:
        if getattr(alias, "lineno", None) is None:  # Python 3.9: no position of its own
            return _Anchor(name, 0, 0, False)
        return self._anchor(name, alias)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scopes += 1
        self.generic_visit(node)
        self.scopes -= 1
        column = self.anchors.name_column(node)
        self.functions.append(_Anchor(node.name, node.lineno, column or 0, column is not None))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scopes += 1
        self.generic_visit(node)
        self.scopes -= 1

    def visit_Assign(self, node: ast.Assign) -> None:
        if not self.scopes:
            self.assignments.append(self._anchor(_targets(node), node))
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not self.scopes:
            self.assignments.append(self._anchor(_targets(node), node))
        self.generic_visit(node)


#: the `_Collector` method for each `ast` node type
_METHODS: dict[type, Callable[[_Collector, ast.AST], None]] = {}


def _dotted(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, as `dotted_name` gives it for libcst."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None
