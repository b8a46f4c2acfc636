"""Stage 3, link: the project model, built from module summaries and descriptors alone.

It answers the questions rules ask: which functions are handlers (with their sources,
triggers, routes and confidence), which declared handlers do not resolve (LL103), what
each call resolves to, which phase every function runs in (INIT, INVOKE, both or
unknown), the call chain from a handler to any per-invocation function, and what each
parameter of a per-invocation function holds (the event of which trigger, the context,
and at which access path).
"""

from __future__ import annotations

import enum
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lambda_lint.config import HandlerTarget, Settings
from lambda_lint.descriptors.model import DeclaredFunction, SourceRef, TriggerBinding
from lambda_lint.index import CallSite, FunctionSummary, Import, ModuleSummary
from lambda_lint.model.evidence import code_triggers
from lambda_lint.model.flow import Ref, Refs
from lambda_lint.model.imports import ModuleResolver

FunctionKey = tuple[Path, str]  # (file, qualname)


class Phase(enum.Enum):
    INIT = "init"
    INVOKE = "invoke"
    BOTH = "both"
    UNKNOWN = "unknown"


#: `events` setting keys that bind an EventBridge detail-type rather than a handler
DETAIL_TYPE_PREFIX = "detail-type:"

CONFIDENCE = {"config": "high", "descriptor": "high", "code": "medium", "convention": "low"}


@dataclass
class HandlerEvidence:
    kind: str  # "config", a descriptor kind ("sam", ...), "code" or "convention"
    file: Path
    line: int
    detail: str = ""
    triggers: tuple[str, ...] = ()
    bindings: tuple[TriggerBinding, ...] = ()
    declared: DeclaredFunction | None = None

    @property
    def level(self) -> str:
        if self.kind in ("config", "code", "convention"):
            return self.kind
        return "descriptor"


@dataclass
class Handler:
    file: Path
    qualname: str
    line: int
    evidence: list[HandlerEvidence] = field(default_factory=list)
    #: a JSON Schema the user bound to this handler's event (`events` setting)
    schema: Path | None = None

    @property
    def key(self) -> FunctionKey:
        return (self.file, self.qualname)

    def _strongest_with_triggers(self) -> list[HandlerEvidence]:
        for level in ("config", "descriptor", "code"):
            chosen = [e for e in self.evidence if e.level == level and e.triggers]
            if chosen:
                return chosen
        return []

    @property
    def triggers(self) -> tuple[str, ...]:
        found: list[str] = []
        for evidence in self._strongest_with_triggers():
            found.extend(t for t in evidence.triggers if t not in found)
        return tuple(found)

    @property
    def trigger(self) -> str | None:
        """The trigger, when the evidence names exactly one; None if unknown or mixed."""
        triggers = self.triggers
        return triggers[0] if len(triggers) == 1 else None

    @property
    def event_kind(self) -> str | None:
        """What the handler's event refs are tagged with: the trigger id, or
        `"<trigger or custom>|<schema path>"` when the user bound a schema."""
        if self.schema is not None:
            return f"{self.trigger or 'custom'}|{self.schema}"
        return self.trigger

    @property
    def conflicts(self) -> list[str]:
        """Triggers named by weaker evidence that the chosen evidence does not name."""
        chosen = set(self.triggers)
        other = {t for e in self.evidence for t in e.triggers} - chosen
        return sorted(other)

    @property
    def routes(self) -> tuple[str, ...]:
        return tuple(
            sorted({b.route for e in self.evidence for b in e.bindings if b.route is not None})
        )

    @property
    def bindings(self) -> tuple[TriggerBinding, ...]:
        return tuple(b for e in self._strongest_with_triggers() for b in e.bindings)

    @property
    def confidence(self) -> str:
        levels = [e.level for e in self.evidence]
        for level in ("config", "descriptor", "code", "convention"):
            if level in levels:
                return CONFIDENCE[level]
        return "low"

    @property
    def by_convention_only(self) -> bool:
        return all(e.kind == "convention" for e in self.evidence)

    @property
    def declared(self) -> list[DeclaredFunction]:
        return [e.declared for e in self.evidence if e.declared is not None]


@dataclass(frozen=True)
class UnresolvedHandler:
    """A declared handler that Lambda could not load (LL103)."""

    source: SourceRef
    handler: str
    reason: str


