"""Where libcst nodes are in the source, computed only where a finding needs them.

libcst trees carry no positions; its `PositionProvider` computes them for a whole module
with a code-generation pass that costs about twice the parse. Most files have no
finding, and a finding needs the positions of one line, so positions are computed per
statement line, on first use: the innermost `SimpleStatementLine` holding the node is
given to `PositionProvider` alone, in a module where it sits in blocks indented as its
own are (`if _:` per level), so that its columns are the file's. The lines before it
come from CPython's `ast` tree of the same text (`lambda_lint.statement_starts`). A node
in the header of `if`, `for`, `while`, `with`, `def` or `class` is measured in that
header alone (the statement without its suites, which cannot move it); any other node on
no statement line (a compound statement itself, an `elif` test, an `except` clause) in
its top-level statement. A statement line's start needs no code generation at all: it
follows its leading lines and the whitespace that opens the line; its end is found by
generating the code of its small statements alone, a fraction of the cost of running
`PositionProvider` on the statement that holds it. The starts of calls, function names
and imported names are read off the `ast` tree (`lambda_lint.node_starts`). Without the
`ast` tree, or where the
two trees do not pair up, the lines before a top-level statement are counted by
generating the code of those before it.
Lines count `\\r\\n`, `\\r` and `\\n` as libcst and CPython do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, NamedTuple, cast

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from lambda_lint.ast_nodes import NEWLINE
from lambda_lint.finding import Position
from lambda_lint.node_starts import PAIRED, NodeStarts
from lambda_lint.statement_starts import statement_starts
from lambda_lint.walk import children, node_types

if TYPE_CHECKING:
    from lambda_lint.source import SourceFile

Span = tuple[Position, Position]
#: the indentation of the blocks around a statement, outermost first
Indents = tuple[str, ...]
#: lines of one top-level statement measured alone before the whole statement is: at
#: least this many, and one per `STATEMENT_LINES_PER_LINE` lines of the statement
LINES_PER_STATEMENT = 8
#: `PositionProvider` on one line alone costs about what it costs per five lines of a
#: long statement (1.2 ms against 0.23 ms a line, functions of 130 to 300 lines)
STATEMENT_LINES_PER_LINE = 5
#: what may indent a line of Python
INDENTATION = " \t\f"


def line_count(code: str) -> int:
    """How many line breaks `code` holds."""
    return len(NEWLINE.findall(code))


def code_ranges(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """`PositionProvider`'s syntactic ranges of every node of `module` (not copied)."""
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


#: compound statements whose header (what comes before their first suite) can be
#: measured without their suites: `if`, but not `elif`, which is an `If` too
HEADED = (cst.If, cst.For, cst.While, cst.With, cst.FunctionDef, cst.ClassDef)
#: children of a compound statement that are not part of its header
SUITE_PARTS = (
    cst.BaseSuite,
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
    cst.MatchCase,
    cst.If,
)
SUITE_PART_TYPES = node_types(*SUITE_PARTS)
_PAIRED_TYPES = node_types(*PAIRED)
COMPOUND = node_types(cst.BaseCompoundStatement)
PASS = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])


class _Line(NamedTuple):
    """A statement line, or a compound statement whose header is measured, and the
    indentation of the blocks around it."""

    statement: cst.BaseStatement
    indents: Indents
    #: measure the header alone (a compound statement without its suites)
    header: bool = False


