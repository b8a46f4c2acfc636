"""The project walk: whatever the tree holds (symlink loops, folders it cannot enter,
FIFOs and devices, project templates, virtual environments), the run goes on, names
what it skipped, and never reads a file that is not a regular one."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from lambda_lint.cli import main
from lambda_lint.config import Settings
from lambda_lint.descriptors import descriptor_kind
from lambda_lint.discover import Excluder, is_python, list_project

BUGGY = "def handler(event, context):\n    return context.request_id\n"


def check(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(folder)
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, ["check", "--no-cache", "--output-format", "json", *args])


def reported(result: Result) -> list[tuple[str, str]]:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return sorted((Path(f["filename"]).name, f["code"]) for f in json.loads(result.stdout))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "lambda-lint.toml").write_text("")
    (tmp_path / "app.py").write_text(BUGGY)
    return tmp_path


def test_a_symlink_loop_is_named_and_skipped(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "loop_a").symlink_to("loop_b")
    (project / "loop_b").symlink_to("loop_a")
    (project / "self.py").symlink_to("self.py")
    result = check(project, monkeypatch)
    assert reported(result) == [("app.py", "LL501")]
    for name in ("loop_a", "loop_b", "self.py"):
        assert (
            f"{project / name}: cannot be read (Too many levels of symbolic links); skipped"
            in result.stderr
        )


def test_a_folder_that_cannot_be_listed_is_named_and_skipped(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = project / "locked"
    locked.mkdir()
    (locked / "inner.py").write_text(BUGGY)
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    result = check(project, monkeypatch)
    assert reported(result) == [("app.py", "LL501")]
    assert f"{locked}: cannot be read (Permission denied); skipped" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder")
def test_real_permissions(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unreadable, unsearchable = project / "unreadable", project / "unsearchable"
    for folder in (unreadable, unsearchable):
        folder.mkdir()
        (folder / "inner.py").write_text(BUGGY)
    (project / "into.py").symlink_to(unsearchable / "inner.py")
    unreadable.chmod(0o000)
    unsearchable.chmod(0o644)
    try:
        result = check(project, monkeypatch)
    finally:
        unreadable.chmod(0o755)
        unsearchable.chmod(0o755)
    assert reported(result) == [("app.py", "LL501")]
    assert "unreadable: cannot be read" in result.stderr


def test_fifos_and_devices_are_never_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.mkfifo(project / "pipe.py")  # reading it would wait for a writer forever
    os.mkfifo(project / "template.yaml")
    os.mkfifo(project / "other.yaml")
    (project / "zero.py").symlink_to("/dev/zero")  # reading it would never end
    result = check(project, monkeypatch)
    assert reported(result) == [("app.py", "LL501")]
    for name in ("pipe.py", "template.yaml", "other.yaml", "zero.py"):
        assert f"{project / name}: not a regular file; skipped" in result.stderr


def test_a_fifo_named_on_the_command_line_is_not_read(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(project / "pipe.py")
    result = check(project, monkeypatch, "pipe.py", "app.py")
    assert reported(result) == [("app.py", "LL501")]
    assert "pipe.py: not a regular file; skipped" in result.stderr


def test_project_templates_are_not_code(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = project / "{{cookiecutter.project_slug}}"
    (template / "src").mkdir(parents=True)
    (template / "src" / "app.py").write_text("def handler(event, context):\n    return {{ x }}\n")
    (project / "{{ name }}.py").write_text("{% if x %}\n")
    result = check(project, monkeypatch)
    assert reported(result) == [("app.py", "LL501")]
    assert result.stderr == ""


def test_any_virtual_environment_is_skipped(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    environment = project / "py311-lambda"
    (environment / "lib" / "site").mkdir(parents=True)
    (environment / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (environment / "lib" / "site" / "mod.py").write_text(BUGGY)
    assert reported(check(project, monkeypatch)) == [("app.py", "LL501")]


def test_a_kept_listing_follows_files_whose_content_decides_their_kind(
    project: Path,
) -> None:
    """A listing kept between runs (the language server) is walked again when a YAML
    file discovery read becomes a template by an edit in place, which leaves its
    folder's stamp alone; until then it is used as it is."""
    from lambda_lint.config import Settings
    from lambda_lint.discover import discover

    stack = project / "infra" / "stack.yaml"
    stack.parent.mkdir()
    stack.write_text("name: not a template\n")
    past = time.time() - 3600
    for path in (project, *project.rglob("*")):
        os.utime(path, (past, past))
    listings: dict[Path, Any] = {}

    def kinds() -> tuple[list[Path], list[Path]]:
        (found,) = discover([project], Settings(), listings)
        (fresh,) = discover([project], Settings())
        assert (found.descriptor_files, found.examined) == (fresh.descriptor_files, fresh.examined)
        return found.descriptor_files, found.examined

    assert kinds() == ([], [stack])
    kept = listings[project]
    assert kinds() == ([], [stack]) and listings[project] is kept, "an unchanged tree"
    folder = stack.parent.stat()
    stack.write_text('AWSTemplateFormatVersion: "2010-09-09"\n')
    os.utime(stack.parent, ns=(folder.st_atime_ns, folder.st_mtime_ns))
    assert kinds() == ([stack], [])


