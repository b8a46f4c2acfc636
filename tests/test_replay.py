"""A repeated run with nothing changed prints the stored report, without loading the
parser or the rules; any change to what the run covers is seen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HANDLER = "from helpers import stop\n\n\ndef handler(event, context):\n    stop()\n"
HELPER_EXITS = "import sys\n\n\ndef stop():\n    sys.exit(1)\n"
#: prints, at exit, whether the run imported libcst and the YAML reader
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('libcst loaded:', 'libcst' in sys.modules, file=sys.stderr))\n"
    "atexit.register(lambda: print('yaml loaded:', 'yaml' in sys.modules, file=sys.stderr))\n"
    "from lambda_lint.cli import main\n"
    "main()\n"
)


def run(folder: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", PROBE, "check", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**os.environ, "LAMBDA_LINT_CACHE_DIR": str(cache), "NO_COLOR": "1"},
    )


def test_an_unchanged_run_is_replayed_without_the_rules(tmp_path: Path) -> None:
    """Nor are the descriptor readers loaded, though the listing reads a JSON file to
    tell whether it is a template."""
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    (project / "settings.json").write_text('{"table": "orders"}\n')
    first = run(project, cache)
    assert "libcst loaded: True" in first.stderr
    again = run(project, cache)
    assert "libcst loaded: False" in again.stderr
    assert "yaml loaded: False" in again.stderr
    assert (again.stdout, again.returncode) == (first.stdout, first.returncode)
    assert "LL107" in again.stdout

    other_format = run(project, cache, "--output-format", "concise")
    assert "libcst loaded: True" in other_format.stderr, "another command line is another run"

    (project / "helpers.py").write_text("def stop():\n    return None\n")
    changed = run(project, cache)
    assert "libcst loaded: True" in changed.stderr
    assert "LL107" not in changed.stdout
    assert changed.returncode == 0


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="Python 3.12 reads PEP 701 f-strings")
def test_a_run_that_warned_is_stored_and_replayed_with_its_warnings(tmp_path: Path) -> None:
    """A file this Python cannot parse is skipped with a warning. The run's report is
    stored all the same, and each later run says again what was skipped: the replayed
    one, and one of another command line served from the project's stored result."""
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    (project / "newer.py").write_text('def greet(event):\n    return f"{event["name"]}"\n')

    def warnings(result: subprocess.CompletedProcess[str]) -> list[str]:
        return [line for line in result.stderr.splitlines() if "warning:" in line]

    first = run(project, cache)
    [warning] = warnings(first)
    assert "newer.py:2: uses f-string syntax of Python 3.12 or later" in warning
    again = run(project, cache)
    assert "libcst loaded: False" in again.stderr
    assert warnings(again) == [warning]
    assert (again.stdout, again.returncode) == (first.stdout, first.returncode)
    concise = run(project, cache, "--output-format", "concise")
    assert warnings(concise) == [warning]
    assert "LL107" in concise.stdout


def test_a_run_writing_its_report_to_a_file_is_replayed_too(tmp_path: Path) -> None:
    """CI writes SARIF or JSON to a file; an unchanged run rewrites the same report."""
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    options = ("--output-format", "sarif", "--output-file", "out/report.sarif")
    first = run(project, cache, *options)
    report = (project / "out" / "report.sarif").read_text()
    assert "LL107" in report and first.stdout == ""
    (project / "out" / "report.sarif").unlink()
    again = run(project, cache, *options)
    assert "libcst loaded: False" in again.stderr
    assert (project / "out" / "report.sarif").read_text() == report
    assert (again.stdout, again.returncode) == ("", first.returncode)


def test_a_json_report_written_into_the_project_settles_after_one_more_run(
    tmp_path: Path,
) -> None:
    """A `.json` report in the project is a file discovery reads (it might be a
    template), so it is part of what the stored report is keyed on: the first run writes
    it, the second is keyed on it and stores its report, the third is replayed."""
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    options = ("--output-format", "json", "--output-file", "report.json")
    runs = [run(project, cache, *options) for _ in range(3)]
    assert ["libcst loaded: True" in r.stderr for r in runs] == [True, True, False]
    assert len({r.returncode for r in runs}) == 1
    assert "LL107" in (project / "report.json").read_text()
