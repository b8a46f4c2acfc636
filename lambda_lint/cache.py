"""The on-disk cache: module summaries and descriptor readings by file content, each
file's findings by its text and model slice, and whole project results.

Entries are keyed by content hashes (never modification times: checkouts and pre-commit
reset them) and by everything else that decides the result — lambda-lint's version, its
own files and the installed distributions (see `Cache.installation`), the rules and
plugin versions, the settings, the enabled rules. The cache lives outside the
project (`$LAMBDA_LINT_CACHE_DIR`, the `cache-dir` setting, else the user's cache folder),
so linting never writes into the user's tree.

An entry no run has used for `UNUSED_DAYS` days is removed (`Cache.prune`): keyed by
content, entries of texts long gone would otherwise pile up with every edit. A run that
uses an entry last used more than a day ago renews its modification time, which thus
tells when it was last used.

Entries are JSON documents (see `lambda_lint.typed_json`): reading one builds only the
types the caller names, so an entry someone else wrote can at worst be wrong data, never
code that runs. Each records the format, lambda-lint's version and the shape of its value;
an entry that is broken, unreadable, from another version or of another shape is a miss.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any, Union

from lambda_lint import __version__
from lambda_lint.stamps import Stamp, settled, stamp
from lambda_lint.typed_json import ShapeError, decode, encode, shape

#: the layout of an entry file; a change makes every older entry a miss
FORMAT = 2
#: an entry larger than this is not read (a result for a huge project is still far smaller)
MAX_ENTRY_BYTES = 256 * 1024 * 1024
#: the length of a `digest`
DIGEST_CHARS = 64
#: an entry no run has used for this many days is removed
UNUSED_DAYS = 30
#: how often, at most, a run looks for unused entries, one shard at a time (seconds)
PRUNE_EVERY = 3600
#: an entry used within this many seconds is not marked as used again
RENEW_AFTER = 24 * 3600
#: the files the cache writes: entries and installation digests, and the temporary files
#: they are written through
_OURS = re.compile(r"[0-9a-f]{64}\.(json|txt)|\.tmp-\w+")
#: the file whose time says when the folder was last pruned
_PRUNED = "last-pruned"
CACHE_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# lambda-lint cache\n"


#: what an entry is stored under: a digest, or the parts of one (`digest(*parts)` names
#: its file), which a cache that keeps entries in memory looks up there as they are,
#: without hashing them (a language server asks for thousands per keystroke)
Key = Union[str, tuple[str, ...]]


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
    """The digest of a file's bytes, or a word for why there are none. A file digested
    before is read again only when its stamp moved: a process that lints again and
    again digests the same rule modules, settings and descriptors every run."""
    now = stamp(path)
    kept = _DIGESTS.get(path)
    if kept is not None and now is not None and kept[0] == now:
        return kept[1]
    found = _read_digest(path)
    if now is not None and settled(now):
        _DIGESTS[path] = (now, found)
    return found


#: what `file_digest` read of each file, under the file's stamp then
_DIGESTS: dict[Path, tuple[Stamp, str]] = {}


def _read_digest(path: Path) -> str:
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


#: lambda-lint's own files
PACKAGE = Path(__file__).parent
#: the names, in a folder packages are found in, that say which distributions are installed
_DISTRIBUTION_SUFFIXES = (".dist-info", ".egg-info", ".egg-link", ".pth")


def _package_files(package: Path) -> list[Path]:
    found = []
    for folder, folders, names in os.walk(package):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        found.extend(Path(folder) / name for name in sorted(names))
    return found


def _search_path() -> list[str]:
    """The folders packages are found in. The first entry of the import path, the
    script's folder or the working folder, is left out: no package is installed there,
    and files come and go in it."""
    return [entry for entry in sys.path[1:] if entry]


def _stamp(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path}:-"
    return f"{path}:{status.st_size}:{status.st_mtime_ns}"


def _content(package: Path, search: list[str]) -> str:
    """The digest of what the installation decides: lambda-lint's files (by their
    place in the package and their bytes) and the distributions installed in the
    folders of `search` (by the names of their metadata: name and version)."""
    parts: list[bytes | str] = []
    for path in _package_files(package):
        parts += [path.relative_to(package).as_posix(), file_digest(path)]
    for entry in search:
        try:
            names = sorted(os.listdir(entry))
        except OSError:
            continue
        parts += [name for name in names if name.endswith(_DISTRIBUTION_SUFFIXES)]
    return digest(*parts)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it, so that a reader sees
    the whole of it or nothing; raises `OSError`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def code_digest(obj: Any) -> str:
    """The digest of the file defining `obj` (a rule class): editing a local plugin's
    rule changes the results as much as a new version does."""
    path = getattr(sys.modules.get(getattr(obj, "__module__", "")), "__file__", None)
    return file_digest(Path(path)) if path else "no source"


def _renew(path: Path, modified: float) -> None:
    """Mark the entry at `path`, last marked at `modified`, as used now (see `prune`)."""
    if time.time() - modified > RENEW_AFTER:
        with contextlib.suppress(OSError):
            os.utime(path)


def _remove_unused(folder: Path, cutoff: float, recurse: bool = True) -> int:
    """Remove the cache's files in `folder` (and below, with `recurse`) last used
    before `cutoff`, and the folders that leaves empty; how many files went."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    removed = 0
    for entry in entries:
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                if recurse:
                    removed += _remove_unused(Path(entry.path), cutoff)
            elif _OURS.fullmatch(entry.name) and entry.stat().st_mtime < cutoff:
                os.unlink(entry.path)
                removed += 1
    with contextlib.suppress(OSError):
        os.rmdir(folder)  # only when empty
    return removed


