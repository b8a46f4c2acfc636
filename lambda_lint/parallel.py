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
    global _task
    _task = task
    try:
        rounds = max(1, -(-count // (workers * TASKS_PER_WORKER)))
        size = -(-count // rounds)
        results: list[T] = []
        for start in range(0, count, size):
            with _round(range(start, min(count, start + size)), workers) as found:
                results += found  # type: ignore[arg-type]
        return results
    finally:
        _task = None


def map_in_workers_while(
    task: Callable[[int], T], count: int, workers: int, meanwhile: Callable[[], R]
) -> tuple[list[T], R]:
    """`map_in_workers`, and what `meanwhile()` returns, run in this process. When one
    round of workers does all the tasks, it runs while they run: its work overlaps
    theirs, and what it builds is in no worker (they were forked before it started).
    With several rounds (thousands of files), it runs once they are done: this
    process's memory and theirs at once would be too much (611 MiB at 6,400 files,
    against 383 MiB one after the other)."""
    if count == 0 or count > workers * TASKS_PER_WORKER:
        results = map_in_workers(task, count, workers) if count else []
        return results, meanwhile()
    global _task
    _task = task
    try:
        with _round(range(count), workers) as found:
            own = meanwhile()
            return list(found), own  # type: ignore[arg-type]
    finally:
        _task = None


@contextmanager
def _round(numbers: range, workers: int) -> Iterator[Iterator[object]]:
    """`_task`'s results over `numbers`, computed by `workers` processes forked on
    entering: every worker is forked before the results are read."""
    context = multiprocessing.get_context("fork")
    chunk = max(1, len(numbers) // (workers * 4))
    with _frozen(), ProcessPoolExecutor(workers, mp_context=context) as pool:
        # `map` submits every task, and so forks every worker, before it returns
        yield pool.map(_run, numbers, chunksize=chunk)


@contextmanager
def _frozen() -> Iterator[None]:
    """The objects a process forked inside inherits are moved out of the collector's
    sight, so that its collections do not write to (and so copy) every page they are on."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
