"""What a handler imports at INIT: its module, and every module imported at module scope
from there, transitively — project modules and the packages above them (`import a.b`
runs `a/__init__.py` first), and third-party and standard-library modules as leaves.

Imports inside functions run on the first call, not at INIT, and imports under
`if TYPE_CHECKING:` never run; neither is followed. An import in `try: ... except
ImportError:` runs at INIT and is followed. Each module remembers the import that first
brought it in, so `InitImports.chain` gives the shortest import path from the handler's
module to it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lambda_lint.index import Import, ModuleSummary
from lambda_lint.model.imports import ModuleResolver
from lambda_lint.slots import SLOTS


@dataclass(frozen=True, **SLOTS)
class ImportEdge:
    """One import statement: where it is, and what it names."""

    importer: Path
    line: int
    column: int
    #: the module as the statement names it, made absolute (`pkg.mod`, `pandas`)
    module: str
    #: for `from module import name`, the name (a submodule or an attribute)
    name: str | None = None


@dataclass(frozen=True, **SLOTS)
class InitModule:
    """A module a handler's INIT imports: a project file, or an external module by name."""

    name: str
    path: Path | None
    #: the import that first brought it in (None for the handler's own module)
    via: ImportEdge | None
    #: the project file whose import brought it in (None for the handler's own module)
    parent: Path | None

    @property
    def key(self) -> Path | str:
        """How `InitImports` knows it: its file, or its name when it is external."""
        return self.path if self.path is not None else self.name


class InitImports:
    """The modules one handler's INIT imports, in breadth-first order from its module."""

    def __init__(self, modules: dict[Path | str, InitModule]) -> None:
        self.modules = modules

    def __iter__(self) -> Iterator[InitModule]:
        return iter(self.modules.values())

    def __contains__(self, key: object) -> bool:
        return key in self.modules

    def files(self) -> set[Path]:
        return {m.path for m in self.modules.values() if m.path is not None}

    def external(self) -> list[InitModule]:
        return [m for m in self.modules.values() if m.path is None]

    def chain(self, key: Path | str) -> list[InitModule]:
        """The modules from the handler's module down to `key` (a file, or an external
        module's name), both included."""
        steps: list[InitModule] = []
        current = self.modules.get(key)
        while current is not None and len(steps) <= len(self.modules):
            steps.append(current)
            current = self.modules.get(current.parent) if current.parent else None
        return list(reversed(steps))


def runs_at_init(item: Import) -> bool:
    """A module-scope import that really runs when the module is imported."""
    return item.function is None and not item.type_checking


class InitImportWalker:
    """Computes `InitImports` for handler modules, sharing module naming across them."""

    def __init__(self, modules: Mapping[Path, ModuleSummary], resolver: ModuleResolver) -> None:
        self.modules = modules
        self.resolver = resolver

    def closure(self, *starts: tuple[Path, str | None]) -> InitImports:
        """The INIT imports of the modules at `starts` (one handler's module, or every
        handler module at once for the union), each with the dotted name the runtime
        imports it by when known."""
        found: dict[Path | str, InitModule] = {}
        queue: deque[Path] = deque()

        def add(module: InitModule) -> None:
            found[module.key] = module
            if module.path is not None:
                queue.append(module.path)

        for start, name in starts:
            if start in found:
                continue
            name = name or self._name_of(start, start)
            add(InitModule(name, start, None, None))
            # the runtime imports `pkg.app` for a handler `pkg.app.handler`: packages first
            base = start.parents[name.count(".")]
            for cut in range(1, name.count(".") + 1):
                init = self.resolver.file_for(".".join(name.split(".")[:cut]), base)
                if init is not None and init.name == "__init__.py" and init not in found:
                    add(InitModule(self._name_of(init, start), init, None, start))
        while queue:
            path = queue.popleft()
            for item in self.modules[path].imports:
                if not runs_at_init(item):
                    continue
                for target, name in self._targets(item, path):
                    if (target if target is not None else name) not in found:
                        edge = ImportEdge(path, item.line, item.column, name, item.name)
                        add(InitModule(name, target, edge, path))
        return InitImports(found)

    def _targets(self, item: Import, importer: Path) -> Iterator[tuple[Path | None, str]]:
        """The modules one import statement runs, in order: packages first, then the
        module (a project file, or an external name)."""
        for init in self.resolver.packages(item.module, importer, item.level):
            yield init, self._name_of(init, importer)
        target, attribute = self.resolver.resolve_import(item, importer)
        if target is not None:
            if attribute is None and item.name is not None and target.name != "__init__.py":
                # `from pkg import mod`: the package runs before the submodule
                package = self.resolver.resolve_module(item.module, importer, item.level)
                if package is not None:
                    yield package, self._name_of(package, importer)
            yield target, self._name_of(target, importer)
            return
        if not item.level and item.module:
            yield None, item.module  # outside the project: the module as named

    def _name_of(self, path: Path, importer: Path) -> str:
        """A project file's dotted module name, relative to the most specific search root
        of the importer that holds it (a layer's folder, for a module found there)."""
        resolver = self.resolver
        layers = [root for root in resolver.layer_roots if root in path.parents]
        for root in (*layers, *resolver.search_roots(importer), resolver.root):
            try:
                relative = path.relative_to(root)
            except ValueError:
                continue
            parts = list(relative.with_suffix("").parts)
            if parts and parts[-1] == "__init__":
                parts.pop()
            if parts:
                return ".".join(parts)
        return path.stem
