"""What the language server does after a run: the caches are written to disk a slice at
a time, so that a run asked for meanwhile (the next edit) does not wait for all of it,
and only once no run was asked for within a short pause."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lambda_lint import lsp
from lambda_lint.cache import Cache


def test_an_edit_after_a_large_first_run_does_not_wait_for_all_the_cache_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path, deferred=True)
    for number in range(5):
        cache.put("summary", f"k{number}", [number], list[int])
    monkeypatch.setattr(lsp, "_caches", {tmp_path: cache})
    monkeypatch.setattr(lsp, "FLUSH_SLICE", 0)  # one entry per slice
    order: list[str] = []
    write = cache._write

    def recording(kind: str, key: str, value: object, hint: object) -> None:
        order.append("write")
        write(kind, key, value, hint)

    monkeypatch.setattr(cache, "_write", recording)
    server = lsp.LambdaLintServer()
    monkeypatch.setattr(lsp, "HOUSEKEEPING_EVERY", 0)  # no pause waited for

    async def scenario() -> None:
        flushing = asyncio.ensure_future(server.after_a_run())
        await asyncio.sleep(0)  # the first slice is under way
        loop = asyncio.get_running_loop()
        edit = loop.run_in_executor(server._executor, order.append, "run")
        await asyncio.gather(flushing, edit)

    asyncio.run(scenario())
    assert order == ["write", "run", "write", "write", "write", "write"]
    again = Cache(tmp_path)
    assert [again.get("summary", f"k{n}", list[int]) for n in range(5)] == [[n] for n in range(5)]


def test_runs_in_quick_succession_leave_the_writing_for_a_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path, deferred=True)
    monkeypatch.setattr(lsp, "_caches", {tmp_path: cache})
    server = lsp.LambdaLintServer()

    def written() -> bool:
        return Cache(tmp_path).get("summary", "k", list[int]) is not None

    async def run_then_next_run_asked_for() -> None:
        cache.put("summary", "k", [1], list[int])
        housekeeping = asyncio.ensure_future(server.after_a_run())
        await asyncio.sleep(0)
        housekeeping.cancel()  # what asking for the next run does to the finished one
        await asyncio.gather(housekeeping, return_exceptions=True)

    async def scenario() -> None:
        for _ in range(lsp.HOUSEKEEPING_EVERY):
            await run_then_next_run_asked_for()
            assert not written()
        # after as many runs in a row, the writing waits no more
        await run_then_next_run_asked_for()
        await asyncio.sleep(0.05)
        assert written()
        # and a run followed by a pause has its writing done
        cache.put("summary", "k2", [2], list[int])
        await server.after_a_run()
        assert Cache(tmp_path).get("summary", "k2", list[int]) == [2]

    asyncio.run(scenario())
