"""What the command line does differently on a terminal: colour, and a progress line.

Colour follows the conventions other tools share: `NO_COLOR` (set and not empty) turns
it off, whatever else is set; otherwise `FORCE_COLOR` (set and not empty) turns it on
even in a pipe; otherwise colour is used only when the output is a terminal.

The progress line appears on standard error only when a run takes more than a second,
standard error is a terminal, and the run is not in CI (`CI` set); it is erased before
anything else is printed, so it never reaches a pipe, a log or a machine-readable report.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

#: how long a run goes before the progress line appears
PROGRESS_DELAY = 1.0
FRAMES = "|/-\\"


def _set(name: str) -> bool:
    return bool(os.environ.get(name, ""))


def use_color(stream: TextIO) -> bool:
    """Whether output to `stream` is coloured (see the module's docstring)."""
    if _set("NO_COLOR"):
        return False
    if _set("FORCE_COLOR"):
        return True
    return _is_terminal(stream)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def progress_wanted(stream: TextIO) -> bool:
    """Whether a progress line may be drawn on `stream`: a terminal, outside CI."""
    return _is_terminal(stream) and not _set("CI")


class Progress:
    """`with Progress(message):` shows `message` and the time spent on standard error
    once the block has run for `PROGRESS_DELAY` seconds, and erases it at the end."""

    def __init__(
        self,
        message: str,
        enabled: bool,
        stream: TextIO | None = None,
        delay: float = PROGRESS_DELAY,
    ) -> None:
        self.message = message
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.delay = delay
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._drawn = False

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._draw, daemon=True)
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def _draw(self) -> None:
        start = time.monotonic()
        if self._done.wait(self.delay):
            return
        frame = 0
        while not self._done.is_set():
            elapsed = time.monotonic() - start
            self.stream.write(f"\r{FRAMES[frame % len(FRAMES)]} {self.message} {elapsed:.0f}s")
            self.stream.flush()
            self._drawn = True
            frame += 1
            self._done.wait(0.1)
