"""What a checked repository's own configuration may make lambda-lint do.

Linting a repository must not run its code: a pull request from a fork, or a folder
opened in an editor, is not trusted. Local plugins (`plugins = [...]`) are imported and
a `cache-dir` (whose pickled entries are loaded) is used only when the person running
lambda-lint allows it: `--allow-local-plugins`, or `LAMBDA_LINT_ALLOW_LOCAL_PLUGINS=1`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lambda_lint.config import load_config_file
from lambda_lint.session import ALLOW_LOCAL_PLUGINS_ENV, configure

#: a "plugin" that leaves a mark when it is imported, and brings one rule
EVIL = textwrap.dedent(
    '''
    import pathlib

    pathlib.Path(__file__).with_name("IMPORTED").write_text("ran")

    from lambda_lint import Example, Rule


    class Marker(Rule):
        """
        ## What it does
        Reports every handler.

        ## Why is this bad?
        It is not; it proves the module was loaded.

        ## Example
        ```python
        def handler(event, context):
            pass
        ```
        """

        code = "EVIL001"
        name = "evil-marker"
        summary = "Any handler"
        VALID = [Example("x = 1\\n")]
        INVALID = [Example("def handler(event, context):\\n    pass\\n")]

        def visit_FunctionDef(self, node):
            if self.context.handler() is not None:
                self.report(node.name, "handler seen by the plugin")
    '''
)
HANDLER = "def handler(event, context):\n    return context.request_id\n"


def project(tmp_path: Path, config: str) -> Path:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "evil.py").write_text(EVIL)
    (folder / "app.py").write_text(HANDLER)
    (folder / "pyproject.toml").write_text(textwrap.dedent(config))
    return folder


def lint(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != ALLOW_LOCAL_PLUGINS_ENV}
    return subprocess.run(
        [sys.executable, "-m", "lambda_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**full_env, **(env or {})},
    )


PLUGIN_CONFIG = """\
    [tool.lambda-lint]
    plugins = ["evil"]
    extend-select = ["EVIL001"]
"""


def test_a_project_plugin_is_not_imported_without_consent(tmp_path: Path) -> None:
    folder = project(tmp_path, PLUGIN_CONFIG)
    result = lint(folder, "check", "--output-format", "json", "app.py")
    assert not (folder / "IMPORTED").exists()
    # the run goes on without the plugin: the built-in rules still report
    assert result.returncode == 1, result.stderr
    assert [f["code"] for f in json.loads(result.stdout)] == ["LL501"]
    assert "local plugins evil" in result.stderr
    assert "--allow-local-plugins" in result.stderr
    assert ALLOW_LOCAL_PLUGINS_ENV in result.stderr


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--allow-local-plugins",), {}), ((), {ALLOW_LOCAL_PLUGINS_ENV: "1"})],
    ids=["flag", "environment"],
)
def test_a_project_plugin_loads_with_consent(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    folder = project(tmp_path, PLUGIN_CONFIG)
    result = lint(folder, "check", "--output-format", "json", *args, "app.py", env=env)
    assert (folder / "IMPORTED").exists()
    assert sorted(f["code"] for f in json.loads(result.stdout)) == ["EVIL001", "LL501"]
    assert "warning" not in result.stderr


def test_rules_command_does_not_import_project_plugins_either(tmp_path: Path) -> None:
    folder = project(tmp_path, PLUGIN_CONFIG)
    listed = lint(folder, "rules")
    assert listed.returncode == 0, listed.stderr
    assert "EVIL001" not in listed.stdout and not (folder / "IMPORTED").exists()
    allowed = lint(folder, "rules", "--allow-local-plugins")
    assert "EVIL001" in allowed.stdout


def test_a_project_cache_dir_is_ignored_without_consent(tmp_path: Path) -> None:
    folder = project(tmp_path, '[tool.lambda-lint]\ncache-dir = "shipped-cache"\n')
    env = {"LAMBDA_LINT_CACHE_DIR": ""}  # no override: the setting would decide
    result = lint(folder, "check", "app.py", env=env)
    assert result.returncode == 1
    assert not (folder / "shipped-cache").exists()
    assert "cache-dir" in result.stderr and "--allow-local-plugins" in result.stderr
    lint(folder, "check", "app.py", "--allow-local-plugins", env=env)
    assert (folder / "shipped-cache").is_dir()


def test_configure_withholds_plugins_and_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ALLOW_LOCAL_PLUGINS_ENV, raising=False)
    folder = project(
        tmp_path,
        '[tool.lambda-lint]\nplugins = ["evil"]\nselect = ["LL5", "EVIL"]\ncache-dir = "c"\n',
    )
    settings = load_config_file(folder / "pyproject.toml")
    configuration = configure(settings)
    assert configuration.settings.plugins == () and configuration.settings.cache_dir is None
    # codes that only the withheld plugin could define are not a configuration error
    assert "EVIL001" not in configuration.ruleset.rules
    assert configuration.enabled and all(code.startswith("LL5") for code in configuration.enabled)
    assert len(configuration.warnings) == 2
    assert not (folder / "IMPORTED").exists()
