"""Stage 2, index: one file's `ast` tree reduced to a `ModuleSummary` of plain data.

The summary is all the project model needs to know about a file: its imports and where
they happen, its functions with their parameters, decorators, calls and what flows from
their parameters into each call and into the return value, and the module-level names.
Summaries are independent per file, so they can be computed in parallel and cached.

The index reads CPython's `ast` tree, which the source check builds anyway and which is
several times quicker to build than libcst's; what flows from parameters comes from the
value flow of `lambda_lint.flow` on it. Positions are libcst's (`lambda_lint.ast_nodes`).
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, TypeVar

from lambda_lint.ast_nodes import SourceLines, child_nodes, dotted
from lambda_lint.coldstart.usage import ModuleUses, module_uses
from lambda_lint.finding import Position
from lambda_lint.flow import from_ast
from lambda_lint.flow.engine import analyse
from lambda_lint.flow.refs import Refs
from lambda_lint.flow.semantics import Semantics, default_semantics
from lambda_lint.flow.summary import SEEDED_KINDS, symbolic_seeds
from lambda_lint.key_reads import keys_read_always
from lambda_lint.model.names import ImportedName, qualname
from lambda_lint.recent import RecentlyUsed
from lambda_lint.slots import SLOTS

#: (parameter index, access path) of a value that flows from a parameter
ParamPath = tuple[int, tuple[str, ...]]
T = TypeVar("T")


@dataclass(frozen=True, **SLOTS)
class Param:
    name: str
    kind: str  # "posonly", "positional", "vararg", "kwonly", "varkw"
    has_default: bool
    annotation: str | None = None


@dataclass(frozen=True, **SLOTS)
class Import(ImportedName):
    """An imported name (see `ImportedName`) and where its import runs."""

    line: int
    column: int
    #: qualname of the function the import runs in; None at module scope
    function: str | None = None
    #: under `if TYPE_CHECKING:` (never runs)
    type_checking: bool = False
    #: inside `try: ... except ImportError` (may fail without failing the module)
    optional: bool = False


@dataclass(frozen=True, **SLOTS)
class CallSite:
    #: the callee as written: "helpers.process", "self.save", "boto3.client"
    target: str
    line: int
    column: int
    #: for `x.m()` where `x = SomeClass(...)` in the same function: "SomeClass"
    receiver_class: str | None = None
    #: per positional argument, the parameter paths that reach it
    args: tuple[tuple[ParamPath, ...], ...] = ()
    kwargs: tuple[tuple[str, tuple[ParamPath, ...]], ...] = ()
    #: dotted names passed as arguments (`parse(event, model=OrderModel)`)
    names: tuple[str, ...] = ()


@dataclass(frozen=True, **SLOTS)
class FunctionSummary:
    qualname: str
    name: str
    line: int
    column: int
    params: tuple[Param, ...]
    is_async: bool
    decorators: tuple[str, ...]
    #: per decorator, the dotted names given to it as arguments
    decorator_args: tuple[tuple[str, tuple[str, ...]], ...]
    calls: tuple[CallSite, ...]
    #: parameter paths that reach a `return` value
    returns: tuple[ParamPath, ...]
    class_name: str | None = None
    #: the function is defined at module level (or as a method of a module-level class)
    top_level: bool = True
    #: per parameter name, the string keys the body subscripts it with on every path
    #: (`lambda_lint.key_reads`); module-level functions only
    keys_read_always: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: the parameters whose items the body writes (`event["body"] = ...`,
    #: `event.update(...)`): a decorator's wrapper that rewrites the event
    writes_items: tuple[str, ...] = ()


@dataclass(frozen=True, **SLOTS)
class Instance:
    """A module-level name bound to a call: `app = APIGatewayRestResolver()`."""

    name: str
    constructor: str
    args: tuple[str, ...]
    line: int


@dataclass
class ModuleSummary:
    path: str
    imports: list[Import] = field(default_factory=list)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> bases
    instances: dict[str, Instance] = field(default_factory=dict)
    #: module-level `name = other.name` / `functools.partial(f, ...)`: name -> target
    aliases: dict[str, str] = field(default_factory=dict)
    #: other module-level assignments (name -> line)
    assigned: dict[str, int] = field(default_factory=dict)
    #: calls made while the module is imported (module scope and class bodies)
    init_calls: list[CallSite] = field(default_factory=list)
    #: where the names its imports and `def`s bind at module scope are used
    uses: ModuleUses = field(default_factory=lambda: ModuleUses({}, frozenset(), False))

    @cached_property
    def surface(self) -> str:
        """A digest of what project-wide tables can read of the module: its imports,
        function signatures, classes, module-level objects and aliases, without
        positions (so an edit that only moves code leaves it alone). Computed once per
        summary: a process that lints the same project again keeps its summaries."""
        imports = [
            (i.module, i.name, i.alias, i.level, i.renamed, i.function, i.type_checking, i.optional)
            for i in self.imports
        ]
        functions = sorted(
            (
                q,
                f.name,
                f.params,
                f.is_async,
                f.decorators,
                f.decorator_args,
                f.class_name,
                f.top_level,
            )
            for q, f in self.functions.items()
        )
        instances = sorted((n, i.constructor, i.args) for n, i in self.instances.items())
        parts = (imports, functions, sorted(self.classes.items()), instances)
        text = f"{parts!r}\0{sorted(self.aliases.items())!r}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @cached_property
    def linkage(self) -> str:
        """A digest of what the project model's handler table can read of the module:
        its surface, where each function starts, each function's calls and what it
        returns and writes, the calls at module scope and the other module-level names,
        without where each call is nor how names are used. An edit inside a string, a
        comment, a constant or an expression that calls nothing new leaves it alone; the
        handler finder compares it first, before its finer `reading` of the module."""

        def unplaced(calls: Iterable[CallSite]) -> list[tuple[object, ...]]:
            return [(c.target, c.receiver_class, c.args, c.kwargs, c.names) for c in calls]

        functions = sorted(
            (q, f.line, f.returns, f.writes_items, unplaced(f.calls))
            for q, f in self.functions.items()
        )
        calls = unplaced(self.init_calls)
        text = f"{self.surface}\0{functions!r}\0{calls!r}\0{sorted(self.assigned)!r}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @cached_property
    def top_level_names(self) -> frozenset[str]:
        """The names the module binds at module scope (read once it is summarised)."""
        names = {f.name for f in self.functions.values() if f.top_level and not f.class_name}
        names |= set(self.classes) | set(self.instances) | set(self.aliases) | set(self.assigned)
        names |= {i.alias for i in self.imports if i.function is None}
        return frozenset(names)

    def import_target(self, dotted: str, functions: Collection[str | None] = (None,)) -> str | None:
        """A dotted name with the import that binds its first part resolved (`ft.lru_cache`
        after `import functools as ft` is `functools.lru_cache`), considering imports at
        module scope (None) and in the given functions; None when no import binds it."""
        head, _, rest = dotted.partition(".")
        for item in reversed(self.imports):
            if item.alias != head or item.function not in functions:
                continue
            return item.target + ("." + rest if rest else "")
        return None


def summarize(
    path: str, tree: ast.Module, text: str, kept: KeptFunctions | None = None
) -> ModuleSummary:
    """Reduce a module's `ast` tree (parsed from `text`) to its summary, taking over from
    `kept` the summaries of the functions an edit left alone."""
    summary = ModuleSummary(path)
    lines = SourceLines(text)
    indexer = _Indexer(summary, lines)
    indexer.visit(tree)
    semantics = _semantics()
    every_scope = {None, *(f.qualname for f in indexer.functions)}

    def qualify(dotted: str) -> str:
        return summary.import_target(dotted, every_scope) or dotted

    def compute(function: _Function) -> FunctionSummary:
        return function.summary(semantics, qualify)

    if kept is None:
        functions = [compute(function) for function in indexer.functions]
    else:
        functions = kept.summaries(path, indexer.functions, lines, summary, compute)
    summary.functions = {function.qualname: function for function in functions}
    summary.uses = _shared_uses(module_uses(tree))
    return summary


#: a module's function summaries by qualified name, each with what it was computed from
_KeptSummaries = dict[str, tuple[tuple[object, ...], FunctionSummary]]


class KeptFunctions:
    """The function summaries of the modules a process summarised last (the language
    server's open buffers), with what each was computed from: the function's lines and
    where they are, its scope, and the imports its calls' names are resolved through. A
    module summarised again after an edit computes anew only the functions the edit
    touched or moved."""

    def __init__(self, size: int) -> None:
        self._kept: RecentlyUsed[str, _KeptSummaries] = RecentlyUsed(size)

    def summaries(
        self,
        path: str,
        functions: list[_Function],
        lines: SourceLines,
        module: ModuleSummary,
        compute: Callable[[_Function], FunctionSummary],
    ) -> list[FunctionSummary]:
        earlier = self._kept.take(path) or {}
        imports = repr([(i.alias, i.target, i.function) for i in module.imports])
        scopes = repr(sorted(f.qualname for f in functions))
        now: _KeptSummaries = {}
        found = []
        for function in functions:
            key = (*function.place(lines), function.class_name, function.top_level)
            key += (imports, scopes)
            stored = earlier.get(function.qualname)
            summary = stored[1] if stored is not None and stored[0] == key else compute(function)
            now[function.qualname] = (key, summary)
            found.append(summary)
        self._kept.keep(path, now)
        return found


# -- the walk ------------------------------------------------------------------------------


@dataclass
class _Call:
    """A call of a dotted name inside a function, before its flow is known."""

    node: ast.Call
    target: str
    start: Position
    receiver_class: str | None
    names: tuple[str, ...]


@dataclass
class _Function:
    """A function met by the walk: what it is, and the calls and classes in its body."""

    node: ast.FunctionDef | ast.AsyncFunctionDef
    qualname: str
    name_start: Position
    class_name: str | None
    top_level: bool
    calls: list[_Call] = field(default_factory=list)
    #: `name = Callee(...)` in the body: name -> "Callee"
    local_classes: dict[str, str] = field(default_factory=dict)

    def place(self, lines: SourceLines) -> tuple[int, str]:
        """Where the function starts (its first decorator's line) and its lines, all
        that its summary reads of the source besides its scope and the imports."""
        node = self.node
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        last = node.end_lineno or node.lineno
        return first, "\n".join(lines.line(number) for number in range(first, last + 1))

    @property
    def handler_like(self) -> bool:
        """Whether Lambda could call the function as a handler: a module-level function
        (the runtime looks the handler's name up in its module)."""
        return self.top_level and self.class_name is None

    def summary(self, semantics: Semantics, qualify: Callable[[str], str]) -> FunctionSummary:
        """The function's summary, with what flows from its parameters into each call
        and into its return value."""
        node = self.node
        params = _params(node.args)
        # without a parameter to seed, nothing can flow: the function is not analysed
        flows = _Flows(node, semantics, qualify) if _seeded(params) else None
        calls = []
        for call in self.calls:
            args, kwargs = flows.arguments(call.node) if flows else _no_flow(call.node)
            start = call.start
            calls.append(
                CallSite(
                    _shared(call.target),
                    start.line,
                    start.column,
                    call.receiver_class,
                    args,
                    kwargs,
                    call.names,
                )
            )
        return FunctionSummary(
            qualname=self.qualname,
            name=node.name,
            line=self.name_start.line,
            column=self.name_start.column,
            params=params,
            is_async=isinstance(node, ast.AsyncFunctionDef),
            decorators=tuple(filter(None, (_decorator_name(d) for d in node.decorator_list))),
            decorator_args=tuple(_decorator_args(node.decorator_list)),
            calls=tuple(calls),
            returns=_param_paths(flows.analysis.returns) if flows else (),
            class_name=self.class_name,
            top_level=self.top_level,
            keys_read_always=keys_read_always(node) if self.handler_like else (),
            writes_items=_items_written(node, {p.name for p in params}),
        )


#: per positional argument (unstarred), and per keyword argument, the parameter paths
#: that reach it
Arguments = tuple[tuple[tuple[ParamPath, ...], ...], tuple[tuple[str, tuple[ParamPath, ...]], ...]]


class _Flows:
    """What flows from a function's parameters (symbolic seeds) into its calls and its
    return value: the flow-sensitive engine of `lambda_lint.flow` on its lowered IR."""

    def __init__(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        semantics: Semantics,
        qualify: Callable[[str], str],
    ) -> None:
        lowered = from_ast.lower_function(node)
        seeds = symbolic_seeds(lowered)
        self.analysis = analyse(lowered, seeds, semantics=semantics, qualify=qualify)
        self._calls = {id(call.syntax): call for call in lowered.calls}

    def arguments(self, node: ast.Call) -> Arguments:
        """The call's arguments' paths (none for a call the IR does not hold as the
        function's own: in a lambda, or in a nested function's decorators)."""
        call = self._calls.get(id(node))
        if call is None:
            return _no_flow(node)
        flowing = self.analysis.call_args(call)
        positional = zip(flowing.positional, flowing.starred)
        args = tuple(_param_paths(refs) for refs, starred in positional if not starred)
        kwargs = tuple((name, _param_paths(refs)) for name, refs in flowing.keywords if name)
        return _shared(args), _shared(kwargs)


def _no_flow(node: ast.Call) -> Arguments:
    args = tuple(() for a in node.args if not isinstance(a, ast.Starred))
    return _shared(args), _shared(tuple((k.arg, ()) for k in node.keywords if k.arg))


#: equal parts of summaries, shared: a large project has hundreds of thousands of call
#: sites, and most of their targets, argument paths (`((), ())`, `((0, ()),)`) and
#: functions' parameters (`event, context`) are alike
_SHARED: dict[Any, Any] = {}
_SHARED_LIMIT = 100_000


def _shared(value: T) -> T:
    if len(_SHARED) >= _SHARED_LIMIT:
        _SHARED.clear()
    return _SHARED.setdefault(value, value)


def _shared_uses(uses: ModuleUses) -> ModuleUses:
    """`uses` with its equal parts shared: most modules use their imports in the same
    few places (module scope, a handler)."""
    found = {
        name: _shared(tuple(_shared(use) for use in places)) for name, places in uses.uses.items()
    }
    return ModuleUses(found, uses.exported, uses.dynamic)


def _seeded(params: tuple[Param, ...]) -> bool:
    return any(p.kind in SEEDED_KINDS for p in params)


#: nodes that hold no other node the index reads: not walked into (nodes that hold
#: none at all, `Load` or `Add`, are not even visited: `child_nodes`)
_LEAVES = (ast.Constant, ast.Name)


def _skip(indexer: _Indexer, node: ast.AST) -> None:
    return None


def _method(node_type: type[ast.AST]) -> Callable[[_Indexer, Any], None]:
    """The `_Indexer` method that visits nodes of `node_type`."""
    if issubclass(node_type, _LEAVES):
        return _skip
    found: Callable[[_Indexer, Any], None] = getattr(
        _Indexer, f"visit_{node_type.__name__}", _Indexer.generic_visit
    )
    return found


#: each node type's `_Indexer` method, looked up once
_METHODS: dict[type[ast.AST], Callable[[_Indexer, Any], None]] = {}


class _Indexer(ast.NodeVisitor):
    """One walk in source order: imports, classes, functions with their calls, and the
    module-level names. Decorators, defaults and annotations of a function belong to it."""

    def __init__(self, summary: ModuleSummary, lines: SourceLines) -> None:
        self.summary = summary
        self.lines = lines
        #: enclosing classes and functions: (name, is_function), and the open functions
        self.scopes: list[tuple[str, bool]] = []
        self.open: list[_Function] = []
        #: every function, in the order the walk leaves them (nested ones first)
        self.functions: list[_Function] = []
        self.optional_depth = 0
        self.type_checking_depth = 0

    # -- the walk -------------------------------------------------------------------
    # `ast.NodeVisitor.visit` builds a method name for every node, and its
    # `visit_Constant` looks for visitor methods of Python 3.7; here a node type's
    # method is looked up once, and nodes that hold no node it reads are not walked into

    def visit(self, node: ast.AST) -> None:
        method = _METHODS.get(type(node))
        if method is None:
            method = _METHODS[type(node)] = _method(type(node))
        method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for child in child_nodes(node):
            self.visit(child)

    # -- scopes ---------------------------------------------------------------------

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if not self.scopes:
            bases = tuple(filter(None, (dotted(b) for b in node.bases)))
            self.summary.classes[node.name] = bases
        self.scopes.append((node.name, False))
        for child in [*node.decorator_list, *_in_source_order([*node.bases, *node.keywords])]:
            self.visit(child)
        for statement in node.body:
            self.visit(statement)
        self.scopes.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        enclosing = self.scopes
        class_name = None
        top_level = True
        if enclosing:
            if len(enclosing) == 1 and not enclosing[0][1]:
                class_name = enclosing[0][0]
            else:
                top_level = False
        self.scopes.append((node.name, True))
        function = _Function(
            node,
            qualname(self.scopes),
            self.lines.function_name(node),
            class_name,
            top_level,
        )
        self.open.append(function)
        for child in _in_source_order(
            [*node.decorator_list, *_annotations_and_defaults(node.args), node.returns]
        ):
            self.visit(child)
        for statement in node.body:
            self.visit(statement)
        self.open.pop()
        self.scopes.pop()
        self.functions.append(function)

    visit_AsyncFunctionDef = visit_FunctionDef

    # -- imports ----------------------------------------------------------------------

    def visit_Try(self, node: ast.Try) -> None:
        optional = any(_catches_import_error(h) for h in node.handlers)
        self.optional_depth += optional
        self.generic_visit(node)
        self.optional_depth -= optional

    def visit_If(self, node: ast.If) -> None:
        if dotted(node.test) not in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self.generic_visit(node)
            return
        self.type_checking_depth += 1
        for statement in node.body:
            self.visit(statement)
        self.type_checking_depth -= 1
        for statement in node.orelse:
            self.visit(statement)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        function = self.open[-1].qualname if self.open else None
        for item, start in zip(imported_names(node), self.lines.import_names(node)):
            self.summary.imports.append(
                Import(
                    item.module,
                    item.name,
                    item.alias,
                    item.level,
                    item.renamed,
                    line=start.line,
                    column=start.column,
                    function=function,
                    type_checking=self.type_checking_depth > 0,
                    optional=self.optional_depth > 0,
                )
            )

    visit_ImportFrom = visit_Import

    # -- module-level names -------------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        if not self.scopes or self.scopes[-1][1]:
            self._assigned(node)
        self.generic_visit(node)

    def _assigned(self, node: ast.Assign) -> None:
        line = 0 if self.scopes else node.lineno
        value = node.value
        callee = dotted(value.func) if isinstance(value, ast.Call) else None
        for target in node.targets:
            if not isinstance(target, ast.Name):
                continue
            name = target.id
            if self.open:
                if callee:
                    self.open[-1].local_classes[name] = callee
                continue
            if callee in ("functools.partial", "partial") and _arguments(value):
                target_name = dotted(_arguments(value)[0])
                if target_name:
                    self.summary.aliases[name] = target_name
                    continue
            if callee:
                names = tuple(filter(None, (dotted(a) for a in _arguments(value))))
                self.summary.instances[name] = Instance(name, callee, names, line)
            elif dotted(value) is not None:
                self.summary.aliases[name] = dotted(value) or ""
            else:
                self.summary.assigned[name] = line

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if not self.scopes and isinstance(node.target, ast.Name):
            self.summary.assigned[node.target.id] = node.lineno
        self.generic_visit(node)

    # -- calls ---------------------------------------------------------------------------

    def visit_Call(self, node: ast.Call) -> None:
        target = dotted(node.func)
        if target is not None:
            start = self.lines.start(node)
            if not self.open:
                site = CallSite(_shared(target), start.line, start.column)
                self.summary.init_calls.append(site)
            else:
                function = self.open[-1]
                receiver_class = None
                if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                    receiver_class = function.local_classes.get(node.func.value.id)
                names = _shared(tuple(filter(None, (dotted(a) for a in _arguments(node)))))
                function.calls.append(_Call(node, target, start, receiver_class, names))
        self.visit(node.func)
        for argument in _in_source_order([*node.args, *node.keywords]):
            self.visit(argument)

    # -- expressions whose fields `ast` does not keep in source order ---------------------------

    def visit_IfExp(self, node: ast.IfExp) -> None:
        for child in (node.body, node.test, node.orelse):
            self.visit(child)

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if key is not None:
                self.visit(key)
            self.visit(value)


# -- syntax helpers -----------------------------------------------------------------------


def imported_names(node: ast.Import | ast.ImportFrom) -> Iterator[ImportedName]:
    """The names an import statement binds, in order (see `ImportedName`)."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            yield ImportedName(alias.name, None, bound, 0, alias.asname is not None)
        return
    module, level = node.module or "", node.level or 0
    for alias in node.names:
        if alias.name == "*":
            yield ImportedName(module, "*", "*", level, False)
        else:
            bound = alias.asname or alias.name
            yield ImportedName(module, alias.name, bound, level, alias.asname is not None)


def _params(node: ast.arguments) -> tuple[Param, ...]:
    positional = [*node.posonlyargs, *node.args]
    first_default = len(positional) - len(node.defaults)
    result = [
        Param(
            a.arg,
            "posonly" if i < len(node.posonlyargs) else "positional",
            i >= first_default,
            _annotation(a),
        )
        for i, a in enumerate(positional)
    ]
    if node.vararg is not None:
        result.append(Param(node.vararg.arg, "vararg", True, _annotation(node.vararg)))
    result += [
        Param(a.arg, "kwonly", d is not None, _annotation(a))
        for a, d in zip(node.kwonlyargs, node.kw_defaults)
    ]
    if node.kwarg is not None:
        result.append(Param(node.kwarg.arg, "varkw", True, _annotation(node.kwarg)))
    return _shared(tuple(_shared(p) for p in result))


def _annotation(arg: ast.arg) -> str | None:
    """The annotated type's dotted name (of `X` for `X[...]`), or a string annotation."""
    value = arg.annotation
    if isinstance(value, ast.Subscript):
        value = value.value
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    return dotted(value)


def _annotations_and_defaults(node: ast.arguments) -> list[ast.expr]:
    every = [*node.posonlyargs, *node.args, node.vararg, *node.kwonlyargs, node.kwarg]
    annotations = [a.annotation for a in every if a is not None and a.annotation is not None]
    return [*annotations, *node.defaults, *(d for d in node.kw_defaults if d is not None)]


def _in_source_order(nodes: list[Any]) -> list[ast.AST]:
    present = [n for n in nodes if n is not None]
    return sorted(present, key=lambda n: (n.lineno, n.col_offset))


def _arguments(call: ast.Call) -> list[ast.AST]:
    """The values given to a call, positional (unstarred) and keyword, in source order."""
    values = [a.value if isinstance(a, ast.Starred) else a for a in call.args]
    return _in_source_order([*values, *(k.value for k in call.keywords)])


#: methods that write items into a mapping
_ITEM_WRITERS = frozenset({"update", "setdefault"})


def _items_written(
    function: ast.FunctionDef | ast.AsyncFunctionDef, names: set[str]
) -> tuple[str, ...]:
    """The names among `names` whose items the function's own body writes."""
    found: set[str] = set()
    pending: list[ast.AST] = list(function.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _ITEM_WRITERS
        ):
            targets = [ast.Subscript(node.func.value, ast.Constant(None))]
        for target in targets:
            written = target.value if isinstance(target, ast.Subscript) else None
            if isinstance(written, ast.Name) and written.id in names:
                found.add(written.id)
        pending.extend(child_nodes(node))
    return tuple(sorted(found))


def _decorator_name(decorator: ast.expr) -> str | None:
    """`logger.inject_lambda_context` for `@logger.inject_lambda_context(...)` too."""
    return dotted(decorator.func if isinstance(decorator, ast.Call) else decorator)


def _decorator_args(decorators: list[ast.expr]) -> Iterator[tuple[str, tuple[str, ...]]]:
    for decorator in decorators:
        name = _decorator_name(decorator)
        if name and isinstance(decorator, ast.Call):
            yield name, tuple(filter(None, (dotted(a) for a in _arguments(decorator))))


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {dotted(t) for t in types if t is not None}
    return bool({"ImportError", "ModuleNotFoundError", "Exception"} & names)


def _param_paths(refs: Refs) -> tuple[ParamPath, ...]:
    return tuple(sorted((r.index, r.path) for r in refs if r.root == "param"))


@lru_cache(maxsize=1)
def _semantics() -> Semantics:
    """What library calls do to values, without what rules add to it (sources,
    sanitisers, validators): a summary stays the same whatever rules run."""
    shipped = default_semantics()
    return Semantics(shipped.decoders, shipped.pass_through, shipped.same_data_methods)


__all__ = [
    "CallSite",
    "FunctionSummary",
    "Import",
    "Instance",
    "ModuleSummary",
    "Param",
    "summarize",
]
