"""When the cyclic garbage collector runs: never during one file's work, and on what the
work left behind right after it."""

from __future__ import annotations

import gc
import weakref

from lambda_lint.collector import BetweenRuns, collected_after


class _Node:
    """An object in a reference cycle, which only the cyclic collector frees."""

    def __init__(self) -> None:
        self.me = self


def test_a_files_cyclic_garbage_is_collected_after_its_work() -> None:
    assert gc.isenabled()
    with collected_after():
        assert not gc.isenabled()
        left = weakref.ref(_Node())
        assert left() is not None
    assert gc.isenabled()
    assert left() is None


def test_a_collector_turned_off_stays_off() -> None:
    """The language server turns the collector off and collects between runs itself."""
    gc.disable()
    try:
        with collected_after():
            left = weakref.ref(_Node())
        assert not gc.isenabled()
        assert left() is not None
    finally:
        gc.enable()
        gc.collect()


def test_a_server_collects_cyclic_garbage_between_runs() -> None:
    """Automatic collection is off while the server runs; a run's cyclic garbage is
    freed once the run is over, and all of it every `FULL_EVERY` runs."""
    enabled = gc.isenabled()
    collector = BetweenRuns()
    collector.start()
    try:
        assert not gc.isenabled()
        old = _Node()
        gc.collect(1)  # survives collections of the young generations: old
        old_ref = weakref.ref(old)
        del old
        young = weakref.ref(_Node())
        collector.after_a_run()
        assert young() is None
        for _ in range(BetweenRuns.FULL_EVERY - 2):
            collector.after_a_run()
        assert old_ref() is not None  # in the oldest generation: only a full collection
        collector.after_a_run()
        assert old_ref() is None
    finally:
        if enabled:
            gc.enable()
