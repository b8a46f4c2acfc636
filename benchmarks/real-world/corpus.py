"""The pinned repository list and where its copies live; shared by fetch.py and run.py."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on older interpreters only
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
REPOS_FILE = HERE / "repos.toml"
JUDGED_FILE = HERE / "judged.csv"
JUDGED_PATTERN = "judged*.csv"  # judged.csv plus one judged-<topic>.csv per judging round
CACHE_VARIABLE = "LAMBDA_LINT_REAL_WORLD"


@dataclass(frozen=True)
class Repo:
    """One public repository pinned to one commit."""

    name: str
    github: str
    commit: str
    note: str

    @property
    def key(self) -> str:
        """Folder name in a cache or mirror: `owner+name`."""
        return self.github.replace("/", "+")

    @property
    def url(self) -> str:
        return f"https://github.com/{self.github}.git"


def load_repos(path: Path = REPOS_FILE) -> list[Repo]:
    """Every `[[repo]]` entry of the list, checked for the fields and a full SHA."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle).get("repo", [])
    repos = []
    for number, entry in enumerate(entries, start=1):
        missing = {"name", "github", "commit", "note"} - entry.keys()
        if missing:
            raise SystemExit(f"{path}: repo #{number} lacks {', '.join(sorted(missing))}")
        commit = entry["commit"]
        if len(commit) != 40 or any(c not in "0123456789abcdef" for c in commit):
            raise SystemExit(f"{path}: repo {entry['name']!r}: commit must be a full SHA")
        repos.append(Repo(entry["name"], entry["github"], commit, entry["note"]))
    names = [repo.name for repo in repos]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise SystemExit(f"{path}: duplicate names: {', '.join(duplicates)}")
    return repos


def select(repos: list[Repo], wanted: str | None) -> list[Repo]:
    """The repositories named in a comma-separated `--repos` value (all when None)."""
    if not wanted:
        return repos
    names = [name.strip() for name in wanted.split(",") if name.strip()]
    known = {repo.name: repo for repo in repos}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise SystemExit(f"unknown repositories: {', '.join(unknown)} (see {REPOS_FILE.name})")
    return [known[name] for name in names]


def default_cache() -> Path:
    """`$LAMBDA_LINT_REAL_WORLD`, else `~/.cache/lambda-lint-real-world`."""
    configured = os.environ.get(CACHE_VARIABLE)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "lambda-lint-real-world"


def marker_path(cache: Path, repo: Repo) -> Path:
    """File beside a repository's copy that holds the commit it was materialised at."""
    return cache / f"{repo.key}.commit"


def materialised(cache: Path, repo: Repo) -> bool:
    """Whether the copy in the cache is complete and at the pinned commit."""
    marker = marker_path(cache, repo)
    if not marker.is_file() or not (cache / repo.key).is_dir():
        return False
    return marker.read_text(encoding="utf-8").split()[:1] == [repo.commit]
