"""`lambda-lint check --watch`: lint again whenever a file that can change the findings
changes.

Changes are found by polling: every half second the files of the checked projects
(Python modules, descriptors, configuration) are listed with their size and
modification time, and a file whose stat changed is hashed, so that a save which leaves
the content as it was (an editor touching the file, a checkout) does not re-lint.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Callable

from lambda_lint.config import CONFIG_FILE, Settings
from lambda_lint.descriptors import descriptor_kind
from lambda_lint.discover import Excluder, is_python

POLL_SECONDS = 0.5
Stamp = tuple[int, int]


def watched(path: Path) -> bool:
    """Whether a change to `path` can change findings."""
    return (
        is_python(path)
        or descriptor_kind(path) is not None
        or path.name in (CONFIG_FILE, "pyproject.toml")
    )


class Snapshot:
    """The content of every watched file under some folders, read cheaply again."""

    def __init__(self, roots: Iterable[Path], settings: Settings) -> None:
        self.roots = sorted({root.resolve() for root in roots})
        self.excluder = Excluder(settings)
        self.stamps: dict[Path, Stamp] = {}
        self.hashes: dict[Path, str] = {}
        self.changed()

    def _files(self) -> dict[Path, Stamp]:
        found = {}
        for root in self.roots:
            files = self.excluder.walk(root) if root.is_dir() else [root]
            for path in files:
                if not watched(path):
                    continue
                try:
                    stat = os.stat(path)
                except OSError:
                    continue
                found[path] = (stat.st_mtime_ns, stat.st_size)
        return found

    def changed(self) -> list[Path]:
        """The files added, removed or edited since the last call."""
        stamps = self._files()
        touched = [p for p, stamp in stamps.items() if self.stamps.get(p) != stamp]
        removed = [p for p in self.stamps if p not in stamps]
        self.stamps = stamps
        edited = []
        for path in touched:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                continue
            if self.hashes.get(path) != digest:
                edited.append(path)
            self.hashes[path] = digest
        for path in removed:
            self.hashes.pop(path, None)
        return sorted([*edited, *removed])


def watch(
    snapshot: Snapshot,
    lint: Callable[[], object],
    wait: Callable[[float], bool],
    announce: Callable[[list[Path]], None],
) -> None:
    """Lint, then lint again after each change, until `wait(seconds)` returns True
    (a stop was asked for)."""
    lint()
    while not wait(POLL_SECONDS):
        changes = snapshot.changed()
        if changes:
            announce(changes)
            lint()
