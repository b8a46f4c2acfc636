"""Worker processes for large projects.

`map_in_workers` runs a task over the numbers `0..count-1` in a pool of processes
started by `fork`, and `start_in_child` runs one task in a process of its own: the
task and everything it refers to (the linter, the project model, the texts) are
inherited, not sent, so only the numbers and the results cross process boundaries.
Where `fork` is not available, lambda-lint runs serially.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable, TypeVar

T = TypeVar("T")

#: the task the forked workers inherit
_task: Callable[[int], object] | None = None


def available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _run(index: int) -> object:
    assert _task is not None
    return _task(index)


def map_in_workers(task: Callable[[int], T], count: int, workers: int) -> list[T]:
    """`[task(0), ..., task(count - 1)]`, computed by `workers` forked processes."""
    global _task
    _task = task
    try:
        context = multiprocessing.get_context("fork")
        chunk = max(1, count // (workers * 4))
        with _frozen(), ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(_run, range(count), chunksize=chunk))  # type: ignore[arg-type]
    finally:
        _task = None


@contextmanager
def _frozen() -> Iterator[None]:
    """The objects a process forked inside inherits are moved out of the collector's
    sight, so that its collections do not write to (and so copy) every page they are on."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def start_in_child(task: Callable[[], T]) -> Callable[[], T | None]:
    """Start `task()` in a forked process. The function returned waits for it and
    gives what it returned, or None if the process could not start or failed (killed,
    or it raised: Python printed why), for the caller to run the task itself. The result
    waits in a temporary file, so the process ends, and its memory is let go, as soon as
    the task is done."""
    try:
        handle, name = tempfile.mkstemp(prefix="lambda-lint-", suffix=".pickle")
    except OSError:  # no writable temporary folder
        return lambda: None
    os.close(handle)
    context = multiprocessing.get_context("fork")
    # with `fork` the target is inherited, not pickled
    process = context.Process(target=_run_to_file, args=(task, name), daemon=True)
    try:
        with _frozen():
            process.start()
    except OSError:  # no process to be had (a limit on their number, memory)
        os.unlink(name)
        return lambda: None

    def finish() -> T | None:
        process.join()
        try:
            if process.exitcode != 0:
                return None
            with open(name, "rb") as file:
                return pickle.load(file)  # type: ignore[no-any-return]
        finally:
            os.unlink(name)

    return finish


def _run_to_file(task: Callable[[], object], name: str) -> None:
    result = task()
    with open(name, "wb") as file:
        pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
