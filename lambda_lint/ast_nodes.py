"""CPython `ast` nodes read as the index records them: dotted names as libcst spells
them, and starts as findings count them (1-based lines, columns in characters, at the
places libcst puts them).

CPython's `ast` gives every call, import alias (Python 3.10 and later) and statement a
start, in UTF-8 byte columns; `SourceLines` converts them to characters. Two starts it
does not give are found in the tokens of the statement instead: a function's name (the
`def` statement starts at `def` or `async`) and, before Python 3.10, each name of an
import statement.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from functools import cached_property

from lambda_lint.finding import Position

#: a line break, as CPython and libcst count them
NEWLINE = re.compile(r"\r\n?|\n")
#: `def name` / `async def name` from the start of a function statement
DEF = re.compile(r"(?:async[ \t]+)?def[ \t]+")


def child_nodes(node: ast.AST, leaves: bool = False) -> list[ast.AST]:
    """The nodes `node` holds, in field order, without those that hold nothing
    (`Load`, `Add`, `Pass`) unless `leaves`: for the walks over every node of a file,
    which then do no Python work for those (`ast.iter_child_nodes` is a generator and
    yields them all)."""
    found: list[ast.AST] = []
    for name in node._fields:
        value = getattr(node, name, None)
        if type(value) is list:
            found += [v for v in value if isinstance(v, ast.AST) and (leaves or v._fields)]
        elif isinstance(value, ast.AST) and (leaves or value._fields):
            found.append(value)
    return found


def dotted(node: ast.AST | None) -> str | None:
    """`a.b.c` for a Name/Attribute chain; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    if not parts and isinstance(node, ast.Constant) and _named_constant(node.value):
        return repr(node.value)
    return None


def _named_constant(value: object) -> bool:
    """`True`, `False` and `None`: values to `ast`, names to libcst."""
    return value is True or value is False or value is None


class SourceLines:
    """The lines of one source text, and the character positions of its `ast` nodes."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._ascii = text.isascii()

    @cached_property
    def _lines(self) -> list[str]:
        return NEWLINE.split(self.text)

    def line(self, number: int) -> str:
        """Line `number` (1-based) without its line break; "" past the end."""
        return self._lines[number - 1] if 0 < number <= len(self._lines) else ""

    def column(self, line: int, offset: int) -> int:
        """The character column of `ast`'s byte offset `offset` on `line`."""
        if self._ascii:
            return offset
        text = self.line(line)
        if text.isascii():
            return offset
        return len(text.encode("utf-8")[:offset].decode("utf-8", "replace"))

    def start(self, node: ast.expr | ast.stmt) -> Position:
        return Position(node.lineno, self.column(node.lineno, node.col_offset))

    def function_name(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Position:
        """Where the function's name starts (after `def`, maybe on a continuation line)."""
        column = self.column(node.lineno, node.col_offset)
        found = DEF.match(self.line(node.lineno), column)
        if found is not None and self.line(node.lineno).startswith(node.name, found.end()):
            return Position(node.lineno, found.end())
        tokens = self._names(node)
        for token in tokens:
            if token.string == "def":
                return _start(next(tokens), node, column)
        return Position(node.lineno, column)  # not reached for a text CPython parsed

    def import_names(self, node: ast.Import | ast.ImportFrom) -> list[Position]:
        """Where each imported name of the statement starts (the statement's start for
        `from x import *`)."""
        if any(a.name == "*" for a in node.names):
            return [self.start(node)]
        if all(getattr(a, "lineno", None) is not None for a in node.names):
            return [self.start(a) for a in node.names]  # type: ignore[arg-type]
        # before Python 3.10 an alias has no position: the first name after `import`
        # and after each comma starts one
        column = self.column(node.lineno, node.col_offset)
        found: list[Position] = []
        starts_one = False
        for token in self._tokens(node):
            if token.type == tokenize.NAME and starts_one:
                found.append(_start(token, node, column))
                starts_one = False
            elif token.string in ("import", ","):
                starts_one = True
        return found

    def _tokens(self, node: ast.stmt) -> Iterator[tokenize.TokenInfo]:
        """The tokens of the statement, positions relative to its start."""
        column = self.column(node.lineno, node.col_offset)
        end = node.end_lineno or node.lineno
        lines = [self.line(node.lineno)[column:]]
        lines += [self.line(n) for n in range(node.lineno + 1, end + 1)]
        try:
            yield from tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline)
        except (tokenize.TokenError, SyntaxError):
            return

    def _names(self, node: ast.stmt) -> Iterator[tokenize.TokenInfo]:
        return (t for t in self._tokens(node) if t.type == tokenize.NAME)


def _start(token: tokenize.TokenInfo, node: ast.stmt, column: int) -> Position:
    """The file position of a token of `_tokens(node)`."""
    row, offset = token.start
    return Position(node.lineno + row - 1, offset + column if row == 1 else offset)
