"""A hostile or odd configuration is a clear error (exit 2, naming the file and key) or
is read as TOML says, never a traceback, a hang or a silent default."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lambda_lint.cli import main
from lambda_lint.config import find_config_file, load_config_file

APP = "def handler(event, context):\n    return context.request_id\n"


def check(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(folder)
    try:  # click < 8.2 mixes stderr into stdout unless told not to
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, ["check", "--no-cache", *args])


def project(folder: Path, config: str, name: str = "lambda-lint.toml") -> Path:
    (folder / "app.py").write_text(APP, encoding="utf-8")
    (folder / name).write_text(config, encoding="utf-8")
    return folder / name


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ("select = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        ('cache-dir = ""\n', "'cache-dir'"),
        ("[cold-start]\nbudget-ms = nan\n", "'cold-start.budget-ms'"),
        ("[cold-start]\nheavy-ms = inf\n", "'cold-start.heavy-ms'"),
        ('events = { "app.handler" = "/dev/zero" }\n', "'events.app.handler'"),
        ('events = { "app.handler" = "deep.json" }\n', "'events.app.handler'"),
    ],
)
def test_bad_values_are_errors_naming_the_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str, named: str
) -> None:
    project(tmp_path, config)
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 2, result.output
    assert "lambda-lint.toml" in result.stderr and named in result.stderr
    assert isinstance(result.exception, SystemExit)  # an exit, not an exception


def test_an_event_schema_that_is_a_fifo_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(tmp_path / "schema.json")  # opening it for reading would wait forever
    project(tmp_path, 'events = { "app.handler" = "schema.json" }\n')
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert "not a regular file" in result.stderr


@pytest.mark.parametrize(
    "pyproject",
    [
        '[tool]\nlambda-lint.ignore = ["LL501"]\n',
        '[tool]\nlambda-lint = { ignore = ["LL501"] }\n',
        'tool.lambda-lint.ignore = ["LL501"]\n',
        '[tool.lambda-lint]\nignore = ["LL501"]\n',
    ],
)
def test_every_toml_spelling_of_the_table_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pyproject: str
) -> None:
    config = project(tmp_path, pyproject, "pyproject.toml")
    assert find_config_file(tmp_path / "app.py") == config
    assert load_config_file(config).ignore == ("LL501",)
    assert check(tmp_path, monkeypatch).exit_code == 0


def test_a_pyproject_without_the_table_is_not_a_config(tmp_path: Path) -> None:
    project(
        tmp_path,
        '[tool.black]\nline-length = 100\n# "[tool.lambda-lint]" in a comment\n',
        "pyproject.toml",
    )
    assert find_config_file(tmp_path / "app.py") is None


def test_a_broken_pyproject_naming_the_table_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, '[tool.lambda-lint]\nignore = ["LL501"\n', "pyproject.toml")
    result = check(tmp_path, monkeypatch)
    assert result.exit_code == 2 and "invalid TOML" in result.stderr


def test_a_tool_key_that_is_not_a_table_is_no_crash(tmp_path: Path) -> None:
    config = project(tmp_path, 'tool = "x"\n', "pyproject.toml")
    assert load_config_file(config).ignore == ()
