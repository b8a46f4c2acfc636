"""Worker processes for large projects.

`map_in_workers` runs a task over the numbers `0..count-1` in a pool of processes
started by `fork`: the task and everything it refers to (the linter, the project model,
the texts) are inherited, not sent, so only the numbers and the results cross
process boundaries. Where `fork` is not available, lambda-lint runs serially.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
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
        # the inherited objects are moved out of the collector's sight, so that the
        # workers' collections do not write to (and so copy) every page they are on
        gc.freeze()
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            return list(pool.map(_run, range(count), chunksize=chunk))  # type: ignore[arg-type]
    finally:
        gc.unfreeze()
        _task = None