def _tagged(root: Path) -> bool:
    """Whether the cache wrote `root`'s `CACHEDIR.TAG`: only then does it remove files
    there."""
    try:
        return (root / "CACHEDIR.TAG").read_text(encoding="utf-8").startswith(CACHE_TAG)
    except (OSError, UnicodeDecodeError):
        return False


def _shard_number(text: bytes) -> int:
    """The shard a pruning marker names (0 for a marker someone else wrote)."""
    return int(text) % 256 if text.strip().isdigit() else 0


def _folders(folder: Path) -> list[Path]:
    return [entry for entry in folder.iterdir() if entry.is_dir()]


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
        self._memory: dict[tuple[str, Key], Any] = {}
        self._pending: dict[tuple[str, Key], tuple[Any, Any]] = {}
        self._installations: dict[tuple[Path, tuple[str, ...]], str] = {}

    def installation(self, package: Path | None = None, search: list[str] | None = None) -> str:
        """The digest of the installation, part of every key: the content of
        lambda-lint's files (`package`) and the distributions installed in the folders
        packages are found in (`search`, by default the import path's); a plugin
        installed or removed changes it. The content decides, not the files' times: a
        fresh install of the same code, in CI or a new virtualenv, finds the entries an
        earlier one stored. Hashing the files takes about 10 ms, so the digest is kept
        in the cache folder under the files' sizes and modification times, which decide
        only whether it is computed again. A cache that keeps entries in memory (a
        process that lints again and again) keeps the digest too: the process runs the
        code it loaded, whatever is installed later."""
        package = PACKAGE if package is None else package
        search = _search_path() if search is None else search
        known = (package, tuple(search))
        found = self._installations.get(known)
        if found is None:
            found = self._installation(package, search)
            if self.remember:
                self._installations[known] = found
        return found

    def _installation(self, package: Path, search: list[str]) -> str:
        stamps = [_stamp(path) for path in _package_files(package)]
        stamps += [_stamp(Path(entry)) for entry in search]
        kept = self.folder / "installation" / f"{digest(*stamps)}.txt"
        try:
            found = kept.read_text(encoding="ascii")
            if len(found) == DIGEST_CHARS:
                _renew(kept, kept.stat().st_mtime)
                return found
        except (OSError, UnicodeDecodeError):
            pass
        content = _content(package, search)
        with contextlib.suppress(OSError):  # a read-only or full disk only costs speed
            _write_atomically(kept, content.encode("ascii"))
        return content

    def _path(self, kind: str, key: Key) -> Path:
        name = key if isinstance(key, str) else digest(*key)
        return self.folder / kind / name[:2] / f"{name}.json"

    def get(self, kind: str, key: Key, hint: Any) -> Any | None:
        """The value stored under `key`, of the type `hint`; None on a miss."""
        if (kind, key) in self._pending:
            return self._pending[kind, key][0]
        if (kind, key) in self._memory:
            return self._memory[kind, key]
        value = self._read(kind, key, hint)
        if value is not None and kind in self.remember:
            self._memory[kind, key] = value
        return value

    def _read(self, kind: str, key: Key, hint: Any) -> Any | None:
        try:
            path = self._path(kind, key)
            status = path.stat()
            if status.st_size > MAX_ENTRY_BYTES:
                return None
            entry = json.loads(path.read_bytes())
            if not (
                isinstance(entry, dict)
                and entry.get("format") == FORMAT
                and entry.get("version") == __version__
                and entry.get("shape") == shape(hint)
            ):
                return None
            value = decode(entry.get("value"), hint)
        except Exception:  # missing, truncated, of another shape, refused by a class: a miss
            return None
        _renew(path, status.st_mtime)
        return value

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

    def put(self, kind: str, key: Key, value: Any, hint: Any) -> None:
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

    def _write(self, kind: str, key: Key, value: Any, hint: Any) -> None:
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
            _write_atomically(path, data)
        except OSError:
            pass  # a read-only or full disk only costs speed

    def prune(self) -> None:
        """Remove the entries no run has used for `UNUSED_DAYS` days, those of other
        lambda-lint versions included. Entries are kept in 256 shards by the first two
        digits of their key; a pruning looks at one shard, the next one each time, at
        most once per `PRUNE_EVERY`: no run walks more than a 256th of the cache (a
        cache of 460,000 entries takes seconds to walk), and every entry is looked at
        within 256 prunings. Only the files the cache writes are removed, in the folders
        of versions under a folder the cache tagged (`CACHEDIR.TAG`): a cache folder set
        to a folder of other files loses none of them."""
        root = self.folder.parent
        marker = root / _PRUNED
        now = time.time()
        if not _tagged(root):
            return
        try:
            shard = 0
            if marker.exists():
                if now - marker.stat().st_mtime < PRUNE_EVERY:
                    return
                shard = _shard_number(marker.read_bytes())
            marker.write_text(str((shard + 1) % 256), encoding="ascii")
            kinds = [kind for version in _folders(root) for kind in _folders(version)]
        except (OSError, UnicodeDecodeError):
            return
        cutoff = now - UNUSED_DAYS * 24 * 3600
        for kind in kinds:
            _remove_unused(kind / f"{shard:02x}", cutoff)
            _remove_unused(kind, cutoff, recurse=False)  # the installation digests
            with contextlib.suppress(OSError):
                os.rmdir(kind.parent)  # a version's folder, when empty

    def clear(self) -> int:
        """Remove every entry, of every version (`lambda-lint clean`); how many files
        went. As with `prune`, only the cache's own files, under a folder it tagged."""
        root = self.folder.parent
        if not _tagged(root):
            return 0
        removed = sum(_remove_unused(version, math.inf) for version in _folders(root))
        with contextlib.suppress(OSError):
            (root / _PRUNED).unlink()
        return removed
