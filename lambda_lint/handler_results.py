"""What a run keeps in the cache for the next: per-unit results of project rules, and
the model's kept analyses.

A project rule that judges each handler (or each route) on its own, the INIT import
budget (LL203) and the flows of event data to sinks (LL6), stores what it found for
one unit under a key made of the project-wide facts any rule may read
(`Slices.shared`: the settings, the rules, the descriptors, every handler and every
module's surface), the unit itself, and the text of every project file the result was
computed from, which the rule names when it stores it. The list of those files is kept
under the first part of the key: while the shared facts are the same, the rule reads
the same files, so a changed text of one of them is a miss. (Rules name a handler as
a unit with `project_context.handler_unit`.)

The model's kept analyses (`ProjectModel.kept_analysis`, `kept_per_file`) are stored by
the same object under the shared facts and their name alone: they read nothing else (a
per-file value names its file's text digest in its name).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lambda_lint.cache import Cache, Key


class StoredResults:
    """The stored per-unit results of a project's rules and the model's kept analyses;
    `contents` are the digests of the project's Python files by path, `shared` the
    digest of the project-wide facts."""

    def __init__(self, cache: Cache, shared: str, contents: Mapping[Path, str]) -> None:
        self.cache = cache
        self.shared = shared
        self.contents = contents
        #: the same digests by the path's text (stored results name their files as text)
        self._by_text = {str(path): content for path, content in contents.items()}

    def get(self, name: str, unit: str, hint: Any) -> Any | None:
        """The value of type `hint` that `name` stored for `unit`, if nothing it came
        from changed."""
        first = (self.shared, name, unit)
        files = self.cache.get("unit-files", first, list[str])
        if files is None:
            return None
        key = self._key(first, files)
        if key is None:
            return None
        return self.cache.get("unit-result", key, hint)

    def put(self, name: str, unit: str, value: Any, hint: Any, files: Iterable[Path]) -> None:
        """Store what `name` found for `unit` (of type `hint`), computed from the
        project `files`."""
        first = (self.shared, name, unit)
        names = sorted({str(path) for path in files})
        key = self._key(first, names)
        if key is None:
            return
        self.cache.put("unit-files", first, names, list[str])
        self.cache.put("unit-result", key, value, hint)

    def get_analysis(self, name: str, hint: Any) -> Any | None:
        """The kept analysis `name`, of the type `hint`; None on a miss."""
        return self.cache.get("analysis", (self.shared, name), hint)

    def put_analysis(self, name: str, value: Any, hint: Any) -> None:
        """Keep `value` (of the type `hint`) as the analysis `name`."""
        self.cache.put("analysis", (self.shared, name), value, hint)

    def content(self, path: Path) -> str | None:
        """The digest of a project file's text (None for a file it does not know)."""
        return self.contents.get(path)

    def _key(self, first: tuple[str, ...], files: list[str]) -> Key | None:
        """None when a file is not one of the project's (it cannot be followed)."""
        parts = list(first)
        for name in files:
            content = self._by_text.get(name)
            if content is None:
                return None
            parts.append(f"{name}:{content}")
        return tuple(parts)
