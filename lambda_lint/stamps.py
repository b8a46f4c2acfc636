"""Whether a file may have changed since it was last looked at, for a process that
reads the same project again and again (the language server): a file's stamp, and
whether a stamp is settled enough to be trusted.

A file system updates a file's times in clock steps, so a change made within one step
after a look may leave the stamp as it was. What was read is kept only under a stamp
older than `SETTLED_NS`; a younger one is looked at again next time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

#: a stamp newer than this (nanoseconds) may not show a change made just after it was
#: taken, within the file system's clock step
SETTLED_NS = 2_000_000_000

#: a file's modification and change times, inode, mode and size; None when it does not
#: exist (the change time moves with any write, even one that puts the modification
#: time back)
Stamp = Optional[tuple[int, int, int, int, int]]


def stamp(path: Path) -> Stamp:
    """The stamp of `path` now."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode, info.st_size)


def settled(found: Stamp) -> bool:
    """Whether what was read under `found` may be kept: the file is absent, or it was
    last written long enough ago for any later write to show in its stamp."""
    return found is None or found[0] < time.time_ns() - SETTLED_NS
