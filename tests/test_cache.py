"""The result cache: a re-run gives the same findings, and any change that matters
(a helper module, a descriptor, the config) is seen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import lambda_lint.cache
from lambda_lint.cache import Cache
from lambda_lint.cli import main

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


def _project(tmp_path: Path) -> Path:
    """A handler whose helper module ends the process (LL107)."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    return project


def test_cached_results_follow_every_change(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
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
    project, cache = _project(tmp_path), tmp_path / "cache"
    expected = lint(project, cache)
    for entry in cache.rglob("*"):
        if entry.is_file() and entry.name != "CACHEDIR.TAG":
            entry.write_bytes(b"not an entry")
    assert lint(project, cache) == expected


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
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


def _installation(tmp_path: Path, name: str, distributions: list[str]) -> tuple[Path, Path]:
    """A copy of lambda-lint's files and a folder of installed distributions, as a
    fresh install in a new virtualenv would lay them out (with files of its own times)."""
    package = tmp_path / name / "lambda_lint"
    shutil.copytree(
        lambda_lint.cache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    site = tmp_path / name / "site-packages"
    for distribution in distributions:
        (site / distribution).mkdir(parents=True)
    return package, site


def test_a_fresh_install_of_the_same_code_has_the_same_installation_digest(
    tmp_path: Path,
) -> None:
    """CI installs lambda-lint anew on every run: only the content of its files and the
    distributions installed beside it decide the digest that keys the cache."""
    cache = Cache(tmp_path / "cache")
    dists = ["boto3-1.40.0.dist-info", "click-8.1.8.dist-info"]
    first = cache.installation(*_paths(_installation(tmp_path, "a", dists)))
    package, site = _installation(tmp_path, "b", dists)
    os.utime(package / "rule.py", (0, 0))
    assert cache.installation(package, [str(site)]) == first

    (site / "acme_lambda_rules-1.0.dist-info").mkdir()
    with_plugin = cache.installation(package, [str(site)])
    assert with_plugin != first

    (package / "rule.py").write_text("# edited\n", encoding="utf-8")
    assert cache.installation(package, [str(site)]) not in (first, with_plugin)


def test_a_long_running_process_keys_its_cache_by_the_code_it_loaded(tmp_path: Path) -> None:
    """The language server keeps entries in memory and runs the code it started with:
    a plugin installed meanwhile changes nothing it finds until it is restarted, and
    the installation is not looked at again on every keystroke. A one-off run looks at
    it every time."""
    package, site = _installation(tmp_path, "a", ["click-8.1.8.dist-info"])
    remembering = Cache(tmp_path / "cache", remember=("summary",))
    once = Cache(tmp_path / "cache")
    before = remembering.installation(package, [str(site)])
    assert once.installation(package, [str(site)]) == before

    (site / "acme_lambda_rules-1.0.dist-info").mkdir()
    assert remembering.installation(package, [str(site)]) == before
    assert once.installation(package, [str(site)]) != before


def _paths(installation: tuple[Path, Path]) -> tuple[Path, list[str]]:
    return installation[0], [str(installation[1])]


def test_a_cache_filled_by_one_install_serves_a_fresh_install_of_the_same_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    monkeypatch.setenv("LAMBDA_LINT_CACHE_DIR", str(cache))
    monkeypatch.chdir(project)

    def misses() -> str:
        result = CliRunner().invoke(main, ["check", "--verbose", "."])
        assert result.exit_code == 1, result.output
        return result.output.split("hits, ")[1].split()[0]

    monkeypatch.setattr(lambda_lint.cache, "PACKAGE", _installation(tmp_path, "a", [])[0])
    assert misses() != "0"
    monkeypatch.setattr(lambda_lint.cache, "PACKAGE", _installation(tmp_path, "b", [])[0])
    assert misses() == "0"


def _age(cache: Path, days: float, but: str = "") -> None:
    """Make every file of the cache (but the one named `but`) look last used `days` ago."""
    then = time.time() - days * 24 * 3600
    for path in cache.rglob("*"):
        if path.is_file() and path.name != but:
            os.utime(path, (then, then))


def _prune_every_shard(cache: Path) -> None:
    """Prune as 256 runs an hour apart or more would: one shard of entries each."""
    for _ in range(256):
        marker = cache / "last-pruned"
        if marker.exists():
            os.utime(marker, (0, 0))
        Cache(cache).prune()


def test_entries_no_run_used_for_a_month_are_removed(tmp_path: Path) -> None:
    """Entries are keyed by content, so every edit adds some: those no run used for 30
    days go, a 256th of the cache an hour at most, and nothing in the folder but the
    cache's own files."""
    cache = tmp_path / "cache"
    used, gone = tmp_path / "used", tmp_path / "gone"
    for project in (used, gone):
        project.mkdir()
        (project / "app.py").write_text(HANDLER)
        (project / "helpers.py").write_text(HELPER_EXITS if project == used else HELPER_RAISES)
        lint(project, cache)
    older = cache / "0.0.1" / "summary" / "ab"
    older.mkdir(parents=True)
    (older / f"{'ab' * 32}.json").write_text("{}")
    (cache / "notes.txt").write_text("not the cache's")
    (cache / "0.1.0" / "summary" / "notes.json").write_text("not the cache's")
    _age(cache, 40)
    before = set(cache.rglob("*.json"))

    assert lint(used, cache) == [("helpers.py", 5, "LL107")]  # answered from the cache
    (cache / "last-pruned").write_text("not a shard")  # as a stranger might leave it
    _prune_every_shard(cache)
    after = set(cache.rglob("*.json"))
    assert after and after < before
    assert (cache / "0.1.0" / "summary" / "notes.json") in after
    assert not (cache / "0.0.1").exists()
    assert (cache / "notes.txt").exists()
    assert lint(used, cache) == [("helpers.py", 5, "LL107")]
    assert lint(gone, cache) == []  # linted anew

    _age(cache, 40, but="last-pruned")  # the last pruning was just now
    kept = set(cache.rglob("*.json"))
    for _ in range(256):
        Cache(cache).prune()
    assert set(cache.rglob("*.json")) == kept, "pruned twice within an hour"


def test_clean_removes_the_cache_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    expected = lint(project, cache)
    (cache / "notes.txt").write_text("not the cache's")
    entries = list(cache.rglob("*.json"))
    assert entries
    monkeypatch.setenv("LAMBDA_LINT_CACHE_DIR", str(cache))
    monkeypatch.chdir(project)

    result = CliRunner().invoke(main, ["clean"])
    assert result.exit_code == 0, result.output
    assert f"Removed {len(entries) + 1:,} cache files from {cache}" in result.output
    assert not any(cache.rglob("*.json"))
    assert (cache / "notes.txt").exists()
    assert lint(project, cache) == expected

    stranger = tmp_path / "stranger"  # a folder the cache never tagged
    stranger.mkdir()
    (stranger / f"{'ab' * 32}.json").write_text("{}")
    monkeypatch.setenv("LAMBDA_LINT_CACHE_DIR", str(stranger))
    assert "Removed 0 cache files" in CliRunner().invoke(main, ["clean"]).output
    assert (stranger / f"{'ab' * 32}.json").exists()
