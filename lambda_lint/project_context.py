"""What a project rule sees: the project model, the settings, the text of the project's
files, and ways to report at a handler, at a descriptor line, or anywhere in a file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Callable, Protocol

from lambda_lint.config import Settings
from lambda_lint.descriptors.model import SourceRef
from lambda_lint.finding import Finding, Fix, Position, RelatedLocation
from lambda_lint.model.handlers import Handler
from lambda_lint.model.project import ProjectModel


def handler_unit(handler: Handler) -> str:
    """The unit name a handler's results are stored under (what the model knows of the
    handler, its trigger and evidence, is part of every stored result's key already)."""
    return f"handler:{handler.file}:{handler.qualname}"


class StoredResults(Protocol):
    """What project rules found for each unit they judge on its own (a handler, a
    route) in earlier runs (see `lambda_lint.handler_results`)."""

    def get(self, name: str, unit: str, hint: Any) -> Any | None:
        """The value of type `hint` that `name` stored for `unit`, if nothing it came
        from changed."""

    def put(self, name: str, unit: str, value: Any, hint: Any, files: Iterable[Path]) -> None:
        """Store what `name` found for `unit` (of type `hint`), computed from the
        project `files`."""


class ProjectContext:
    """Shared by the project rules of one project; findings land in `findings`."""

    def __init__(
        self,
        model: ProjectModel,
        settings: Settings,
        display: Callable[[Path], str],
        texts: Mapping[Path, str],
        stored_results: StoredResults | None = None,
    ) -> None:
        self.model = model
        self.settings = settings
        #: turns a project file's path into the path findings show
        self.display = display
        #: the text of the project's Python files, descriptors and configuration
        self.texts = texts
        #: the per-unit results of earlier runs, for rules that judge each handler (or
        #: route) on its own; None without a cache
        self.stored_results = stored_results
        self.findings: list[tuple[Path, Finding]] = []

    def report_at(
        self,
        code: str,
        path: Path,
        start: Position,
        end: Position,
        message: str,
        *,
        fix: Fix | None = None,
        related: Sequence[RelatedLocation] = (),
    ) -> None:
        finding = Finding(
            code, message, self.display(path), start, end, fix, tuple(related), start.line
        )
        self.findings.append((path, finding))

    def report_handler(
        self,
        code: str,
        handler: Handler,
        message: str,
        *,
        related: Sequence[RelatedLocation] = (),
    ) -> None:
        """At the name of the handler's `def` (or of the binding that names it)."""
        function = self.model.function(handler.key)
        line = function.line if function else handler.line
        column = function.column if function else 0
        name = function.name if function else handler.qualname.rsplit(".", 1)[-1]
        start = Position(line, column)
        self.report_at(
            code, handler.file, start, Position(line, column + len(name)), message, related=related
        )

    def report_declaration(self, code: str, source: SourceRef, text: str, message: str) -> None:
        """At `text` on the line `source` points at (where a descriptor or the
        configuration writes a handler string, say)."""
        path = source.file.resolve()
        lines = self.texts.get(path, "").splitlines()
        line = lines[source.line - 1] if 0 < source.line <= len(lines) else ""
        column = max(0, line.find(text))
        start = Position(source.line, column)
        self.report_at(code, path, start, Position(source.line, column + len(text)), message)
