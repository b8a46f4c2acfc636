"""A repeated `check` answered from the cache before the parser and the rules load.

Most runs repeat an earlier one with nothing changed (pre-commit, an editor saving, CI
on an unchanged tree). Such a run needs only to find its files, hash them and print the
report and the warnings the earlier run printed. The report is stored under a key made
of everything that decides it: lambda-lint's own files and the installed packages
(which may add rules), the Python version, the command line, the working folder and the
environment that sets colours, the settings and the files they name, and every file of
every project the run covers (the Python files, the descriptors, the files read to
tell whether they are descriptors, and the files the run read beyond those).

A run is replayed only in the plain case: no fixing, no standard input, no plugins or
cache folder from the project's configuration, no internal errors, all paths present.
Its warnings (a file this Python cannot parse, no Python files found) then follow from
what the key covers. Anything else takes the full path, which stores nothing here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_lint import __version__
from lambda_lint.cache import Cache, digest, file_digest

if TYPE_CHECKING:
    from lambda_lint.discover import Project

#: what the cache holds for a replayed run: the report's text, the exit status and the
#: warnings printed
ReplayEntry = tuple[str, int, list[str]]
#: environment variables that change what a run prints
_OUTPUT_ENVIRONMENT = ("NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS")


@dataclass
class Replay:
    """The cache and key of a run that may be replayed, and whether its report is in
    colour. The files the full run read beyond the projects' own are stored with the
    report, and their content is part of the key of the report itself."""

    cache: Cache
    key: str
    color: bool
    #: the projects of the run, as discovery found them (a full run goes on with them)
    projects: list[Project]

    def stored(self) -> ReplayEntry | None:
        found = self.cache.get_with_inputs("replay", self.key, ReplayEntry)
        return None if found is None else found[0]  # type: ignore[no-any-return]

    def store(self, text: str, status: int, warnings: list[str], inputs: list[str]) -> None:
        entry = (text, status, warnings)
        self.cache.put_with_inputs("replay", self.key, entry, ReplayEntry, inputs)


def prepare(paths: list[Path], config: Path | None, request: str) -> Replay | None:
    """The replay of a run of the command line `request` (its options, written out)
    over `paths` with the configuration file `config`, or None when it cannot be
    replayed (a configuration error is left for the full run to report)."""
    from lambda_lint.cache import default_cache_dir
    from lambda_lint.config import ConfigError, resolve_settings
    from lambda_lint.discover import discover
    from lambda_lint.terminal import use_color

    try:
        settings = resolve_settings(paths, config)
    except ConfigError:
        return None
    if settings.plugins or settings.cache_dir is not None:
        return None
    color = use_color(sys.stdout)
    cache = Cache(default_cache_dir())
    parts: list[str] = [
        __version__,
        sys.version,
        cache.installation(),
        request,
        str(Path.cwd()),
        repr(color),
        *(f"{k}={v}" for k, v in sorted(os.environ.items()) if _decides_output(k)),
        repr(settings),
        *(f"{p}:{file_digest(p)}" for p in settings.input_files()),
    ]
    projects = discover(paths, settings)
    for project in projects:
        parts += [str(project.root), ",".join(sorted(map(str, project.requested)))]
        files = [*project.python_files, *project.descriptor_files, *project.examined]
        parts += [f"{p}:{file_digest(p)}" for p in sorted(set(files))]
    return Replay(cache, digest(*parts), color, projects)


def _decides_output(name: str) -> bool:
    return name.startswith("LAMBDA_LINT") or name in _OUTPUT_ENVIRONMENT
