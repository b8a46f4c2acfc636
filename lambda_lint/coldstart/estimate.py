"""Each handler's INIT imports, costed: the tree `lambda-lint coldstart` draws, the total
LL203 compares with the budget, and what removing one import would save (LL201, LL202).

The tree follows INIT as Python runs it, from the handler's module (as
`ProjectModel.init_imports` names it): each module's module-scope imports in statement
order, a project module's own imports as soon as it is imported. Modules outside the
project hang under the project module that imports them, and the table's packages under
the module that loads them. Each module appears once, where it is first loaded, as
`python -X importtime` shows it: a module loaded earlier costs nothing the second time,
so the root's total is exactly the cost of the handler's whole set of imports.

An import the project's search path does not resolve, but whose name one project file
has (`import utils` with `layers/python/utils.py`), is taken for that file: a module
deployed in a layer. When several files have the name, it stays an unknown module, and
no saving is claimed for the handler (LL201, LL202): it might load anything.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lambda_lint.coldstart.costs import CostTable
from lambda_lint.coldstart.options import ColdStartOptions
from lambda_lint.index import Import
from lambda_lint.model.init_imports import runs_at_init
from lambda_lint.model.project import FunctionKey, Handler, ProjectModel
from lambda_lint.slots import SLOTS


@dataclass(frozen=True, **SLOTS)
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
    #: several project files have the module's name: it may be one of them, deployed
    #: as a layer, and load anything
    maybe_project: bool = False


@dataclass(frozen=True, **SLOTS)
class Statement:
    """One module-scope import that runs at INIT, resolved."""

    item: Import
    #: the project files it runs, packages first
    files: tuple[Path, ...]
    external: ExternalImport | None
    #: the name the import gives the last of `files`, a project module outside the
    #: search path (a module deployed in a layer)
    layer_name: str | None = None


@dataclass
class ImportNode:
    """A module in a handler's INIT import tree."""

    name: str
    #: "project" (a file of the project), "third-party" or "stdlib"
    kind: str
    self_ms: float
    #: where the figure comes from: "table", "config", "default", "stdlib", "project",
    #: "measured"
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


@dataclass
class HandlerImports:
    """What one handler's INIT imports: files in the order they run, units, the tree."""

    files: list[Path]
    units: Counter[str]
    tree: ImportNode
    #: an import may be a project module lambda-lint cannot place (see ExternalImport)
    uncertain: bool


@dataclass(frozen=True)
class InitLoad:
    """What one handler's INIT loads as far as imports tell, positions aside: the project
    files it runs and the import units with how many statements import each (both by
    name). The project's surface decides it, so it is kept between runs."""

    handler: tuple[Path, str]
    files: tuple[Path, ...]
    units: tuple[tuple[str, int], ...]
    uncertain: bool

    @staticmethod
    def of(handler: Handler, found: HandlerImports) -> InitLoad:
        return InitLoad(
            handler.key,
            tuple(sorted(found.files)),
            tuple(sorted(found.units.items())),
            found.uncertain,
        )


