"""Where libcst nodes are in the source, computed only where a finding needs them.

libcst trees carry no positions; its `PositionProvider` computes them for a whole module
with a code-generation pass that costs about twice the parse. Most files have no
finding, and a finding needs the positions of one statement, so positions are computed
per top-level statement, on first use: the statement alone is wrapped in a module and
given to `PositionProvider` (a top-level statement starts at column 0, so columns carry
over), and its first line is the number of lines generated before it. Lines count
`\\r\\n`, `\\r` and `\\n` as libcst and CPython do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from lambda_lint.finding import Position
from lambda_lint.walk import descendants

Span = tuple[Position, Position]
NEWLINE = re.compile(r"\r\n?|\n")


def line_count(code: str) -> int:
    """How many line breaks `code` holds."""
    return len(NEWLINE.findall(code))


def code_ranges(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """`PositionProvider`'s syntactic ranges of every node of `module` (not copied)."""
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


class Positions:
    """Syntactic spans (like libcst's `PositionProvider`: lines 1-based, columns
    0-based, in characters) of the nodes of one module, computed lazily."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._owners: dict[cst.CSTNode, int] | None = None
        self._ranges: dict[int, Mapping[cst.CSTNode, CodeRange]] = {}
        #: lines before each top-level statement, as far as computed
        self._offsets: list[int] = [len(module.header)]
        #: starts already known from elsewhere (the index's, see `lambda_lint.index_anchors`)
        self._starts: dict[cst.CSTNode, Position] = {}

    def know_start(self, node: cst.CSTNode, start: Position) -> None:
        """Record where `node` starts, found without code generation."""
        self._starts[node] = start

    def span(self, node: cst.CSTNode) -> Span:
        if node is self._module:
            end = line_count(self._module.code)
            return Position(1, 0), Position(end + 1, 0)
        index = self._owner(node)
        found = self._statement_ranges(index)[node]
        offset = self._offset(index)
        return (
            Position(found.start.line + offset, found.start.column),
            Position(found.end.line + offset, found.end.column),
        )

    def start(self, node: cst.CSTNode) -> Position:
        known = self._starts.get(node)
        return known if known is not None else self.span(node)[0]

    def line(self, node: cst.CSTNode) -> int:
        return self.start(node).line

    # -- per statement ---------------------------------------------------------------------

    def _owner(self, node: cst.CSTNode) -> int:
        """The index of the top-level statement that holds `node`."""
        if self._owners is None:
            owners: dict[cst.CSTNode, int] = {}
            for index, statement in enumerate(self._module.body):
                owners[statement] = index
                for inner in descendants(statement):
                    owners[inner] = index
            self._owners = owners
        return self._owners[node]

    def _statement_ranges(self, index: int) -> Mapping[cst.CSTNode, CodeRange]:
        found = self._ranges.get(index)
        if found is None:
            wrapper = self._module.with_changes(
                header=(), body=(self._module.body[index],), footer=()
            )
            found = self._ranges[index] = code_ranges(wrapper)
        return found

    def _offset(self, index: int) -> int:
        """Lines before top-level statement `index`."""
        while len(self._offsets) <= index:
            statement = self._module.body[len(self._offsets) - 1]
            code = self._module.code_for_node(statement)
            self._offsets.append(self._offsets[-1] + line_count(code))
        return self._offsets[index]
