"""The project's functions as the flow engine sees them: parsed with `ast` on first use,
lowered to the flow IR by qualified name, with their module's imports resolved and
positions in the columns findings use."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lambda_lint.finding import Position
from lambda_lint.flow import from_ast, ir
from lambda_lint.model.project import ProjectModel
from lambda_lint.model.scope import import_target
from lambda_lint.model.symbols import FunctionKey

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass
class ParsedFile:
    path: Path
    lines: list[str]
    functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef]
    #: module-level names bound only to literal containers (allow-lists)
    constants: frozenset[str]
    qualify: Callable[[str], str]

    def position(self, line: int, byte_column: int) -> Position:
        """`ast` counts columns in UTF-8 bytes; findings count characters."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        encoded = text.encode("utf-8")
        return Position(line, len(encoded[:byte_column].decode("utf-8", "replace")))

    def start(self, node: ast.AST) -> Position:
        return self.position(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> Position:
        return self.position(
            node.end_lineno or node.lineno,  # type: ignore[attr-defined]
            node.end_col_offset or node.col_offset,  # type: ignore[attr-defined]
        )


class ProjectCode:
    """Parses and lowers the project's files on demand, and remembers which file each
    syntax node came from (flow origins hold bare nodes)."""

    def __init__(self, model: ProjectModel, texts: Mapping[Path, str]) -> None:
        self.model = model
        self.texts = texts
        self._files: dict[Path, ParsedFile | None] = {}
        self._lowered: dict[FunctionKey, ir.Function | None] = {}
        self._owner: dict[int, ParsedFile] = {}

    def file(self, path: Path) -> ParsedFile | None:
        if path not in self._files:
            self._files[path] = self._parse(path)
        return self._files[path]

    def _parse(self, path: Path) -> ParsedFile | None:
        text = self.texts.get(path)
        summary = self.model.modules.get(path)
        if text is None or summary is None:
            return None
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return None
        functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        _collect(tree.body, [], functions)

        def qualify(dotted: str) -> str:
            return import_target(summary, dotted) or dotted

        module = from_ast.lower_function(tree).function
        parsed = ParsedFile(path, text.splitlines(), functions, module.constants, qualify)
        for node in ast.walk(tree):
            self._owner[id(node)] = parsed
        return parsed

    def function(self, key: FunctionKey) -> ir.Function | None:
        """The lowered function, or None when it cannot be found."""
        if key not in self._lowered:
            parsed = self.file(key[0])
            node = parsed.functions.get(key[1]) if parsed else None
            self._lowered[key] = from_ast.lower_function(node).function if node else None
        return self._lowered[key]

    def owner(self, node: object) -> ParsedFile | None:
        """The file a syntax node of a parsed file belongs to."""
        return self._owner.get(id(node))


def _collect(
    body: list[ast.stmt],
    scopes: list[str],
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
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