class ColdStartModel:
    """Cost questions about one project's handlers, answered once each."""

    def __init__(self, model: ProjectModel, table: CostTable) -> None:
        self.model = model
        self.table = table
        self._statements: dict[Path, list[Statement]] = {}
        self._last: tuple[FunctionKey, HandlerImports] | None = None
        self._loads: dict[FunctionKey, InitLoad] | None = None
        self._loading: dict[Path, list[Handler]] | None = None
        self._costs: dict[frozenset[str], float] = {}
        self._by_name: dict[str, list[Path]] | None = None

    # -- imports --------------------------------------------------------------------------

    def statements(self, path: Path) -> list[Statement]:
        """The module-scope imports of a project file that run at INIT, in order."""
        if path not in self._statements:
            summary = self.model.modules.get(path)
            items = sorted(summary.imports, key=lambda i: (i.line, i.column)) if summary else []
            self._statements[path] = [self._resolve(i, path) for i in items if runs_at_init(i)]
        return self._statements[path]

    def external_imports(self, path: Path) -> list[ExternalImport]:
        """The module-scope imports of a project file that leave the project."""
        return [s.external for s in self.statements(path) if s.external is not None]

    def _resolve(self, item: Import, path: Path) -> Statement:
        resolver = self.model.resolver
        files = resolver.packages(item.module, path, item.level)
        target, attribute = resolver.resolve_import(item, path)
        if target is not None:
            if attribute is None and item.name and target.name != "__init__.py":
                package = resolver.resolve_module(item.module, path, item.level)
                if package is not None:
                    files.append(package)  # `from pkg import mod` runs pkg first
            return Statement(item, (*files, target), None)
        top = item.module.split(".")[0]
        if item.level or not item.module or resolver.resolve_module(top, path) is not None:
            return Statement(item, tuple(files), None)
        named = self._named(item.module)
        if len(named) == 1:  # a module of the project outside the search path: a layer
            if item.name and item.name != "*":
                submodule = self._named(f"{item.module}.{item.name}")
                if len(submodule) == 1:  # `from pkg import mod` runs pkg, then mod
                    found = (*files, named[0], submodule[0])
                    return Statement(item, found, None, f"{item.module}.{item.name}")
            return Statement(item, (*files, named[0]), None, item.module)
        module = item.module
        if item.name and item.name != "*":
            module = f"{module}.{item.name}"
        unit = self.table.entry(module).name
        external = ExternalImport(
            path, item.line, item.column, module, unit, item.optional, len(named) > 1
        )
        return Statement(item, tuple(files), external)

    def _named(self, module: str) -> list[Path]:
        """Project files whose path ends like the module's name (`utils` for
        `layers/python/utils.py`), counted from a folder that is not a package itself:
        `adapters/openai/__init__.py` beside `adapters/__init__.py` is `adapters.openai`,
        never the `openai` library."""
        if self._by_name is None:
            self._by_name = self.model.kept_analysis(
                "cold-start.files-by-name", _files_by_name, dict[str, list[Path]]
            )
        return self._by_name.get(module, [])

    def handler_imports(self, handler: Handler) -> HandlerImports:
        """The handler's INIT imports. Only the last handler's are kept: callers ask
        about one handler at a time, and the import trees of all the handlers of a large
        project take much memory."""
        if self._last is None or self._last[0] != handler.key:
            self._last = (handler.key, _Walk(self, handler).run())
        return self._last[1]

    def load(self, handler: Handler) -> InitLoad:
        """What the handler's INIT loads (see `InitLoad`); `handler` is one of the
        model's."""
        if self._loads is None:
            name = f"cold-start.loads:{sorted(self.table.overrides.items())}"
            loads = self.model.kept_analysis(name, self._compute_loads, list[InitLoad])
            self._loads = {load.handler: load for load in loads}
        return self._loads[handler.key]

    def _compute_loads(self, model: ProjectModel) -> list[InitLoad]:
        return [InitLoad.of(h, self.handler_imports(h)) for h in model.handlers.values()]

    def handlers_loading(self, path: Path) -> list[Handler]:
        """The handlers whose INIT runs the module scope of `path`."""
        if self._loading is None:
            self._loading = defaultdict(list)
            for handler in self.model.handlers.values():
                for file in self.load(handler).files:
                    self._loading[file].append(handler)
        return self._loading.get(path, [])

    # -- costs ----------------------------------------------------------------------------

    def units(self, handler: Handler) -> Counter[str]:
        """How many INIT import statements bring in each unit, for one handler."""
        return Counter(dict(self.load(handler).units))

    def total_ms(self, handler: Handler) -> float:
        return self.handler_imports(handler).tree.total_ms

    def saving(self, handler: Handler, removed: Collection[ExternalImport]) -> float:
        """What the handler's INIT would save without these import statements (nothing
        claimed when an import may be a project module that loads them)."""
        load = self.load(handler)
        if load.uncertain:
            return 0.0
        counts = Counter(dict(load.units))
        counts.subtract(item.unit for item in removed)
        after = frozenset(unit for unit, count in counts.items() if count > 0)
        return self._cost(frozenset(unit for unit, _ in load.units)) - self._cost(after)

    def _cost(self, units: frozenset[str]) -> float:
        """`CostTable.cost`, once per set of units (handlers often share theirs)."""
        if units not in self._costs:
            self._costs[units] = self.table.cost(units)
        return self._costs[units]

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
        return self.handler_imports(handler).tree

    def contributors(self, root: ImportNode) -> list[Contributor]:
        """The modules project modules import, heaviest first."""
        found = [
            Contributor(node, chain)
            for node, chain in root.walk()
            if node.kind != "project" and chain and chain[-1].kind == "project"
        ]
        return sorted(found, key=lambda c: -c.node.total_ms)


