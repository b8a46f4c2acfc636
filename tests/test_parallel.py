"""Worker processes change how long a run takes, never what it finds."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

import lambda_lint.api
import lambda_lint.parallel
from lambda_lint.api import Linter, LintResult
from lambda_lint.cli import load_run
from lambda_lint.parallel import available, map_in_workers, map_in_workers_while

pytestmark = pytest.mark.skipif(not available(), reason="worker processes need fork")

HANDLER = """\
import boto3
from helpers_{n} import process


def handler(event, context):
    client = boto3.client("s3")
    return process(event["Records"][0]["body"], client)
"""
HELPER = """\
import sys


def process(body, client):
    if not body:
        sys.exit(1)
    return client.get_object(Bucket="b", Key=body)
"""


def _project(folder: Path, functions: int) -> Path:
    for n in range(functions):
        (folder / f"app_{n}.py").write_text(HANDLER.format(n=n))
        (folder / f"helpers_{n}.py").write_text(HELPER)
    handlers = ", ".join(f'"app_{n}.handler"' for n in range(functions))
    (folder / "lambda-lint.toml").write_text(f"handlers = [{handlers}]\n")
    return folder


def _lint(folder: Path, paths: list[Path], jobs: int) -> LintResult:
    settings, ruleset = load_run([folder], None)
    enabled = sorted(ruleset.rules)
    return Linter(settings, ruleset, enabled, cwd=folder, jobs=jobs).lint(paths)


def test_workers_find_what_one_process_finds(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = _project(tmp_path, 4)
    serial = _lint(folder, [folder], jobs=1)
    monkeypatch.setattr(lambda_lint.api, "PARALLEL_THRESHOLD", 2)
    parallel = _lint(folder, [folder], jobs=2)
    assert serial.findings
    assert parallel.findings == serial.findings
    assert parallel.sources == serial.sources
    # one file requested: the others are summarised by the workers
    one = [folder / "app_0.py"]
    assert _lint(folder, one, jobs=2).findings == _lint(folder, one, jobs=1).findings


SHELL_HANDLER = """\
import subprocess


def handler(event, context):
    subprocess.run(event["cmd"], shell=True)  # noqa: LL602
    subprocess.run(event["other"], shell=True)
    return {}
"""


def _shell_project(folder: Path) -> Path:
    """`_project` with four functions and a fifth handler that passes event data to a
    shell (LL602, a project rule), hidden by `noqa` on one of its two lines."""
    _project(folder, 4)
    (folder / "shell.py").write_text(SHELL_HANDLER)
    handlers = ", ".join([*(f'"app_{n}.handler"' for n in range(4)), '"shell.handler"'])
    (folder / "lambda-lint.toml").write_text(f"handlers = [{handlers}]\n")
    return folder


def test_what_project_rules_find_is_filtered_with_what_the_workers_find(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The workers return each file's findings unfiltered; a `noqa` comment hides what a
    project rule (here the event-to-shell flow, LL602) finds on its line, and is not
    reported as unused."""
    folder = _shell_project(tmp_path)
    monkeypatch.setattr(lambda_lint.api, "PARALLEL_THRESHOLD", 2)
    parallel = _lint(folder, [folder], jobs=2)
    in_shell = [(f.code, f.start.line) for f in parallel.findings if f.path == "shell.py"]
    assert in_shell == [("LL602", 6)]
    assert parallel.findings == _lint(folder, [folder], jobs=1).findings


def test_each_round_of_tasks_has_workers_of_its_own(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(lambda_lint.parallel, "TASKS_PER_WORKER", 2)
    results = map_in_workers(lambda i: (i, os.getpid()), 12, 2)
    assert [number for number, _ in results] == list(range(12))
    rounds = [{pid for _, pid in results[start : start + 4]} for start in range(0, 12, 4)]
    assert len(rounds) == 3 and not (rounds[0] & rounds[1] or rounds[1] & rounds[2])
    assert os.getpid() not in set().union(*rounds)


#: what the parent's own work builds in the test below
_built_by_parent: list[str] = []


@pytest.mark.parametrize(("per_worker", "alongside"), [(800, True), (2, False)])
def test_the_parents_own_work_overlaps_one_round_of_workers_and_follows_several(
    monkeypatch, per_worker: int, alongside: bool
) -> None:  # type: ignore[no-untyped-def]
    """What the parent does meanwhile (the project rules) runs while the workers run
    when one round of them does all the tasks, and after the workers otherwise (their
    memory and the parent's at once would be too much); the workers never see what it
    builds."""
    monkeypatch.setattr(lambda_lint.parallel, "TASKS_PER_WORKER", per_worker)

    def meanwhile() -> tuple[int, int]:
        _built_by_parent.append("tree")
        return os.getpid(), len(multiprocessing.active_children())

    def task(number: int) -> tuple[int, int, int]:
        return number, os.getpid(), len(_built_by_parent)

    try:
        results, (parent, workers_running) = map_in_workers_while(task, 8, 2, meanwhile)
    finally:
        _built_by_parent.clear()
    assert parent == os.getpid()
    assert (workers_running > 0) is alongside
    assert [number for number, _, _ in results] == list(range(8))
    assert os.getpid() not in {pid for _, pid, _ in results}
    assert [seen for *_, seen in results] == [0] * 8


def test_workers_replaced_between_rounds_find_what_one_process_finds(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    folder = _shell_project(tmp_path)
    serial = _lint(folder, [folder], jobs=1)
    monkeypatch.setattr(lambda_lint.api, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(lambda_lint.parallel, "TASKS_PER_WORKER", 1)
    assert _lint(folder, [folder], jobs=2).findings == serial.findings
    assert [f.code for f in serial.findings if f.path == "shell.py"] == ["LL602"]
