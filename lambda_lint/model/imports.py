"""Module resolution the way the Lambda runtime does it: a dotted module name is looked
up under the function's code root (`LAMBDA_TASK_ROOT`), then under the folders that
hold the importing file, up to the project root, and last in the project's layers: a
folder named `python` is laid out as a layer's content, which the runtime puts on the
import path as `/opt/python`
(https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html). A module found
there is taken only when one layer folder alone has it, and never for a module of the
standard library or of a known third-party package (a layer that vendors `requests`
holds the library, not project code).

Every answer is memoised: the folders searched for an importer, and so the file a
module name resolves to, depend only on the importer's folder, so a project's
resolution costs one dictionary lookup per (name, importing folder) pair after the
first, not a scan of every code root per import.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

from lambda_lint.coldstart.costs import is_known_library
from lambda_lint.index import Import

#: the folder of a layer's content that the Python runtime imports from
LAYER_FOLDER = "python"


class ModuleResolver:
    """Finds the project file a module name or an import statement refers to."""

    def __init__(
        self,
        files: Iterable[Path],
        root: Path,
        code_roots: Iterable[Path],
        unreadable: Iterable[Path] = (),
    ) -> None:
        self.files = set(files)
        #: project files that do not parse (each reported as LL001, or skipped knowingly)
        self.unreadable = frozenset(unreadable)
        #: the files by their text, for lookups that build no path
        self._by_text = {str(f): f for f in self.files}
        self._unreadable_text = {str(f) for f in self.unreadable}
        self.root = root
        self.code_roots = frozenset(code_roots)
        self._roots: dict[Path, tuple[Path, ...]] = {}
        self._files: dict[tuple[str, Path], Path | None] = {}
        #: resolved names by importing folder, then by (name, level); each importing
        #: file points at its folder's table, so a lookup hashes no path but the importer
        self._by_folder: dict[Path, dict[tuple[str, int], Path | None]] = {}
        self._by_importer: dict[Path, dict[tuple[str, int], Path | None]] = {}

    @cached_property
    def layer_roots(self) -> list[Path]:
        """The folders laid out as a layer's content (see the module docstring)."""
        marker = f"{os.sep}{LAYER_FOLDER}{os.sep}"
        return sorted(
            {
                folder
                for text, file in self._by_text.items()
                if marker in text
                for folder in file.parents
                if folder.name == LAYER_FOLDER and folder != self.root
            }
        )

    def file_for(self, module: str, base: Path) -> Path | None:
        """The file of `module` (dotted) under folder `base`, if the project has it."""
        if not module:
            return None
        key = (module, base)
        if key not in self._files:
            found = (self._by_text.get(c) for c in _candidates(module, base))
            self._files[key] = next((f for f in found if f is not None), None)
        return self._files[key]

    def unreadable_file(self, module: str, base: Path) -> bool:
        """Whether `module` under `base` is a project file that does not parse."""
        return bool(module) and any(c in self._unreadable_text for c in _candidates(module, base))

    def search_roots(self, importer: Path) -> tuple[Path, ...]:
        """Where absolute imports of `importer` are looked up, most specific first: the
        code roots that hold it (deepest first), then its folder and every folder above
        it up to the project root."""
        folder = importer.parent
        found = self._roots.get(folder)
        if found is None:
            chain = [folder, *folder.parents]
            inside = chain[: chain.index(self.root) + 1] if self.root in chain else [folder]
            roots = [f for f in chain if f in self.code_roots]
            roots += [f for f in inside if f not in roots]
            if self.root not in roots:
                roots.append(self.root)
            found = self._roots[folder] = tuple(roots)
        return found

    def resolve_module(self, module: str, importer: Path, level: int = 0) -> Path | None:
        """The file `module` (with `level` leading dots) names when `importer` imports it."""
        table = self._by_importer.get(importer)
        if table is None:
            table = self._by_folder.setdefault(importer.parent, {})
            self._by_importer[importer] = table
        key = (module, level)
        if key in table:
            return table[key]
        found = table[key] = self._search(module, importer, level)
        return found

    def _search(self, module: str, importer: Path, level: int) -> Path | None:
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            if not module:
                init = base / "__init__.py"
                return init if init in self.files else None
            return self.file_for(module, base)
        for root in self.search_roots(importer):
            found = self.file_for(module, root)
            if found is not None:
                return found
        if is_known_library(module):
            return None  # a library a layer vendors (pip-installed into its python/)
        in_layers = {self.file_for(module, root) for root in self.layer_roots} - {None}
        return in_layers.pop() if len(in_layers) == 1 else None

    def resolve_import(self, item: Import, importer: Path) -> tuple[Path | None, str | None]:
        """For `from x import y`: the file of `x.y` if it is a module (and None), else the
        file of `x` and the name `y`. For `import x.y`: the file of `x.y`."""
        if item.name is None:
            return self.resolve_module(item.module, importer, item.level), None
        joined = f"{item.module}.{item.name}" if item.module else item.name
        submodule = self.resolve_module(joined, importer, item.level)
        if submodule is not None:
            return submodule, None
        return self.resolve_module(item.module, importer, item.level), item.name

    def packages(self, module: str, importer: Path, level: int = 0) -> list[Path]:
        """The package `__init__.py` files that importing `module` runs before the module
        itself (`import a.b.c` runs `a/__init__.py`, then `a/b/__init__.py`)."""
        parts = module.split(".") if module else []
        found = []
        for cut in range(1, len(parts)):
            init = self.resolve_module(".".join(parts[:cut]), importer, level)
            if init is not None and init.name == "__init__.py":
                found.append(init)
        return found


def _candidates(module: str, base: Path) -> tuple[str, str]:
    """The files a dotted module name can be under `base`, as text: a module or a
    package."""
    stem = os.path.join(base, *module.split("."))
    return f"{stem}.py", os.path.join(stem, "__init__.py")
