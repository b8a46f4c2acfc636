"""Each handler's INIT imports, costed: the tree `lambda-lint coldstart` draws, the total
LL203 compares with the budget, and what removing one import would save (LL201, LL202).

The tree follows the project model's INIT imports (`ProjectModel.init_imports`): the
handler's module at the root, each project module under the module whose import first
brings it in. Modules outside the project hang under the project module that imports
them, in statement order, and the table's packages under the module that loads them.
Each import unit appears once, where it is first loaded, as `python -X importtime`
shows it: a module loaded earlier costs nothing the second time. So the root's total is
exactly the cost of the handler's whole set of imports.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lambda_lint.coldstart.costs import CostTable
from lambda_lint.coldstart.options import ColdStartOptions
from lambda_lint.index import Import
from lambda_lint.model.init_imports import InitImports, InitModule, runs_at_init
from lambda_lint.model.project import FunctionKey, Handler, ProjectModel


@dataclass(frozen=True)
class ExternalImport:
    """One module-scope import (one alias) of a module outside the project."""

    file: Path
    line: int
    column: int
    #: the module as imported, with the imported name for `from x import y` (`x.y`)
    module: str
    #: the cost table's unit it is costed as
    unit: str
    optional: bool


@dataclass
class ImportNode:
    """A module in a handler's INIT import tree."""

    name: str
    #: "project" (a file of the project), "third-party" or "stdlib"
    kind: str
    self_ms: float
    #: where the figure comes from: "table", "config", "default", "stdlib", "project"
    source: str
    #: the project file (project modules only)
    file: Path | None = None
    #: where the parent imports it: (file, line); None for packages the table lists
    imported_at: tuple[Path, int] | None = None
    children: list[ImportNode] = field(default_factory=list)

    @property
    def total_ms(self) -> float:
        return self.self_ms + sum(child.total_ms for child in self.children)

    def walk(
        self, chain: tuple[ImportNode, ...] = ()
    ) -> Iterator[tuple[ImportNode, tuple[ImportNode, ...]]]:
        """Every node with the nodes above it, depth first."""
        yield self, chain
        for child in self.children:
            yield from child.walk((*chain, self))


@dataclass(frozen=True)
class Contributor:
    """A module a project module imports, with everything it loads first."""

    node: ImportNode
    #: the nodes from the handler's module down to the importing project module
    chain: tuple[ImportNode, ...]

    @property
    def chain_text(self) -> str:
        return " -> ".join([*(n.name for n in self.chain), self.node.name])


class ColdStartModel:
    """Cost questions about one project's handlers, answered once each."""

    def __init__(self, model: ProjectModel, table: CostTable) -> None:
        self.model = model
        self.table = table
        self._external: dict[Path, list[ExternalImport]] = {}
        self._units: dict[FunctionKey, Counter[str]] = {}
        self._loading: dict[Path, list[Handler]] | None = None

    # -- imports --------------------------------------------------------------------------

    def external_imports(self, path: Path) -> list[ExternalImport]:
        """The module-scope imports of a project file that leave the project."""
        if path not in self._external:
            summary = self.model.modules.get(path)
            found = []
            for item in summary.imports if summary else ():
                if runs_at_init(item) and self._is_external(item, path):
                    module = item.module
                    if item.name and item.name != "*":
                        module = f"{module}.{item.name}"
                    unit = self.table.entry(module).name
                    found.append(
                        ExternalImport(path, item.line, item.column, module, unit, item.optional)
                    )
            self._external[path] = found
        return self._external[path]

    def _is_external(self, item: Import, path: Path) -> bool:
        if item.level or not item.module:
            return False
        resolver = self.model.resolver
        if resolver.resolve_import(item, path)[0] is not None:
            return False
        return resolver.resolve_module(item.module.split(".")[0], path) is None

    def handlers_loading(self, path: Path) -> list[Handler]:
        """The handlers whose INIT runs the module scope of `path`."""
        if self._loading is None:
            self._loading = defaultdict(list)
            for key, handler in self.model.handlers.items():
                for file in self.model.init_imports(key).files():
                    self._loading[file].append(handler)
        return self._loading.get(path, [])

    # -- costs ----------------------------------------------------------------------------

    def units(self, handler: Handler) -> Counter[str]:
        """How many INIT import statements bring in each unit, for one handler."""
        if handler.key not in self._units:
            counts: Counter[str] = Counter()
            for path in self.model.init_imports(handler.key).files():
                counts.update(item.unit for item in self.external_imports(path))
            self._units[handler.key] = counts
        return self._units[handler.key]

    def total_ms(self, handler: Handler) -> float:
        return self.table.cost(self.units(handler))

    def saving(self, handler: Handler, removed: Collection[ExternalImport]) -> float:
        """What the handler's INIT would save without these import statements."""
        counts = Counter(self.units(handler))
        counts.subtract(item.unit for item in removed)
        after = [unit for unit, count in counts.items() if count > 0]
        return self.table.cost(self.units(handler)) - self.table.cost(after)

    def best_saving(
        self, path: Path, removed: Collection[ExternalImport]
    ) -> tuple[float, Handler | None]:
        """The largest saving over the handlers that load `path`, and that handler."""
        best, chosen = 0.0, None
        for handler in self.handlers_loading(path):
            saving = self.saving(handler, removed)
            if saving > best:
                best, chosen = saving, handler
        return best, chosen

    # -- the tree -------------------------------------------------------------------------

    def tree(self, handler: Handler) -> ImportNode:
        """The handler's INIT import tree (see the module docstring)."""
        return _TreeBuilder(self, self.model.init_imports(handler.key)).build()

    def contributors(self, root: ImportNode) -> list[Contributor]:
        """The modules project modules import, heaviest first."""
        found = [
            Contributor(node, chain)
            for node, chain in root.walk()
            if node.kind != "project" and chain and chain[-1].kind == "project"
        ]
        return sorted(found, key=lambda c: -c.node.total_ms)


