"""What the value-flow engine costs on real code, next to what parsing costs.

For every Python file under the given folders: `ast.parse`, then lowering the module
and every function and lambda in it to the flow IR, then summarising each (the
engine with symbolic seeds, as the index runs it). Finding the functions is not timed
(the index walks the tree anyway). Times are CPU times of this process
(`time.process_time`), the fastest of `--runs` runs, so other work on the machine
disturbs them little.

    python benchmarks/flow_speed.py /path/to/repo [/path/to/other ...] [--runs 3]
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from lambda_lint.flow import from_ast
from lambda_lint.flow.semantics import default_semantics
from lambda_lint.flow.summary import summarise

SKIPPED = {".git", "node_modules", "site-packages", ".venv", "venv", "__pycache__"}
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def sources(folders: list[Path]) -> Iterator[tuple[Path, str]]:
    for folder in folders:
        for path in sorted(folder.rglob("*.py")):
            if SKIPPED & set(path.parts):
                continue
            try:
                text = path.read_text(encoding="utf-8")
                ast.parse(text)
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError):
                continue
            yield path, text


def scopes(tree: ast.Module) -> list[ast.AST]:
    return [tree, *(n for n in ast.walk(tree) if isinstance(n, SCOPES))]


def measure(texts: list[str]) -> tuple[float, float, float, int]:
    """CPU seconds spent parsing, lowering and summarising; the number of functions."""
    semantics = default_semantics()
    parse = lower = analyse = 0.0
    functions = 0
    for text in texts:
        start = time.process_time()
        tree = ast.parse(text)
        parsed = time.process_time()
        nodes = scopes(tree)  # the index finds them on its own walk: not timed
        found = time.process_time()
        lowered = [from_ast.lower_function(node).function for node in nodes]  # type: ignore[arg-type]
        done_lowering = time.process_time()
        for function in lowered:
            summarise(function, semantics=semantics)
        done = time.process_time()
        parse += parsed - start
        lower += done_lowering - found
        analyse += done - done_lowering
        functions += len(lowered)
    return parse, lower, analyse, functions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    sys.setrecursionlimit(10000)
    warnings.simplefilter("ignore", SyntaxWarning)
    print(
        "| source | files | lines | functions | parse s | lower s | analyse s | (lower+analyse)/parse |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for folder in options.folders:
        texts = [text for _, text in sources([folder])]
        lines = sum(text.count("\n") for text in texts)
        runs = [measure(texts) for _ in range(options.runs)]
        parse = min(r[0] for r in runs)
        lower = min(r[1] for r in runs)
        analyse = min(r[2] for r in runs)
        ratio = (lower + analyse) / parse if parse else 0.0
        print(
            f"| {folder.name} | {len(texts)} | {lines:,} | {runs[0][3]:,} | {parse:.2f} "
            f"| {lower:.2f} | {analyse:.2f} | {ratio:.2f} |"
        )


if __name__ == "__main__":
    main()
