"""When the cyclic garbage collector runs: never during one file's work, and on what the
work left behind right after it."""

from __future__ import annotations

import gc
import weakref

from lambda_lint.collector import collected_after


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
