"""Stage 1, discover: from the paths on the command line to the files of each project.

A checked path belongs to a *project*: the nearest folder at or above it holding a
lambda-lint config, a deployment descriptor or a `cdk.json`. The whole project is read
(descriptors and helper modules matter to findings) but findings are reported only for
the files the user asked about.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator, MutableMapping
from contextlib import suppress
from dataclasses import dataclass, field
from fnmatch import translate
from pathlib import Path
from typing import Callable

import pathspec

from lambda_lint.config import CONFIG_FILE, Settings, has_own_table
from lambda_lint.descriptors import descriptor_kind, kind_read_from_content, named_like_descriptor
from lambda_lint.stamps import Stamp, settled, stamp

logger = logging.getLogger(__name__)

DEFAULT_EXCLUDES = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".env",
    "env",
    "__pycache__",
    "node_modules",
    "build",
    "dist",
    "site-packages",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".lambda_lint_cache",
    ".aws-sam",
    "cdk.out",
    ".serverless",
    ".terraform",
    ".idea",
    ".vscode",
)
PROJECT_MARKERS = (
    CONFIG_FILE,
    "template.yaml",
    "template.yml",
    "template.json",
    "serverless.yml",
    "serverless.yaml",
    "cdk.json",
    "samconfig.toml",
)


@dataclass
class Project:
    """One project's files, and which of them the user asked to have reported."""

    root: Path
    python_files: list[Path] = field(default_factory=list)
    descriptor_files: list[Path] = field(default_factory=list)
    #: the files whose findings are shown (a subset of python_files + descriptor_files)
    requested: set[Path] = field(default_factory=set)
    #: the files read to find out they are no descriptor (a YAML or JSON file without
    #: template markers): an edit can make one a descriptor
    examined: list[Path] = field(default_factory=list)


def project_root(path: Path) -> Path:
    """The nearest folder at or above `path` that marks a Lambda project, looking no
    higher than the repository root (the folder holding `.git`), or the filesystem
    root outside a repository; `path`'s own folder when none does. So a run from a
    subfolder (`cd src && lambda-lint check .`) still reads the template above it."""
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
        if (folder / "pyproject.toml").is_file() and has_own_table(folder / "pyproject.toml"):
            return folder
        if any(folder.glob("*.tf")):
            return folder
        if (folder / ".git").exists():
            break
    return start


