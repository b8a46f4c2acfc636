"""Worker processes for large projects.

The index stage parses and summarises files in a pool; the check stage checks the
requested files in a pool that inherits the linter and the project model by `fork`
(nothing but file paths and findings cross process boundaries). Where `fork` is not
available, lambda-lint runs serially.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from lambda_lint.source import ParseProblem

if TYPE_CHECKING:
    from lambda_lint.api import IndexedFile, Linter
    from lambda_lint.engine import InternalError
    from lambda_lint.finding import Finding
    from lambda_lint.model.project import ProjectModel

#: what the forked check workers inherit: the linter, the model, the files and the
#: project rules' findings in them
_shared: tuple[Linter, ProjectModel, list[IndexedFile], Mapping[Path, list[Finding]]] | None = None


def available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _index_one(job: tuple[Path, str | ParseProblem]) -> IndexedFile:
    from lambda_lint.api import index_file

    path, text = job
    return index_file(path, text, keep_tree=False)


def index_in_workers(
    jobs: list[tuple[Path, str | ParseProblem]], workers: int
) -> list[IndexedFile]:
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(jobs) // (workers * 4))
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return list(pool.map(_index_one, jobs, chunksize=chunk))


def _check_one(index: int) -> tuple[list[Finding], list[InternalError]]:
    assert _shared is not None
    linter, model, items, reported = _shared
    return linter.check_file(items[index], model, reported.get(items[index].path, ()))


def check_in_workers(
    linter: Linter,
    model: ProjectModel,
    items: list[IndexedFile],
    reported: Mapping[Path, list[Finding]],
) -> list[tuple[list[Finding], list[InternalError]]]:
    global _shared
    _shared = (linter, model, items, reported)
    try:
        context = multiprocessing.get_context("fork")
        chunk = max(1, len(items) // (linter.jobs * 4))
        with ProcessPoolExecutor(linter.jobs, mp_context=context) as pool:
            return list(pool.map(_check_one, range(len(items)), chunksize=chunk))
    finally:
        _shared = None
