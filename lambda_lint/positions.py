"""Where libcst nodes are in the source, computed only where a finding needs them.

libcst trees carry no positions; its `PositionProvider` computes them for a whole module
with a code-generation pass that costs about twice the parse. Most files have no
finding, and a finding needs the positions of one line, so positions are computed per
statement line, on first use: the innermost `SimpleStatementLine` holding the node is
given to `PositionProvider` alone, in a module where it sits in blocks indented as its
own are (`if _:` per level), so that its columns are the file's. The lines before it
come from CPython's `ast` tree of the same text (`lambda_lint.statement_starts`). A node
on no such line (a compound statement, its header) is measured in its top-level statement
the same way. Without the `ast` tree, or where the two trees do not pair up, the lines
before a top-level statement are counted by generating the code of those before it.
Lines count `\\r\\n`, `\\r` and `\\n` as libcst and CPython do.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import NamedTuple

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from lambda_lint.finding import Position
from lambda_lint.statement_starts import statement_starts
from lambda_lint.walk import children

Span = tuple[Position, Position]
#: the indentation of the blocks around a statement, outermost first
Indents = tuple[str, ...]
NEWLINE = re.compile(r"\r\n?|\n")


def line_count(code: str) -> int:
    """How many line breaks `code` holds."""
    return len(NEWLINE.findall(code))


def code_ranges(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """`PositionProvider`'s syntactic ranges of every node of `module` (not copied)."""
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


class _Line(NamedTuple):
    """A statement line and the indentation of the blocks around it."""

    statement: cst.SimpleStatementLine
    indents: Indents


class Positions:
    """Syntactic spans (like libcst's `PositionProvider`: lines 1-based, columns
    0-based, in characters) of the nodes of one module, computed lazily. Given the
    module's text and `ast` tree, statements are placed without code generation."""

    def __init__(
        self, module: cst.Module, text: str | None = None, tree: ast.Module | None = None
    ) -> None:
        self._module = module
        self._text = text
        self._tree = tree
        #: per node, its top-level statement's index and its innermost statement line
        self._owners: dict[cst.CSTNode, tuple[int, _Line | None]] | None = None
        self._ranges: dict[cst.CSTNode, Mapping[cst.CSTNode, CodeRange]] = {}
        self._starts_read = False
        self._statement_starts: dict[cst.CSTNode, int] | None = None
        #: lines before each top-level statement, as far as computed by code generation
        self._offsets: list[int] = [len(module.header)]
        #: starts already known from elsewhere (the index's, see `lambda_lint.index_anchors`)
        self._starts: dict[cst.CSTNode, Position] = {}

    def know_start(self, node: cst.CSTNode, start: Position) -> None:
        """Record where `node` starts, found without code generation."""
        self._starts[node] = start

    def span(self, node: cst.CSTNode) -> Span:
        if node is self._module:
            end = line_count(self._module.code if self._text is None else self._text)
            return Position(1, 0), Position(end + 1, 0)
        index, line = self._owner(node)
        starts = self._statement_starts_of()
        if line is not None and starts is not None:
            return self._measure(line.statement, node, starts[line.statement], line.indents)
        statement = self._module.body[index]
        before = starts[statement] if starts is not None else self._offset(index)
        return self._measure(statement, node, before, ())

    def start(self, node: cst.CSTNode) -> Position:
        known = self._starts.get(node)
        return known if known is not None else self.span(node)[0]

    def line(self, node: cst.CSTNode) -> int:
        return self.start(node).line

    # -- per statement ---------------------------------------------------------------------

    def _measure(
        self, statement: cst.BaseStatement, node: cst.CSTNode, before: int, indents: Indents
    ) -> Span:
        """The span of `node` from `PositionProvider` run on `statement` alone (in blocks
        indented by `indents`), which has `before` lines before it in the file."""
        found = self._statement_ranges(statement, indents)[node]
        shift = before - len(indents)  # the wrapper's `if _:` lines
        return (
            Position(found.start.line + shift, found.start.column),
            Position(found.end.line + shift, found.end.column),
        )

    def _owner(self, node: cst.CSTNode) -> tuple[int, _Line | None]:
        """The index of the top-level statement that holds `node`, and the innermost
        statement line that does (None when it is on none)."""
        if self._owners is None:
            default = self._module.default_indent
            owners: dict[cst.CSTNode, tuple[int, _Line | None]] = {}
            for index, statement in enumerate(self._module.body):
                stack: list[tuple[cst.CSTNode, _Line | None, Indents]] = [(statement, None, ())]
                while stack:
                    current, line, indents = stack.pop()
                    if isinstance(current, cst.SimpleStatementLine):
                        line = _Line(current, indents)
                    elif isinstance(current, cst.IndentedBlock):
                        indents = (*indents, default if current.indent is None else current.indent)
                    owners[current] = (index, line)
                    stack.extend((child, line, indents) for child in children(current))
            self._owners = owners
        return self._owners[node]

    def _statement_starts_of(self) -> dict[cst.CSTNode, int] | None:
        if not self._starts_read:
            self._starts_read = True
            if self._tree is not None and self._text is not None:
                lines = NEWLINE.split(self._text)
                self._statement_starts = statement_starts(self._module, self._tree, lines)
        return self._statement_starts

    def _statement_ranges(
        self, statement: cst.BaseStatement, indents: Indents
    ) -> Mapping[cst.CSTNode, CodeRange]:
        found = self._ranges.get(statement)
        if found is None:
            found = self._ranges[statement] = code_ranges(self._wrapped(statement, indents))
        return found

    def _wrapped(self, statement: cst.BaseStatement, indents: Indents) -> cst.Module:
        """A module of `statement` alone, inside one `if _:` per indentation level."""
        for indent in reversed(indents):
            statement = cst.If(cst.Name("_"), cst.IndentedBlock(body=[statement], indent=indent))
        return self._module.with_changes(header=(), body=(statement,), footer=())

    def _offset(self, index: int) -> int:
        """Lines before top-level statement `index`, by generating the code before it."""
        while len(self._offsets) <= index:
            statement = self._module.body[len(self._offsets) - 1]
            code = self._module.code_for_node(statement)
            self._offsets.append(self._offsets[-1] + line_count(code))
        return self._offsets[index]
