"""Stage 3, link: the project model, built from module summaries and descriptors alone.

It answers the questions rules ask: which functions are handlers (with their sources,
triggers, routes and confidence; `model.handlers`), which declared handlers do not
resolve (LL103), what each call resolves to (`model.symbols`, `model.calls`), which phase
every function runs in (INIT, INVOKE, both or unknown), the call chain from a handler to
any per-invocation function, what each handler imports at INIT, and what each parameter
of a per-invocation function holds.

Every analysis is computed once, on first use, and kept on the model. Rule families and
plugins add their own project-wide analyses the same way: `model.analysis(name,
compute)` runs `compute(model)` the first time a name is asked for and keeps the result.
An analysis that reads only the project's surface (see `kept_analysis`) is also kept
between runs, when the run gives the model a `store`: after an edit to a function's
body it is read back, not computed again.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any, Callable, Protocol, TypeVar

from lambda_lint.config import Settings
from lambda_lint.descriptors.model import DeclaredFunction
from lambda_lint.index import CallSite, FunctionSummary, ModuleSummary
from lambda_lint.model.calls import CallGraph, ChainStep, Reach
from lambda_lint.model.flow import Refs
from lambda_lint.model.handlers import (
    DETAIL_TYPE_PREFIX,
    Handler,
    HandlerEvidence,
    HandlerFinder,
    KeptHandlerTable,
    UnresolvedHandler,
    convention_match,
)
from lambda_lint.model.imports import ModuleResolver
from lambda_lint.model.init_imports import InitImports, InitImportWalker
from lambda_lint.model.symbols import ClassKey, FunctionKey, KeptResolution, Symbols
from lambda_lint.model.values import Seeds, propagate
from lambda_lint.path_order import sorted_paths

T = TypeVar("T")


class Phase(enum.Enum):
    INIT = "init"
    INVOKE = "invoke"
    BOTH = "both"
    UNKNOWN = "unknown"


class AnalysisStore(Protocol):
    """Analyses kept between runs, each under its name and the project's surface (see
    `lambda_lint.handler_results.StoredResults`)."""

    def get_analysis(self, name: str, hint: Any) -> Any | None:
        """The value stored for `name`, of the type `hint`; None on a miss."""

    def put_analysis(self, name: str, value: Any, hint: Any) -> None:
        """Store `value` (of the type `hint`) for `name`."""

    def content(self, path: Path) -> str | None:
        """The digest of a project file's text (None for a file it does not know)."""


class KeptModel:
    """What a process that lints the same project again and again (the language
    server) keeps of its model between runs: the name resolution and the handler
    table, each taken over by a run that would find them again alike."""

    def __init__(self) -> None:
        self.resolution = KeptResolution()
        self.handlers = KeptHandlerTable()

    def forget(self) -> None:
        """Work both out again on the next run (a file changed on disk)."""
        self.resolution.forget()
        self.handlers.forget()


