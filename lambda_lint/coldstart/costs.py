"""What importing a module costs at INIT, from the shipped table of measured figures.

`import_costs.json` (see docs/import-costs.md) gives, per module, its own cost
(`self_ms`) and the other table entries it loads (`packages`). A module is costed by
the longest dotted prefix of its name in the table (`matplotlib.pyplot` has its own
entry, `sklearn.linear_model` is costed as `sklearn`); configured `costs` add modules
or replace entries (a configured figure is a whole cost, dependencies included). A
module the table does not know costs the table's `default_ms` when it is third-party,
a small default when it is in the standard library, and nothing when the interpreter or
the Lambda runtime has loaded it before the handler's module (`runtime_modules.json`).

A set of modules costs the sum of `self_ms` over the union of the modules and their
packages: a package two imports share is loaded, and paid, once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent


@dataclass(frozen=True)
class Entry:
    """What one import unit costs: a table entry, a configured figure or a default."""

    #: the table key (or the top-level name, for a default)
    name: str
    self_ms: float
    packages: frozenset[str]
    stdlib: bool
    #: "table", "config", "default" (unknown third-party), "stdlib" (unknown standard
    #: library) or "loaded" (loaded before the handler's module)
    source: str


def _read(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _shipped() -> tuple[dict[str, Entry], float]:
    data = _read("import_costs.json")
    entries = {
        name: Entry(
            name, float(item["self_ms"]), frozenset(item["packages"]), item["stdlib"], "table"
        )
        for name, item in data["modules"].items()
    }
    return entries, float(data["default_ms"])


@lru_cache(maxsize=1)
def _known_tops() -> frozenset[str]:
    return frozenset(name.split(".")[0] for name in _shipped()[0])


def is_known_library(module: str) -> bool:
    """Whether `module` belongs to the standard library or to a third-party package of
    the import-cost table (`requests`, `boto3`, ...), by its top-level name."""
    top = module.split(".")[0]
    return top in _known_tops() or is_stdlib(top)


def table_metadata() -> dict[str, Any]:
    """Where the shipped figures come from: interpreter, machine, date."""
    data = _read("import_costs.json")
    meta = data.get("metadata", {})
    platform = meta.get("platform", {})
    return {
        "python": meta.get("python", {}).get("version"),
        "machine": f"{platform.get('cpus', '?')} vCPUs ({platform.get('cpu', 'unknown CPU')}, "
        f"{platform.get('system', '?')})",
        "date": meta.get("date"),
        "default_ms": data.get("default_ms"),
    }


@lru_cache(maxsize=1)
def _runtime() -> tuple[frozenset[str], float]:
    data = _read("runtime_modules.json")
    loaded = frozenset(data["startup"]["modules"]) | frozenset(data["runtime"]["modules"])
    return loaded, float(data["stdlib_default_ms"])


def runtime_modules() -> list[str]:
    """The standard-library modules the Lambda runtime imports before the handler's."""
    return list(_read("runtime_modules.json")["runtime"]["modules"])


@lru_cache(maxsize=1)
def stdlib_names() -> frozenset[str]:
    """Top-level names of the standard library: the interpreter's own list where it has
    one (3.10+), else the shipped list for 3.9."""
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return frozenset(names)
    return frozenset(_read("stdlib_py39.json")["modules"])


def is_stdlib(module: str) -> bool:
    return module.split(".")[0] in stdlib_names()


@lru_cache(maxsize=1)
def side_effect_modules() -> frozenset[str]:
    """Modules imported for what the import does (`side_effect_imports.json`)."""
    return frozenset(item["name"] for item in _read("side_effect_imports.json")["modules"])


def prefixes(module: str) -> Iterator[str]:
    """`a.b.c`, `a.b`, `a`: the module and its packages, longest first."""
    parts = module.split(".")
    for cut in range(len(parts), 0, -1):
        yield ".".join(parts[:cut])


class CostTable:
    """The shipped table with the configured `costs` applied."""

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        shipped, self.default_ms = _shipped()
        self.entries = dict(shipped)
        #: the configured costs, by module
        self.overrides = dict(overrides or {})
        for name, ms in self.overrides.items():
            self.entries[name] = Entry(name, float(ms), frozenset(), is_stdlib(name), "config")
        self.preloaded, self.stdlib_default_ms = _runtime()
        #: everything loaded before the handler's module, with what it loads
        self.loaded = self.closure(n for n in self.preloaded if n in self.entries) | self.preloaded
        self._direct: dict[str, list[str]] = {}

    def entry(self, module: str) -> Entry:
        """The import unit `module` is costed as."""
        for prefix in prefixes(module):
            if prefix in self.preloaded:
                return Entry(prefix, 0.0, frozenset(), True, "loaded")
            if prefix in self.entries:
                return self.entries[prefix]
        top = module.split(".")[0]
        if top.startswith("_") or is_stdlib(top):
            return Entry(top, self.stdlib_default_ms, frozenset(), True, "stdlib")
        return Entry(top, self.default_ms, frozenset(), False, "default")

    def unit(self, name: str) -> Entry:
        """The entry of an import unit by its name (a table key or a default's name)."""
        return self.entries.get(name) or self.entry(name)

    def closure(self, names: Iterable[str]) -> set[str]:
        """The units and every package they load."""
        found: set[str] = set()
        for name in names:
            if name not in found:
                found.add(name)
                found |= self.unit(name).packages
        return found

    def self_ms(self, name: str) -> float:
        """A unit's own cost; nothing when it is loaded before the handler's module."""
        return 0.0 if name in self.loaded else self.unit(name).self_ms

    def cost(self, names: Iterable[str]) -> float:
        """What importing all of `names` costs, each package counted once (added in
        the order of their names, so that the sum does not depend on the order of
        `names`)."""
        return sum(self.self_ms(name) for name in sorted(self.closure(names)))

    def direct_packages(self, name: str) -> list[str]:
        """The packages of a unit that none of its other packages loads: the edges of
        its dependency tree, as far as the table tells."""
        if name in self._direct:
            return self._direct[name]
        packages = self.unit(name).packages
        direct = []
        for package in sorted(packages):
            loaded_by_other = any(
                package in self.unit(other).packages and other not in self.unit(package).packages
                for other in packages
                if other != package
            )
            if not loaded_by_other:
                direct.append(package)
        self._direct[name] = direct
        return direct
