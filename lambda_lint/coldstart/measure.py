"""`lambda-lint coldstart --measure`: time a handler's imports in the user's environment.

The handler's module is imported by `python -X importtime` in a fresh subprocess of the
user's interpreter, from the handler's code root, as the Lambda runtime would import it
(after the standard-library modules the runtime loads first). lambda-lint's own process
never imports user code. The subprocess runs the module's INIT code for real: whatever
it does at import time (read environment variables, call AWS) happens. It writes no
bytecode into the project (`PYTHONDONTWRITEBYTECODE`), so the project's own modules are
compiled on every run, as in a deployment package without `__pycache__`.

A first import warms the file-system cache and is thrown away; the second is reported.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lambda_lint.coldstart.costs import is_stdlib
from lambda_lint.coldstart.estimate import ImportNode

MARKER = "lambda-lint: the handler's module is imported from here"
LINE = re.compile(r"^import time:\s+(\d+)\s*\|\s*(\d+)\s*\|(\s*)(\S+)\s*$")
TIMEOUT_S = 120


@dataclass(frozen=True)
class Measurement:
    tree: ImportNode | None
    problem: str | None = None


def script(module: str, preloaded: list[str]) -> str:
    """The code the subprocess runs: the runtime's own imports, a marker, the module."""
    lines = [f"import {name}" for name in preloaded]
    lines += [
        "import importlib, sys",
        f"sys.stderr.write({MARKER!r} + '\\n')",
        "sys.stderr.flush()",
        f"importlib.import_module({module!r})",
    ]
    return "\n".join(lines)


def parse_importtime(stderr: str) -> list[ImportNode]:
    """The import tree `-X importtime` printed after the marker (children come before
    their parent, one indentation level deeper)."""
    _, found, after = stderr.partition(MARKER)
    text = after if found else stderr
    pending: dict[int, list[ImportNode]] = {}
    for line in text.splitlines():
        match = LINE.match(line)
        if match is None:
            continue
        self_us, _, indent, name = match.groups()
        level = len(indent) // 2
        kind = "stdlib" if is_stdlib(name) else "third-party"
        node = ImportNode(name, kind, int(self_us) / 1000, "measured")
        node.children = pending.pop(level + 1, [])
        pending.setdefault(level, []).append(node)
    return pending.get(min(pending), []) if pending else []


def measure(
    python: str,
    module: str,
    code_root: Path,
    preloaded: list[str],
    is_project: Callable[[str], bool],
) -> Measurement:
    """Import `module` from `code_root` under `-X importtime`; the tree, or why not."""
    command = [python, "-X", "importtime", "-c", script(module, preloaded)]
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    completed = None
    for _ in range(2):  # warm-up, then the run that counts
        try:
            completed = subprocess.run(
                command,
                cwd=code_root,
                env=environment,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_S,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            return Measurement(None, f"{python} could not import {module}: {error}")
        if completed.returncode != 0:
            return Measurement(None, _failure(completed.stderr, module))
    assert completed is not None
    roots = parse_importtime(completed.stderr)
    for root in roots:
        _mark_project(root, is_project)
    top = next((r for r in roots if r.name == module), None)
    if top is None:
        top = ImportNode(module, "project", 0.0, "measured", children=roots)
    return Measurement(top)


def _mark_project(node: ImportNode, is_project: Callable[[str], bool]) -> None:
    if is_project(node.name):
        node.kind = "project"
    for child in node.children:
        _mark_project(child, is_project)


def _failure(stderr: str, module: str) -> str:
    """The exception the import ended with (the last line of the traceback)."""
    lines = [
        line
        for line in stderr.splitlines()
        if line.strip() and not line.startswith("import time:") and MARKER not in line
    ]
    last = lines[-1].strip() if lines else "the interpreter exited with an error"
    return f"importing {module} failed: {last}"