class _TreeBuilder:
    def __init__(self, costs: ColdStartModel, imports: InitImports) -> None:
        self.costs = costs
        self.table = costs.table
        self.imports = imports
        self.seen = set(self.table.loaded)
        self.project_children: dict[tuple[Path, int, int] | Path, list[InitModule]] = defaultdict(
            list
        )
        for module in imports:
            if module.path is None or module.parent is None:
                continue
            if module.via is None:  # a package of the handler's module
                self.project_children[module.parent].append(module)
            else:
                key = (module.via.importer, module.via.line, module.via.column)
                self.project_children[key].append(module)

    def build(self) -> ImportNode:
        root = next(iter(self.imports))
        return self._project(root, None)

    def _project(self, module: InitModule, imported_at: tuple[Path, int] | None) -> ImportNode:
        assert module.path is not None
        path = module.path
        node = ImportNode(module.name, "project", 0.0, "project", path, imported_at)
        for package in self.project_children.get(path, []):
            node.children.append(self._project(package, None))
        external = {(e.line, e.column): e for e in self.costs.external_imports(path)}
        summary = self.costs.model.modules[path]
        for item in sorted(summary.imports, key=lambda i: (i.line, i.column)):
            if not runs_at_init(item):
                continue
            for child in self.project_children.get((path, item.line, item.column), []):
                node.children.append(self._project(child, (path, item.line)))
            found = external.get((item.line, item.column))
            if found is not None and found.unit not in self.seen:
                node.children.append(self._unit(found.unit, (path, item.line)))
        return node

    def _unit(self, name: str, imported_at: tuple[Path, int] | None) -> ImportNode:
        entry = self.table.unit(name)
        kind = "stdlib" if entry.stdlib else "third-party"
        node = ImportNode(name, kind, self.table.self_ms(name), entry.source, None, imported_at)
        self.seen.add(name)
        for package in self.table.direct_packages(name):
            if package not in self.seen:
                node.children.append(self._unit(package, None))
        for package in sorted(entry.packages):  # loaded by a package that a cycle hid
            if package not in self.seen:
                node.children.append(self._unit(package, None))
        return node


def cold_start_model(model: ProjectModel) -> ColdStartModel:
    """The project's cold-start costs, with the configured `costs` applied."""

    def compute(model: ProjectModel) -> ColdStartModel:
        options = ColdStartOptions.from_rule_options(model.settings.rule_options)
        return ColdStartModel(model, CostTable(options.costs))

    return model.analysis("cold-start.costs", compute)
