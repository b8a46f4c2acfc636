"""The project's functions as the flow engine sees them: parsed with `ast` on first use,
lowered to the flow IR by qualified name, with their module's imports resolved and
positions in the columns findings use."""

from __future__ import annotations

import ast
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable, Union

from lambda_lint.ast_nodes import SourceLines
from lambda_lint.finding import Position
from lambda_lint.flow import from_ast, ir
from lambda_lint.model.project import ProjectModel
from lambda_lint.model.scope import qualify
from lambda_lint.model.symbols import FunctionKey
from lambda_lint.source import SourceFile

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)
FunctionSyntax = Union[ast.FunctionDef, ast.AsyncFunctionDef]


@dataclass
class ParsedFile:
    path: Path
    source: SourceLines
    #: module-level names bound only to literal containers (allow-lists)
    constants: frozenset[str]
    qualify: Callable[[str], str]

    def position(self, line: int, byte_column: int) -> Position:
        """`ast` counts columns in UTF-8 bytes; findings count characters."""
        return Position(line, self.source.column(line, byte_column))

    def start(self, node: ast.AST | from_ast.Span) -> Position:
        return self.source.start(node)  # type: ignore[arg-type]

    def end(self, node: ast.AST | from_ast.Span) -> Position:
        return self.position(
            node.end_lineno or node.lineno,  # type: ignore[attr-defined]
            node.end_col_offset or node.col_offset,  # type: ignore[attr-defined]
        )


@dataclass
class _Syntax:
    """What parsing and lowering one text gives, apart from the project model. No part
    of the `ast` tree is kept: the functions lowered hold spans."""

    source: SourceLines
    constants: frozenset[str]
    #: lowered functions, by qualified name, as they are asked for (None: no such one)
    lowered: dict[str, ir.Function | None]


#: the syntax of the last text seen of each file: a process that lints the same project
#: again and again (the language server) parses and lowers only the files that changed.
#: (The IR is immutable once built, so runs can share it.)
_syntax: dict[Path, tuple[str, _Syntax | None]] = {}
#: beyond this many files, the memory is cleared rather than grown
_SYNTAX_LIMIT = 20_000
#: the functions of the files parsed last, by qualified name: lowering a function needs
#: its tree, and a walk lowers the functions of a few files at a time. The trees of the
#: others are let go (the trees of every file a walk reads would be most of its memory).
_trees: OrderedDict[Path, tuple[str, dict[str, FunctionSyntax]]] = OrderedDict()
_TREES_KEPT = 4


def _syntax_of(path: Path, text: str) -> _Syntax | None:
    """The syntax of `text`."""
    known = _syntax.get(path)
    if known is not None and known[0] == text:
        return known[1]
    tree = _parsed(text)
    found = None
    if tree is not None:
        _remember(path, text, tree)
        constants = from_ast.lower_function(tree).constants
        found = _Syntax(SourceLines(text), constants, {})
    if len(_syntax) >= _SYNTAX_LIMIT:
        _syntax.clear()
    _syntax[path] = (text, found)
    return found


def _parsed(text: str) -> ast.Module | None:
    try:
        return SourceFile.checked(text).ast
    except (SyntaxError, ValueError):
        return None


def _remember(path: Path, text: str, tree: ast.Module) -> dict[str, FunctionSyntax]:
    functions: dict[str, FunctionSyntax] = {}
    _collect(tree.body, [], functions)
    _trees[path] = (text, functions)
    _trees.move_to_end(path)
    while len(_trees) > _TREES_KEPT:
        _trees.popitem(last=False)
    return functions


def _function_node(path: Path, syntax: _Syntax, qualname: str) -> FunctionSyntax | None:
    """The `ast` node of a function of the file, parsing it again if its tree was let go."""
    text = syntax.source.text
    known = _trees.get(path)
    if known is not None and known[0] == text:
        _trees.move_to_end(path)
        return known[1].get(qualname)
    tree = _parsed(text)
    return _remember(path, text, tree).get(qualname) if tree is not None else None


class ProjectCode:
    """Parses and lowers the project's files on demand."""

    def __init__(self, model: ProjectModel) -> None:
        self.model = model
        self._files: dict[Path, ParsedFile | None] = {}
        self._lowered: dict[FunctionKey, ir.Function | None] = {}
        self._syntax: dict[Path, _Syntax] = {}

    def file(self, path: Path) -> ParsedFile | None:
        if path not in self._files:
            self._files[path] = self._parse(path)
        return self._files[path]

    def _parse(self, path: Path) -> ParsedFile | None:
        text = self.model.texts.get(path)
        summary = self.model.modules.get(path)
        syntax = _syntax_of(path, text) if text is not None and summary is not None else None
        if syntax is None or summary is None:
            return None
        parsed = ParsedFile(path, syntax.source, syntax.constants, partial(qualify, summary))
        self._syntax[path] = syntax
        return parsed

    def function(self, key: FunctionKey) -> ir.Function | None:
        """The lowered function, or None when it cannot be found. Its IR holds spans
        (`from_ast.Span`), not `ast` nodes: the file's tree can be let go."""
        if key not in self._lowered:
            syntax = self._syntax_for(key[0])
            if syntax is not None and key[1] not in syntax.lowered:
                node = _function_node(key[0], syntax, key[1])
                syntax.lowered[key[1]] = (
                    from_ast.lower_function(node, from_ast.spans(key[0]))
                    if node is not None
                    else None
                )
            self._lowered[key] = syntax.lowered[key[1]] if syntax is not None else None
        return self._lowered[key]

    def definition(self, key: FunctionKey) -> FunctionSyntax | None:
        """The `ast` node of the function (parsing its file again if need be)."""
        syntax = self._syntax_for(key[0])
        return _function_node(key[0], syntax, key[1]) if syntax is not None else None

    def _syntax_for(self, path: Path) -> _Syntax | None:
        return self._syntax.get(path) if self.file(path) else None

    def owner(self, where: object) -> ParsedFile | None:
        """The file a span of a lowered function is in."""
        return self.file(where.path) if isinstance(where, from_ast.Span) else None


def _collect(
    body: list[ast.stmt],
    scopes: list[str],
    found: dict[str, FunctionSyntax],
) -> None:
    """Functions by the qualified name the project model keys them with."""
    for statement in body:
        if isinstance(statement, FunctionNode):
            name = ".".join([*scopes, statement.name])
            found[name] = statement
            _collect(statement.body, [*scopes, statement.name, "<locals>"], found)
        elif isinstance(statement, ast.ClassDef):
            _collect(statement.body, [*scopes, statement.name], found)
        elif isinstance(statement, (ast.If, ast.Try)):
            _collect(statement.body, scopes, found)
            _collect(statement.orelse, scopes, found)
