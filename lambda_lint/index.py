"""Stage 2, index: one parsed file reduced to a `ModuleSummary` of plain data.

The summary is all the project model needs to know about a file: its imports and where
they happen, its functions with their parameters, decorators, calls and what flows from
their parameters into each call and into the return value, and the module-level names.
Summaries are independent per file, so they can be computed in parallel and cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import libcst as cst

from lambda_lint.finding import Position
from lambda_lint.index_anchors import Anchors
from lambda_lint.model.flow import EMPTY, FunctionFlow, Ref, Refs
from lambda_lint.model.names import (
    ImportedName,
    decorator_name,
    dotted_name,
    imported_names,
    qualname,
)
from lambda_lint.positions import Positions
from lambda_lint.source import SourceFile
from lambda_lint.walk import Visitor

#: (parameter index, access path) of a value that flows from a parameter
ParamPath = tuple[int, tuple[str, ...]]


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "posonly", "positional", "vararg", "kwonly", "varkw"
    has_default: bool
    annotation: str | None = None


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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

    @cached_property
    def surface(self) -> str:
        """A digest of what project-wide tables can read of the module: its imports,
        function signatures, classes, module-level objects and aliases, without
        positions (so an edit that only moves code leaves it alone). Computed once per
        summary: a process that lints the same project again keeps its summaries."""
        imports = [
            (i.module, i.name, i.alias, i.level, i.function, i.type_checking, i.optional)
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

    def top_level_names(self) -> set[str]:
        names = {f.name for f in self.functions.values() if f.top_level and not f.class_name}
        names |= set(self.classes) | set(self.instances) | set(self.aliases) | set(self.assigned)
        names |= {i.alias for i in self.imports if i.function is None}
        return names


def _params(node: cst.Parameters) -> tuple[Param, ...]:
    def annotation(param: cst.Param) -> str | None:
        if param.annotation is None:
            return None
        value = param.annotation.annotation
        if isinstance(value, cst.Subscript):
            value = value.value
        if isinstance(value, cst.SimpleString):
            text = value.evaluated_value
            return text if isinstance(text, str) else None
        return dotted_name(value)

    result = [
        Param(p.name.value, "posonly", p.default is not None, annotation(p))
        for p in node.posonly_params
    ]
    result += [
        Param(p.name.value, "positional", p.default is not None, annotation(p)) for p in node.params
    ]
    if isinstance(node.star_arg, cst.Param):
        result.append(Param(node.star_arg.name.value, "vararg", True, annotation(node.star_arg)))
    result += [
        Param(p.name.value, "kwonly", p.default is not None, annotation(p))
        for p in node.kwonly_params
    ]
    if node.star_kwarg is not None:
        result.append(Param(node.star_kwarg.name.value, "varkw", True, annotation(node.star_kwarg)))
    return tuple(result)


def param_seeds(params: tuple[Param, ...]) -> dict[str, Refs]:
    """Symbolic seeds: parameter i holds `Ref("param", index=i)`."""
    return {
        p.name: frozenset({Ref("param", index=i)})
        for i, p in enumerate(params)
        if p.kind in ("posonly", "positional", "kwonly")
    }


def param_paths(refs: Refs) -> tuple[ParamPath, ...]:
    return tuple(sorted((r.index, r.path) for r in refs if r.root == "param"))


class _Where:
    """Positions of the nodes the index records, computed by libcst (the slow path, for
    a module without its `ast` tree); `Anchors` answers the same questions faster."""

    def __init__(self, positions: Positions) -> None:
        self.positions = positions

    def call(self, node: cst.Call, target: str) -> Position:
        return self.positions.start(node)

    def imported(self, node: cst.ImportAlias | cst.ImportFrom, name: str) -> Position:
        return self.positions.start(node)

    def function_name(self, node: cst.FunctionDef) -> Position:
        return self.positions.start(node.name)

    def assignment_line(self, node: cst.Assign | cst.AnnAssign) -> int:
        return self.positions.line(node)


class _Indexer(Visitor):
    def __init__(self, summary: ModuleSummary, where: _Where | Anchors) -> None:
        self.summary = summary
        self.where = where
        self.scopes: list[tuple[str, cst.FunctionDef | cst.ClassDef]] = []
        self.flows: list[FunctionFlow | None] = []
        self.calls: list[list[CallSite]] = []
        self.returns: list[set[tuple[int, tuple[str, ...]]]] = []
        self.local_classes: list[dict[str, str]] = []
        self.optional_depth = 0
        self.type_checking_depth = 0

    # -- scopes -----------------------------------------------------------------

    def _in_function(self) -> bool:
        return any(isinstance(node, cst.FunctionDef) for _, node in self.scopes)

    def _function_qualname(self) -> str | None:
        """The qualified name of the innermost enclosing function (None at module or
        class scope)."""
        for index in range(len(self.scopes) - 1, -1, -1):
            if isinstance(self.scopes[index][1], cst.FunctionDef):
                return qualname(
                    [
                        (name, isinstance(node, cst.FunctionDef))
                        for name, node in self.scopes[: index + 1]
                    ]
                )
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        if not self.scopes:
            bases = tuple(filter(None, (dotted_name(a.value) for a in node.bases)))
            self.summary.classes[node.name.value] = bases
        self.scopes.append((node.name.value, node))

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        params = _params(node.params)
        self.scopes.append((node.name.value, node))
        self.flows.append(FunctionFlow(node, param_seeds(params)))
        self.calls.append([])
        self.returns.append(set())
        self.local_classes.append({})

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        node = original_node
        name, _ = self.scopes[-1]
        class_name = None
        top_level = True
        enclosing = self.scopes[:-1]
        if enclosing:
            if len(enclosing) == 1 and isinstance(enclosing[0][1], cst.ClassDef):
                class_name = enclosing[0][0]
            else:
                top_level = False
        qualname = self._function_qualname() or name
        start = self.where.function_name(node)
        self.summary.functions[qualname] = FunctionSummary(
            qualname=qualname,
            name=name,
            line=start.line,
            column=start.column,
            params=_params(node.params),
            is_async=node.asynchronous is not None,
            decorators=tuple(filter(None, (decorator_name(d) for d in node.decorators))),
            decorator_args=tuple(_decorator_args(node.decorators)),
            calls=tuple(self.calls[-1]),
            returns=tuple(sorted(self.returns[-1])),
            class_name=class_name,
            top_level=top_level,
        )
        self.scopes.pop()
        self.flows.pop()
        self.calls.pop()
        self.returns.pop()
        self.local_classes.pop()

    # -- imports ------------------------------------------------------------------

    def visit_Try(self, node: cst.Try) -> None:
        if any(_catches_import_error(h) for h in node.handlers):
            self.optional_depth += 1

    def leave_Try(self, original_node: cst.Try) -> None:
        if any(_catches_import_error(h) for h in original_node.handlers):
            self.optional_depth -= 1

    def visit_If(self, node: cst.If) -> bool:
        if dotted_name(node.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            self.type_checking_depth += 1
            self.walk(node.body)
            self.type_checking_depth -= 1
            if node.orelse is not None:
                self.walk(node.orelse)
            return False
        return True

    def _add_imports(self, node: cst.Import | cst.ImportFrom) -> None:
        for where, item in imported_names(node):
            spelled = "*" if item.name == "*" else dotted_name(where.name)  # type: ignore[union-attr]
            start = self.where.imported(where, spelled)  # type: ignore[arg-type]
            self.summary.imports.append(
                Import(
                    item.module,
                    item.name,
                    item.alias,
                    item.level,
                    start.line,
                    start.column,
                    self._function_qualname(),
                    self.type_checking_depth > 0,
                    self.optional_depth > 0,
                )
            )

    def visit_Import(self, node: cst.Import) -> None:
        self._add_imports(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._add_imports(node)

    # -- module-level names ---------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.scopes and not isinstance(self.scopes[-1][1], cst.FunctionDef):
            return
        line = 0 if self.scopes else self.where.assignment_line(node)
        for target in node.targets:
            if not isinstance(target.target, cst.Name):
                continue
            name = target.target.value
            value = node.value
            if self._in_function():
                if isinstance(value, cst.Call) and dotted_name(value.func):
                    self.local_classes[-1][name] = dotted_name(value.func) or ""
                continue
            callee = dotted_name(value.func) if isinstance(value, cst.Call) else None
            if callee in ("functools.partial", "partial") and value.args:  # type: ignore[union-attr]
                target_name = dotted_name(value.args[0].value)  # type: ignore[union-attr]
                if target_name:
                    self.summary.aliases[name] = target_name
                    continue
            if callee:
                args = tuple(filter(None, (dotted_name(a.value) for a in value.args)))  # type: ignore[union-attr]
                self.summary.instances[name] = Instance(name, callee, args, line)
            elif dotted_name(value) is not None:
                self.summary.aliases[name] = dotted_name(value) or ""
            else:
                self.summary.assigned[name] = line

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self.scopes:
            return
        line = self.where.assignment_line(node)
        if isinstance(node.target, cst.Name):
            self.summary.assigned[node.target.value] = line

    # -- calls and returns --------------------------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        target = dotted_name(node.func)
        if target is None:
            return
        start = self.where.call(node, target)
        if not self._in_function():
            self.summary.init_calls.append(CallSite(target, start.line, start.column))
            return
        flow = self.flows[-1]
        assert flow is not None
        receiver_class = None
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name):
            receiver_class = self.local_classes[-1].get(node.func.value.value)
        args = []
        kwargs = []
        for arg in node.args:
            paths = param_paths(flow.refs(arg.value)) if flow.env else ()
            if arg.keyword is not None:
                kwargs.append((arg.keyword.value, paths))
            elif arg.star == "":
                args.append(paths)
        names = tuple(filter(None, (dotted_name(arg.value) for arg in node.args)))
        self.calls[-1].append(
            CallSite(
                target, start.line, start.column, receiver_class, tuple(args), tuple(kwargs), names
            )
        )

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is None or not self.flows or not self._in_function():
            return
        flow = self.flows[-1]
        if flow is not None:
            self.returns[-1].update(param_paths(flow.refs(node.value)))


def _decorator_args(decorators: Sequence[cst.Decorator]) -> Iterator[tuple[str, tuple[str, ...]]]:
    for decorator in decorators:
        name = decorator_name(decorator)
        if name and isinstance(decorator.decorator, cst.Call):
            args = (dotted_name(arg.value) for arg in decorator.decorator.args)
            yield name, tuple(filter(None, args))


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    names = []
    if isinstance(handler.type, cst.Tuple):
        names = [dotted_name(e.value) for e in handler.type.elements]
    elif handler.type is not None:
        names = [dotted_name(handler.type)]
    return bool({"ImportError", "ModuleNotFoundError", "Exception"} & set(filter(None, names)))


def summarize(
    path: str, module: cst.Module, positions: Positions, source: SourceFile | None = None
) -> ModuleSummary:
    """Reduce a parsed module to its summary. With the `source` it was parsed from,
    positions come from its `ast` tree (see `lambda_lint.index_anchors`)."""
    summary = ModuleSummary(path)
    where = Anchors(source.ast, source.text, positions) if source else _Where(positions)
    _Indexer(summary, where).walk(module)
    return summary


__all__ = [
    "EMPTY",
    "CallSite",
    "FunctionSummary",
    "Import",
    "Instance",
    "ModuleSummary",
    "Param",
    "summarize",
]
