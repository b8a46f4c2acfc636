"""Per-handler results of project rules, cached between runs.

A project rule that judges each handler on its own (the INIT import budget, LL203)
stores the findings of one handler under a key made of the project-wide facts any rule
may read (`Slices.shared`: the settings, the rules, the descriptors, every handler and
every module's surface), the handler itself, and the text of every project file its
result was computed from, which the rule names when it stores it. The list of those
files is kept under the first part of the key: while the shared facts are the same, the
rule reads the same files, so a changed text of one of them is a miss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from lambda_lint.cache import Cache, digest
from lambda_lint.finding import Finding
from lambda_lint.model.handlers import Handler


class StoredHandlerResults:
    """The stored per-handler findings of a project's rules; `contents` are the digests
    of the project's Python files by path, `shared` the digest of the project-wide facts."""

    def __init__(self, cache: Cache, shared: str, contents: Mapping[Path, str]) -> None:
        self.cache = cache
        self.shared = shared
        self.contents = contents

    def get(self, code: str, handler: Handler) -> list[Finding] | None:
        """The findings `code` reported for `handler`, if nothing they came from changed."""
        first = self._first(code, handler)
        files = self.cache.get("handler-files", first, list[str])
        if files is None:
            return None
        key = self._key(first, files)
        if key is None:
            return None
        return self.cache.get("handler-result", key, list[Finding])  # type: ignore[no-any-return]

    def put(
        self, code: str, handler: Handler, findings: list[Finding], files: Iterable[Path]
    ) -> None:
        """Store what `code` reported for `handler`, computed from the project `files`."""
        first = self._first(code, handler)
        names = sorted({str(path) for path in files})
        key = self._key(first, names)
        if key is None:
            return
        self.cache.put("handler-files", first, names, list[str])
        self.cache.put("handler-result", key, findings, list[Finding])

    def _first(self, code: str, handler: Handler) -> str:
        return digest(self.shared, code, str(handler.file), handler.qualname, repr(handler))

    def _key(self, first: str, files: list[str]) -> str | None:
        """None when a file is not one of the project's (it cannot be followed)."""
        parts = []
        for name in files:
            content = self.contents.get(Path(name))
            if content is None:
                return None
            parts.append(f"{name}:{content}")
        return digest(first, *parts)
