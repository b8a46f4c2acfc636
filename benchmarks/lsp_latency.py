"""How fast the language server re-lints a large file as it is edited.

    python benchmarks/lsp_latency.py                    # 1,500-file project, 20 edits
    python benchmarks/lsp_latency.py --edits 50 --debounce-ms 300

Starts `lambda-lint server` over stdio (JSON-RPC with Content-Length framing, standard
library only), initialises it on a generated 1,500-file project (`generate.py
--large-module`), opens the 1,000-line module a REST handler imports, and waits for its
first diagnostics (this includes reading the whole project with an empty cache). Then it
sends `--edits` `textDocument/didChange` notifications, one at a time, each changing one
line, and measures the time from sending each change to the `publishDiagnostics` for
that document version. `--edit constant` (the default) gives a module-level constant a
new value each time, which changes nothing the project model reads of the module;
`--edit call` renames a call in a function's body each time (`logger.debug2(...)`), which
changes the module's calls (to code outside the project), so the model reads the module
again before it keeps its handler table. Prints the median and the 90th percentile, and the server's own
CPU time per edit (from /proc, Linux), which a busy machine does not inflate.

The server's debounce (300 ms by default in editors) is set to `--debounce-ms`, 0 unless
given, so the figure is the time the server takes to re-lint, not the pause it waits for
more typing.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from measure import compile_bytecode  # noqa: E402


class Connection:
    """A JSON-RPC connection to a child process's standard input and output."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdin is not None and process.stdout is not None
        self.process = process
        self._stdin: IO[bytes] = process.stdin
        self.incoming: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, args=(process.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return  # the server exited
                line = line.strip()
                if not line:
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            message = json.loads(stream.read(length))
            self.incoming.put((time.perf_counter(), message))

    def send(self, message: dict[str, Any]) -> float:
        """Send a message; returns the time it was written."""
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        sent = time.perf_counter()
        self._stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._stdin.flush()
        return sent

    def request(self, method: str, params: Any) -> int:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        return self._next_id

    def notify(self, method: str, params: Any) -> float:
        return self.send({"method": method, "params": params})

    def wait_for(self, wanted: Any, timeout: float) -> tuple[float, dict[str, Any]]:
        """The first message `wanted(message)` accepts; answers the server's requests."""
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"no answer in {timeout:.0f} s")
            try:
                arrived, message = self.incoming.get(timeout=left)
            except queue.Empty:
                continue
            if "method" in message and "id" in message:  # e.g. client/registerCapability
                self.send({"id": message["id"], "result": None})
            if wanted(message):
                return arrived, message


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (Linux; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def diagnostics_for(uri: str, version: int) -> Any:
    def wanted(message: dict[str, Any]) -> bool:
        params = message.get("params") or {}
        return (
            message.get("method") == "textDocument/publishDiagnostics"
            and params.get("uri") == uri
            and params.get("version") == version
        )

    return wanted


def prepare(work: Path, files: int) -> tuple[Path, Path]:
    """The generated project (made once, kept in `work`) and its large module."""
    root = work / f"lsp-{files}"
    stamp = root / ".generated"
    if not stamp.exists():
        shutil.rmtree(root, ignore_errors=True)
        large = generate(root, files, large=True)
        stamp.write_text(str(large))
    return root, root / stamp.read_text()


def constant_edit(lines: list[str], version: int) -> tuple[int, str]:
    """The line that gives the module-level constant `RULE_0` a new value."""
    target = next(i for i, line in enumerate(lines) if line.startswith("RULE_0 = "))
    return target, f"RULE_0 = {version}"


def call_edit(lines: list[str], version: int) -> tuple[int, str]:
    """The line whose `logger.debug` call (in a function's body) gets a new name."""
    target = next(i for i, line in enumerate(lines) if "logger.debug" in line)
    head, _, tail = lines[target].partition("logger.debug")
    return target, f"{head}logger.debug{version}{tail[tail.index('(') :]}"


#: the edits `--edit` chooses from
EDITS = {"constant": constant_edit, "call": call_edit}


def latency(
    root: Path,
    module: Path,
    edits: int,
    debounce_ms: int,
    timeout: float,
    edit: str = "constant",
) -> dict:
    cache = Path(tempfile.mkdtemp(prefix="lambda-lint-lsp-cache-"))
    env = {**os.environ, "LAMBDA_LINT_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "lambda_lint", "server", "--debounce-ms", str(debounce_ms)]
    process = subprocess.Popen(
        command, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    connection = Connection(process)
    try:
        started = time.perf_counter()
        ask = connection.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root.as_uri(),
                "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
                "capabilities": {
                    "general": {"positionEncodings": ["utf-16"]},
                    "textDocument": {"publishDiagnostics": {"versionSupport": True}},
                    "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": True}},
                },
            },
        )
        _, answer = connection.wait_for(lambda m: m.get("id") == ask, timeout)
        sync = answer["result"]["capabilities"].get("textDocumentSync", {})
        incremental = (sync.get("change") if isinstance(sync, dict) else sync) == 2
        connection.notify("initialized", {})

        uri = module.as_uri()
        lines = module.read_text(encoding="utf-8").split("\n")
        opened = connection.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": 1,
                    "text": "\n".join(lines),
                }
            },
        )
        arrived, first = connection.wait_for(diagnostics_for(uri, 1), timeout)
        first_seconds, from_start = arrived - opened, arrived - started

        latencies, cpu = [], []
        for version in range(2, edits + 2):
            cpu_before = cpu_seconds(process.pid)
            target, new = EDITS[edit](lines, version)
            old = lines[target]
            lines[target] = new
            if incremental:
                end = {"line": target, "character": len(old)}
                change = {
                    "range": {"start": {"line": target, "character": 0}, "end": end},
                    "text": new,
                }
            else:
                change = {"text": "\n".join(lines)}
            sent = connection.notify(
                "textDocument/didChange",
                {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]},
            )
            arrived, _ = connection.wait_for(diagnostics_for(uri, version), timeout)
            latencies.append(arrived - sent)
            cpu.append(cpu_seconds(process.pid) - cpu_before)

        finish = connection.request("shutdown", None)
        connection.wait_for(lambda m: m.get("id") == finish, timeout)
        connection.notify("exit", None)
        process.wait(timeout=30)
        return {
            "project": str(root),
            "module": str(module.relative_to(root)),
            "module_lines": len(lines) - 1,
            "debounce_ms": debounce_ms,
            "edit": edit,
            "server_start_to_first_diagnostics_s": round(from_start, 3),
            "first_diagnostics_s": round(first_seconds, 3),
            "first_diagnostics_count": len(first["params"]["diagnostics"]),
            "edits": edits,
            "latency_ms": [round(s * 1000, 1) for s in latencies],
            "median_ms": round(statistics.median(latencies) * 1000, 1),
            "p90_ms": round(percentile(latencies, 90) * 1000, 1),
            "server_cpu_ms": [round(s * 1000, 1) for s in cpu],
            "median_server_cpu_ms": round(statistics.median(cpu) * 1000, 1),
        }
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(cache, ignore_errors=True)


