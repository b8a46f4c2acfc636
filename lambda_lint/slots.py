"""`SLOTS`: what makes a dataclass keep its fields in slots, where Python can.

A project's summaries hold hundreds of thousands of small frozen records (imports, call
sites, parameters), and the index workers send them to the main process pickled. An
unpickled instance of an ordinary class gets a dictionary of its own; a slotted one
does not: at 6,400 files the summaries took 132 MiB in the main process, about half
of it those dictionaries. `dataclass(slots=True)` needs Python 3.10; before, the
records keep their dictionaries.
"""

from __future__ import annotations

import sys
from typing import Any

#: keyword arguments for `dataclass`: `@dataclass(frozen=True, **SLOTS)`
SLOTS: dict[str, Any] = {"slots": True} if sys.version_info >= (3, 10) else {}