class Excluder:
    """`exclude`/`extend-exclude` patterns, the default folders, and `.gitignore` files."""

    def __init__(self, settings: Settings) -> None:
        base = settings.root
        patterns = list(settings.exclude or DEFAULT_EXCLUDES) + list(settings.extend_exclude)
        self.names = [p for p in patterns if "/" not in p]
        self.path_patterns = [
            str((base / p).resolve() if base else Path(p).resolve()) for p in patterns if "/" in p
        ]
        # each list as one expression: matched once per path, not once per pattern
        self._name_match = _any_of(self.names)
        self._path_match = _any_of(self.path_patterns)
        self._gitignores: dict[Path, _IgnoreFile | None] = {}
        #: the patterns of each `.gitignore` text read (a monorepo's are often copies)
        self._ignore_texts: dict[str, _IgnoreFile | None] = {}

    def _gitignore(self, folder: Path) -> _IgnoreFile | None:
        if folder not in self._gitignores:
            spec = None
            ignore_file = folder / ".gitignore"
            if ignore_file.is_file():
                try:
                    text = ignore_file.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    text = None
                if text is not None:
                    if text not in self._ignore_texts:
                        self._ignore_texts[text] = _IgnoreFile.read(text)
                    spec = self._ignore_texts[text]
            self._gitignores[folder] = spec
        return self._gitignores[folder]

    def excluded(
        self, path: Path, ignore_roots: Iterable[Path], is_dir: bool | None = None
    ) -> bool:
        """Whether `path` is excluded, by a pattern or by a `.gitignore` file in one of
        `ignore_roots` (folders above it); `is_dir` spares a look at the file system
        when the caller knows it already."""
        if self._name_match(os.path.normcase(path.name)):
            return True
        whole = str(path)
        if self._path_match(os.path.normcase(whole)):
            return True
        for folder in ignore_roots:
            spec = self._gitignore(folder)
            if spec is None:
                continue
            if is_dir is None:
                is_dir = path.is_dir()
            relative = whole[len(str(folder)) :].lstrip(os.sep).replace(os.sep, "/")
            if spec.ignores(relative + ("/" if is_dir else "")):
                return True
        return False

    def excluded_path(self, path: Path) -> bool:
        """Whether a path, or a folder above it, is excluded (`--force-exclude`)."""
        for candidate in (path, *path.parents):
            roots = [p for p in candidate.parents if (p / ".gitignore").is_file()]
            if self.excluded(candidate, roots):
                return True
        return False

    def walk(
        self,
        root: Path,
        looked_at: list[Path] | None = None,
        names: Callable[[str], bool] | None = None,
    ) -> Iterator[Path]:
        """Every regular file under `root` that is not excluded (of those whose name
        `names` accepts, when given: no other is matched against the exclusions, which
        take most of the walk's time), in a stable order.

        Project templates (a `{{...}}` segment: cookiecutter, Jinja) and virtual
        environments (a folder holding `pyvenv.cfg`) are skipped silently. A folder or
        file that cannot be listed or inspected (a symlink loop, no permission) and a
        FIFO or device where code would be are skipped with a warning naming them:
        reading one could block forever. `looked_at`, when given, receives every folder
        listed or skipped as an environment, `.gitignore` read and symlink followed:
        the walk's answer stays the same while none of them changes."""
        stack = [(root, [p for p in (root, *root.parents) if _is_file(p / ".gitignore")])]
        note = looked_at.append if looked_at is not None else _ignore
        while stack:
            folder, ignore_roots = stack.pop()
            note(folder)
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name, reverse=True)
            except OSError as error:
                _skip(folder, error)
                continue
            here = ignore_roots
            if _is_file(folder / ".gitignore"):
                here = [*ignore_roots, folder]
                note(folder / ".gitignore")
            for entry in entries:
                if _is_template(entry.name):
                    continue
                path = Path(entry.path)
                try:
                    is_dir = entry.is_dir()
                    if not is_dir and names is not None and not names(entry.name):
                        continue
                    if self.excluded(path, here, is_dir):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        if not (path / "pyvenv.cfg").exists():
                            stack.append((path, here))
                        else:
                            note(path)
                        continue
                    if entry.is_symlink():
                        note(path)
                    mode = entry.stat().st_mode  # through a symlink
                except OSError as error:
                    _skip(path, error)
                    continue
                if stat.S_ISREG(mode):
                    yield path
                elif not stat.S_ISDIR(mode) and _may_be_listed(entry.name):
                    logger.warning("%s: not a regular file; skipped", path)


def _any_of(patterns: list[str]) -> Callable[[str], object]:
    """A test of whether a (case-normalised) text matches one of the shell-style
    `patterns`, as `fnmatch.fnmatch` tests one."""
    if not patterns:
        return lambda text: False
    either = "|".join(translate(os.path.normcase(p)) for p in patterns)
    return re.compile(either).match


class _IgnoreFile:
    """A `.gitignore` file's patterns. Most paths match none of them (a Python
    project's `.gitignore` names caches, builds and editors' files), which one
    expression joining them all tells at once; pathspec, which tries each pattern in
    turn and weighs negations and folder patterns, decides the rest."""

    def __init__(self, spec: pathspec.GitIgnoreSpec) -> None:
        self.spec = spec
        self._any: Callable[[str], object] = lambda relative: True
        active = [pattern for pattern in spec.patterns if pattern.include is not None]
        if not all(isinstance(p, pathspec.RegexPattern) and p.regex for p in active):
            return  # a pattern of another kind: pathspec decides every path
        expressions = [_NAMED_GROUP.sub("(?:", p.regex.pattern) for p in active]  # type: ignore[attr-defined]
        # most expressions start alike (a name in any folder): that start is tried once
        anywhere = [e[len(_ANYWHERE) :] for e in expressions if e.startswith(_ANYWHERE)]
        others = [e for e in expressions if not e.startswith(_ANYWHERE)]
        branches = [f"(?:{e})" for e in others]
        if anywhere:
            branches.append(_ANYWHERE + "(?:" + "|".join(f"(?:{e})" for e in anywhere) + ")")
        with suppress(re.error):  # not expected of pathspec's: then pathspec decides alone
            either = re.compile("|".join(branches) or "(?!)")
            # pathspec searches; an expression anchored at the start needs only a match
            anchored = all(e.startswith("^") for e in expressions)
            self._any = either.match if anchored else either.search

    @classmethod
    def read(cls, text: str) -> _IgnoreFile | None:
        """The patterns of a `.gitignore` file holding `text`; None if they are not
        valid."""
        try:
            return cls(pathspec.GitIgnoreSpec.from_lines(text.splitlines()))
        except ValueError:
            return None

    def ignores(self, relative: str) -> bool:
        """Whether the file or folder (ending in `/`) at `relative`, a path relative to
        the `.gitignore` file's folder written with `/`, is ignored."""
        return bool(self._any(relative)) and bool(self.spec.match_file(relative))