def percentile(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1500, help="project size (default 1,500)")
    parser.add_argument("--edits", type=int, default=20, help="didChange edits timed (default 20)")
    parser.add_argument("--debounce-ms", type=int, default=0, help="server debounce (default 0)")
    parser.add_argument(
        "--edit", choices=sorted(EDITS), default="constant", help="what each edit changes"
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for a reply")
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(tempfile.gettempdir()) / "lambda-lint-bench",
        help="where the generated project is kept between runs",
    )
    parser.add_argument("--json", type=Path, help="also write the result here")
    args = parser.parse_args()
    compile_bytecode()
    root, module = prepare(args.work, args.files)
    result = latency(root, module, args.edits, args.debounce_ms, args.timeout, args.edit)
    text = json.dumps(result, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(
        f"{args.files:,} files, {result['module_lines']:,}-line module {result['module']}: "
        f"first diagnostics after {result['first_diagnostics_s']:.2f} s; "
        f"{args.edits} {args.edit} edits (debounce {args.debounce_ms} ms): "
        f"median {result['median_ms']:.0f} ms, p90 {result['p90_ms']:.0f} ms "
        f"(server CPU per edit: median {result['median_server_cpu_ms']:.0f} ms)",
        file=sys.stderr,
    )
    print(text)


if __name__ == "__main__":
    main()
