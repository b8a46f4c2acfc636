"""Measure lambda-lint on generated projects: whole-process wall time and peak memory.

    python benchmarks/run.py                 # 100 and 400 functions, 5 runs each
    python benchmarks/run.py --functions 1000 --runs 3

For each project size it times `lambda-lint check` as a user runs it: cold with one
worker, cold with the default workers, warm (result cache hit), and a single requested
file inside the project (what pre-commit and editors do), without a cache and right
after an edit to it (the other files' summaries then come from the cache). Medians are
printed; peak memory is the largest resident set of the measured processes (Linux and
macOS). Only the standard library is used; `hyperfine` gives the same figures if you prefer it:

    hyperfine --warmup 1 'lambda-lint check /tmp/bench --no-cache -j 1'
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

EXE = [sys.executable, "-m", "lambda_lint"]


def measure(
    args: list[str],
    cwd: Path,
    runs: int,
    env: dict[str, str],
    before_each: Callable[[], None] | None = None,
) -> tuple[float, float]:
    """Median wall seconds and peak RSS in MiB over `runs` runs (after one warm-up)."""
    subprocess.run([*EXE, *args], cwd=cwd, env=env, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        if before_each is not None:
            before_each()
        start = time.perf_counter()
        subprocess.run([*EXE, *args], cwd=cwd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    peak_mib = peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024
    return statistics.median(times), peak_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, nargs="*", default=[100, 400])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(
        f"{'files':>6} {'lines':>7}  {'scenario':<28} {'median s':>9} {'files/s':>8} {'peak MiB':>9}"
    )
    for functions in args.functions:
        root = Path(tempfile.mkdtemp(prefix="lambda-lint-bench-"))
        cache = Path(tempfile.mkdtemp(prefix="lambda-lint-cache-"))
        try:
            generate(root, functions)
            files = sorted((root / "src").glob("*.py"))
            lines = sum(len(p.read_text().splitlines()) for p in files)
            env = {**os.environ, "LAMBDA_LINT_CACHE_DIR": str(cache)}
            scenarios = [
                ("cold, 1 worker", ["check", ".", "--no-cache", "-j", "1"]),
                ("cold, default workers", ["check", ".", "--no-cache"]),
                ("warm cache", ["check", "."]),
                ("one file, no cache", ["check", "src/fn_1.py", "--no-cache"]),
                ("one file edited, cache", ["check", "src/fn_1.py"]),
            ]
            edited = root / "src" / "fn_1.py"

            def edit(target: Path = edited) -> None:
                target.write_text(target.read_text() + "\n")

            for name, command in scenarios:
                before_each = edit if "edited" in name else None
                seconds, peak = measure(command, root, args.runs, env, before_each)
                rate = len(files) / seconds if "one file" not in name else 1 / seconds
                print(
                    f"{len(files):>6} {lines:>7}  {name:<28} {seconds:>9.2f} {rate:>8.0f} {peak:>9.0f}"
                )
        finally:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
