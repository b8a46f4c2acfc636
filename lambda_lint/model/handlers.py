"""Which functions are Lambda handlers, why, and with which triggers.

Evidence, strongest first: the `handlers` setting, deployment descriptors, what the
code itself says (Powertools decorators, resolvers and parsers, type annotations), and
naming convention. A function found only by convention or code evidence is taken for a
handler only when nothing says otherwise: it can take `(event, context)`, no project
code calls it, no other function of its module is declared, no unknown decorator
registers it (routers, crhelper), and it is not test code. Functions a Chalice app
registers are handlers whatever their names: Chalice deploys them. Declared handlers
that do not resolve are recorded for LL103.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path, PurePath

from lambda_lint.config import HandlerTarget, Settings
from lambda_lint.descriptors.model import DeclaredFunction, SourceRef, TriggerBinding
from lambda_lint.index import FunctionSummary, ModuleSummary
from lambda_lint.model.calls import CallGraph
from lambda_lint.model.evidence import (
    ChaliceRegistration,
    chalice_function,
    chalice_registration,
    code_triggers,
    has_chalice_app,
)
from lambda_lint.model.imports import ModuleResolver
from lambda_lint.model.symbols import FunctionKey, Symbols, changed_bodies
from lambda_lint.schedules import fires_rarely
from lambda_lint.triggers import TRIGGERS

#: `events` setting keys that bind an EventBridge detail-type rather than a handler
DETAIL_TYPE_PREFIX = "detail-type:"

CONFIDENCE = {"config": "high", "descriptor": "high", "code": "medium", "convention": "low"}

#: annotations of a handler's second parameter that still mean the Lambda context
CONTEXT_ANNOTATIONS = frozenset({"LambdaContext", "Context", "Any", "object"})

#: the names of the first two parameters of a handler by convention, in either order
EVENT_AND_CONTEXT = frozenset({"event", "context"})

#: file names and folders that hold tests, not deployed code
TEST_FOLDERS = frozenset({"test", "tests", "testing", "unit_tests", "integration_tests"})


@lru_cache(maxsize=1)
def signature_preserving_decorators() -> frozenset[str]:
    """Last name segments of the decorators known to pass `(event, context)` through
    (`data/handler_decorators.json`, with their sources)."""
    data = json.loads((Path(__file__).parent / "data" / "handler_decorators.json").read_text())
    return frozenset(entry["name"] for entry in data["decorators"])


def is_test_code(path: PurePath) -> bool:
    """Test modules and everything under a tests folder."""
    name = path.name
    if name == "conftest.py" or name.startswith("test_") or name.endswith("_test.py"):
        return True
    return any(part in TEST_FOLDERS for part in path.parts[:-1])


def is_test_file(path: Path, root: Path) -> bool:
    """`is_test_code` of a project file, by its path under the project's `root` (as it
    is, outside it)."""
    try:
        return is_test_code(path.relative_to(root))
    except ValueError:
        return is_test_code(path)


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
    #: the names of the parameters that receive the event and the Lambda context; None
    #: when lambda-lint cannot tell (a decorator that may adapt them, a context
    #: annotated with another type)
    event_param: str | None = None
    context_param: str | None = None
    #: the dotted module name the runtime imports (`orders.api` for a handler
    #: `orders/api.handler`); None when no declaration says
    module: str | None = None
    #: the framework that calls the function in place of the Lambda runtime, with objects
    #: of its own rather than the event and the context (`"chalice"` for a view or an
    #: event-source function): what it receives and returns follows the framework's
    #: contract, not Lambda's. None when Lambda's `(event, context)` reach it.
    framework: str | None = None
    #: a decorator of the project writes into the event before the handler sees it
    #: (`event["body"] = json.loads(event["body"])`): its keys are not the trigger's
    event_rewritten: bool = False

    @property
    def key(self) -> FunctionKey:
        return (self.file, self.qualname)

    @property
    def chalice_view(self) -> bool:
        """A Chalice `route` view: all the views of an app run in the one function
        Chalice deploys for the REST API (`app.app`), so they share its INIT."""
        return self.framework == "chalice" and "apigw-rest" in self.triggers

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
        """The trigger, when the evidence names exactly one and its event shape is known;
        None if unknown or mixed, when an HTTP binding is not (known to be) a proxy
        integration, whose event is whatever a mapping template makes, and when an HTTP
        API authorizer is not known to take payload 2.0 (1.0 is the REST-style event)."""
        triggers = self.triggers
        if len(triggers) != 1 or not all(_has_trigger_shape(b) for b in self.bindings):
            return None
        return triggers[0]

    @property
    def rarely_invoked(self) -> bool:
        """Every trigger the evidence names is one invoked so seldom that an execution
        environment is almost never reused: a custom resource, a secret rotation, a
        pipeline action, a runbook step (`Trigger.rarely_invoked`), or a schedule (an EventBridge
        schedule, a periodic Config rule) that fires at most once an hour
        (`schedules.fires_rarely`). What builds up across warm invocations does not
        arise there."""
        bindings = self.bindings
        if bindings:
            return all(_rare(b.trigger) or fires_rarely(b.schedule) for b in bindings)
        triggers = self.triggers
        return bool(triggers) and all(_rare(t) for t in triggers)

    @property
    def authorized(self) -> bool | None:
        """Every HTTP route of the handler has an authorizer (True), some route has none
        (False), or the descriptors do not say for every route (None)."""
        flags = [b.authorizer for b in self.bindings if _is_http(b)]
        if not flags:
            return None
        if False in flags:
            return False
        return True if all(flags) else None

    @property
    def event_kind(self) -> str | None:
        """What the handler's event refs are tagged with: the trigger id, or
        `"<trigger or custom>|<schema path>"` when the user bound a schema; None when a
        decorator rewrites the event, whose shape is then not known."""
        if self.schema is not None:
            return f"{self.trigger or 'custom'}|{self.schema}"
        return None if self.event_rewritten else self.trigger

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
    def is_declared(self) -> bool:
        """Named by the configuration or a deployment descriptor."""
        return any(e.level in ("config", "descriptor") for e in self.evidence)

    @property
    def declared(self) -> list[DeclaredFunction]:
        return [e.declared for e in self.evidence if e.declared is not None]

    @property
    def snapstart(self) -> bool:
        """Whether a descriptor declaring the function enables SnapStart."""
        return any(declared.snapstart for declared in self.declared)


@dataclass(frozen=True)
class UnresolvedHandler:
    """A declared handler that Lambda could not load (LL103)."""

    source: SourceRef
    handler: str
    reason: str


def convention_match(function: FunctionSummary, names: frozenset[str] | set[str]) -> bool:
    """A top-level function named like a handler, or whose first two parameters are
    `event` and `context` (either order, `_` prefixes allowed)."""
    if not function.top_level or function.class_name:
        return False
    if function.name in names:
        return True
    params = function.params
    return len(params) >= 2 and {p.name.lstrip("_") for p in params[:2]} == EVENT_AND_CONTEXT


def takes_event_and_context(function: FunctionSummary) -> bool:
    kinds = [p.kind for p in function.params]
    return "vararg" in kinds or sum(k in ("posonly", "positional") for k in kinds) >= 2


@dataclass
class HandlerTable:
    """A project's handlers, the declared handlers that do not resolve, and the
    declared functions the table was found from."""

    handlers: dict[FunctionKey, Handler]
    unresolved: list[UnresolvedHandler]
    declared: list[DeclaredFunction]

    @cached_property
    def facts(self) -> str:
        """The repr of every handler, with its evidence: what the table says, to key
        what is computed from it. The declared function evidence comes from is written
        as its position in `declared` (whose facts a key holds as well), and so are
        the bindings when they are that function's own."""
        positions = {id(declared): i for i, declared in enumerate(self.declared)}
        return repr(
            sorted(
                (
                    str(path),
                    qualname,
                    repr(replace(handler, evidence=[])),
                    _evidence_facts(handler, positions),
                )
                for (path, qualname), handler in self.handlers.items()
            )
        )


