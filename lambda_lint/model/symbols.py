"""What a name means across the project: a dotted name seen at module scope of a file,
or the target of a call site, resolved to the project function or class it denotes.

Resolution follows module-level imports (through `ModuleResolver`), aliases
(`handler = other.handler`, `functools.partial`), instances of project classes
(`app = App(); app.run`), methods (with base classes) and nested functions. Answers are
memoised per (file, name); anything outside the project resolves to None.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path

from lambda_lint.index import CallSite, FunctionSummary, Import, ModuleSummary
from lambda_lint.model.imports import ModuleResolver

FunctionKey = tuple[Path, str]  # (file, qualname)
ClassKey = tuple[Path, str]  # (file, class name)

#: how many hops (imports, aliases, base classes) a resolution may take
MAX_HOPS = 8


def changed_bodies(
    before: Mapping[Path, ModuleSummary], after: Mapping[Path, ModuleSummary]
) -> list[Path] | None:
    """The files whose summaries differ between `before` and `after`, two runs' summaries
    of the same files in which every module has the same surface; None when the files
    differ or a surface does. Names resolve alike in both."""
    if before.keys() != after.keys():
        return None
    changed = []
    for path, module in after.items():
        earlier = before[path]
        if earlier is module:
            continue
        if earlier.surface != module.surface:
            return None
        changed.append(path)
    return changed


class KeptResolution:
    """Name resolution kept by a process that lints the same project again and again
    (the language server): a run over the same files, code roots and files that do not
    parse, in which every module has the same surface, takes over the last run's
    `ModuleResolver` and the answers of its `Symbols`, since names resolve alike."""

    def __init__(self) -> None:
        self._last: tuple[tuple[object, ...], Mapping[Path, ModuleSummary], Symbols] | None = None

    def symbols(
        self,
        modules: Mapping[Path, ModuleSummary],
        root: Path,
        code_roots: Collection[Path],
        unreadable: Collection[Path],
    ) -> Symbols:
        """The `Symbols` of a run over `modules` (see `ModuleResolver` for the rest)."""
        inputs = (root, frozenset(code_roots), frozenset(unreadable))
        last = self._last
        if last is not None and last[0] == inputs and changed_bodies(last[1], modules) is not None:
            symbols = last[2].over(modules)
        else:
            symbols = Symbols(modules, ModuleResolver(modules, root, code_roots, unreadable))
        self._last = (inputs, modules, symbols)
        return symbols

    def forget(self) -> None:
        """Resolve every name again on the next run."""
        self._last = None


class Symbols:
    """Name and call resolution over the summaries of one project."""

    def __init__(self, modules: Mapping[Path, ModuleSummary], resolver: ModuleResolver) -> None:
        self.modules = modules
        self.resolver = resolver
        self._names: dict[tuple[Path, str], FunctionKey | None] = {}
        self._classes: dict[tuple[Path, str], ClassKey | None] = {}

    def over(self, modules: Mapping[Path, ModuleSummary]) -> Symbols:
        """Resolution over other summaries of the same files, each with the same surface
        as this one's: it shares the resolver and the answers found so far."""
        symbols = Symbols(modules, self.resolver)
        symbols._names, symbols._classes = self._names, self._classes
        return symbols

    # -- functions -----------------------------------------------------------------------

    def function(self, key: FunctionKey) -> FunctionSummary | None:
        module = self.modules.get(key[0])
        return module.functions.get(key[1]) if module else None

    def functions(self) -> Iterator[tuple[FunctionKey, FunctionSummary]]:
        for path, module in self.modules.items():
            for qualname, function in module.functions.items():
                yield (path, qualname), function

    # -- names ---------------------------------------------------------------------------

    def resolve_name(self, path: Path, name: str) -> FunctionKey | None:
        """A dotted name as seen at module scope of `path`, resolved to a function (a
        class resolves to its `__init__`, when it has one)."""
        key = (path, name)
        if key not in self._names:
            self._names[key] = self._resolve_name(path, name, 0)
        return self._names[key]

    def _resolve_name(self, path: Path, name: str, hops: int) -> FunctionKey | None:
        module = self.modules.get(path)
        if module is None or hops > MAX_HOPS:
            return None
        head, _, rest = name.partition(".")
        if not rest:
            if head in module.functions and not module.functions[head].class_name:
                return (path, head)
            if head in module.classes:
                return self.method((path, head), "__init__")
        if head in module.classes and rest and "." not in rest:
            return self.method((path, head), rest)
        if head in module.aliases:
            target = module.aliases[head]
            return self._resolve_name(path, target + ("." + rest if rest else ""), hops + 1)
        if head in module.instances and rest and "." not in rest:
            owner = self._class_of(path, module.instances[head].constructor, hops + 1)
            return self.method(owner, rest) if owner is not None else None
        imported = self.imported(path, head)
        if imported is None:
            return None
        item, target, attribute = imported
        if target is None:
            return None
        if item.name is None and item.target != item.module:
            # `import a.b` binds `a`: walk the rest of the dotted name as modules
            return self._resolve_in_module_path(path, name, hops)
        inner = _joined(attribute, rest)
        return self._resolve_name(target, inner, hops + 1) if inner else None

    def imported(self, path: Path, alias: str) -> tuple[Import, Path | None, str | None] | None:
        """The module-scope import binding `alias` in `path`, with the file it resolves
        to and the attribute it names there (None when it binds a module)."""
        for item in self.modules[path].imports:
            if item.alias == alias and item.function is None:
                return (item, *self.resolver.resolve_import(item, path))
        return None

    def _resolve_in_module_path(self, importer: Path, name: str, hops: int) -> FunctionKey | None:
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            target = self.resolver.resolve_module(".".join(parts[:cut]), importer)
            if target is not None:
                return self._resolve_name(target, ".".join(parts[cut:]), hops + 1)
        return None

    # -- classes -------------------------------------------------------------------------

    def class_of(self, path: Path, dotted: str) -> ClassKey | None:
        """(file, class name) of a class named at module scope of `path`, if the
        project defines it."""
        key = (path, dotted)
        if key not in self._classes:
            self._classes[key] = self._class_of(path, dotted, 0)
        return self._classes[key]

    def _class_of(self, path: Path, dotted: str, hops: int) -> ClassKey | None:
        module = self.modules.get(path)
        if module is None or hops > MAX_HOPS:
            return None
        head, _, rest = dotted.partition(".")
        if not rest and head in module.classes:
            return (path, head)
        imported = self.imported(path, head)
        if imported is None or imported[1] is None:
            return None
        _, target, attribute = imported
        inner = _joined(attribute, rest)
        return self._class_of(target, inner, hops + 1) if inner else None  # type: ignore[arg-type]

    def method(self, owner: ClassKey, method: str, hops: int = 0) -> FunctionKey | None:
        """The function `owner.method` runs: defined on the class or inherited."""
        path, class_name = owner
        module = self.modules[path]
        qualname = f"{class_name}.{method}"
        if qualname in module.functions:
            return (path, qualname)
        if hops >= MAX_HOPS:
            return None
        for base in module.classes.get(class_name, ()):
            base_owner = self.class_of(path, base)
            if base_owner is not None:
                found = self.method(base_owner, method, hops + 1)
                if found:
                    return found
        return None

    # -- calls ---------------------------------------------------------------------------

    def resolve_call(self, caller: FunctionKey, call: CallSite) -> FunctionKey | None:
        """The project function a call site calls, or None (external or unknown)."""
        path, qualname = caller
        function = self.function(caller)
        head, _, rest = call.target.partition(".")
        if function is not None:
            if head in ("self", "cls") and function.class_name and rest and "." not in rest:
                return self.method((path, function.class_name), rest)
            local = f"{qualname}.<locals>.{call.target}"
            if local in self.modules[path].functions:
                return (path, local)
            if call.receiver_class and rest and "." not in rest:
                owner = self.class_of(path, call.receiver_class)
                if owner is not None:
                    return self.method(owner, rest)
        return self.resolve_name(path, call.target)

    @staticmethod
    def bound_offset(callee: FunctionSummary, target: str) -> int:
        """1 when a call passes the callee's first parameter implicitly (`obj.method()`,
        `Class()` running `__init__`), else 0: the shift between argument positions and
        parameter positions."""
        if callee.class_name is None:
            return 0
        first = callee.params[0].name if callee.params else ""
        if callee.name == "__init__" or ("." in target and first in ("self", "cls")):
            return 1
        return 0


def _joined(attribute: str | None, rest: str) -> str:
    """`attr.rest`, `attr` or `rest`: the name left to resolve in an imported module."""
    if attribute is None:
        return rest
    return f"{attribute}.{rest}" if rest else attribute
