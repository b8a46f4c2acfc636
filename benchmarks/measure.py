"""Time a whole command and measure its memory, with the standard library only.

Wall time is a monotonic clock around the child's life; CPU time (user + system) is the
operating system's accounting of the child and every process it waited for (worker
processes included); peak memory is the largest sum of proportional set sizes (PSS)
over the child's process tree, sampled from /proc every 20 ms (Linux; elsewhere the
largest single process the child waited for). PSS counts a page shared by n processes
as 1/n in each, so the pages forked workers share with their parent count once in the
sum, as they take memory once; where a kernel has no `smaps_rollup`, resident set sizes
are summed instead, which errs high for forked workers.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

POLL_SECONDS = 0.02
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
PROC = Path("/proc")


@dataclass
class Sample:
    """One run of a command."""

    wall: float
    cpu: float
    #: the largest sum of PSS (or RSS) over the process tree (MiB)
    tree_peak: float
    returncode: int
    stdout: bytes
    stderr: bytes


@dataclass
class Measurement:
    """The runs of one command after its warm-ups."""

    argv: list[str]
    samples: list[Sample] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def peak(self) -> float:
        return max(s.tree_peak for s in self.samples)

    def as_dict(self) -> dict[str, object]:
        return {
            "argv": self.argv,
            "wall_s": [round(s.wall, 4) for s in self.samples],
            "cpu_s": [round(s.cpu, 4) for s in self.samples],
            "peak_mib": [round(s.tree_peak, 1) for s in self.samples],
            "exit": [s.returncode for s in self.samples],
            "median_wall_s": round(self.wall, 4),
            "median_cpu_s": round(self.cpu, 4),
        }


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            text = (task / "children").read_text()
            found.extend(int(child) for child in text.split())
    except OSError:  # the process ended while we looked
        pass
    return found


def _resident_bytes(pid: int) -> int:
    """The memory a process takes now: its PSS, or its RSS where the kernel has no
    `smaps_rollup`."""
    try:
        for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    try:
        return int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE_BYTES
    except (OSError, IndexError, ValueError):
        return 0


def tree_resident_bytes(root: int) -> int:
    """The memory `root` and all its descendants take now (see `_resident_bytes`)."""
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += _resident_bytes(pid)
        pending.extend(_children(pid))
    return total


class TreePeak(threading.Thread):
    """Samples the memory a process tree takes until told to stop."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_resident_bytes(self.pid))
            self._done.wait(POLL_SECONDS)

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_once(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> Sample:
    """Run `argv` once; its output is kept (in temporary files, not a pipe)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        child = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = TreePeak(child.pid) if PROC.is_dir() else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if sampler is not None:
            sampler.stop()
        # ru_maxrss (KiB on Linux) can count the parent's pages the child had before exec,
        # so it stands in only where /proc cannot be sampled or the child was too quick
        peak = sampler.peak if sampler is not None else 0
        if not peak:
            peak = usage.ru_maxrss * 1024
        out.seek(0)
        err.seek(0)
        return Sample(
            wall=wall,
            cpu=usage.ru_utime + usage.ru_stime,
            tree_peak=peak / 2**20,
            returncode=child.returncode,
            stdout=out.read(),
            stderr=err.read(),
        )


def measure(
    argv: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    runs: int,
    warmup: int,
    before_each: Callable[[], None] | None = None,
) -> Measurement:
    """`warmup` untimed runs, then `runs` timed ones (each after `before_each`)."""
    measurement = Measurement(list(argv))
    for index in range(warmup + runs):
        if before_each is not None:
            before_each()
        sample = run_once(argv, cwd, env)
        if index >= warmup:
            measurement.samples.append(sample)
    return measurement


def compile_bytecode() -> None:
    """Compile lambda-lint's modules to bytecode, as installing a package does, so that no
    command pays for compiling them (an editable install under PYTHONDONTWRITEBYTECODE
    would compile every module again in every run; the tools' packages were compiled
    when they were installed)."""
    import compileall

    import lambda_lint

    compileall.compile_dir(Path(lambda_lint.__file__).parent, quiet=1)
