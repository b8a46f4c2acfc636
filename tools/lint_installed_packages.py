"""Lint the installed sources of real packages: no crash, no internal error, no hang.

    python tools/lint_installed_packages.py                     # the default packages
    python tools/lint_installed_packages.py requests mangum -j 2

Each package's installed files (its import folders, found through its distribution) are
copied to a temporary folder, one project per package, and `lambda-lint check --no-cache`
runs on the copy with every rule selected. The script prints per package the files, the
seconds and the findings, and exits 1 when a run crashed (status other than 0 or 1, a
traceback) or reported an internal error. Packages that are not installed are skipped.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

DEFAULT_PACKAGES = (
    "boto3",
    "botocore",
    "aws-lambda-powertools",
    "chalice",
    "mangum",
    "requests",
    "pydantic",
)
#: every run gets this long; more is a hang
TIMEOUT_SECONDS = 900


@dataclass
class Outcome:
    package: str
    files: int
    seconds: float
    findings: int
    problems: list[str]


def package_folders(distribution: str) -> list[Path]:
    """The top-level folders (or modules) a distribution installs."""
    dist = metadata.distribution(distribution)
    tops = {Path(str(f)).parts[0] for f in dist.files or () if str(f).endswith(".py")}
    return sorted(
        Path(str(dist.locate_file(top)))
        for top in tops
        if not top.endswith((".dist-info", ".egg-info")) and top != ".."
    )


def lint_copy(distribution: str, workspace: Path, jobs: int) -> Outcome:
    project = workspace / distribution
    project.mkdir()
    (project / "lambda-lint.toml").write_text("")
    for source in package_folders(distribution):
        if source.is_dir():
            shutil.copytree(
                source, project / source.name, ignore=shutil.ignore_patterns("__pycache__")
            )
        elif source.exists():
            shutil.copy2(source, project / source.name)
    files = sum(1 for _ in project.rglob("*.py"))
    command = [sys.executable, "-m", "lambda_lint", "check", "--no-cache", "--exit-zero"]
    command += ["--select", "LL", "--output-format", "json", "-j", str(jobs)]
    start = time.perf_counter()
    try:
        run = subprocess.run(
            command, cwd=project, capture_output=True, text=True, timeout=TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return Outcome(distribution, files, TIMEOUT_SECONDS, 0, ["timed out"])
    seconds = time.perf_counter() - start
    problems = []
    if run.returncode != 0:
        problems.append(f"exit status {run.returncode}")
    problems += [line for line in run.stderr.splitlines() if "internal error" in line]
    if "Traceback" in run.stderr:
        problems.append(run.stderr.strip().splitlines()[-1])
    try:
        findings = len(json.loads(run.stdout))
    except ValueError:
        findings = 0
        problems.append("the output is not JSON")
    return Outcome(distribution, files, seconds, findings, problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("packages", nargs="*", default=list(DEFAULT_PACKAGES))
    parser.add_argument("-j", "--jobs", type=int, default=1)
    args = parser.parse_args()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="lambda-lint-packages-") as workspace:
        for package in args.packages:
            try:
                metadata.distribution(package)
            except metadata.PackageNotFoundError:
                print(f"{package}: not installed; skipped")
                continue
            outcome = lint_copy(package, Path(workspace), args.jobs)
            outcomes.append(outcome)
            status = "; ".join(outcome.problems) or "ok"
            print(
                f"{package}: {outcome.files} files, {outcome.seconds:.1f} s, "
                f"{outcome.findings} findings: {status}",
                flush=True,
            )
    total = sum(o.files for o in outcomes)
    failed = [o.package for o in outcomes if o.problems]
    print(
        f"{total} files in {len(outcomes)} packages; {len(failed)} with crashes or internal errors"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
