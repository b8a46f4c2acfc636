"""Reading a project's Python files: each file's text (or why it cannot be read) and the
digest of its bytes, which keys the caches. A process that lints the same project again
and again keeps what it read (`KeptSources`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lambda_lint.cache import digest
from lambda_lint.index import KeptFunctions
from lambda_lint.model.project import KeptModel
from lambda_lint.reparse import KeptTrees
from lambda_lint.source import ParseProblem, decode
from lambda_lint.stamps import Stamp, settled, stamp

#: how many files' trees and function summaries a `KeptSources` holds: those of the
#: buffers open in an editor, which a run summarises and checks anew when they change
KEPT_FILES = 16


def read_source(path: Path, overrides: Mapping[Path, str]) -> tuple[str | ParseProblem, str]:
    """The text of a Python file (or why it cannot be read) and the digest of the bytes
    it was read from (the bytes themselves are let go)."""
    if path in overrides:
        text = overrides[path]
        return text, digest(text.encode("utf-8", "surrogatepass"))
    try:
        data = path.read_bytes()
    except OSError as error:
        return ParseProblem(f"cannot read: {error.strerror or error}"), digest(b"")
    return decode(data), digest(data)


class KeptSources:
    """Files read by earlier runs, kept while each file's stamp is unchanged (see
    `lambda_lint.stamps`): a process that lints the same project again and again (the
    language server) reads and digests only the files that changed. It keeps, too, what
    was made of the few files it summarised and checked last (the edited ones): their
    libcst trees and their functions' summaries, so that the next edit of a file parses
    and summarises again only what the edit touched; and parts of the project model
    (see `KeptModel`), worked out again once a file changes on disk.

    Under the `reported` folders, changes are reported to the process (a language
    client watches the files there): a file kept from there is used without looking at
    its stamp, until `forget` drops it."""

    def __init__(self, reported: tuple[Path, ...] = ()) -> None:
        self._kept: dict[Path, tuple[Stamp, tuple[str | ParseProblem, str]]] = {}
        self.trees = KeptTrees(KEPT_FILES)
        self.functions = KeptFunctions(KEPT_FILES)
        self.model = KeptModel()
        self.reported = reported
        #: the kept files under `reported` folders
        self._trusted: set[Path] = set()

    def read(self, path: Path, overrides: Mapping[Path, str]) -> tuple[str | ParseProblem, str]:
        """`read_source(path, overrides)`, from memory when the file is unchanged."""
        if path in overrides:
            return read_source(path, overrides)
        if path in self._trusted:
            return self._kept[path][1]
        kept = self._kept.get(path)
        now = stamp(path)
        if now is not None and kept is not None and kept[0] == now:
            return kept[1]
        found = read_source(path, overrides)
        if now is not None and settled(now):
            self._kept[path] = (now, found)
            if any(folder in path.parents for folder in self.reported):
                self._trusted.add(path)
        else:
            self._kept.pop(path, None)
        return found

    def forget(self, changed: Path) -> None:
        """Read `changed` again next time, and every file under it (a folder)."""
        self.model.forget()
        for path in [p for p in self._kept if p == changed or changed in p.parents]:
            del self._kept[path]
            self._trusted.discard(path)
