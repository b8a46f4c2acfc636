"""When the cyclic garbage collector runs: never during one file's work, and on what the
work left behind right after it."""

from __future__ import annotations

import ast
import gc
import shutil
import weakref
from pathlib import Path

import libcst as cst

from lambda_lint.api import Linter
from lambda_lint.collector import BetweenRuns, collected_after
from lambda_lint.config import Settings
from lambda_lint.registry import load_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


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


def test_a_checked_files_trees_are_freed_without_the_cyclic_collector(tmp_path) -> None:
    """Nothing a file's check builds keeps its syntax trees in a reference cycle: they
    are freed as soon as the file is done, not left to the collector to scan."""
    shutil.copytree(FIXTURES / "vulnerable-app", tmp_path / "app")
    ruleset = load_rules()
    linter = Linter(Settings(), ruleset, ruleset.select(("ALL",)), tmp_path / "app", jobs=1)
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = linter.lint([tmp_path / "app"])
        del linter
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, (cst.CSTNode, ast.AST))]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert {f.code for f in result.findings} >= {"LL601", "LL602"}  # the value flow ran
    assert left == []
