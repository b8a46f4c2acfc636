"""Third-party and local rules: found, listed, selected, suppressed, and isolated."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN_RULES = textwrap.dedent(
    '''
    import libcst as cst
    from lambda_lint import Example, Rule


    class NoPrintInHandler(Rule):
        """
        ## What it does
        Reports print() in per-invocation code.

        ## Why is this bad?
        Unstructured logs.

        ## Example
        ```python
        def handler(event, context):
            print(event)
        ```
        """

        code = "ACME001"
        name = "no-print-in-handler"
        summary = "print() in per-invocation code"
        default_enabled = False
        VALID = [Example("def handler(event, context):\\n    return 1\\n")]
        INVALID = [Example("def handler(event, context):\\n    print(event)\\n")]

        def visit_Call(self, node: cst.Call) -> None:
            if self.context.qualified_name(node.func) == "builtins.print" and self.context.in_invoke_code():
                self.report(node, "print() in per-invocation code; use the logger")
    '''
)

HANDLER = "def handler(event, context):\n    print(event)\n    print('done')  # noqa: ACME001\n"


def lint(cwd: Path, *args: str, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "lambda_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
    )


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plugin distribution built and installed with pip into its own folder."""
    source = tmp_path_factory.mktemp("plugin-src")
    (source / "acme_lambda_rules").mkdir()
    (source / "acme_lambda_rules" / "__init__.py").write_text(PLUGIN_RULES)
    (source / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools>=69"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "acme-lambda-rules"
            version = "1.2.0"

            [project.entry-points."lambda_lint.rules"]
            ACME = "acme_lambda_rules"
            """
        )
    )
    target = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return target


def test_installed_plugin_is_listed_selected_and_suppressible(
    installed_plugin: Path, tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(HANDLER)
    listing = json.loads(
        lint(tmp_path, "rules", "--output-format", "json", pythonpath=installed_plugin).stdout
    )
    plugin = next(r for r in listing if r["code"] == "ACME001")
    assert plugin["origin"] == "acme-lambda-rules 1.2.0"
    assert plugin["default_enabled"] is False

    off = lint(tmp_path, "check", "--output-format", "json", pythonpath=installed_plugin)
    assert json.loads(off.stdout) == []

    on = lint(
        tmp_path,
        "check",
        "--select",
        "ACME",
        "--output-format",
        "json",
        pythonpath=installed_plugin,
    )
    assert on.returncode == 1
    findings = json.loads(on.stdout)
    assert [(f["code"], f["location"]["row"]) for f in findings] == [("ACME001", 2)]
    assert findings[0]["url"] is None


def test_plugin_examples_run_in_the_shared_harness(installed_plugin: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(installed_plugin))
    try:
        from acme_lambda_rules import NoPrintInHandler  # type: ignore[import-not-found]

        from lambda_lint.testing import ExampleCase, check_example

        for index, example in enumerate(NoPrintInHandler.INVALID):
            check_example(
                ExampleCase(NoPrintInHandler, example, False, index), tmp_path / f"i{index}"
            )
        for index, example in enumerate(NoPrintInHandler.VALID):
            check_example(
                ExampleCase(NoPrintInHandler, example, True, index), tmp_path / f"v{index}"
            )
    finally:
        sys.path.remove(str(installed_plugin))
        sys.modules.pop("acme_lambda_rules", None)


def test_local_plugin_from_config(tmp_path: Path) -> None:
    (tmp_path / "house_rules.py").write_text(PLUGIN_RULES)
    (tmp_path / "app.py").write_text(HANDLER)
    (tmp_path / "lambda-lint.toml").write_text(
        'plugins = ["house_rules"]\nextend-select = ["ACME001"]\n'
    )
    result = lint(tmp_path, "check", "--allow-local-plugins", "--output-format", "json")
    assert [f["code"] for f in json.loads(result.stdout)] == ["ACME001"]


def test_plugin_that_raises_on_import_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken_rules.py").write_text("raise RuntimeError('boom at import')\n")
    (tmp_path / "app.py").write_text(HANDLER)
    (tmp_path / "lambda-lint.toml").write_text('plugins = ["broken_rules"]\n')
    result = lint(tmp_path, "check", "--allow-local-plugins")
    assert result.returncode == 2
    assert "broken_rules" in result.stderr and "boom at import" in result.stderr
    assert "Traceback" not in result.stderr


def test_code_clash_is_an_error(tmp_path: Path) -> None:
    clash = PLUGIN_RULES.replace('"ACME001"', '"LL501"')
    (tmp_path / "clash_rules.py").write_text(clash)
    (tmp_path / "lambda-lint.toml").write_text('plugins = ["clash_rules"]\n')
    (tmp_path / "app.py").write_text(HANDLER)
    result = lint(tmp_path, "check", "--allow-local-plugins")
    assert result.returncode == 2
    assert "LL501 is defined twice" in result.stderr and "clash_rules" in result.stderr


def test_rule_that_raises_is_an_internal_error_and_the_run_goes_on(tmp_path: Path) -> None:
    raising = PLUGIN_RULES.replace(
        "        if self.context.qualified_name",
        "        raise ValueError('rule bug')\n        if self.context.qualified_name",
    )
    (tmp_path / "buggy_rules.py").write_text(raising)
    (tmp_path / "lambda-lint.toml").write_text(
        'plugins = ["buggy_rules"]\nextend-select = ["ACME"]\n'
    )
    (tmp_path / "app.py").write_text(
        HANDLER + "\ndef other(event, context):\n    return context.request_id\n"
    )
    result = lint(tmp_path, "check", "--allow-local-plugins", "--output-format", "json")
    assert result.returncode == 2
    assert "rule ACME001 failed on app.py" in result.stderr and "rule bug" in result.stderr
    assert [f["code"] for f in json.loads(result.stdout)] == ["LL501"]


def test_rule_whose_constructor_raises_is_an_internal_error(tmp_path: Path) -> None:
    raising = PLUGIN_RULES.replace(
        "    def visit_Call(self, node: cst.Call) -> None:",
        "    def __init__(self, context):\n        raise RuntimeError('bad init')\n\n"
        "    def visit_Call(self, node: cst.Call) -> None:",
    )
    (tmp_path / "init_rules.py").write_text(raising)
    (tmp_path / "lambda-lint.toml").write_text(
        'plugins = ["init_rules"]\nextend-select = ["ACME"]\n'
    )
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n    return context.request_id\n"
    )
    result = lint(tmp_path, "check", "--allow-local-plugins", "--output-format", "json")
    assert result.returncode == 2
    assert "rule ACME001 failed on app.py" in result.stderr and "bad init" in result.stderr
    assert [f["code"] for f in json.loads(result.stdout)] == ["LL501"]
