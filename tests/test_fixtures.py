"""The fixture projects, linted as a user lints them, agree with their labels.

A finding lambda-lint must report is labelled with a trailing `# expect: LL402` comment
on the line where it starts (several codes comma-separated); descriptors carry the same
comment on the handler line. Every unlabelled line must be clean. Files whose findings
cannot be labelled in place (binary, undecodable) list them in `EXPECTED_ELSEWHERE`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LABEL = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")
LABELLED_SUFFIXES = {".py", ".yaml", ".yml", ".toml", ".tf"}
EXPECTED_ELSEWHERE = {
    "broken-tree": {("legacy_fees.py", 7, "LL001"), ("pricing_cache.py", 1, "LL001")},
}
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
#: corrected twins of a labelled project: every line must stay clean
CLEAN_TWINS = {"vulnerable-app-fixed", "reliability-app-fixed"}


def labels(project: Path) -> set[tuple[str, int, str]]:
    expected = set(EXPECTED_ELSEWHERE.get(project.name, set()))
    for path in project.rglob("*"):
        if path.suffix not in LABELLED_SUFFIXES and path.name != "Dockerfile":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            match = LABEL.search(line)
            if match:
                for code in match.group(1).split(","):
                    expected.add((path.relative_to(project).as_posix(), number, code.strip()))
    return expected


def lint(project: Path) -> list[dict]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lambda_lint",
            "check",
            ".",
            "--output-format",
            "json",
            "--no-cache",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", PROJECTS)
def test_fixture_findings_match_labels(name: str) -> None:
    project = FIXTURES / name
    found = {
        (os.path.relpath(f["filename"], project), f["location"]["row"], f["code"])
        for f in lint(project)
    }
    expected = labels(project)
    missed = sorted(expected - found)
    extra = sorted(found - expected)
    assert not missed and not extra, f"missed: {missed}\nextra: {extra}"


def test_every_fixture_has_labels() -> None:
    for name in PROJECTS:
        if name not in CLEAN_TWINS:
            assert labels(FIXTURES / name), f"{name} has no labelled finding"
