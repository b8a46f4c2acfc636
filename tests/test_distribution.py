"""How lambda-lint reaches its users: the package metadata, the release workflow, the
GitHub Action and the CI workflow.

The workflow and action files are checked against the GitHub Actions schemas that
check-jsonschema ships, and their shell scripts with shellcheck. The Action's own shell
steps are run here as GitHub runs a composite action (`bash -e -o pipefail`, with
`GITHUB_OUTPUT` and the step outputs passed along), on a small project: that installs
lambda-lint from this checkout into a fresh virtualenv, so it is marked slow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from lambda_lint.config import tomllib

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

#: what pip prints when the package index cannot be reached
OFFLINE_SIGNS = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "No matching distribution found",
    "Could not find a version that satisfies",
)


def tool(name: str) -> str:
    """A console script installed next to this Python (the test extra's tools)."""
    path = Path(sys.executable).with_name(name)
    if not path.exists():
        pytest.skip(f"{name} is not installed (pip install -e '.[test]')")
    return str(path)


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


# -- package metadata ------------------------------------------------------------------------


def test_license_is_an_spdx_expression_with_its_file() -> None:
    project = pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "The lambda-lint developers" in text
    assert not any("License ::" in c for c in project["classifiers"])


def test_the_test_extra_installs_on_every_supported_python() -> None:
    """Requirements that need a newer Python than `requires-python` carry a marker."""
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    project = pyproject()["project"]
    oldest = SpecifierSet(project["requires-python"])
    assert "3.9" in oldest
    needs_310 = {"aws-lambda-powertools", "pydantic"}
    for line in project["optional-dependencies"]["test"]:
        requirement = Requirement(line)
        if requirement.name in needs_310:
            assert requirement.marker is not None, line
            assert not requirement.marker.evaluate({"python_version": "3.9"}), line
            assert requirement.marker.evaluate({"python_version": "3.10"}), line


@pytest.mark.slow
def test_sdist_and_wheel_build_and_pass_twine_check(tmp_path: Path) -> None:
    source = source_copy(tmp_path / "src")
    out = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    assert "deprecated" not in (built.stdout + built.stderr).lower()
    wheel = next(out.glob("*.whl"))
    sdist = next(out.glob("*.tar.gz"))
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", str(wheel), str(sdist)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "License-Expression: MIT" in metadata
    assert any(n.endswith("licenses/LICENSE") for n in names)
    # every data file the package reads (event shapes, costs, sinks, facts) is shipped
    data = {
        path.relative_to(source).as_posix()
        for path in (source / "lambda_lint").rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    }
    assert "lambda_lint/events/catalogue.json" in data
    assert data <= set(names), sorted(data - set(names))


# -- workflow and action files -----------------------------------------------------------------


def schema_check(schema: str, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", schema, *map(str, files)],
        capture_output=True,
        text=True,
    )


def test_workflows_and_action_match_the_github_schemas(tmp_path: Path) -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "release.yml"}
    workflows = schema_check("vendor.github-workflows", *WORKFLOWS)
    assert workflows.returncode == 0, workflows.stdout + workflows.stderr
    action = schema_check("vendor.github-actions", ROOT / "action.yml")
    assert action.returncode == 0, action.stdout + action.stderr
    # the check can fail: a misspelt key is caught
    broken = tmp_path / "action.yml"
    broken.write_text(
        (ROOT / "action.yml").read_text().replace("using: composite", "usin: composite")
    )
    assert schema_check("vendor.github-actions", broken).returncode != 0


def run_scripts(document: dict) -> list[str]:
    jobs = document.get("jobs") or {"action": document["runs"]}
    return [step["run"] for job in jobs.values() for step in job["steps"] if "run" in step]


def test_shell_steps_pass_shellcheck(tmp_path: Path) -> None:
    shellcheck = tool("shellcheck")
    for path in [ROOT / "action.yml", *WORKFLOWS]:
        for index, script in enumerate(run_scripts(yaml.safe_load(path.read_text()))):
            file = tmp_path / f"{path.stem}-{index}.sh"
            # expressions are replaced by GitHub before the shell sees the script
            file.write_text("#!/bin/bash\n" + EXPRESSION.sub("expression", script))
            result = subprocess.run([shellcheck, str(file)], capture_output=True, text=True)
            assert result.returncode == 0, f"{path.name} step {index}:\n{result.stdout}"


