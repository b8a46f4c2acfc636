"""The baselines: parse every Python file of a project in one process, and nothing else.

    python benchmarks/parse_files.py libcst PROJECT   # libcst.parse_module on each file
    python benchmarks/parse_files.py ast PROJECT      # ast.parse on each file

Files are found the way a linter finds them: every `*.py` under PROJECT, skipping hidden
folders and virtualenv, build and deployment-output folders. Each file is read and
parsed; a file that does not parse is counted, not fatal. Prints one JSON line: files,
lines, failures.
"""

from __future__ import annotations

import ast
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

SKIPPED_FOLDERS = {
    "__pycache__", "node_modules", "venv", "env", "site-packages",
    "build", "dist", "cdk.out", "htmlcov",
}  # fmt: skip


def python_files(root: Path) -> Iterator[Path]:
    """Every Python file under `root`, in a stable order."""
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(
            name for name in subfolders if not name.startswith(".") and name not in SKIPPED_FOLDERS
        )
        for name in sorted(names):
            if name.endswith(".py"):
                yield Path(folder, name)


def main() -> None:
    mode, root = sys.argv[1], Path(sys.argv[2])
    if mode == "libcst":
        import libcst

        parse = libcst.parse_module
    elif mode == "ast":
        parse = ast.parse
    else:
        raise SystemExit(f"unknown mode {mode!r}: use libcst or ast")
    files = lines = failures = 0
    for path in python_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        files += 1
        lines += text.count("\n")
        try:
            parse(text)
        except Exception:  # a file neither parser accepts; Python 2 code in old repositories
            failures += 1
    print(json.dumps({"files": files, "lines": lines, "failures": failures}))


if __name__ == "__main__":
    main()
