"""Paths in order, quickly.

`sorted(paths)` calls `PurePath.__lt__`, a Python method, for every comparison: on a
project of 1,500 files the language server spent about 9 ms of each edit in it.
`sorted(paths, key=path_key)` gives the same order, comparing tuples of strings in C.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePath
from typing import TypeVar

P = TypeVar("P", bound=PurePath)

#: Windows compares the parts of its paths without regard to case
_FOLD_CASE = os.name == "nt"


def path_key(path: PurePath) -> tuple[str, ...]:
    """What `PurePath` compares two paths by."""
    return tuple(part.lower() for part in path.parts) if _FOLD_CASE else path.parts


def sorted_paths(paths: Iterable[P]) -> list[P]:
    """`sorted(paths)`, faster."""
    return sorted(paths, key=path_key)