def _evidence_facts(handler: Handler, positions: Mapping[int, int]) -> list[str]:
    """The repr of each evidence of `handler`, its declared function (and the bindings
    it gives) by position in the table's declared functions (see `positions`)."""
    found = []
    for evidence in handler.evidence:
        declared = evidence.declared
        position = None if declared is None else positions.get(id(declared))
        if declared is None or position is None:
            found.append(repr(evidence))
            continue
        own_bindings = evidence.bindings is declared.triggers
        bindings = () if own_bindings else evidence.bindings
        shortened = replace(evidence, declared=None, bindings=bindings)
        found.append(f"{position}:{own_bindings}:{shortened!r}")
    return found


class KeptHandlerTable:
    """The handler table of the last run, kept by a process that lints the same
    project again and again (the language server): a run whose table is found from the
    same things takes it over instead of finding it again. Those things are the
    project's root and settings, the declared functions, the files that do not parse,
    `inputs` (what the caller says of the files the finder may read besides: the
    configuration file, the descriptors), and of every module its surface and what
    the finder reads of it besides (`HandlerFinder.reading`). So an edit to a constant,
    a string, or a call to code outside the project keeps the table."""

    def __init__(self) -> None:
        self._last: tuple[str, Mapping[Path, ModuleSummary], HandlerTable] | None = None

    def table(self, key: str, finder: HandlerFinder) -> HandlerTable:
        """The table kept under `key` when `finder` reads the modules as it reads the
        last run's, or the one it finds (then kept instead)."""
        last = self._last
        if last is None or last[0] != key or not finder.reads_as(last[1]):
            table = finder.find()
        else:
            table = last[2]
        self._last = (key, finder.modules, table)
        return table

    def forget(self) -> None:
        """Find the table again on the next run (a file of the project changed on
        disk: a code folder a declaration names may have appeared)."""
        self._last = None


