"""Worker processes for large projects.

`map_in_workers` runs a task over the numbers `0..count-1` in a pool of processes
started by `fork`: the task and everything it refers to (the linter, the project model,
the texts) are inherited, not sent, so only the numbers and the results cross process
boundaries. Where `fork` is not available, lambda-lint runs serially.
"""

from __future__ import annotations

import gc
import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Callable, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: the task the forked workers inherit
_task: Callable[[int], object] | None = None
#: how many tasks a worker runs at most before a fresh one takes its place. A worker's
#: memory grows with every task: reading an inherited object writes its reference
#: count, which copies the page it is on. At 6,400 files, two workers that each checked
#: half of them had grown from 25 to 110 MiB of their own; replaced after 800 files,
#: they stay under 60.
TASKS_PER_WORKER = 800


def available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _run(index: int) -> object:
    assert _task is not None
    return _task(index)


def map_in_workers(task: Callable[[int], T], count: int, workers: int) -> list[T]:
    """`[task(0), ..., task(count - 1)]`, computed by `workers` forked processes, in
    rounds of `workers * TASKS_PER_WORKER` tasks, each round by workers of its own."""
    return map_in_workers_while(task, count, workers, lambda: None)[0]


def map_in_workers_while(
    task: Callable[[int], T], count: int, workers: int, meanwhile: Callable[[], R]
) -> tuple[list[T], R]:
    """`map_in_workers`, and what `meanwhile()` returns, run in this process while the
    workers of the last round run: its work overlaps theirs, and what it builds is in
    no worker (they were forked before it started)."""
    if count == 0:
        return [], meanwhile()
    global _task
    _task = task
    try:
        context = multiprocessing.get_context("fork")
        rounds = max(1, -(-count // (workers * TASKS_PER_WORKER)))
        size = -(-count // rounds)
        starts = range(0, count, size)
        results: list[T] = []
        for start in starts:
            numbers = range(start, min(count, start + size))
            chunk = max(1, len(numbers) // (workers * 4))
            with _frozen(), ProcessPoolExecutor(workers, mp_context=context) as pool:
                # `map` submits every task, and so forks every worker, before it returns
                pending = pool.map(_run, numbers, chunksize=chunk)
                if start == starts[-1]:
                    own = meanwhile()
                results += pending  # type: ignore[arg-type]
        return results, own
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
