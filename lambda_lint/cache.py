"""The on-disk cache: module summaries by file content, and whole project results.

Entries are keyed by content hashes (never modification times: checkouts and pre-commit
reset them) and by everything else that decides the result — lambda-lint's version, the
rules and plugin versions, the settings, the enabled rules. The cache lives outside the
project (`$LAMBDA_LINT_CACHE_DIR`, the `cache-dir` setting, else the user's cache folder),
so linting never writes into the user's tree. A broken or unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from lambda_lint import __version__

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


class Cache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder / __version__

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / key

    def get(self, kind: str, key: str) -> Any | None:
        try:
            with open(self._path(kind, key), "rb") as handle:
                return pickle.load(handle)
        except Exception:  # missing, truncated, from another Python: a miss
            return None

    def put(self, kind: str, key: str, value: Any) -> None:
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tag = self.folder.parent / "CACHEDIR.TAG"
            if not tag.exists():
                tag.write_text(CACHE_TAG, encoding="utf-8")
            fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            pass  # a read-only or full disk only costs speed
