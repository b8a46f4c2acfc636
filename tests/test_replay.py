"""A repeated run with nothing changed prints the stored report, without loading the
parser or the rules; any change to what the run covers is seen."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HANDLER = "from helpers import stop\n\n\ndef handler(event, context):\n    stop()\n"
HELPER_EXITS = "import sys\n\n\ndef stop():\n    sys.exit(1)\n"
#: prints, at exit, whether the run imported libcst
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('libcst loaded:', 'libcst' in sys.modules, file=sys.stderr))\n"
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
    project, cache = tmp_path / "p", tmp_path / "cache"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "helpers.py").write_text(HELPER_EXITS)
    first = run(project, cache)
    assert "libcst loaded: True" in first.stderr
    again = run(project, cache)
    assert "libcst loaded: False" in again.stderr
    assert (again.stdout, again.returncode) == (first.stdout, first.returncode)
    assert "LL107" in again.stdout

    other_format = run(project, cache, "--output-format", "concise")
    assert "libcst loaded: True" in other_format.stderr, "another command line is another run"

    (project / "helpers.py").write_text("def stop():\n    return None\n")
    changed = run(project, cache)
    assert "libcst loaded: True" in changed.stderr
    assert "LL107" not in changed.stdout
    assert changed.returncode == 0
