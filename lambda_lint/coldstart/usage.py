"""Where a module uses the names its module-scope imports bind.

One pass over a module's `ast` tree records every occurrence of a name (not an attribute
after a dot, not a keyword argument's name, not a name a `def`, a parameter or an import
binds), with where it is: the function it is in, whether it is in an `except` block,
under `if __name__ == "__main__":`, or in an annotation (string annotations included).
Counting generously is deliberate: a name that might be a use is a use, so an import is
called unused only when nothing in the module can need it.

The index keeps, in each module's summary, the uses of the names LL201 and LL202 ask
about: those the module's imports bind, and its module-level functions' names.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable

from lambda_lint.ast_nodes import child_nodes, dotted
from lambda_lint.model.names import qualname
from lambda_lint.slots import SLOTS

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: calls that reach names by string, so no import of the module is provably unused
DYNAMIC = frozenset({"globals", "locals", "vars", "eval", "exec", "__import__"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True, **SLOTS)
class Use:
    #: qualname of the outermost enclosing function (None: module scope or a class body)
    function: str | None
    in_except: bool
    in_main_guard: bool
    in_annotation: bool


@dataclass(frozen=True)
class ModuleUses:
    #: per name, its distinct uses in the order the module first makes them
    uses: dict[str, tuple[Use, ...]]
    #: names listed in `__all__`
    exported: frozenset[str]
    #: the module reaches names by string (`globals()`, `eval`, ...)
    dynamic: bool


def is_main_guard(test: ast.expr) -> bool:
    """Whether an `if` tests `__name__ == "__main__"`."""
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    comparator = test.comparators[0]
    text = comparator.value if isinstance(comparator, ast.Constant) else None
    return {"__name__", "__main__"} <= {dotted(test.left), text}


class _Collector:
    """The walk: `visit_*` methods for the nodes that change where it is or that bind,
    list or reach names; a name (`ast.Name`, the commonest node) is a use wherever it
    is."""

    def __init__(self, wanted: set[str]) -> None:
        self.uses: dict[str, dict[Use, None]] = {}
        self.exported: set[str] = set()
        self.dynamic = False
        #: the names whose uses are kept
        self.wanted = wanted
        self.scopes: list[tuple[str, bool]] = []
        self.function_depth = 0
        self.except_depth = 0
        self.main_depth = 0
        self.annotation_depth = 0
        self.in_all = False
        #: where the walk is, as a use there is written (None: not known since it moved)
        self.here: Use | None = None

    def result(self) -> ModuleUses:
        uses = {name: tuple(self.uses[name]) for name in sorted(self.uses)}
        return ModuleUses(uses, frozenset(self.exported), self.dynamic)

    def use(self, name: str) -> None:
        if name in self.wanted:
            self.uses.setdefault(name, {})[self.here or self.where()] = None

    def where(self) -> Use:
        function = None
        if self.function_depth:
            # the outermost function: what the call graph knows
            names = []
            for scope_name, is_function in self.scopes:
                names.append((scope_name, is_function))
                if is_function:
                    break
            function = qualname(names)
        self.here = Use(
            function,
            self.except_depth > 0,
            self.main_depth > 0,
            self.annotation_depth > 0,
        )
        return self.here

    def walk(self, node: ast.AST | None) -> None:
        cls = type(node)
        if cls is ast.Name:
            self.use(node.id)  # type: ignore[union-attr]
            return
        if node is None:
            return
        method = _VISITS.get(cls, _UNKNOWN)
        if method is _UNKNOWN:
            method = _VISITS[cls] = getattr(_Collector, f"visit_{cls.__name__}", None)
        if method is None or method(self, node) is not False:
            for child in child_nodes(node):
                self.walk(child)

    def walk_all(self, nodes: list[ast.AST] | list[ast.expr] | list[ast.stmt]) -> None:
        for node in nodes:
            self.walk(node)

    def annotation(self, node: ast.expr | None) -> None:
        self.annotation_depth += 1
        self.here = None
        self.walk(node)
        self.annotation_depth -= 1
        self.here = None

    # -- scopes ---------------------------------------------------------------------------

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        # decorators, defaults and annotations run where the `def` is
        self.walk_all(node.decorator_list)
        self.visit_arguments(node.args)
        self.annotation(node.returns)
        self.scopes.append((node.name, True))
        self.function_depth += 1
        self.here = None
        self.walk_all(node.body)
        self.function_depth -= 1
        self.scopes.pop()
        self.here = None
        return False

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_arguments(self, node: ast.arguments) -> bool:
        every = [*node.posonlyargs, *node.args, node.vararg, *node.kwonlyargs, node.kwarg]
        for argument in every:
            if argument is not None:
                self.annotation(argument.annotation)
        self.walk_all(node.defaults)
        self.walk_all([d for d in node.kw_defaults if d is not None])
        return False

    def visit_ClassDef(self, node: ast.ClassDef) -> bool:
        self.walk_all(node.decorator_list)
        self.walk_all(node.bases)
        self.walk_all([keyword.value for keyword in node.keywords])
        self.scopes.append((node.name, False))
        self.here = None
        self.walk_all(node.body)
        self.scopes.pop()
        self.here = None
        return False

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> bool:
        self.walk(node.type)  # matched whenever an exception passes: not a rare path
        self.except_depth += 1
        self.here = None
        self.walk_all(node.body)
        self.except_depth -= 1
        self.here = None
        return False

    def visit_TryStar(self, node: ast.AST) -> bool:
        """`try: ... except* E as e:` (Python 3.11): the handlers' names are uses too, and
        their bodies are not taken for rare paths."""
        self.walk_all(node.body)  # type: ignore[attr-defined]
        for handler in node.handlers:  # type: ignore[attr-defined]
            self.walk(handler.type)
            if handler.name:
                self.use(handler.name)
            self.walk_all(handler.body)
        self.walk_all(node.orelse)  # type: ignore[attr-defined]
        self.walk_all(node.finalbody)  # type: ignore[attr-defined]
        return False

    def visit_If(self, node: ast.If) -> bool:
        if self.scopes or not is_main_guard(node.test):
            return True
        self.walk(node.test)
        self.main_depth += 1
        self.here = None
        self.walk_all(node.body)
        self.main_depth -= 1
        self.here = None
        self.walk_all(node.orelse)
        return False

    def visit_AnnAssign(self, node: ast.AnnAssign) -> bool:
        self.walk(node.target)
        self.annotation(node.annotation)
        self.walk(node.value)
        return False

    # -- names ----------------------------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute) -> bool:
        self.walk(node.value)  # `.attr` is not a name of this module
        return False

    def visit_keyword(self, node: ast.keyword) -> bool:
        self.walk(node.value)  # a keyword is not a name of this module
        return False

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Name) and node.func.id in DYNAMIC:
            self.dynamic = True

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> bool:
        return False

    visit_ImportFrom = visit_Import

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        for name in node.names:
            self.use(name)

    visit_Nonlocal = visit_Global

    def visit_JoinedStr(self, node: ast.JoinedStr) -> bool:
        # an f-string's text is not a string literal: only its expressions are read
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                self.walk(value)
        return False

    def visit_Constant(self, node: ast.Constant) -> None:
        if not isinstance(node.value, str) or not (self.annotation_depth or self.in_all):
            return
        if self.in_all:
            self.exported.add(node.value)
        else:
            for word in IDENTIFIER.findall(node.value):
                self.use(word)

    def visit_Assign(self, node: ast.Assign) -> bool:
        if not self.scopes and any(dotted(target) == "__all__" for target in node.targets):
            self.listing(node.value)
            return False
        return True

    def visit_AugAssign(self, node: ast.AugAssign) -> bool:
        if not self.scopes and dotted(node.target) == "__all__":
            self.listing(node.value)
            return False
        return True

    def listing(self, value: ast.expr) -> None:
        """The value given to `__all__`: its strings are exported names."""
        self.in_all = True
        self.walk(value)
        self.in_all = False

    # -- names bound by patterns and type parameters (written as plain strings in `ast`)

    def visit_MatchAs(self, node: ast.AST) -> None:
        name = getattr(node, "name", None)
        if name:
            self.use(name)

    visit_MatchStar = visit_MatchAs
    visit_TypeVar = visit_MatchAs
    visit_ParamSpec = visit_MatchAs
    visit_TypeVarTuple = visit_MatchAs

    def visit_MatchMapping(self, node: ast.AST) -> None:
        rest = getattr(node, "rest", None)
        if rest:
            self.use(rest)

    def visit_MatchClass(self, node: ast.AST) -> None:
        for name in getattr(node, "kwd_attrs", ()):
            self.use(name)


#: per node type, the `_Collector` method that visits it (None: its children are walked)
_VISITS: dict[type, Callable[[_Collector, Any], bool | None] | None] = {}
_UNKNOWN = object()


def module_uses(tree: ast.Module) -> ModuleUses:
    """The uses of the names the module binds at module scope by its imports and its
    `def`s; which names `__all__` lists; whether names are reached by string."""
    collector = _Collector(set(_bound_at_module_scope(tree.body)))
    collector.walk_all(tree.body)
    return collector.result()


def _bound_at_module_scope(statements: list[ast.stmt]) -> Iterator[str]:
    """The names module-scope imports and `def`s bind (in `if`, `try`, `with` blocks
    too; not in classes or functions)."""
    for statement in statements:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                yield alias.asname or alias.name.split(".")[0]
        elif isinstance(statement, ast.ImportFrom):
            yield from (alias.asname or alias.name for alias in statement.names)
        elif isinstance(statement, _FUNCTIONS):
            yield statement.name
        elif not isinstance(statement, ast.ClassDef):
            for child in child_nodes(statement):
                if not isinstance(child, ast.expr):  # a block, a handler, a case
                    yield from _bound_at_module_scope([child])  # type: ignore[list-item]


def type_comment_names(code: str) -> set[str]:
    """Identifiers in `# type:` comments, which type checkers read as uses."""
    found: set[str] = set()
    for match in re.finditer(r"#\s*type:\s*([^#\n]*)", code):
        found.update(IDENTIFIER.findall(match.group(1)))
    return found