class ProjectModel:
    def __init__(
        self,
        root: Path,
        modules: dict[Path, ModuleSummary],
        declared: list[DeclaredFunction],
        settings: Settings,
        unreadable: Collection[Path] = (),
        texts: Mapping[Path, str] | None = None,
        kept: KeptModel | None = None,
        inputs: str = "",
    ) -> None:
        """`kept`, when given, is where a process that lints the project again and again
        keeps parts of its model, and `inputs` the digest of the files the handler table
        may be found from besides the modules (see `KeptHandlerTable`)."""
        self.root = root
        self.modules = modules
        #: the text of each Python file as this run read it (an editor's unsaved buffer
        #: included), for the analyses that read a file's syntax again
        self.texts: Mapping[Path, str] = texts or {}
        self.settings = settings
        self.declared = declared
        code_roots = [d.code_root for d in declared if d.code_root is not None]
        if kept is None:
            self.symbols = Symbols(modules, ModuleResolver(modules, root, code_roots, unreadable))
        else:
            self.symbols = kept.resolution.symbols(modules, root, code_roots, unreadable)
        self.resolver = self.symbols.resolver
        self.calls = CallGraph(self.symbols)
        finder = HandlerFinder(root, self.symbols, self.calls, settings, declared)
        if kept is None:
            self.handler_table = finder.find()
        else:
            key = self._handler_table_key(inputs, unreadable)
            self.handler_table = kept.handlers.table(key, finder)
        self.handlers = self.handler_table.handlers
        self.unresolved = self.handler_table.unresolved
        self._analyses: dict[str, Any] = {}
        #: where `kept_analysis` keeps its results between runs; None without a cache
        self.store: AnalysisStore | None = None
        #: the files whose functions can call a file's functions, directly or not (the
        #: file included); None when no one said, or for a file it does not know
        self.upstream: Callable[[Path], Collection[Path] | None] | None = None
        #: how many files the seeds were propagated through file by file (see
        #: `_seeds_for`)
        self._seeded_files = 0
        self._init_walker = InitImportWalker(modules, self.resolver)

    def _handler_table_key(self, inputs: str, unreadable: Collection[Path]) -> str:
        """What the handler table is found from (see `KeptHandlerTable`)."""
        parts = [
            inputs,
            str(self.root),
            repr(self.settings),
            repr(sorted_paths(unreadable)),
            *(declared.facts for declared in self.declared),
        ]
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()

    # -- analyses -----------------------------------------------------------------------

    def analysis(self, name: str, compute: Callable[[ProjectModel], T]) -> T:
        """A project-wide analysis by name: computed by `compute(model)` on first use,
        then kept. Names are shared by everyone asking, so a rule family or a plugin
        prefixes its own (`"acme.tenants"`)."""
        if name not in self._analyses:
            self._analyses[name] = compute(self)
        return self._analyses[name]  # type: ignore[no-any-return]

    def kept_analysis(self, name: str, compute: Callable[[ProjectModel], T], hint: Any) -> T:
        """`analysis`, also kept between runs in `store`, for an analysis that reads
        nothing but the project's surface: the settings, the descriptors, the handlers,
        the set of files and every module's imports, function signatures, classes,
        module-level objects and aliases, without positions. Its value must be of the
        type `hint` (see `lambda_lint.typed_json`) and never None."""

        def read_or_compute(model: ProjectModel) -> T:
            if model.store is None:
                return compute(model)
            return _kept(model.store, name, hint, lambda: compute(model))

        return self.analysis(name, read_or_compute)

    def kept_per_file(
        self, name: str, paths: Iterable[Path], compute: Callable[[Path], T], hint: Any
    ) -> dict[Path, T]:
        """An analysis of each of `paths` that reads nothing but the project's surface
        (see `kept_analysis`) and the whole text of that one file, computed once and
        kept between runs file by file, under the digest of the file's text, so that
        after an edit only the edited files' values are computed (and stored) again."""

        def read_or_compute(model: ProjectModel) -> dict[Path, T]:
            store = model.store
            found = {}
            for path in paths:
                content = store.content(path) if store is not None else None
                if store is None or content is None:
                    found[path] = compute(path)
                    continue
                key = f"{name}:{path}:{content}"
                found[path] = _kept(store, key, hint, partial(compute, path))
            return found

        return self.analysis(name, read_or_compute)

    def keep_calls(self) -> None:
        """Resolve the calls of every function once and keep them between runs (see
        `kept_per_file`: a function's calls resolve against its own file and the surface
        of the others), so that after an edit only the edited files' calls are resolved
        again and reachability walks the rest from what is kept."""

        def compute(path: Path) -> dict[str, list[tuple[int, FunctionKey]]]:
            return {
                name: self.calls.resolved((path, name)) for name in self.modules[path].functions
            }

        hint = dict[str, list[tuple[int, tuple[Path, str]]]]
        self.calls.keep(
            self.kept_per_file("calls.resolved", sorted_paths(self.modules), compute, hint)
        )

    # -- functions and names ------------------------------------------------------------

    def function(self, key: FunctionKey) -> FunctionSummary | None:
        return self.symbols.function(key)

    def functions(self) -> Iterator[tuple[FunctionKey, FunctionSummary]]:
        return self.symbols.functions()

    def resolve_name(self, path: Path, name: str) -> FunctionKey | None:
        return self.symbols.resolve_name(path, name)

    def class_of(self, path: Path, dotted: str) -> ClassKey | None:
        return self.symbols.class_of(path, dotted)

    def resolve_call(self, caller: FunctionKey, call: CallSite) -> FunctionKey | None:
        return self.symbols.resolve_call(caller, call)

    def callees(self, key: FunctionKey) -> list[tuple[CallSite, FunctionKey]]:
        return self.calls.callees(key)

    def names_imported_from(self, path: Path) -> frozenset[str]:
        """The names other project modules import from `path` by `from ... import name`
        (not its submodules), with `*` when one imports everything."""

        def compute(model: ProjectModel) -> dict[Path, frozenset[str]]:
            found: dict[Path, set[str]] = {}
            for importer, summary in model.modules.items():
                for item in summary.imports:
                    if item.name is None:
                        continue
                    target, attribute = model.resolver.resolve_import(item, importer)
                    if target is not None and attribute is not None:
                        found.setdefault(target, set()).add(attribute)
            return {target: frozenset(names) for target, names in found.items()}

        names = self.kept_analysis("imported-names", compute, dict[Path, frozenset[str]])
        return names.get(path, frozenset())

    # -- handlers -----------------------------------------------------------------------

    def handler_for(self, key: FunctionKey) -> Handler | None:
        return self.handlers.get(key)

    def entry_points(self) -> list[FunctionKey]:
        """The handlers Lambda calls."""
        return list(self.handlers)

    def init_imports(self, handler: FunctionKey) -> InitImports:
        """What the handler's INIT imports, with the import chain to each module."""
        module = self.handlers[handler].module if handler in self.handlers else None
        return self.analysis(
            f"init-imports:{handler[0]}:{module}",
            lambda model: model._init_walker.closure((handler[0], module)),
        )

    # -- phases ---------------------------------------------------------------------------

    @property
    def invoked(self) -> Reach:
        """Every function a handler reaches through calls, with the first call chain."""
        return self.analysis("invoked", lambda model: model.calls.reach(model.entry_points()))

    @property
    def init_modules(self) -> set[Path]:
        """Files whose module scope runs at INIT: handler modules and everything they
        import at module scope, transitively (package `__init__` files included)."""

        def compute(model: ProjectModel) -> set[Path]:
            starts = sorted({(h.file, h.module or "") for h in model.handlers.values()})
            return model._init_walker.closure(
                *((path, name or None) for path, name in starts)
            ).files()

        return self.kept_analysis("init-modules", compute, set[Path])

    @property
    def init_functions(self) -> Reach:
        """Functions that module scope of an INIT module calls, and what they call."""

        def targets(path: Path) -> list[FunctionKey]:
            resolved = (self.resolve_name(path, c.target) for c in self.modules[path].init_calls)
            return [target for target in resolved if target is not None]

        def compute(model: ProjectModel) -> Reach:
            paths = sorted_paths(model.init_modules)
            hint = list[tuple[Path, str]]
            starts = model.kept_per_file("init-calls.resolved", paths, targets, hint)
            return model.calls.reach([target for path in paths for target in starts[path]])

        return self.analysis("init-functions", compute)

    @property
    def reached_files(self) -> set[Path]:
        """Files holding code a handler reaches: the INIT modules, and the files of the
        functions run at INIT or on invocation. In the others every phase is UNKNOWN."""

        def compute(model: ProjectModel) -> set[Path]:
            files = set(model.init_modules)
            files.update(path for path, _ in model.invoked)
            files.update(path for path, _ in model.init_functions)
            return files

        return self.analysis("reached-files", compute)

    def phase(self, key: FunctionKey | None, path: Path) -> Phase:
        """The phase a function runs in; `key=None` is the module scope of `path`."""
        if key is None:
            return Phase.INIT if path in self.init_modules else Phase.UNKNOWN
        invoke = key in self.invoked
        init = key in self.init_functions
        if invoke and init:
            return Phase.BOTH
        if invoke:
            return Phase.INVOKE
        if init:
            return Phase.INIT
        return Phase.UNKNOWN

    def chain(self, key: FunctionKey) -> list[ChainStep]:
        """The calls from a handler to `key` (empty for a handler itself, or for a
        function no handler reaches)."""
        return self.invoked.chain(key) or []

    # -- values -----------------------------------------------------------------------------

    @property
    def seeds(self) -> dict[FunctionKey, Seeds]:
        return self.analysis("seeds", lambda m: propagate(m.symbols, m.calls, m.handlers.values()))

    def parameter_seeds(self, key: FunctionKey) -> dict[str, Refs]:
        """What each parameter of a function holds, by parameter name."""
        function = self.function(key)
        seeds = self._seeds_for(key[0]).get(key)
        if function is None or not seeds:
            return {}
        return {
            function.params[index].name: frozenset(refs)
            for index, refs in seeds.items()
            if index < len(function.params)
        }

    def _seeds_for(self, path: Path) -> dict[FunctionKey, Seeds]:
        """Seeds that hold those of the functions of `path`: propagated through the
        files that can call into it alone when that pays (see `_few_upstream`; what
        the check of one edited file asks), else through the whole project, once."""
        name = f"seeds:{path}"
        if name not in self._analyses:
            files = self._few_upstream(path)
            if files is None:
                return self.seeds
            self._seeded_files += len(files)
            self._analyses[name] = propagate(
                self.symbols, self.calls, self.handlers.values(), files
            )
        return self._analyses[name]  # type: ignore[no-any-return]

    def _few_upstream(self, path: Path) -> Collection[Path] | None:
        """The files that can call into `path` (`upstream`), when propagating the seeds
        through them alone pays: the whole project's are not known yet, these files are
        a quarter of the project's at most, and with those propagated through so far
        they are not more than the project's. None when it does not pay."""
        if self.upstream is None or "seeds" in self._analyses:
            return None
        files = self.upstream(path)
        if files is None or len(files) * 4 > len(self.modules):
            return None
        return files if self._seeded_files + len(files) <= len(self.modules) else None


def _kept(store: AnalysisStore, name: str, hint: Any, compute: Callable[[], T]) -> T:
    """The value `store` keeps under `name`; computed and stored on a miss."""
    found = store.get_analysis(name, hint)
    if found is None:
        found = compute()
        store.put_analysis(name, found, hint)
    return found  # type: ignore[no-any-return]


__all__ = [
    "DETAIL_TYPE_PREFIX",
    "ChainStep",
    "FunctionKey",
    "Handler",
    "HandlerEvidence",
    "Phase",
    "ProjectModel",
    "Reach",
    "UnresolvedHandler",
    "convention_match",
]