#: a named group of pathspec's expressions (they repeat names; joined, they may not)
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
#: how pathspec's expression for a pattern without `/` (or with `**/` first) starts
_ANYWHERE = "^(?:.+/)?"


def _ignore(path: Path) -> None:
    """Notes nothing (a walk nobody keeps)."""


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _is_template(name: str) -> bool:
    """A file or folder name of a project template (`{{cookiecutter.name}}`)."""
    return "{{" in name and "}}" in name


def _may_be_listed(name: str) -> bool:
    """Whether `list_project` may list a file of this name (Python or a descriptor)."""
    return name.endswith(".py") or named_like_descriptor(name)


def _skip(path: Path, error: OSError) -> None:
    if error.errno != errno.ENOENT:  # a dangling symlink is no news
        logger.warning("%s: cannot be read (%s); skipped", path, error.strerror or error)


def is_python(path: Path) -> bool:
    return path.suffix == ".py"


@dataclass
class Listing:
    """A project's files as a walk found them, and the stamps of everything its answer
    rests on: the folders listed (a file created, deleted or renamed in one changes
    its stamp), the `.gitignore` files read or that could appear above the project,
    the symlinks followed and the files whose content decides their kind."""

    python_files: tuple[Path, ...]
    descriptor_files: tuple[Path, ...]
    examined: tuple[Path, ...]
    stamps: dict[Path, Stamp]

    def current(self) -> bool:
        """Whether a walk now would find the same files."""
        return all(stamp(path) == found for path, found in self.stamps.items())


def list_project(root: Path, excluder: Excluder) -> tuple[Listing, bool]:
    """The files of the project at `root`, and whether the listing may be kept (no
    stamp it rests on is too recent to show a change made just after the walk)."""
    looked_at: list[Path] = [p / ".gitignore" for p in root.parents]
    python_files: list[Path] = []
    descriptor_files: list[Path] = []
    examined: list[Path] = []
    for file in excluder.walk(root, looked_at, _may_be_listed):
        if is_python(file):
            python_files.append(file)
        elif kind_read_from_content(file):
            looked_at.append(file)
            (descriptor_files if descriptor_kind(file) else examined).append(file)
        elif descriptor_kind(file):
            descriptor_files.append(file)
    stamps = {path: stamp(path) for path in looked_at}
    keep = all(settled(found) for found in stamps.values())
    listing = Listing(tuple(python_files), tuple(descriptor_files), tuple(examined), stamps)
    return listing, keep


def discover(
    paths: Iterable[Path],
    settings: Settings,
    listings: MutableMapping[Path, Listing] | None = None,
) -> list[Project]:
    """Group the checked paths into projects and list each project's files.

    `listings` keeps what the walks found between calls with the same settings (a
    long-running process): a project whose listing is still current is not walked
    again."""
    excluder = Excluder(settings)
    projects: dict[Path, Project] = {}
    for raw in paths:
        path = raw.resolve()
        root = project_root(path)
        project = projects.get(root)
        if project is None:
            listing = listings.get(root) if listings is not None else None
            if listing is None or not listing.current():
                listing, keep = list_project(root, excluder)
                if listings is not None:
                    if keep:
                        listings[root] = listing
                    else:
                        listings.pop(root, None)
            project = projects[root] = Project(
                root,
                list(listing.python_files),
                list(listing.descriptor_files),
                examined=list(listing.examined),
            )
        if path.exists() and not path.is_dir() and not path.is_file():
            logger.warning("%s: not a regular file; skipped", raw)
        elif path.is_file() or not path.exists():
            # a file named explicitly is always checked, even if excluded or outside;
            # one that does not exist yet is an editor's or stdin's unsaved buffer
            if is_python(path) and path not in project.python_files:
                project.python_files.append(path)
            project.requested.add(path)
        else:
            project.requested.update(
                f for f in (*project.python_files, *project.descriptor_files) if _under(f, path)
            )
    return list(projects.values())


def _under(file: Path, folder: Path) -> bool:
    return file == folder or folder in file.parents
