"""The language server shows a handler's estimated INIT import cost as a code lens."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from test_lsp import TIMEOUT, project, server

HANDLER = "import pandas\n\n\ndef handler(event, context):\n    return pandas.DataFrame()\n"


def test_code_lens_on_each_handler_follows_the_buffer(tmp_path: Path) -> None:
    root = project(tmp_path, {"lambda-lint.toml": "", "app.py": HANDLER})

    async def lenses(session, uri: str) -> list[types.CodeLens]:
        result = await asyncio.wait_for(
            session.client.text_document_code_lens_async(
                types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri))
            ),
            TIMEOUT,
        )
        return list(result or [])

    async def scenario() -> None:
        async with server(root) as session:
            assert session.capabilities.code_lens_provider is not None
            uri = session.open("app.py")
            [lens] = await lenses(session, uri)
            assert lens.range.start == types.Position(line=3, character=0)
            assert lens.command is not None
            assert lens.command.title.startswith("INIT imports ≈ ")
            assert "within the 1,000 ms budget" in lens.command.title
            # the unsaved buffer counts: a heavier import, one line further down
            session.change(uri, "import sklearn\n" + HANDLER)
            [lens] = await lenses(session, uri)
            assert lens.range.start.line == 4
            assert "over the 1,000 ms budget" in lens.command.title

    asyncio.run(scenario())