class _Walk:
    """One handler's INIT, in the order Python runs it: each module's imports in
    statement order, a project module's own imports as soon as it is imported."""

    def __init__(self, costs: ColdStartModel, handler: Handler) -> None:
        self.costs = costs
        self.table = costs.table
        imports = costs.model.init_imports(handler.key)
        self.names = {m.path: m.name for m in imports if m.path is not None}
        modules = list(imports)
        self.root = modules[0]
        assert self.root.path is not None
        #: folders on the handler's `sys.path`: its code root, and those of descriptors
        self.code_roots = {
            *costs.model.resolver.code_roots,
            self.root.path.parents[self.root.name.count(".")],
        }
        #: the packages of the handler's module (`pkg` for `pkg.app`), run first
        self.packages = [m.path for m in modules[1:] if m.via is None and m.path is not None]
        self.seen = set(self.table.loaded)
        #: the name each layer file was first imported by, in this handler's INIT
        self.layer_names: dict[Path, str] = {}
        self.files: list[Path] = []
        self.units: Counter[str] = Counter()
        self.uncertain = False

    def run(self) -> HandlerImports:
        assert self.root.path is not None
        tree = self._project(self.root.path, self.root.name, None)
        return HandlerImports(self.files, self.units, tree, self.uncertain)

    def _project(self, path: Path, name: str, imported_at: tuple[Path, int] | None) -> ImportNode:
        node = ImportNode(name, "project", 0.0, "project", path, imported_at)
        self.files.append(path)
        if path == self.root.path:
            for package in self.packages:
                node.children.append(self._project(package, self._name(package), None))
        for statement in self.costs.statements(path):
            for file in statement.files:
                if file not in self.files:
                    if statement.layer_name and file == statement.files[-1]:
                        self.layer_names[file] = statement.layer_name
                    at = (path, statement.item.line)
                    node.children.append(self._project(file, self._name(file), at))
            external = statement.external
            if external is None:
                continue
            self.units[external.unit] += 1
            self.uncertain = self.uncertain or external.maybe_project
            if external.unit not in self.seen:
                node.children.append(self._unit(external.unit, (path, statement.item.line)))
        return node

    def _name(self, path: Path) -> str:
        """The module's name: as INIT imports it, else dotted from the packages above it
        (`genai_core/registry/index.py` is `genai_core.registry.index`)."""
        modules = self.costs.model.modules
        parts = [] if path.name == "__init__.py" else [path.stem]
        folder = path.parent
        while (
            folder not in self.code_roots
            and folder / "__init__.py" in modules
            and folder.name.isidentifier()
        ):
            parts.insert(0, folder.name)
            folder = folder.parent
        dotted = ".".join(parts) or path.parent.name
        name = self.names.get(path) or self.layer_names.get(path)
        if not name:
            return dotted
        # named from the folder it was looked up in: when that folder is a package and
        # no code root, Python knows the module by the longer name (`adapters.openai`)
        top = (path.parent if path.name == "__init__.py" else path).parents[name.count(".")]
        if dotted.endswith(f".{name}") and top not in self.code_roots:
            return dotted
        return name

    def _unit(self, name: str, imported_at: tuple[Path, int] | None) -> ImportNode:
        entry = self.table.unit(name)
        kind = "stdlib" if entry.stdlib else "third-party"
        node = ImportNode(name, kind, self.table.self_ms(name), entry.source, None, imported_at)
        self.seen.add(name)
        # claimed before any is followed: of two packages that load each other (modules
        # of one distribution importing one another), neither is drawn under the other
        direct = [p for p in self.table.direct_packages(name) if p not in self.seen]
        self.seen.update(direct)
        node.children.extend(self._unit(package, None) for package in direct)
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


def _files_by_name(model: ProjectModel) -> dict[str, list[Path]]:
    """The project's files by each dotted name they can be imported as from a folder
    that is not a package, or that holds a `setup.py` (a distribution whose packages a
    build installs, as a layer's often is), at most the last five parts of the path."""
    found: dict[str, list[Path]] = defaultdict(list)
    texts = {str(path) for path in model.modules}
    for path in model.modules:
        parts = list(path.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        for cut in range(max(1, len(parts) - 4), len(parts)):
            folder = parts[:cut]
            if (
                os.path.join(*folder, "__init__.py") not in texts
                or os.path.join(*folder, "setup.py") in texts
            ):
                found[".".join(parts[cut:])].append(path)
    return dict(found)