def test_exclude_patterns_match_names_and_paths(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pattern without `/` matches a file or folder name anywhere; one with `/`, a
    path under the project root; both as shell-style patterns."""
    (project / "lambda-lint.toml").write_text(
        'extend-exclude = ["*_generated.py", "vendor?", "lib/old/*"]\n'
    )
    for name in (
        "api_generated.py",
        "pkg/models_generated.py",
        "vendor1/dep.py",
        "lib/old/legacy.py",
        "lib/new/current.py",
        "pkg/vendor/kept.py",  # `vendor?` wants one more character
    ):
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(BUGGY)
    assert reported(check(project, monkeypatch)) == [
        ("app.py", "LL501"),
        ("current.py", "LL501"),
        ("kept.py", "LL501"),
    ]


NAMES = [
    "app.py",
    "template.yaml",
    "Template.YML",
    "serverless.yml",
    "main.tf",
    "main.TF",
    "Dockerfile",
    "Dockerfile.dev",
    "api.dockerfile",
    "stack.json",
    "parameters.json",
    "package.json",
    "cdk.json",
    "infra.template",
    "README.md",
    ".tf",
    "notes.txt",
    "script.sh",
]


def test_the_walk_skips_only_files_the_listing_would_not_keep(tmp_path: Path) -> None:
    """The project walk matches only files the listing may keep against the exclusions;
    what it lists is what a walk over every file gives once filtered."""
    template = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n"
    for folder in ("", "src", "build/.aws-sam"):
        for name in NAMES:
            path = tmp_path / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(template if name.endswith((".json", ".yaml", ".YML")) else "x = 1\n")
    (tmp_path / ".gitignore").write_text("*.md\nbuild/\n")
    listing, _ = list_project(tmp_path, Excluder(Settings()))
    every_file = list(Excluder(Settings()).walk(tmp_path))
    assert listing.python_files == tuple(p for p in every_file if is_python(p))
    kept = [p for p in every_file if not is_python(p) and descriptor_kind(p)]
    assert sorted(listing.descriptor_files) == sorted(kept)
    assert {p.name for p in listing.descriptor_files} >= {"main.tf", "Dockerfile.dev", "stack.json"}


def test_a_gitignore_with_negations_and_folder_patterns_excludes_what_git_ignores(
    tmp_path: Path,
) -> None:
    """The files listed are those `git ls-files` shows once everything is added: a
    negation brings back a file, but not one inside an ignored folder."""
    (tmp_path / ".gitignore").write_text(
        "*.py[cod]\nbuild/\n!build/keep_me.py\ngenerated_*.py\n!generated_ok.py\n"
        "/top_only.py\ndocs/**/scratch.py\n"
    )
    for name in (
        "app.py",
        "build/x.py",
        "build/keep_me.py",
        "generated_a.py",
        "generated_ok.py",
        "top_only.py",
        "sub/top_only.py",
        "docs/a/b/scratch.py",
        "docs/scratch.py",
        "src/mod.py",
        "src/mod.pyc",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    listed = sorted(p.relative_to(tmp_path).as_posix() for p in Excluder(Settings()).walk(tmp_path))
    assert listed == [".gitignore", "app.py", "generated_ok.py", "src/mod.py", "sub/top_only.py"]
