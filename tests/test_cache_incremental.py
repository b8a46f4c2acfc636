"""Incremental runs: after each edit, a run that reuses the cached findings of the files
it did not have to check again reports exactly what a run without the cache reports."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from lambda_lint.cli import main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Stop:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
"""
APP = "from helpers import stop\n\n\ndef handler(event, context):\n    stop()\n"
HELPERS = "import sys\n\n\ndef stop():\n    sys.exit(1)\n"
OTHER = "import os\n\n\ndef handler(event, context):\n    os._exit(0)\n"


def lint(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["check", "--output-format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def assert_incremental_matches_fresh(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The cached run (which follows a run before the edit) and a fresh run agree to
    the byte, and so does a second cached run, answered from the cache alone."""
    cached = lint(folder, monkeypatch)
    fresh = lint(folder, monkeypatch, "--no-cache", "--jobs", "1")
    assert cached == fresh
    assert lint(folder, monkeypatch) == fresh
    return fresh


def edits_of_a_small_project(folder: Path) -> Iterator[str]:
    """Edits whose effect shows in another file than the one edited."""
    (folder / "template.yaml").write_text(TEMPLATE)
    (folder / "app.py").write_text(APP)
    (folder / "helpers.py").write_text(HELPERS)
    yield "the project"
    (folder / "app.py").write_text(APP.replace("    stop()\n", "    print('no stop')\n"))
    yield "a body-only edit: the handler no longer calls the helper"
    (folder / "app.py").write_text(APP.replace("stop()", "stop(1)"))
    (folder / "helpers.py").write_text(HELPERS.replace("stop()", "stop(code)"))
    yield "a signature change"
    (folder / "other.py").write_text(OTHER)
    (folder / "app.py").write_text("import other\n" + APP)
    yield "a new import"
    (folder / "template.yaml").write_text(TEMPLATE.replace("app.handler", "other.handler"))
    yield "a descriptor change"
    (folder / "helpers.py").unlink()
    yield "a file deleted"


def test_each_edit_gives_the_findings_of_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = [
        assert_incremental_matches_fresh(tmp_path, monkeypatch)
        for _ in edits_of_a_small_project(tmp_path)
    ]
    assert '"LL107"' in outputs[0], "the helper's exit is reported while the handler calls it"
    assert '"LL107"' not in outputs[1], "and no longer once it does not"
    assert len(set(outputs)) > 2, "the edits change what is reported"


def test_edits_to_a_fixture_project_give_the_findings_of_a_fresh_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "app"
    shutil.copytree(FIXTURES / "serverless-app", folder)
    assert_incremental_matches_fresh(folder, monkeypatch)
    store = folder / "lib" / "store.py"
    original = store.read_text()
    store.write_text(original + "\n\ndef purge(table):\n    table.delete()\n")
    assert_incremental_matches_fresh(folder, monkeypatch)
    store.write_text(
        "import time\n"
        + original.replace("    return written", "    time.sleep(1)\n    return written")
    )
    assert_incremental_matches_fresh(folder, monkeypatch)
    api = folder / "handlers" / "api.py"
    api.write_text(
        api.read_text().replace("from lib import store\n", "from lib import store\nimport lib\n")
    )
    assert_incremental_matches_fresh(folder, monkeypatch)
    (folder / "handlers" / "audit.py").unlink()
    assert_incremental_matches_fresh(folder, monkeypatch)
