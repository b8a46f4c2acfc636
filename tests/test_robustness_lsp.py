"""The language server under abuse, over standard input and output: malformed JSON-RPC,
a 20,000-line document, hundreds of rapid changes and an alias bomb in another workspace
folder. Documents still get their diagnostics, and the server exits cleanly."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from test_robustness_descriptors import BOMBS

#: generous: the server imports libcst and pygls on a possibly busy machine
TIMEOUT = 120.0
BUGGY = "def handler(event, context):\n    return context.request_id\n"


class RawClient:
    """Frames and reads JSON-RPC messages by hand, so it can also send broken ones."""

    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "lambda_lint", "server", "--debounce-ms", "50"],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0
        self.kept: list[dict[str, Any]] = []

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            self.messages.put(json.loads(stream.read(length)))

    def raw(self, body: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.raw(json.dumps({"jsonrpc": "2.0", "method": method, "params": params}).encode())

    def request(self, method: str, params: Any) -> dict[str, Any]:
        self.next_id += 1
        self.raw(
            json.dumps(
                {"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params}
            ).encode()
        )
        return self.wait(lambda m: m.get("id") == self.next_id and "method" not in m)

    def wait(self, wanted: Any, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The first message `wanted` accepts, among those kept and those to come."""
        for index, message in enumerate(self.kept):
            if wanted(message):
                return self.kept.pop(index)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no such message from the server")
            try:
                message = self.messages.get(timeout=remaining)
            except queue.Empty:
                continue
            if wanted(message):
                return message
            self.kept.append(message)

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict[str, Any]]:
        def matches(message: dict[str, Any]) -> bool:
            if message.get("method") != "textDocument/publishDiagnostics":
                return False
            params = message["params"]
            return params["uri"] == uri and (version is None or params.get("version") == version)

        return self.wait(matches)["params"]["diagnostics"]


def codes(diagnostics: list[dict[str, Any]]) -> list[str]:
    return sorted(d["code"] for d in diagnostics)


def test_the_server_survives_abuse_and_exits_cleanly(tmp_path: Path) -> None:
    hostile, calm = tmp_path / "hostile", tmp_path / "calm"
    for folder in (hostile, calm):
        folder.mkdir()
        (folder / "lambda-lint.toml").write_text("")
        (folder / "app.py").write_text(BUGGY)
    (hostile / "template.yaml").write_text(BOMBS["sqs-queue"])
    client = RawClient(tmp_path)
    try:
        client.request(
            "initialize",
            {
                "processId": None,
                "rootUri": tmp_path.as_uri(),
                "capabilities": {},
                "workspaceFolders": [{"uri": f.as_uri(), "name": f.name} for f in (hostile, calm)],
            },
        )
        client.notify("initialized", {})

        # malformed JSON-RPC: broken JSON, no method, an unknown request, wrong params
        client.raw(b"{not json")
        client.raw(b'{"jsonrpc": "2.0", "id": 99}')
        client.raw(b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": 7}')
        unknown = client.request("lambda-lint/unknown", {})
        assert unknown["error"]["code"] == -32601

        def open_document(path: Path, text: str) -> str:
            uri = path.as_uri()
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
            )
            return uri

        hostile_uri = open_document(hostile / "app.py", BUGGY)
        calm_uri = open_document(calm / "app.py", BUGGY)
        assert codes(client.diagnostics(calm_uri)) == ["LL501"]
        assert codes(client.diagnostics(hostile_uri)) == ["LL501"]

        long_text = BUGGY + "".join(f"value_{i} = {i}\n" for i in range(20_000))
        long_uri = open_document(calm / "long.py", long_text)
        assert codes(client.diagnostics(long_uri)) == ["LL501"]

        for version in range(2, 302):  # hundreds of edits, back to back
            text = BUGGY if version % 2 else BUGGY.replace("request_id", "aws_request_id")
            client.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": calm_uri, "version": version},
                    "contentChanges": [{"text": text}],
                },
            )
        assert codes(client.diagnostics(calm_uri, version=301)) == ["LL501"]

        assert client.request("shutdown", None).get("error") is None
        client.notify("exit", None)
        assert client.process.wait(timeout=TIMEOUT) == 0
    finally:
        if client.process.poll() is None:
            client.process.kill()
            client.process.wait()
