"""What the language server does after a run: the caches are written to disk a slice at
a time, so that a run asked for meanwhile (the next edit) does not wait for all of it."""

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