class HandlerFinder:
    """Builds the handler table of one project."""

    def __init__(
        self,
        root: Path,
        symbols: Symbols,
        calls: CallGraph,
        settings: Settings,
        declared: list[DeclaredFunction],
    ) -> None:
        self.root = root
        self.symbols = symbols
        self.resolver: ModuleResolver = symbols.resolver
        self.modules: dict[Path, ModuleSummary] = dict(symbols.modules)
        self.calls = calls
        self.settings = settings
        self.declared = declared
        self.handlers: dict[FunctionKey, Handler] = {}
        self.unresolved: list[UnresolvedHandler] = []

    def find(self) -> HandlerTable:
        for target in self.settings.handlers:
            self._declare_config(target)
        for declared in self.declared:
            self._declare(declared)
        self._bind_schemas()
        self._discover()
        for handler in self.handlers.values():
            self._parameters(handler)
        return HandlerTable(self.handlers, self.unresolved, self.declared)

    def _handler(self, key: FunctionKey) -> Handler:
        if key not in self.handlers:
            function = self.symbols.function(key)
            self.handlers[key] = Handler(key[0], key[1], function.line if function else 1)
        return self.handlers[key]

    # -- found in the code ----------------------------------------------------------------

    def _discover(self) -> None:
        """Handlers the code shows: Chalice registrations, then functions named like
        handlers in the modules that declare none, with the triggers their code gives."""
        names = frozenset(self.settings.handler_names)
        self._discover_chalice()
        declared_modules = {path for path, _ in self.handlers}
        for path, module in self.modules.items():
            if path in declared_modules:
                for qualname, function in module.functions.items():
                    if (path, qualname) in self.handlers:
                        self._add_code_evidence((path, qualname), function, module)
            else:
                self._discover_by_convention(path, module, names)

    def _discover_by_convention(
        self, path: Path, module: ModuleSummary, names: frozenset[str]
    ) -> None:
        """The functions of a module that declares no handler taken for handlers by
        convention (see `_plausible`)."""
        for qualname, function in module.functions.items():
            key = (path, qualname)
            if not convention_match(function, names) or not self._plausible(key, function, module):
                continue
            self._handler(key).evidence.append(
                HandlerEvidence("convention", path, function.line, "named like a handler")
            )
            self._add_code_evidence(key, function, module)

    def _add_code_evidence(
        self, key: FunctionKey, function: FunctionSummary, module: ModuleSummary
    ) -> None:
        """The triggers a handler's own code gives (see `code_triggers`)."""
        for trigger, why in code_triggers(module, function):
            self._handler(key).evidence.append(
                HandlerEvidence("code", key[0], function.line, why, (trigger,))
            )

    def _discover_chalice(self) -> None:
        """Functions a Chalice app or blueprint registers (outside test code)."""
        for path, module in self.modules.items():
            if not has_chalice_app(module) or is_test_file(path, self.root):
                continue
            for qualname, function in module.functions.items():
                found = chalice_function(module, function)
                if found is not None:
                    self._register_chalice((path, qualname), function, found)

    def _register_chalice(
        self, key: FunctionKey, function: FunctionSummary, found: ChaliceRegistration
    ) -> None:
        """Take a function Chalice registers for a handler, with what the registration
        says of its trigger and of what Chalice calls it with."""
        handler = self._handler(key)
        triggers = (found.trigger,) if found.trigger else ()
        handler.evidence.append(HandlerEvidence("code", key[0], function.line, found.why, triggers))
        if not found.raw:
            handler.framework = "chalice"

    def _plausible(
        self, key: FunctionKey, function: FunctionSummary, module: ModuleSummary
    ) -> bool:
        """Whether a function named like a handler can be one: callable as
        `(event, context)`, not test code, not called by project code nor handed to it
        from another module, not registered by a decorator lambda-lint does not know."""
        if not takes_event_and_context(function) or is_test_file(key[0], self.root):
            return False
        if self.calls.callers(key) or key in self._handed_on:
            return False
        return all(self._keeps_signature(key[0], name) for name in function.decorators)

    @cached_property
    def _handed_on(self) -> frozenset[FunctionKey]:
        """Functions another module of the project (not test code) hands to a call or a
        decorator by name: callbacks the project registers and then calls itself
        (`@router.attach("/ask", "post", authenticate)`), not Lambda."""
        found: set[FunctionKey] = set()
        for path, module in self.modules.items():
            found |= self._handed_from(path, module)
        return frozenset(found)

    def _handed_from(self, path: Path, module: ModuleSummary) -> set[FunctionKey]:
        """The functions of other modules that `module` hands on by name (none from
        test code)."""
        if is_test_file(path, self.root):
            return set()
        sites = [*module.init_calls, *(c for f in module.functions.values() for c in f.calls)]
        names = [name for site in sites for name in site.names]
        names += [
            name
            for function in module.functions.values()
            for _, arguments in function.decorator_args
            for name in arguments
        ]
        found = set()
        for name in names:
            target = self.symbols.resolve_name(path, name)
            if target is not None and target[0] != path:
                found.add(target)
        return found

    # -- what is read of a module ---------------------------------------------------------

    def reading(self, path: Path, module: ModuleSummary) -> tuple[object, ...]:
        """What finding the table reads of the summary `module` of `path` besides its
        surface: the names the module binds at module scope (`top_level_names`), the
        functions of other modules it hands on by name (`_handed_on`), and of each of
        its functions where it starts, which items of its parameters it writes
        (`_may_rewrite_event`), the project functions its calls resolve to
        (`CallGraph.callers`) and the triggers its code gives (`code_triggers`). A
        method of the finder that reads more of a module must add it here."""
        functions = [
            (
                qualname,
                function.line,
                function.writes_items,
                sorted(
                    {
                        target
                        for call in function.calls
                        if (target := self.symbols.resolve_call((path, qualname), call))
                    }
                ),
                code_triggers(module, function),
            )
            for qualname, function in module.functions.items()
        ]
        return sorted(module.assigned), sorted(self._handed_from(path, module)), functions

    def reads_as(self, modules: Mapping[Path, ModuleSummary]) -> bool:
        """Whether this finder finds the table it would find from the summaries
        `modules`: they are of the same files, and every one that differs from this
        finder's has the same surface and `reading` (every surface the same, names
        resolve alike in both)."""
        changed = changed_bodies(modules, self.modules)
        if changed is None:
            return False
        return all(
            self.modules[path].linkage == modules[path].linkage
            or self.reading(path, self.modules[path]) == self.reading(path, modules[path])
            for path in changed
        )

    def _keeps_signature(self, path: Path, decorator: str) -> bool:
        """A decorator known to pass `(event, context)` through: a known library
        decorator, Chalice's `lambda_function`, or a project middleware made with
        Powertools' `lambda_handler_decorator`."""
        if decorator.rsplit(".", 1)[-1] in signature_preserving_decorators():
            return True
        chalice = chalice_registration(self.modules[path], decorator)
        if chalice is not None:
            return chalice.raw
        target = self.symbols.resolve_name(path, decorator)
        function = self.symbols.function(target) if target else None
        return function is not None and any(
            d.rsplit(".", 1)[-1] == "lambda_handler_decorator" for d in function.decorators
        )

    def _parameters(self, handler: Handler) -> None:
        """Which parameters hold the event and the context. A framework that calls the
        function passes neither; behind an unknown decorator the context may be
        something else; a second parameter annotated with another type (a
        durable-execution `DurableContext`, say) is not the Lambda context."""
        function = self.symbols.function(handler.key)
        if function is None or handler.framework is not None:
            return
        positional = [p for p in function.params if p.kind in ("posonly", "positional")]
        if positional:
            handler.event_param = positional[0].name
        handler.event_rewritten = any(
            self._may_rewrite_event(handler.file, d) for d in function.decorators
        )
        if len(positional) < 2:
            return
        second = positional[1]
        annotation = (second.annotation or "Any").rsplit(".", 1)[-1]
        known = all(self._keeps_signature(handler.file, d) for d in function.decorators)
        if known and annotation in CONTEXT_ANNOTATIONS:
            handler.context_param = second.name

    def _may_rewrite_event(self, path: Path, decorator: str) -> bool:
        """Whether a decorator may hand the handler another event than the trigger's:
        one lambda-lint does not know (neither a known library's nor the project's), or
        a function of the project whose wrapper (the function itself, or one nested in
        it) writes items of the event it is called with."""
        if decorator.rsplit(".", 1)[-1] in signature_preserving_decorators():
            return False
        target = self.symbols.resolve_name(path, decorator)
        module = self.modules.get(target[0]) if target else None
        if target is None or module is None:
            return True
        inner = target[1] + "."
        return any(
            function.params and function.params[0].name in function.writes_items
            for qualname, function in module.functions.items()
            if qualname == target[1] or qualname.startswith(inner)
        )

    # -- declared ---------------------------------------------------------------------------

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
            key = self.symbols.resolve_name(path, name) if path else None
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
        if declared.unchecked is not None or declared.handler is None:
            return  # another language, or a handler or code known only at deploy time
        source = declared.source
        handler = declared.handler
        triggers = tuple(dict.fromkeys(b.trigger for b in declared.triggers))
        if declared.inline_code is not None:
            if handler.startswith("index."):
                return
            base = self._shipped_apart(handler, source)
            if base is None:
                self.unresolved.append(
                    UnresolvedHandler(
                        source, handler, "inline ZipFile code is always module 'index'"
                    )
                )
                return
            module_part, _, name = handler.rpartition(".")
            self._attach(
                handler, module_part, name, base, source, triggers, declared.triggers, declared
            )
            return
        if declared.code_root is None:
            return
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

    def _deployment_code_only(self, folder: Path) -> bool:
        """Whether the Python modules under `folder` are all deployment code (a CDK or
        Pulumi program, scripts): there are some, and none defines a module-level
        function Lambda could call as `(event, context)`. Such a folder sits beside a
        descriptor whose function code lives elsewhere (a documentation snippet)."""
        modules = [m for path, m in self.modules.items() if folder in path.parents]
        return bool(modules) and not any(
            f.class_name is None and takes_event_and_context(f)
            for module in modules
            for f in module.functions.values()
        )

    def _shipped_apart(self, handler: str, source: SourceRef) -> Path | None:
        """Where the project beside the descriptor (in its folder or the folder above)
        holds the module a handler string names (`agent/handler.py` for
        `agent.handler.lambda_handler`): the folder that module is relative to. Inline
        code under such a handler is a placeholder that a later code upload replaces
        with that folder's code. None when there is no such module."""
        module_part = handler.rpartition(".")[0]
        if not module_part:
            return None
        tail = PurePath(*module_part.replace("/", ".").split(".")).with_suffix(".py").parts
        near = source.file.parent.parent
        for path in sorted(self.modules):
            if path.parts[-len(tail) :] == tail and near in path.parents:
                return path.parents[len(tail) - 1]
        return None

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
        if name == "py":
            self.unresolved.append(
                UnresolvedHandler(
                    source, handler, "it names a file; a handler is 'module.function'"
                )
            )
            return
        module_name = module_part.replace("/", ".").strip(".")
        path = self.resolver.file_for(module_name, base)
        if path is None and self._deployment_code_only(base):
            return  # the function code comes from elsewhere
        if path is None and self.resolver.unreadable_file(module_name, base):
            return  # the module is there but does not parse: LL001 says why
        if path is None:
            where = _display(base, self.root)
            self.unresolved.append(
                UnresolvedHandler(source, handler, f"no module '{module_name}' under {where}")
            )
            return
        key = self.symbols.resolve_name(path, name)
        module = self.modules[path]
        if key is None:
            if name in module.top_level_names:
                return  # a callable we cannot follow (an instance of an external class)
            self.unresolved.append(
                UnresolvedHandler(
                    source, handler, f"module '{module_name}' has no top-level '{name}'"
                )
            )
            return
        found = self._handler(key)
        found.module = found.module or module_name
        found.evidence.append(
            HandlerEvidence(
                source.kind, source.file, source.line, handler, triggers, bindings, declared
            )
        )


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


def _rare(trigger: str) -> bool:
    return trigger in TRIGGERS and TRIGGERS[trigger].rarely_invoked


def _is_http(binding: TriggerBinding) -> bool:
    trigger = TRIGGERS.get(binding.trigger)
    return trigger is not None and trigger.http is not None


def _has_trigger_shape(binding: TriggerBinding) -> bool:
    """A binding whose event has the trigger's own shape."""
    if binding.trigger == "apigw-authorizer-http":
        # the trigger id names the 2.0 event: a `handlers` setting means it, a descriptor
        # must say which payload the authorizer takes
        version = binding.payload_version
        return version == "2.0" or (version is None and binding.source.kind == "config")
    return binding.proxy is True or not _is_http(binding)
