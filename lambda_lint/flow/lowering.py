"""What lowering one function needs beyond the walk of its syntax tree: call numbering,
the names the body binds, the final `ir.Function`, and the statements and expressions
that lower alike whatever their syntax.

The front end (`from_ast`) walks its syntax tree in evaluation order and asks the
`Builder` for the IR nodes whose construction carries bookkeeping (calls, bound
names); everything else it builds directly from `lambda_lint.flow.ir`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Callable, ClassVar

from lambda_lint.flow import ir

#: the spellings of `ast`'s operators
BINARY_OPERATORS = {
    "Add": "+",
    "Sub": "-",
    "Mult": "*",
    "Div": "/",
    "FloorDiv": "//",
    "Mod": "%",
    "Pow": "**",
    "MatMult": "@",
    "LShift": "<<",
    "RShift": ">>",
    "BitOr": "|",
    "BitAnd": "&",
    "BitXor": "^",
}
UNARY_OPERATORS = {"Not": "not", "USub": "-", "UAdd": "+", "Invert": "~"}
COMPARISON_OPERATORS = {
    "Eq": "==",
    "NotEq": "!=",
    "Lt": "<",
    "LtE": "<=",
    "Gt": ">",
    "GtE": ">=",
    "Is": "is",
    "IsNot": "is not",
    "In": "in",
    "NotIn": "not in",
}


class Builder:
    """Collects the bookkeeping of one function while it is lowered."""

    def __init__(self) -> None:
        self.calls: list[ir.Call] = []
        self.bound: set[str] = set()
        #: names bound to a literal container somewhere, and bound otherwise somewhere
        self.literal: set[str] = set()
        self.other: set[str] = set()
        self.declared_global: set[str] = set()

    def call(
        self,
        func: ir.Expr,
        args: Sequence[ir.Expr],
        keywords: Sequence[ir.Keyword],
        syntax: ir.Syntax,
    ) -> ir.Call:
        node = ir.Call(func, ir.dotted(func), tuple(args), tuple(keywords), len(self.calls), syntax)
        self.calls.append(node)
        return node

    def bind(self, *names: str) -> None:
        """Record names the body binds (not to a literal container)."""
        self.bound.update(names)
        self.other.update(names)

    def bind_targets(self, target: ir.Expr, literal: bool = False) -> None:
        """Record the names an assignment target binds (`a`, `a, *b`, not `a.x`);
        `literal`: to a literal container."""
        if isinstance(target, ir.Name):
            self.bound.add(target.id)
            (self.literal if literal else self.other).add(target.id)
        elif isinstance(target, ir.Container):
            for element in target.elements:
                self.bind_targets(element)
        elif isinstance(target, ir.Starred):
            self.bind_targets(target.value)

    def function(
        self, name: str, params: Sequence[ir.Param], body: Sequence[ir.Stmt], syntax: ir.Syntax
    ) -> ir.Function:
        parameters = {p.name for p in params}
        local = (self.bound | parameters) - self.declared_global
        constants = self.literal - self.other - parameters - self.declared_global
        return ir.Function(
            name,
            tuple(params),
            tuple(body),
            tuple(self.calls),
            frozenset(local),
            frozenset(self.declared_global),
            frozenset(constants),
            syntax,
        )


def subscript(value: ir.Expr, index: ir.Expr, is_slice: bool, syntax: ir.Syntax) -> ir.Subscript:
    key = None if is_slice else ir.literal_key(index)
    return ir.Subscript(value, index, key, is_slice, syntax)


def import_binding(module: str, name: str | None, alias: str | None) -> tuple[str, str]:
    """The (bound name, dotted target) of one imported name."""
    if name is None:  # `import a.b [as c]`
        return (alias, module) if alias else (module.split(".")[0], module.split(".")[0])
    target = f"{module}.{name}" if module and not module.endswith(".") else f"{module}{name}"
    return (alias or name, target)


def _itself(node: Any) -> Any:
    return node


class Lowerer:
    """The half of the front end that does not depend on its syntax tree: dispatch by
    node type (`EXPRESSIONS`, set by the front end), targets, handlers, `match`."""

    EXPRESSIONS: ClassVar[dict[type, Callable[[Any, Any], ir.Expr]]] = {}

    def __init__(self, keep: Callable[[Any], ir.Syntax] | None = None) -> None:
        self.builder = Builder()
        #: what an IR node holds of the syntax node it comes from
        self.at: Callable[[Any], ir.Syntax] = keep or _itself

    def block(self, statements: Iterable[Any]) -> ir.Body:
        raise NotImplementedError

    def lower(
        self, name: str, params: Sequence[ir.Param], statements: Iterable[Any], syntax: ir.Syntax
    ) -> ir.Function:
        """A function (or a module: name "<module>", no parameters)."""
        return self.builder.function(name, params, self.block(statements), syntax)

    def lower_lambda(self, params: Sequence[ir.Param], body: Any, syntax: ir.Syntax) -> ir.Function:
        returned = ir.Return(self.expr(body), self.at(body))
        return self.builder.function("<lambda>", params, (returned,), syntax)

    def expr(self, node: Any) -> ir.Expr:
        method = self.EXPRESSIONS.get(type(node))
        return method(self, node) if method is not None else ir.Opaque(self.at(node))

    def exprs(self, nodes: Iterable[Any]) -> tuple[ir.Expr, ...]:
        return tuple(self.expr(n) for n in nodes)

    def optional(self, node: Any) -> ir.Expr | None:
        return self.expr(node) if node is not None else None

    def target(self, node: Any, value: ir.Expr | None = None) -> ir.Expr:
        """An assignment target (of `value`, when it is an assignment): lowered like an
        expression, its names recorded as bound."""
        lowered = self.expr(node)
        literal = value is not None and ir.literal_values(value) is not None
        self.builder.bind_targets(lowered, literal)
        return lowered

    # -- statements whose fields both parsers name alike ------------------------------

    def _expr_stmt(self, node: Any) -> ir.Stmt:
        return ir.ExprStmt(self.expr(node.value), self.at(node))

    def _ann_assign(self, node: Any) -> ir.Stmt | None:
        """`target: annotation = value` (nothing without a value)."""
        if node.value is None:
            return None
        value = self.expr(node.value)
        return ir.Assign((self.target(node.target, value),), value, self.at(node))

    def _return(self, node: Any) -> ir.Stmt:
        return ir.Return(self.optional(node.value), self.at(node))

    # -- expressions whose fields both parsers name alike -----------------------------

    def _slice(self, node: Any) -> ir.Expr:
        lower = self.optional(node.lower)
        upper = self.optional(node.upper)
        return ir.Slice(lower, upper, self.optional(node.step), self.at(node))

    def _starred(self, node: Any) -> ir.Expr:
        return ir.Starred(self.expr(node.value), self.at(node))

    def _if_exp(self, node: Any) -> ir.Expr:
        test = self.expr(node.test)
        return ir.IfExp(test, self.expr(node.body), self.expr(node.orelse), self.at(node))

    def _lambda(self, node: Any) -> ir.Expr:
        return ir.Lambda(self.at(node))

    def handler(
        self, type_node: Any, name: str | None, body: Iterable[Any], syntax: ir.Syntax
    ) -> ir.Handler:
        """`except <type_node> as <name>: <body>`."""
        type_expr = self.optional(type_node)
        members = type_expr.elements if isinstance(type_expr, ir.Container) else (type_expr,)
        names = tuple(filter(None, (ir.dotted(e) for e in members if e is not None)))
        if name is not None:
            self.builder.bind(name)
        return ir.Handler(names, type_expr, name, self.block(body), syntax)

    def match(
        self,
        subject: Any,
        cases: Iterable[tuple[tuple[str, ...], Any, Iterable[Any], ir.Syntax]],
        syntax: ir.Syntax,
    ) -> ir.Match:
        """`match` with its cases as (captured names, guard, body, syntax)."""
        lowered_subject = self.expr(subject)
        lowered = []
        for captures, guard, body, case in cases:
            self.builder.bind(*captures)
            lowered.append(ir.MatchCase(captures, self.optional(guard), self.block(body), case))
        return ir.Match(lowered_subject, tuple(lowered), syntax)

    def loop_exit(self, is_break: bool, syntax: ir.Syntax) -> ir.Stmt:
        return ir.Break(syntax) if is_break else ir.Continue(syntax)
