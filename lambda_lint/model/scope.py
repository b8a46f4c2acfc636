"""Where a name lives: the module-level bindings of a file, the names a function binds
for itself, and what a dotted name means at module scope of an indexed module.

Rules that care about state surviving between invocations ask whether a name used in a
function is the module's (a global) or the function's own (a parameter, an assignment,
a loop variable, an import inside the function, a `with ... as` target).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from lambda_lint.index import ModuleSummary
from lambda_lint.model.names import dotted_name, imported_names
from lambda_lint.walk import Visitor, descendants


@dataclass(frozen=True)
class ModuleBinding:
    """A name bound at module scope (also inside module-level `if`/`try`/`with`/`for`).

    `kind` is "assign" (an assignment or a loop/`with` target), "class", "function" or
    "import"; `values` are the expressions assigned to it, in source order (empty when
    not known, e.g. a tuple target unpacking a call).
    """

    name: str
    kind: str
    values: tuple[cst.BaseExpression, ...] = ()
    node: cst.CSTNode | None = None


def _target_names(target: cst.BaseExpression) -> Iterator[cst.Name]:
    if isinstance(target, cst.Name):
        yield target
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            yield from _target_names(element.value)
    elif isinstance(target, cst.StarredElement):
        yield from _target_names(target.value)


def _pairs(
    target: cst.BaseExpression, value: cst.BaseExpression | None
) -> Iterator[tuple[cst.Name, cst.BaseExpression | None]]:
    """(name, value) for an assignment target; unpacking pairs literal tuples up."""
    if isinstance(target, cst.Name):
        yield target, value
        return
    if (
        isinstance(target, (cst.Tuple, cst.List))
        and isinstance(value, (cst.Tuple, cst.List))
        and len(target.elements) == len(value.elements)
        and not any(isinstance(e, cst.StarredElement) for e in target.elements)
    ):
        for element, item in zip(target.elements, value.elements):
            yield from _pairs(element.value, item.value)
        return
    for name in _target_names(target):
        yield name, None


class _ModuleCollector(Visitor):
    def __init__(self) -> None:
        self.bindings: dict[str, ModuleBinding] = {}

    def _bind(
        self, name: str, kind: str, value: cst.BaseExpression | None, node: cst.CSTNode
    ) -> None:
        previous = self.bindings.get(name)
        values = previous.values if previous is not None and previous.kind == kind else ()
        if value is not None:
            values = (*values, value)
        self.bindings[name] = ModuleBinding(name, kind, values, previous.node if previous else node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self._bind(node.name.value, "function", None, node)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._bind(node.name.value, "class", None, node)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            for name, value in _pairs(target.target, node.value):
                self._bind(name.value, "assign", value, node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self._bind(node.target.value, "assign", node.value, node)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value not in self.bindings:
            self._bind(node.target.value, "assign", None, node)

    def visit_For(self, node: cst.For) -> None:
        for name in _target_names(node.target):
            self._bind(name.value, "assign", None, node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            for name in _target_names(node.asname.name):  # type: ignore[arg-type]
                self._bind(name.value, "assign", None, node)

    def visit_Import(self, node: cst.Import) -> None:
        self._bind_imports(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        self._bind_imports(node)

    def _bind_imports(self, node: cst.Import | cst.ImportFrom) -> None:
        for _, item in imported_names(node):
            if item.alias != "*":
                self._bind(item.alias, "import", None, node)


def module_bindings(module: cst.Module) -> dict[str, ModuleBinding]:
    """Every name the module binds at module scope."""
    collector = _ModuleCollector()
    collector.walk(module)
    return collector.bindings


def declared_global(module: cst.Module) -> frozenset[str]:
    """The names some function of the module declares `global`: it may rebind them."""
    return frozenset(
        item.name.value
        for node in descendants(module)
        if isinstance(node, cst.Global)
        for item in node.names
    )


@dataclass(frozen=True)
class FunctionScope:
    """The names a function binds for itself, and those it declares `global`."""

    local: frozenset[str]
    declared_global: frozenset[str]
    params: frozenset[str]


class _LocalCollector(Visitor):
    """Collects the bindings of one function body, not of nested functions/classes
    (whose own names are bindings of the body)."""

    def __init__(self) -> None:
        self.local: set[str] = set()
        self.declared_global: set[str] = set()

    def _targets(self, target: cst.BaseExpression) -> None:
        self.local.update(name.value for name in _target_names(target))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.local.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.local.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Global(self, node: cst.Global) -> None:
        self.declared_global.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.local.update(item.name.value for item in node.names)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._targets(target.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._targets(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._targets(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._targets(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._targets(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._targets(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._targets(node.asname.name)  # type: ignore[arg-type]

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self.local.add(node.name.name.value)

    def visit_Del(self, node: cst.Del) -> None:
        self._targets(node.target)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.local.add(alias.asname.name.value)
            else:
                self.local.add((dotted_name(alias.name) or "").split(".")[0])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.local.add(alias.asname.name.value)
            else:
                self.local.add(dotted_name(alias.name) or "")


def parameter_names(params: cst.Parameters) -> set[str]:
    """Every parameter name, `*args` and `**kwargs` included."""
    names = {p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)}
    if isinstance(params.star_arg, cst.Param):
        names.add(params.star_arg.name.value)
    if params.star_kwarg is not None:
        names.add(params.star_kwarg.name.value)
    return names


def function_scope(function: cst.FunctionDef) -> FunctionScope:
    collector = _LocalCollector()
    collector.walk(function.body)
    params = parameter_names(function.params)
    local = (collector.local | params) - collector.declared_global
    return FunctionScope(frozenset(local), frozenset(collector.declared_global), frozenset(params))


def qualify(summary: ModuleSummary, dotted: str) -> str:
    """A dotted name written at module scope of an indexed module, with its import
    resolved. Names the module does not import keep their spelling."""
    return summary.import_target(dotted) or dotted