def test_release_workflow_builds_checks_and_publishes_on_a_tag() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["tags"] == ["v*"]
    build = "\n".join(run_scripts({"jobs": {"build": workflow["jobs"]["build"]}}))
    assert "python -m build" in build and "twine check" in build
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert "refs/tags/v" in publish["if"]
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing
    [upload] = [s for s in publish["steps"] if s.get("uses", "").startswith("pypa/gh-action-pypi")]
    assert "with" not in upload or "password" not in upload["with"]  # no stored token


def test_the_action_installs_from_its_own_checkout_unless_a_version_is_given() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["inputs"]["version"]["default"] == ""
    install = next(s for s in action["runs"]["steps"] if s.get("id") == "install")
    assert install["env"]["LAMBDA_LINT_SOURCE"] == "${{ github.action_path }}"
    assert "pip install lambda-lint" not in install["run"]


# -- the Action's steps, run ------------------------------------------------------------------


def evaluate(text: str, context: dict[str, str]) -> str:
    """`${{ inputs.x }}`, `${{ github.action_path }}`, `${{ steps.a.outputs.b }}`."""

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in context and not name.startswith("steps."):
            raise AssertionError(f"the test does not know the expression {name!r}")
        return context.get(name, "")

    return EXPRESSION.sub(value, text)


def source_copy(destination: Path) -> Path:
    """This checkout's files, as `actions/checkout` lays out the action's repository
    (pip builds in the source folder: the checkout itself stays untouched)."""
    ignore = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", "build", "dist")
    shutil.copytree(ROOT, destination, ignore=ignore)
    return destination


def run_action(
    action_path: Path, inputs: dict[str, str], workspace: Path, runner_temp: Path
) -> list[tuple[str, int, str]]:
    """Run the action's shell steps in order (GitHub's `uses:` steps are not run:
    with `python-version` empty, setup-python is skipped, as its `if` says); stop at the
    first step that fails, as a composite action does. (step id, status, output)."""
    action = yaml.safe_load((action_path / "action.yml").read_text())
    context = {f"inputs.{name}": spec.get("default", "") for name, spec in action["inputs"].items()}
    context.update({f"inputs.{name}": value for name, value in inputs.items()})
    context["github.action_path"] = str(action_path)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["RUNNER_TEMP"] = str(runner_temp)
    done = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        output_file = runner_temp / f"output-{step['id']}"
        output_file.write_text("")
        step_env = {name: evaluate(str(value), context) for name, value in step["env"].items()}
        script = runner_temp / f"{step['id']}.sh"
        script.write_text(evaluate(step["run"], context))
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", str(script)],
            cwd=workspace,
            env={**env, **step_env, "GITHUB_OUTPUT": str(output_file)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        output = result.stdout + result.stderr
        if result.returncode != 0 and any(sign in output for sign in OFFLINE_SIGNS):
            pytest.skip(f"the action could not install lambda-lint (no package index?):\n{output}")
        for line in output_file.read_text().splitlines():
            name, _, value = line.partition("=")
            context[f"steps.{step['id']}.outputs.{name}"] = value
        done.append((step["id"], result.returncode, result.stdout))
        if result.returncode != 0:
            break
    return done


@pytest.mark.slow
def test_the_action_runs_on_the_demo_project(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "fixtures" / "sam-shop", workspace)
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    steps = run_action(
        source_copy(tmp_path / "action"),
        {
            "python-version": "",
            "args": "check .",
            "sarif": "reports/lambda-lint.sarif",
            "cache": "true",
        },
        workspace,
        runner_temp,
    )
    # installed and run; the findings fail the step, as they fail a workflow
    assert [(step, status) for step, status, _ in steps] == [("install", 0), ("lint", 1)]
    expected = json.loads(
        subprocess.run(
            [sys.executable, "-m", "lambda_lint", "check", ".", "--output-format", "json"],
            cwd=workspace,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert expected
    annotations = steps[1][2].splitlines()
    assert len(annotations) == len(expected)
    assert all(line.startswith(("::error ", "::warning ")) for line in annotations)
    assert any("file=src/carts.py" in line for line in annotations)
    # the cache the restore and save steps keep between workflow runs
    assert (runner_temp / "lambda-lint-cache" / "CACHEDIR.TAG").is_file()
    sarif = json.loads((workspace / "reports" / "lambda-lint.sarif").read_text())
    rules = sorted(result["ruleId"] for result in sarif["runs"][0]["results"])
    assert rules == sorted(finding["code"] for finding in expected)
