"""The on-disk cache: module summaries and descriptor readings by file content, each
file's findings by its text and model slice, and whole project results.

Entries are keyed by content hashes (never modification times: checkouts and pre-commit
reset them) and by everything else that decides the result — lambda-lint's version and
its own files (by size and modification time, see `installation`), the rules and plugin
versions, the settings, the enabled rules. The cache lives outside the
project (`$LAMBDA_LINT_CACHE_DIR`, the `cache-dir` setting, else the user's cache folder),
so linting never writes into the user's tree.

Entries are JSON documents (see `lambda_lint.typed_json`): reading one builds only the
types the caller names, so an entry someone else wrote can at worst be wrong data, never
code that runs. Each records the format, lambda-lint's version and the shape of its value;
an entry that is broken, unreadable, from another version or of another shape is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from lambda_lint import __version__
from lambda_lint.typed_json import ShapeError, decode, encode, shape

#: the layout of an entry file; a change makes every older entry a miss
FORMAT = 2
#: an entry larger than this is not read (a result for a huge project is still far smaller)
MAX_ENTRY_BYTES = 256 * 1024 * 1024
CACHE_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# lambda-lint cache\n"


def default_cache_dir() -> Path:
    explicit = os.environ.get("LAMBDA_LINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "lambda-lint"


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8") if isinstance(part, str) else part)
        hasher.update(b"\0")
    return hasher.hexdigest()


def file_digest(path: Path) -> str:
    """The digest of a file's bytes, or a word for why there are none."""
    try:
        with open(path, "rb") as handle:
            hasher = hashlib.sha256()
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
            return hasher.hexdigest()
    except OSError as error:
        return f"unreadable: {error.errno}"


def with_inputs(key: str, inputs: list[str]) -> str:
    """`key` extended with the current content of the files in `inputs`: the files a run
    read beyond the ones it was asked about, recorded with its result."""
    return digest(key, *(f"{path}:{file_digest(Path(path))}" for path in inputs))


def installation() -> list[str]:
    """lambda-lint's files and the folders packages are found in (installing or
    removing one, a plugin perhaps, changes its folder), by size and modification time.
    The first entry of the import path, the script's folder or the working folder, is
    left out: no package is installed there, and files come and go in it."""
    found = []
    package = Path(__file__).parent
    for folder, folders, names in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(names):
            found.append(_stamp(Path(folder) / name))
    found.extend(_stamp(Path(entry)) for entry in sys.path[1:] if entry)
    return found


def _stamp(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path}:-"
    return f"{path}:{status.st_size}:{status.st_mtime_ns}"


def code_digest(obj: Any) -> str:
    """The digest of the file defining `obj` (a rule class): editing a local plugin's
    rule changes the results as much as a new version does."""
    path = getattr(sys.modules.get(getattr(obj, "__module__", "")), "__file__", None)
    return file_digest(Path(path)) if path else "no source"


class Cache:
    """Entries on disk under `folder`. Entries of the kinds in `remember` are also kept
    in memory once read or written, for a process that lints the same project again
    and again (the language server): a file's summary is then decoded once, not on
    every keystroke. With `deferred`, what is stored is written to disk only on `flush`
    (the language server flushes once a run's diagnostics are published)."""

    def __init__(
        self, folder: Path, remember: Collection[str] = (), deferred: bool = False
    ) -> None:
        self.folder = folder / __version__
        self.remember = frozenset(remember)
        self.deferred = deferred
        self._memory: dict[tuple[str, str], Any] = {}
        self._pending: dict[tuple[str, str], tuple[Any, Any]] = {}

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / f"{key}.json"

    def get(self, kind: str, key: str, hint: Any) -> Any | None:
        """The value stored under `key`, of the type `hint`; None on a miss."""
        if (kind, key) in self._pending:
            return self._pending[kind, key][0]
        if (kind, key) in self._memory:
            return self._memory[kind, key]
        value = self._read(kind, key, hint)
        if value is not None and kind in self.remember:
            self._memory[kind, key] = value
        return value

    def _read(self, kind: str, key: str, hint: Any) -> Any | None:
        try:
            path = self._path(kind, key)
            if path.stat().st_size > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(path.read_bytes())
            if not (
                isinstance(entry, dict)
                and entry.get("format") == FORMAT
                and entry.get("version") == __version__
                and entry.get("shape") == shape(hint)
            ):
                return None
            return decode(entry.get("value"), hint)
        except Exception:  # missing, truncated, of another shape, refused by a class: a miss
            return None

    def get_with_inputs(self, kind: str, key: str, hint: Any) -> tuple[Any, list[str]] | None:
        """A value stored with `put_with_inputs`, and the files it recorded, if those
        files are unchanged too; None on a miss."""
        inputs = self.get(f"{kind}-inputs", key, list[str])
        if inputs is None:
            return None
        value = self.get(kind, with_inputs(key, inputs), hint)
        return None if value is None else (value, inputs)

    def put_with_inputs(
        self, kind: str, key: str, value: Any, hint: Any, inputs: list[str]
    ) -> None:
        """Store `value` under `key` and the content of the files `inputs` (read beyond
        those `key` covers): the list under `key`, the value under both."""
        self.put(f"{kind}-inputs", key, inputs, list[str])
        self.put(kind, with_inputs(key, inputs), value, hint)

    def put(self, kind: str, key: str, value: Any, hint: Any) -> None:
        """Store `value` (of the type `hint`) under `key`."""
        if kind in self.remember:
            self._memory[kind, key] = value
        if self.deferred:
            self._pending[kind, key] = (value, hint)
        else:
            self._write(kind, key, value, hint)

    def flush(self, seconds: float | None = None) -> bool:
        """Write what `put` kept back (see `deferred`); with `seconds`, only until that
        long has passed (one entry at least). Returns whether some are still kept back."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while self._pending:
            (kind, key), (value, hint) = self._pending.popitem()
            self._write(kind, key, value, hint)
            if deadline is not None and time.monotonic() >= deadline:
                break
        return bool(self._pending)

    def _write(self, kind: str, key: str, value: Any, hint: Any) -> None:
        try:
            entry = {"format": FORMAT, "version": __version__, "shape": shape(hint)}
            entry["value"] = encode(value, hint)
            data = json.dumps(entry, separators=(",", ":")).encode("utf-8")
        except (ShapeError, RecursionError):
            return  # not storable: only costs speed
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tag = self.folder.parent / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(CACHE_TAG, encoding="utf-8")
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass  # a read-only or full disk only costs speed