class Positions:
    """Syntactic spans (like libcst's `PositionProvider`: lines 1-based, columns
    0-based, in characters) of the nodes of one module, computed lazily. Given the
    module's source (its text and `ast` tree), statements are placed without code
    generation."""

    def __init__(self, module: cst.Module, source: SourceFile | None = None) -> None:
        self._module = module
        #: the module's text and `ast` tree (parsed only when a position needs it)
        self._source = source
        #: per node, its top-level statement's index and its innermost statement line
        self._owners: dict[cst.CSTNode, tuple[int, _Line | None]] = {}
        #: how many top-level statements `_owners` covers
        self._mapped = 0
        self._ranges: dict[_Line, Mapping[cst.CSTNode, CodeRange]] = {}
        self._starts_read = False
        self._statement_starts: dict[cst.CSTNode, int] | None = None
        self._lines: list[str] = []
        #: per top-level statement, how many of its lines were measured alone
        self._lines_measured: dict[int, int] = {}
        #: lines before each top-level statement, as far as computed by code generation
        self._offsets: list[int] = [len(module.header)]
        #: the starts of calls, function names and imported names, read off the `ast`
        #: tree when one is first asked for
        self._node_starts: NodeStarts | None = None

    def span(self, node: cst.CSTNode) -> Span:
        if node is self._module:
            end = line_count(self._module.code if self._source is None else self._source.text)
            return Position(1, 0), Position(end + 1, 0)
        starts = self._statement_starts_of()
        if type(node) is cst.SimpleStatementLine and starts is not None:
            return self._line_span(node)
        index, line = self._owner(node)
        if line is not None and starts is not None and self._by_line(index, line):
            return self._measure(line, node, starts[line.statement])
        statement = self._module.body[index]
        before = starts[statement] if starts is not None else self._offset(index)
        return self._measure(_Line(statement, ()), node, before)

    def start(self, node: cst.CSTNode) -> Position:
        source = self._source
        if type(node) in _PAIRED_TYPES and source is not None:
            if self._node_starts is None:
                self._node_starts = NodeStarts(self._module, source.ast, source.text)
            known = self._node_starts.start(node)
            if known is not None:
                return known
        if self._statement_starts_of() is not None:
            if type(node) is cst.SimpleStatementLine:
                return self._line_start(node)
            if isinstance(node, cst.BaseSmallStatement):
                holder = self._owner(node)[1]
                line = holder.statement if holder is not None else None
                if isinstance(line, cst.SimpleStatementLine) and line.body[0] is node:
                    return self._line_start(line)
        return self.span(node)[0]

    def _by_line(self, index: int, line: _Line) -> bool:
        """Whether to measure `line` alone rather than top-level statement `index`: yes
        for the first lines asked for in it, as many as cost less than the statement
        (each run of `PositionProvider` has a fixed cost)."""
        if line in self._ranges:
            return True
        count = self._lines_measured.get(index, 0)
        if count >= LINES_PER_STATEMENT and (
            count >= self._statement_lines(index) // STATEMENT_LINES_PER_LINE
        ):
            return False
        self._lines_measured[index] = count + 1
        return True

    def _statement_lines(self, index: int) -> int:
        """How many lines top-level statement `index` takes, up to the next one."""
        starts = self._statement_starts
        assert starts is not None
        body = self._module.body
        end = starts[body[index + 1]] if index + 1 < len(body) else len(self._lines)
        return end - starts[body[index]]

    def _line_start(self, line: cst.SimpleStatementLine) -> Position:
        """Where a statement line starts: after its leading lines (counted from the
        `ast` tree) and the whitespace that opens the line."""
        number = self._statement_starts[line] + len(line.leading_lines) + 1  # type: ignore[index]
        text = self._lines[number - 1]
        return Position(number, len(text) - len(text.lstrip(INDENTATION)))

    def _line_span(self, line: cst.SimpleStatementLine) -> Span:
        """A statement line's span: from its start to the end of its last small
        statement (before its semicolon), found by generating the line's code alone in
        a block indented as the line is (continuation lines repeat that indentation)."""
        start = self._line_start(line)
        last = line.body[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        alone = line.with_changes(
            leading_lines=(),
            body=(*line.body[:-1], last),
            trailing_whitespace=cst.TrailingWhitespace(),
        )
        indent = self._lines[start.line - 1][: start.column]
        if indent:  # after the line break that opens the block
            code = self._module.code_for_node(cst.IndentedBlock(body=[alone], indent=indent))
            lines = NEWLINE.split(code)[1:-1]
        else:
            lines = NEWLINE.split(self._module.code_for_node(alone))[:-1]
        return start, Position(start.line + len(lines) - 1, len(lines[-1]))

    def line(self, node: cst.CSTNode) -> int:
        return self.start(node).line

    # -- per statement ---------------------------------------------------------------------

    def _measure(self, line: _Line, node: cst.CSTNode, before: int) -> Span:
        """The span of `node` from `PositionProvider` run on `line` alone, which has
        `before` lines before it in the file."""
        found = self._statement_ranges(line)[node]
        shift = before - len(line.indents)  # the wrapper's `if _:` lines
        return (
            Position(found.start.line + shift, found.start.column),
            Position(found.end.line + shift, found.end.column),
        )

    def _owner(self, node: cst.CSTNode) -> tuple[int, _Line | None]:
        """The index of the top-level statement that holds `node`, and the innermost
        statement line or compound statement header that does (None when none does).
        Top-level statements are mapped in order, as far as needed to find `node`."""
        owners = self._owners
        found = owners.get(node)
        body = self._module.body
        while found is None and self._mapped < len(body):
            self._own(self._mapped, body[self._mapped], owners)
            self._mapped += 1
            found = owners.get(node)
        if found is None:
            raise KeyError(node)
        return found

    def _own(
        self,
        index: int,
        statement: cst.BaseStatement,
        owners: dict[cst.CSTNode, tuple[int, _Line | None]],
    ) -> None:
        default = self._module.default_indent
        elifs: set[cst.CSTNode] = set()
        stack: list[tuple[cst.CSTNode, _Line | None, Indents]] = [(statement, None, ())]
        while stack:
            current, line, indents = stack.pop()
            owners[current] = (index, line)
            header = line
            # `type(...) is` and `in`, not isinstance: see `walk.node_types`
            if type(current) is cst.SimpleStatementLine:
                header = _Line(current, indents)
            elif type(current) is cst.IndentedBlock:
                indents = (*indents, default if current.indent is None else current.indent)
            elif type(current) in COMPOUND:
                current = cast(cst.BaseCompoundStatement, current)
                if isinstance(current, cst.Match):  # its cases are indented too
                    indent = default if current.indent is None else current.indent
                    indents = (*indents, indent)
                headed = isinstance(current, HEADED) and current not in elifs
                header = _Line(current, indents, header=True) if headed else None
                if isinstance(current, cst.If) and isinstance(current.orelse, cst.If):
                    elifs.add(current.orelse)
            for child in children(current):
                inner = header if type(child) not in SUITE_PART_TYPES else None
                stack.append((child, inner, indents))

    def _statement_starts_of(self) -> dict[cst.CSTNode, int] | None:
        if not self._starts_read:
            self._starts_read = True
            source = self._source
            if source is not None:
                self._lines = NEWLINE.split(source.text)
                self._statement_starts = statement_starts(self._module, source.ast, self._lines)
        return self._statement_starts

    def _statement_ranges(self, line: _Line) -> Mapping[cst.CSTNode, CodeRange]:
        found = self._ranges.get(line)
        if found is None:
            found = self._ranges[line] = code_ranges(self._wrapped(line))
        return found

    def _wrapped(self, line: _Line) -> cst.Module:
        """A module of the statement alone, inside one `if _:` per indentation level (a
        header without its suites: what follows cannot move it)."""
        statement = line.statement
        if line.header:
            suites: dict[str, object] = {"body": PASS}
            if getattr(statement, "orelse", None) is not None:
                suites["orelse"] = None
            statement = statement.with_changes(**suites)
        for indent in reversed(line.indents):
            statement = cst.If(cst.Name("_"), cst.IndentedBlock(body=[statement], indent=indent))
        return self._module.with_changes(header=(), body=(statement,), footer=())

    def _offset(self, index: int) -> int:
        """Lines before top-level statement `index`, by generating the code before it."""
        while len(self._offsets) <= index:
            statement = self._module.body[len(self._offsets) - 1]
            code = self._module.code_for_node(statement)
            self._offsets.append(self._offsets[-1] + line_count(code))
        return self._offsets[index]
