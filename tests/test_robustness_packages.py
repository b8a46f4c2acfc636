"""Real code: the installed sources of boto3, Chalice, Mangum and requests are linted (a
temporary copy of each) with every rule, without a crash or an internal error. The
script `tools/lint_installed_packages.py` lints botocore, Powertools and pydantic too
when run by hand; the real-world benchmark covers the Powertools repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "tools" / "lint_installed_packages.py"


@pytest.mark.slow
def test_installed_packages_lint_without_crashes() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "-j", "2", "boto3", "chalice", "mangum", "requests"],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    linted = [line for line in run.stdout.splitlines() if " files, " in line and ": ok" in line]
    assert len(linted) == 4, run.stdout  # the test extra installs all four
    assert run.stdout.rstrip().endswith("0 with crashes or internal errors")