@dataclass(frozen=True)
class ChainStep:
    """One call on the way from a handler to a function."""

    caller: FunctionKey
    call: CallSite


def convention_match(function: FunctionSummary, names: Iterable[str]) -> bool:
    """A top-level function named like a handler, or whose first two parameters are
    `event` and `context` (either order, `_` prefixes allowed)."""
    if not function.top_level or function.class_name:
        return False
    if function.name in names:
        return True
    positional = [p.name.lstrip("_") for p in function.params[:2]]
    return sorted(positional) == ["context", "event"]


class ProjectModel:
    def __init__(
        self,
        root: Path,
        modules: dict[Path, ModuleSummary],
        declared: list[DeclaredFunction],
        settings: Settings,
    ) -> None:
        self.root = root
        self.modules = modules
        self.settings = settings
        self.declared = declared
        code_roots = [d.code_root for d in declared if d.code_root is not None]
        self.resolver = ModuleResolver(modules, root, code_roots)
        self.handlers: dict[FunctionKey, Handler] = {}
        self.unresolved: list[UnresolvedHandler] = []
        self._callees: dict[FunctionKey, list[tuple[CallSite, FunctionKey]]] = {}
        self._find_handlers()
        self.invoke_parent: dict[FunctionKey, ChainStep | None] = {}
        self.init_functions: set[FunctionKey] = set()
        self.init_modules: set[Path] = set()
        self._compute_phases()
        self.seeds: dict[FunctionKey, dict[int, frozenset[Ref]]] = {}
        self._propagate_values()

    # -- functions and names ------------------------------------------------------------

    def function(self, key: FunctionKey) -> FunctionSummary | None:
        module = self.modules.get(key[0])
        return module.functions.get(key[1]) if module else None

    def functions(self) -> Iterator[tuple[FunctionKey, FunctionSummary]]:
        for path, module in self.modules.items():
            for qualname, function in module.functions.items():
                yield (path, qualname), function

    def resolve_name(self, path: Path, name: str, depth: int = 0) -> FunctionKey | None:
        """A dotted name as seen at module scope of `path`, resolved to a function
        (a class resolves to its `__init__` or `__call__` when it has them, else
        `None`)."""
        module = self.modules.get(path)
        if module is None or depth > 8:
            return None
        head, _, rest = name.partition(".")
        if not rest:
            if head in module.functions and not module.functions[head].class_name:
                return (path, head)
            if head in module.classes:
                return self._class_entry(path, head, "__init__")
        if head in module.classes and rest and "." not in rest:
            return self._method(path, head, rest)
        if head in module.aliases:
            target = module.aliases[head]
            return self.resolve_name(path, target + ("." + rest if rest else ""), depth + 1)
        if head in module.instances and rest and "." not in rest:
            constructor = module.instances[head].constructor
            owner = self._class_of(path, constructor, depth + 1)
            if owner is not None:
                return self._method(owner[0], owner[1], rest)
            return None
        imported = self._imported(path, head)
        if imported is None:
            return None
        item, target, attribute = imported
        if target is None:
            return None
        if attribute is None and item.name is None and "." in item.module:
            # `import a.b` binds `a`: walk the rest of the dotted name as modules
            return self._resolve_in_module_path(path, name, depth)
        inner = _joined(attribute, rest)
        return self.resolve_name(target, inner, depth + 1) if inner else None

    def _imported(self, path: Path, alias: str) -> tuple[Import, Path | None, str | None] | None:
        """The module-scope import binding `alias` in `path`, with the file it resolves
        to and the attribute it names there (None when it binds a module)."""
        for item in self.modules[path].imports:
            if item.alias == alias and item.function is None:
                return (item, *self.resolver.resolve_import(item, path))
        return None

    def _resolve_in_module_path(self, importer: Path, name: str, depth: int) -> FunctionKey | None:
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            target = self.resolver.resolve_module(".".join(parts[:cut]), importer)
            if target is not None:
                return self.resolve_name(target, ".".join(parts[cut:]), depth + 1)
        return None

    def class_of(self, path: Path, dotted: str) -> tuple[Path, str] | None:
        """(file, class name) of a class named at module scope of `path`, if the
        project defines it."""
        return self._class_of(path, dotted, 0)

    def _class_of(self, path: Path, dotted: str, depth: int) -> tuple[Path, str] | None:
        """Where a class named at module scope of `path` is defined."""
        module = self.modules.get(path)
        if module is None or depth > 8:
            return None
        head, _, rest = dotted.partition(".")
        if not rest and head in module.classes:
            return (path, head)
        imported = self._imported(path, head)
        if imported is None or imported[1] is None:
            return None
        _, target, attribute = imported
        inner = _joined(attribute, rest)
        return self._class_of(target, inner, depth + 1) if inner else None

    def _method(
        self, path: Path, class_name: str, method: str, depth: int = 0
    ) -> FunctionKey | None:
        module = self.modules[path]
        qualname = f"{class_name}.{method}"
        if qualname in module.functions:
            return (path, qualname)
        for base in module.classes.get(class_name, ()):
            owner = self._class_of(path, base, 0)
            if owner is not None and depth < 8:
                found = self._method(owner[0], owner[1], method, depth + 1)
                if found:
                    return found
        return None

    def _class_entry(self, path: Path, class_name: str, method: str) -> FunctionKey | None:
        return self._method(path, class_name, method)

    def resolve_call(self, caller: FunctionKey, call: CallSite) -> FunctionKey | None:
        """The project function a call site calls, or None (external or unknown)."""
        path, qualname = caller
        function = self.function(caller)
        head, _, rest = call.target.partition(".")
        if function is not None:
            if head in ("self", "cls") and function.class_name and rest and "." not in rest:
                return self._method(path, function.class_name, rest)
            local = f"{qualname}.<locals>.{call.target}"
            if local in self.modules[path].functions:
                return (path, local)
            if call.receiver_class and rest and "." not in rest:
                owner = self._class_of(path, call.receiver_class, 0)
                if owner is not None:
                    return self._method(owner[0], owner[1], rest)
        return self.resolve_name(path, call.target)

    def callees(self, key: FunctionKey) -> list[tuple[CallSite, FunctionKey]]:
        if key not in self._callees:
            function = self.function(key)
            resolved = []
            for call in function.calls if function else ():
                target = self.resolve_call(key, call)
                if target is not None:
                    resolved.append((call, target))
            self._callees[key] = resolved
        return self._callees[key]

    # -- handlers -----------------------------------------------------------------------

    def _handler(self, key: FunctionKey) -> Handler:
        if key not in self.handlers:
            function = self.function(key)
            self.handlers[key] = Handler(key[0], key[1], function.line if function else 1)
        return self.handlers[key]

    def _find_handlers(self) -> None:
        for target in self.settings.handlers:
            self._declare_config(target)
        for declared in self.declared:
            self._declare(declared)
        self._bind_schemas()
        names = set(self.settings.handler_names)
        for key, function in self.functions():
            module = self.modules[key[0]]
            if convention_match(function, names):
                self._handler(key).evidence.append(
                    HandlerEvidence("convention", key[0], function.line, "named like a handler")
                )
            if key in self.handlers or convention_match(function, names):
                for trigger, why in code_triggers(module, function):
                    self._handler(key).evidence.append(
                        HandlerEvidence("code", key[0], function.line, why, (trigger,))
                    )

    def _bind_schemas(self) -> None:
        """Attach the `events` setting's schemas to the handlers they name: by handler
        target, or by EventBridge `detail-type` (`"detail-type:Order Placed"`) for the
        handlers whose rules match only detail types bound to one schema."""
        base = self.settings.root or self.root
        source_file = self.settings.path or self.root
        by_detail_type: dict[str, Path] = {}
        for target, schema in self.settings.events.items():
            if target.startswith(DETAIL_TYPE_PREFIX):
                by_detail_type[target[len(DETAIL_TYPE_PREFIX) :]] = schema
                continue
            module_part, _, name = target.rpartition(".")
            path = self.resolver.file_for(module_part.replace("/", ".").strip("."), base)
            key = self.resolve_name(path, name) if path else None
            if key is None:
                source = SourceRef("config", source_file, _line_in(source_file, target))
                self.unresolved.append(
                    UnresolvedHandler(source, target, "the 'events' setting names no such function")
                )
                continue
            self._handler(key).schema = schema
        if not by_detail_type:
            return
        for handler in self.handlers.values():
            detail_types = {t for b in handler.bindings for t in b.detail_types}
            schemas = {by_detail_type.get(t) for t in detail_types}
            if handler.schema is None and handler.trigger == "eventbridge" and len(schemas) == 1:
                handler.schema = schemas.pop()

    def _declare_config(self, target: HandlerTarget) -> None:
        source = SourceRef("config", self.settings.path or self.root, target.line)
        module_part, _, name = target.target.rpartition(".")
        triggers = (target.trigger,) if target.trigger else ()
        bindings = tuple(TriggerBinding(t, source) for t in triggers)
        self._attach(
            target.target, module_part, name, target.base, source, triggers, bindings, None
        )

    def _declare(self, declared: DeclaredFunction) -> None:
        if declared.runtime and not declared.runtime.lower().startswith("python"):
            return  # another language's function
        if declared.handler is None:
            return  # symbolic: nothing to check statically
        source = declared.source
        handler = declared.handler
        if declared.inline_code is not None:
            if not handler.startswith("index."):
                self.unresolved.append(
                    UnresolvedHandler(
                        source, handler, "inline ZipFile code is always module 'index'"
                    )
                )
            return
        if declared.code_root is None:
            return  # code from a bucket or a variable: not in this project
        triggers = tuple(dict.fromkeys(b.trigger for b in declared.triggers))
        if "." not in handler:
            self.unresolved.append(
                UnresolvedHandler(source, handler, "no '.' between the module and the function")
            )
            return
        module_part, _, name = handler.rpartition(".")
        first = module_part.replace("/", ".").split(".")[0]
        if first in sys.builtin_module_names:
            self.unresolved.append(
                UnresolvedHandler(
                    source, handler, f"module '{first}' is a built-in module and shadows yours"
                )
            )
            return
        self._attach(
            handler,
            module_part,
            name,
            declared.code_root,
            source,
            triggers,
            declared.triggers,
            declared,
        )

    def _attach(
        self,
        handler: str,
        module_part: str,
        name: str,
        base: Path,
        source: SourceRef,
        triggers: tuple[str, ...],
        bindings: tuple[TriggerBinding, ...],
        declared: DeclaredFunction | None,
    ) -> None:
        if not module_part or not name:
            self.unresolved.append(
                UnresolvedHandler(source, handler, "no '.' between the module and the function")
            )
            return
        module_name = module_part.replace("/", ".").strip(".")
        path = self.resolver.file_for(module_name, base)
        if path is None:
            where = _display(base, self.root)
            self.unresolved.append(
                UnresolvedHandler(source, handler, f"no module '{module_name}' under {where}")
            )
            return
        key = self.resolve_name(path, name)
        module = self.modules[path]
        if key is None:
            if name in module.top_level_names():
                return  # a callable we cannot follow (an instance of an external class)
            self.unresolved.append(
                UnresolvedHandler(
                    source, handler, f"module '{module_name}' has no top-level '{name}'"
                )
            )
            return
        kind = "config" if source.kind == "config" else source.kind
        self._handler(key).evidence.append(
            HandlerEvidence(kind, source.file, source.line, handler, triggers, bindings, declared)
        )

    def handler_for(self, key: FunctionKey) -> Handler | None:
        return self.handlers.get(key)

    def entry_points(self) -> list[FunctionKey]:
        """The handlers Lambda really calls: every declared one, and a handler found only
        by convention when it can take `(event, context)` (not a script's `def main():`
        that shares a handler's name)."""
        return [
            key
            for key, handler in self.handlers.items()
            if not handler.by_convention_only or self._takes_event_and_context(key)
        ]

    def _takes_event_and_context(self, key: FunctionKey) -> bool:
        function = self.function(key)
        if function is None:
            return False
        kinds = [p.kind for p in function.params]
        return "vararg" in kinds or sum(k in ("posonly", "positional") for k in kinds) >= 2

    # -- phases ---------------------------------------------------------------------------

    def _compute_phases(self) -> None:
        queue: deque[FunctionKey] = deque()
        for key in self.entry_points():
            self.invoke_parent[key] = None
            queue.append(key)
        while queue:
            key = queue.popleft()
            for call, target in self.callees(key):
                if target not in self.invoke_parent:
                    self.invoke_parent[target] = ChainStep(key, call)
                    queue.append(target)
        # INIT: handler modules and everything they import at module scope
        pending = deque({key[0] for key in self.entry_points()})
        while pending:
            path = pending.popleft()
            if path in self.init_modules:
                continue
            self.init_modules.add(path)
            module = self.modules[path]
            for item in module.imports:
                if item.function is None:
                    target, _ = self.resolver.resolve_import(item, path)
                    if target is not None:
                        pending.append(target)
                        # importing a.b.c runs a/__init__.py and a/b/__init__.py too
            for call in module.init_calls:
                target = self.resolve_name(path, call.target)
                if target is not None:
                    self._mark_init(target)

    def _mark_init(self, key: FunctionKey) -> None:
        stack = [key]
        while stack:
            current = stack.pop()
            if current in self.init_functions:
                continue
            self.init_functions.add(current)
            stack.extend(target for _, target in self.callees(current))

    def phase(self, key: FunctionKey | None, path: Path) -> Phase:
        """The phase a function runs in; `key=None` is the module scope of `path`."""
        if key is None:
            return Phase.INIT if path in self.init_modules else Phase.UNKNOWN
        invoke = key in self.invoke_parent
        init = key in self.init_functions
        if invoke and init:
            return Phase.BOTH
        if invoke:
            return Phase.INVOKE
        if init:
            return Phase.INIT
        return Phase.UNKNOWN

    def chain(self, key: FunctionKey) -> list[ChainStep]:
        """The calls from a handler to `key` (empty for a handler itself)."""
        steps: list[ChainStep] = []
        current = self.invoke_parent.get(key)
        seen = set()
        while current is not None and current.caller not in seen:
            seen.add(current.caller)
            steps.append(current)
            current = self.invoke_parent.get(current.caller)
        return list(reversed(steps))

    # -- values -----------------------------------------------------------------------------

    def _propagate_values(self) -> None:
        queue: deque[FunctionKey] = deque()
        for key in self.entry_points():
            handler = self.handlers[key]
            function = self.function(key)
            if function is None:
                continue
            positional = [
                i for i, p in enumerate(function.params) if p.kind in ("posonly", "positional")
            ]
            seeds: dict[int, frozenset[Ref]] = {}
            if positional:
                seeds[positional[0]] = frozenset({Ref("event", (), handler.event_kind)})
            if len(positional) > 1:
                seeds[positional[1]] = frozenset({Ref("context")})
            self.seeds[key] = seeds
            queue.append(key)
        rounds = 0
        while queue and rounds < 10000:
            rounds += 1
            key = queue.popleft()
            caller_seeds = self.seeds.get(key, {})
            for call, target in self.callees(key):
                callee = self.function(target)
                if callee is None:
                    continue
                offset = 1 if callee.class_name and "." in call.target else 0
                incoming: dict[int, set[Ref]] = {}
                for position, paths in enumerate(call.args):
                    self._flow_into(incoming, position + offset, paths, caller_seeds)
                names = [p.name for p in callee.params]
                for keyword, paths in call.kwargs:
                    if keyword in names:
                        self._flow_into(incoming, names.index(keyword), paths, caller_seeds)
                current = self.seeds.setdefault(target, {})
                changed = False
                for index, refs in incoming.items():
                    merged = current.get(index, frozenset()) | refs
                    if merged != current.get(index):
                        current[index] = merged
                        changed = True
                if changed:
                    queue.append(target)

    @staticmethod
    def _flow_into(
        incoming: dict[int, set[Ref]],
        index: int,
        paths: tuple[tuple[int, tuple[str, ...]], ...],
        caller_seeds: dict[int, frozenset[Ref]],
    ) -> None:
        for param_index, path in paths:
            for ref in caller_seeds.get(param_index, ()):
                incoming.setdefault(index, set()).add(ref.extend(*path))

    def parameter_seeds(self, key: FunctionKey) -> dict[str, Refs]:
        """What each parameter of a function holds, by parameter name."""
        function = self.function(key)
        seeds = self.seeds.get(key)
        if function is None or not seeds:
            return {}
        return {
            function.params[index].name: frozenset(refs)
            for index, refs in seeds.items()
            if index < len(function.params)
        }


def _joined(attribute: str | None, rest: str) -> str:
    """`attr.rest`, `attr` or `rest`: the name left to resolve in an imported module."""
    if attribute is None:
        return rest
    return f"{attribute}.{rest}" if rest else attribute


def _line_in(path: Path, text: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if text in line:
                return number
    except (OSError, UnicodeDecodeError):
        pass
    return 1


def _display(path: Path, root: Path) -> str:
    try:
        relative = path.relative_to(root).as_posix()
        return f"'{relative}/'" if relative != "." else "the project root"
    except ValueError:
        return f"'{path}'"
