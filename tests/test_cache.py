"""The result cache: a re-run gives the same findings, and any change that matters
(a helper module, a descriptor, the config) is seen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HANDLER = "from helpers import stop\n\n\ndef handler(event, context):\n    stop()\n"
HELPER_EXITS = "import sys\n\n\ndef stop():\n    sys.exit(1)\n"
HELPER_RAISES = "def stop():\n    raise RuntimeError('stop')\n"


def lint(folder: Path, cache: Path, *args: str) -> list[tuple[str, int, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "lambda_lint", "check", "--output-format", "json", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "LAMBDA_LINT_CACHE_DIR": str(cache)},
    )
    assert result.returncode in (0, 1), result.stderr
    return sorted(
        (os.path.relpath(f["filename"], folder), f["location"]["row"], f["code"])
        for f in json.loads(result.stdout)
    )


def test_cached_results_follow_every_change(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    first = lint(project, cache)
    assert first == [("helpers.py", 5, "LL107")]
    assert any(cache.rglob("*")), "nothing was cached"
    assert lint(project, cache) == first
    assert not any(project.glob(".*cache*")), "the cache must not be written into the project"

    (project / "helpers.py").write_text(HELPER_RAISES)
    assert lint(project, cache) == []

    (project / "helpers.py").write_text(HELPER_EXITS)
    (project / "lambda-lint.toml").write_text("ignore = ['LL107']\n")
    assert lint(project, cache) == []

    (project / "lambda-lint.toml").unlink()
    assert lint(project, cache) == first


def test_a_corrupt_cache_entry_is_a_miss(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    expected = lint(project, cache)
    for entry in cache.rglob("*"):
        if entry.is_file() and entry.name != "CACHEDIR.TAG":
            entry.write_bytes(b"not a pickle")
    assert lint(project, cache) == expected


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    lint(project, cache, "--no-cache")
    assert not cache.exists()


def test_a_remembering_cache_keeps_its_kinds_in_memory(tmp_path: Path) -> None:
    from lambda_lint.cache import Cache

    cache = Cache(tmp_path, remember=("summary",))
    cache.put("summary", "ab12", ["kept"], list[str])
    cache.put("result", "ab12", ["not kept"], list[str])
    for entry in tmp_path.rglob("*.json"):
        entry.unlink()
    assert cache.get("summary", "ab12", list[str]) == ["kept"]
    assert cache.get("result", "ab12", list[str]) is None


def test_a_deferred_cache_writes_on_flush(tmp_path: Path) -> None:
    """The language server's cache: entries are read back at once, and reach the disk
    (for the next process) only when flushed."""
    from lambda_lint.cache import Cache

    cache = Cache(tmp_path, remember=("summary",), deferred=True)
    cache.put("summary", "ab12", {"x": [1, 2]}, dict[str, list[int]])
    cache.put("file-result", "cd34", ["a"], list[str])
    assert cache.get("summary", "ab12", dict[str, list[int]]) == {"x": [1, 2]}
    assert cache.get("file-result", "cd34", list[str]) == ["a"]
    assert Cache(tmp_path).get("summary", "ab12", dict[str, list[int]]) is None
    cache.flush()
    again = Cache(tmp_path)
    assert again.get("summary", "ab12", dict[str, list[int]]) == {"x": [1, 2]}
    assert again.get("file-result", "cd34", list[str]) == ["a"]


def test_a_deferred_cache_can_be_written_a_slice_at_a_time(tmp_path: Path) -> None:
    """`flush(seconds)` stops once the time is up, after one entry at least, and says
    whether some are still to be written; nothing is lost on the way."""
    from lambda_lint.cache import Cache

    cache = Cache(tmp_path, deferred=True)
    for number in range(3):
        cache.put("summary", f"k{number}", [number], list[int])
    assert [cache.flush(0), cache.flush(0), cache.flush(0)] == [True, True, False]
    again = Cache(tmp_path)
    assert [again.get("summary", f"k{n}", list[int]) for n in range(3)] == [[0], [1], [2]]
