"""The pre-commit hook and the GitHub Action definitions.

The hook test runs `pre-commit try-repo` for real: pre-commit builds its own virtualenv
and pip-installs lambda-lint (and its dependencies, from PyPI) into it, which takes a
while; it is marked `slow` (deselect with `-m "not slow"`) and skipped when pre-commit
is not installed or the install cannot reach the package index.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent

TEMPLATE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      OrdersQueue:
        Type: AWS::SQS::Queue
      ProcessOrders:
        Type: AWS::Serverless::Function
        Properties:
          Runtime: python3.12
          CodeUri: src/
          Handler: orders.process
          Events:
            Queue:
              Type: SQS
              Properties:
                Queue: !GetAtt OrdersQueue.Arn
    """
)
#: `process` is a handler only because template.yaml says so: the bug (one parameter)
#: is invisible to a linter that reads only the staged file
BUGGY = textwrap.dedent(
    """\
    def process(event):
        for record in event["Records"]:
            print(record["body"])
    """
)
FIXED = BUGGY.replace("def process(event):", "def process(event, _context):")

#: what pip and virtualenv print when the package index cannot be reached
OFFLINE_SIGNS = (
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "No matching distribution found",
    "Could not find a version that satisfies",
    "ProxyError",
    "ConnectTimeout",
    "ReadTimeout",
)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "lambda-lint tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "lambda-lint tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV}
    )


def hook_repository(destination: Path) -> Path:
    """A committed copy of this checkout's working tree (what `try-repo` installs):
    try-repo on the checkout itself would leave out files not yet committed."""
    destination.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, destination / name)
    shutil.copytree(
        ROOT / "lambda_lint",
        destination / "lambda_lint",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    git("init", "-q", cwd=destination)
    git("add", ".", cwd=destination)
    git("commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


def try_repo(
    pre_commit: Path, hooks: Path, project: Path, *files: str
) -> subprocess.CompletedProcess:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(project.parent / "pre-commit-home")}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        [str(pre_commit), "try-repo", str(hooks), "lambda-lint", "--files", *files],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    output = result.stdout + result.stderr
    if result.returncode not in (0, 1) and any(sign in output for sign in OFFLINE_SIGNS):
        pytest.skip(f"pre-commit could not install lambda-lint (no package index?):\n{output}")
    return result


@pytest.mark.slow
def test_hook_reports_a_bug_only_the_descriptor_reveals(tmp_path: Path) -> None:
    pre_commit = Path(sys.executable).with_name("pre-commit")
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed beside this Python (pip install -e '.[test]')")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    hooks = hook_repository(tmp_path / "hooks")

    project = tmp_path / "shop"
    (project / "src").mkdir(parents=True)
    (project / "template.yaml").write_text(TEMPLATE)
    (project / "src" / "orders.py").write_text(BUGGY)
    git("init", "-q", cwd=project)
    git("add", ".", cwd=project)

    # only the handler is passed, as when it alone is staged
    result = try_repo(pre_commit, hooks, project, "src/orders.py")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "src/orders.py:1:5: LL101" in output
    assert "takes 1 positional parameter" in output

    (project / "src" / "orders.py").write_text(FIXED)
    git("add", ".", cwd=project)
    result = try_repo(pre_commit, hooks, project, "src/orders.py")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "LL101" not in output


def test_hook_definition() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "lambda-lint"
    assert hook["entry"].split() == ["lambda-lint", "check", "--force-exclude"]
    assert hook["language"] == "python"
    assert hook["require_serial"] is True
    assert {"python", "yaml", "json", "terraform"} <= set(hook["types_or"])


def test_action_definition() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) == {"version", "args", "sarif", "python-version", "cache"}
    assert inputs["cache"]["default"] == "false"
    assert inputs["args"]["default"] == "check ."
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step.get("shell") == "bash", step  # composite run steps need a shell
    scripts = "\n".join(step.get("run", "") for step in steps)
    assert "--output-format github" in scripts
    assert "--output-format sarif" in scripts
    uploads = [step for step in steps if "upload-sarif" in step.get("uses", "")]
    assert len(uploads) == 1 and "inputs.sarif" in uploads[0]["if"]
    assert "sarif_file" in uploads[0]["with"]
    # the result cache is saved whatever the run found, under the key it is restored by
    [restore] = [step for step in steps if step.get("uses", "").startswith("actions/cache/restore")]
    [save] = [step for step in steps if step.get("uses", "").startswith("actions/cache/save")]
    assert "always()" in save["if"] and "inputs.cache" in save["if"]
    assert save["with"]["path"] == restore["with"]["path"]
    assert save["with"]["key"] == restore["with"]["key"]
    assert save["with"]["key"].startswith(restore["with"]["restore-keys"])
