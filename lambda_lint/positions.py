"""Where nodes are in the source, computed only for files that need it.

libcst's `PositionProvider` resolves positions through the metadata framework; this
does the same walk with a lean code-generation state and was measured about four times
faster on the same files, with identical results. Positions are computed once per file,
and only when a finding or the summary needs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.internal import CodegenState

from lambda_lint.finding import Position

Span = tuple[Position, Position]


class _PositionState(CodegenState):
    def __init__(self, module: cst.Module) -> None:
        super().__init__(
            default_indent=module.default_indent, default_newline=module.default_newline
        )
        self.line = 1
        self.column = 0
        self.spans: dict[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]] = {}
        self._starts: list[tuple[int, int]] = []

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self.column += len(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        newlines = value.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(value) - value.rfind("\n") - 1
        else:
            self.column += len(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append((self.line, self.column))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        if node not in self.spans:
            self.spans[node] = (start, (self.line, self.column))

    @contextmanager
    def record_syntactic_position(
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> Iterator[None]:
        start = (self.line, self.column)
        try:
            yield
        finally:
            end = (self.line, self.column)
            if start_node is not None:
                start = self.spans[start_node][0]
            if end_node is not None:
                end = self.spans[end_node][1]
            self.spans[node] = (start, end)


class Positions:
    """Lazily computed spans of every node of one module (syntactic, like libcst's
    `PositionProvider`: line 1-based, column 0-based)."""

    def __init__(self, module: cst.Module) -> None:
        self._module = module
        self._spans: dict[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]] | None = None

    def _computed(self) -> dict[cst.CSTNode, tuple[tuple[int, int], tuple[int, int]]]:
        if self._spans is None:
            state = _PositionState(self._module)
            self._module._codegen(state)
            self._spans = state.spans
        return self._spans

    def span(self, node: cst.CSTNode) -> Span:
        (line, column), (end_line, end_column) = self._computed()[node]
        return Position(line, column), Position(end_line, end_column)

    def start(self, node: cst.CSTNode) -> Position:
        return self.span(node)[0]

    def line(self, node: cst.CSTNode) -> int:
        return self._computed()[node][0][0]
