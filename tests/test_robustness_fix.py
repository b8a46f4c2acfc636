"""`--fix` never loses an edit made during the run and never replaces a file: it writes
the file the user has, in place, or leaves it alone and says why."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lambda_lint.api import Linter
from lambda_lint.cli import main
from lambda_lint.config import load_config_file
from lambda_lint.fix import apply_fixes
from lambda_lint.registry import load_rules

CODE = "def handler(event, context):\n    return context.request_id\n"
FIXED = "def handler(event, context):\n    return context.aws_request_id\n"


def make_project(folder: Path, code: str = CODE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "lambda-lint.toml").write_text("", encoding="utf-8")
    app = folder / "app.py"
    app.write_text(code, encoding="utf-8")
    return app


def check(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(folder)
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, ["check", "--no-cache", *args])


def linter_for(folder: Path) -> Linter:
    settings = load_config_file(folder / "lambda-lint.toml")
    ruleset = load_rules()
    return Linter(settings, ruleset, ruleset.select(None, (), ()), cwd=folder)


def test_a_file_edited_after_it_was_linted_is_not_fixed(tmp_path: Path) -> None:
    app = make_project(tmp_path)
    linter = linter_for(tmp_path)
    result = linter.lint([tmp_path])
    assert [f.code for f in result.findings] == ["LL501"]
    # the user saves a new version while the run is going: the edit offsets of the
    # first read would land in the wrong places of the second
    edited = "# a new first line\n" + CODE.replace("return", "value = 1\n    return")
    app.write_text(edited, encoding="utf-8")
    outcome = apply_fixes(linter, [tmp_path], result, write=True)
    assert app.read_text(encoding="utf-8") == edited
    assert outcome.fixed == 0 and outcome.written == []
    assert outcome.problems == ["app.py: changed on disk since it was linted; not fixed"]


def test_the_cli_names_the_file_it_did_not_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_project(tmp_path)
    edited = "# edited\n" + CODE
    original_lint = Linter.lint
    calls = []

    def lint_then_edit(self: Linter, *args: object, **kwargs: object) -> object:
        result = original_lint(self, *args, **kwargs)  # type: ignore[arg-type]
        if not calls:
            app.write_text(edited, encoding="utf-8")
        calls.append(1)
        return result

    monkeypatch.setattr(Linter, "lint", lint_then_edit)
    result = check(tmp_path, monkeypatch, "--fix", "app.py")
    assert app.read_text(encoding="utf-8") == edited
    assert "Fixed" not in result.stdout
    assert "app.py: changed on disk since it was linted; not fixed" in result.stderr


def test_a_read_only_file_is_left_alone_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_project(tmp_path)
    app.chmod(0o444)
    before = app.stat()
    result = check(tmp_path, monkeypatch, "--fix", "app.py")
    assert app.read_text(encoding="utf-8") == CODE
    assert stat.S_IMODE(app.stat().st_mode) == 0o444
    assert app.stat().st_mtime_ns == before.st_mtime_ns
    assert "app.py: read-only; not written" in result.stderr
    assert result.exit_code == 1  # the finding is still there


def test_fix_writes_in_place_keeping_the_inode_and_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_project(tmp_path / "project")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link = elsewhere / "linked.py"
    os.link(app, link)
    inode = app.stat().st_ino
    result = check(tmp_path / "project", monkeypatch, "--fix", "app.py")
    assert result.exit_code == 0, result.output
    assert app.read_text(encoding="utf-8") == FIXED
    assert app.stat().st_ino == inode
    assert link.read_text(encoding="utf-8") == FIXED
    assert app.stat().st_nlink == 2 and os.path.samefile(app, link)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_fix_keeps_the_owner_of_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_project(tmp_path)
    os.chown(app, 4321, 4321)
    check(tmp_path, monkeypatch, "--fix", "app.py")
    assert app.read_text(encoding="utf-8") == FIXED
    assert (app.stat().st_uid, app.stat().st_gid) == (4321, 4321)


def test_fix_through_a_symlink_writes_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = make_project(tmp_path / "real")
    project = tmp_path / "project"
    project.mkdir()
    (project / "lambda-lint.toml").write_text("", encoding="utf-8")
    (project / "app.py").symlink_to(real)
    check(project, monkeypatch, "--fix", "app.py")
    assert (project / "app.py").is_symlink()
    assert real.read_text(encoding="utf-8") == FIXED
