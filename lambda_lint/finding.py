"""What a rule reports, in the shape every output format and the cache share."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file: 1-based line, 0-based column (as libcst counts them)."""

    line: int
    column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between `start` and `end` with `content`."""

    start: Position
    end: Position
    content: str


@dataclass(frozen=True)
class Fix:
    applicability: str  # "safe" or "unsafe"
    message: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True)
class RelatedLocation:
    """Another place that explains a finding: a step of a call chain, a descriptor line."""

    path: str
    start: Position
    message: str


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str  # as given to the linter (relative paths stay relative)
    start: Position
    end: Position
    fix: Fix | None = None
    related: tuple[RelatedLocation, ...] = field(default=())
    #: the line whose `# noqa` comment suppresses this finding
    noqa_line: int | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.start.line, self.start.column, self.code)
