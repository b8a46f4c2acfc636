"""The `ast` front end: lowers a function, lambda or module of the standard library's
`ast` to the flow IR (`lambda_lint.flow.ir`).

It serves the index, which summarises every function of every file (`ast.parse` is
far quicker than libcst and gives positions for free), and the flows of the security
rules, which keep lowered functions for a whole run and so keep `Span`s, not nodes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import Callable, Union

from lambda_lint.flow import ir
from lambda_lint.flow.lowering import (
    BINARY_OPERATORS,
    COMPARISON_OPERATORS,
    UNARY_OPERATORS,
    Lowerer,
    import_binding,
    subscript,
)

Lowerable = Union[ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.Module]
Keep = Callable[[ast.AST], ir.Syntax]

_CONSTANT_KINDS: dict[type, str] = {
    str: "str",
    bytes: "bytes",
    bool: "bool",
    int: "int",
    float: "float",
    complex: "complex",
    type(None): "None",
    type(Ellipsis): "Ellipsis",
}
_COMPREHENSION_KINDS = {
    ast.ListComp: "list",
    ast.SetComp: "set",
    ast.GeneratorExp: "generator",
    ast.DictComp: "dict",
}
_CONTAINER_KINDS = {ast.List: "list", ast.Tuple: "tuple", ast.Set: "set"}


def lower_function(node: Lowerable, keep: Keep | None = None) -> ir.Function:
    """Lower a function, lambda or module (its top-level statements). `keep` gives what
    each IR node holds of the `ast` node it comes from (by default the node itself)."""
    lowerer = _Lowerer(keep)
    if isinstance(node, ast.Module):
        return lowerer.lower("<module>", (), node.body, lowerer.at(node))
    params = lowerer.params(node.args)
    if isinstance(node, ast.Lambda):
        return lowerer.lower_lambda(params, node.body, lowerer.at(node))
    return lowerer.lower(node.name, params, node.body, lowerer.at(node))


class Span:
    """Where an `ast` node was, for IR kept without its tree: the file, and the node's
    positions under the names `ast` gives them (columns in UTF-8 bytes)."""

    __slots__ = ("col_offset", "end_col_offset", "end_lineno", "lineno", "path")

    def __init__(self, path: Path, node: ast.AST) -> None:
        self.path = path
        self.lineno: int = node.lineno  # type: ignore[attr-defined]
        self.col_offset: int = node.col_offset  # type: ignore[attr-defined]
        self.end_lineno: int | None = node.end_lineno  # type: ignore[attr-defined]
        self.end_col_offset: int | None = node.end_col_offset  # type: ignore[attr-defined]


def spans(path: Path) -> Keep:
    """A `keep` for `lower_function`: IR nodes hold `Span`s of `path` (None for the
    nodes `ast` gives no position: comprehension clauses, `with` items, `case`s), and
    the syntax tree can be let go."""
    return lambda node: Span(path, node) if hasattr(node, "lineno") else None


def _defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def _capture_names(pattern: ast.AST) -> tuple[str, ...]:
    """The names a `match` pattern binds (`case {"k": x, **rest}`), sorted."""
    names = set()
    for node in ast.walk(pattern):
        for field in ("name", "rest"):
            name = getattr(node, field, None)
            if isinstance(name, str):
                names.add(name)
    return tuple(sorted(names))


class _Lowerer(Lowerer):
    def params(self, args: ast.arguments) -> list[ir.Param]:
        positional = [*args.posonlyargs, *args.args]
        first_default = len(positional) - len(args.defaults)
        kinds = ["posonly"] * len(args.posonlyargs) + ["positional"] * len(args.args)
        params = [
            ir.Param(a.arg, kind, i >= first_default, self.at(a))
            for i, (a, kind) in enumerate(zip(positional, kinds))
        ]
        if args.vararg is not None:
            params.append(ir.Param(args.vararg.arg, "vararg", False, self.at(args.vararg)))
        params += [
            ir.Param(a.arg, "kwonly", d is not None, self.at(a))
            for a, d in zip(args.kwonlyargs, args.kw_defaults)
        ]
        if args.kwarg is not None:
            params.append(ir.Param(args.kwarg.arg, "varkw", False, self.at(args.kwarg)))
        return params

    # -- statements ----------------------------------------------------------------

    def block(self, statements: Iterable[ast.stmt]) -> ir.Body:
        lowered: list[ir.Stmt] = []
        for statement in statements:
            method = _STATEMENTS.get(type(statement))
            if method is not None:
                result = method(self, statement)
                if result is not None:
                    lowered.append(result)
        return tuple(lowered)

    def _assign(self, node: ast.Assign) -> ir.Stmt:
        value = self.expr(node.value)
        return ir.Assign(tuple(self.target(t, value) for t in node.targets), value, self.at(node))

    def _aug_assign(self, node: ast.AugAssign) -> ir.Stmt:
        target = self.target(node.target)
        op = BINARY_OPERATORS[type(node.op).__name__]
        return ir.AugAssign(target, op, self.expr(node.value), self.at(node))

    def _if(self, node: ast.If) -> ir.Stmt:
        return ir.If(
            self.expr(node.test), self.block(node.body), self.block(node.orelse), self.at(node)
        )

    def _while(self, node: ast.While) -> ir.Stmt:
        return ir.While(
            self.expr(node.test), self.block(node.body), self.block(node.orelse), self.at(node)
        )

    def _for(self, node: ast.For | ast.AsyncFor) -> ir.Stmt:
        iterable = self.expr(node.iter)
        target = self.target(node.target)
        body, orelse = self.block(node.body), self.block(node.orelse)
        return ir.For(target, iterable, body, orelse, isinstance(node, ast.AsyncFor), self.at(node))

    def _try(self, node: ast.Try) -> ir.Stmt:
        body = self.block(node.body)
        handlers = tuple(self._handler(h) for h in node.handlers)
        return ir.Try(
            body, handlers, self.block(node.orelse), self.block(node.finalbody), self.at(node)
        )

    def _handler(self, node: ast.ExceptHandler) -> ir.Handler:
        return self.handler(node.type, node.name, node.body, self.at(node))

    def _with(self, node: ast.With | ast.AsyncWith) -> ir.Stmt:
        items = []
        for item in node.items:
            expr = self.expr(item.context_expr)
            target = self.target(item.optional_vars) if item.optional_vars is not None else None
            items.append(ir.WithItem(expr, target, self.at(item)))
        return ir.With(
            tuple(items), self.block(node.body), isinstance(node, ast.AsyncWith), self.at(node)
        )

    def _raise(self, node: ast.Raise) -> ir.Stmt:
        exc = self.optional(node.exc)
        cause = self.optional(node.cause)
        return ir.Raise(exc, cause, self.at(node))

    def _assert(self, node: ast.Assert) -> ir.Stmt:
        test = self.expr(node.test)
        return ir.Assert(test, self.optional(node.msg), self.at(node))

    def _delete(self, node: ast.Delete) -> ir.Stmt:
        return ir.Delete(tuple(self.target(t) for t in node.targets), self.at(node))

    def _global(self, node: ast.Global | ast.Nonlocal) -> ir.Stmt:
        self.builder.declared_global.update(node.names)
        return ir.Global(tuple(node.names), isinstance(node, ast.Nonlocal), self.at(node))

    def _import(self, node: ast.Import) -> ir.Stmt:
        bindings = tuple(import_binding(a.name, None, a.asname) for a in node.names)
        self.builder.bind(*(name for name, _ in bindings))
        return ir.Import(bindings, self.at(node))

    def _import_from(self, node: ast.ImportFrom) -> ir.Stmt:
        module = "." * (node.level or 0) + (node.module or "")
        bindings = tuple(
            import_binding(module, a.name, a.asname) for a in node.names if a.name != "*"
        )
        self.builder.bind(*(name for name, _ in bindings))
        return ir.Import(bindings, self.at(node))

    def _function_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> ir.Stmt:
        decorators = self.exprs(node.decorator_list)
        defaults = self.exprs(_defaults(node.args))
        self.builder.bind(node.name)
        return ir.FunctionDef(node.name, decorators, defaults, self.at(node))

    def _class_def(self, node: ast.ClassDef) -> ir.Stmt:
        decorators = self.exprs(node.decorator_list)
        bases = self.exprs([*node.bases, *(k.value for k in node.keywords)])
        self.builder.bind(node.name)
        return ir.ClassDef(node.name, decorators, bases, self.at(node))

    def _match(self, node: ast.AST) -> ir.Stmt:
        cases = [
            (_capture_names(c.pattern), c.guard, c.body, self.at(c))
            for c in node.cases  # type: ignore[attr-defined]
        ]
        return self.match(node.subject, cases, self.at(node))  # type: ignore[attr-defined]

    def _simple(self, node: ast.stmt) -> ir.Stmt:
        return self.loop_exit(isinstance(node, ast.Break), self.at(node))

    # -- expressions ---------------------------------------------------------------

    def _name(self, node: ast.Name) -> ir.Expr:
        return ir.Name(node.id, self.at(node))

    def _constant(self, node: ast.Constant) -> ir.Expr:
        kind = _CONSTANT_KINDS.get(type(node.value), "Ellipsis")
        value = node.value if kind in ("str", "int", "bool") else None
        return ir.Const(kind, value, self.at(node))

    def _attribute(self, node: ast.Attribute) -> ir.Expr:
        return ir.Attribute(self.expr(node.value), node.attr, self.at(node))

    def _subscript(self, node: ast.Subscript) -> ir.Expr:
        value = self.expr(node.value)
        return subscript(
            value, self.expr(node.slice), isinstance(node.slice, ast.Slice), self.at(node)
        )

    def _call(self, node: ast.Call) -> ir.Expr:
        func = self.expr(node.func)
        args = self.exprs(node.args)
        keywords = [ir.Keyword(k.arg, self.expr(k.value), self.at(k)) for k in node.keywords]
        return self.builder.call(func, args, keywords, self.at(node))

    def _bin_op(self, node: ast.BinOp) -> ir.Expr:
        op = BINARY_OPERATORS[type(node.op).__name__]
        return ir.BinOp(op, self.expr(node.left), self.expr(node.right), self.at(node))

    def _bool_op(self, node: ast.BoolOp) -> ir.Expr:
        op = "and" if isinstance(node.op, ast.And) else "or"
        return ir.BoolOp(op, self.exprs(node.values), self.at(node))

    def _unary_op(self, node: ast.UnaryOp) -> ir.Expr:
        return ir.UnaryOp(
            UNARY_OPERATORS[type(node.op).__name__], self.expr(node.operand), self.at(node)
        )

    def _compare(self, node: ast.Compare) -> ir.Expr:
        ops = tuple(COMPARISON_OPERATORS[type(op).__name__] for op in node.ops)
        return ir.Compare(self.expr(node.left), ops, self.exprs(node.comparators), self.at(node))

    def _joined_str(self, node: ast.JoinedStr) -> ir.Expr:
        pieces = node.values
        text = "".join(p.value for p in pieces if isinstance(p, ast.Constant))
        leads = bool(pieces) and isinstance(pieces[0], ast.FormattedValue)
        return ir.FString(tuple(self._formatted(node)), text, leads, self.at(node))

    def _formatted(self, node: ast.JoinedStr) -> list[ir.Expr]:
        parts: list[ir.Expr] = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                parts.append(self.expr(value.value))
                if isinstance(value.format_spec, ast.JoinedStr):
                    parts += self._formatted(value.format_spec)
        return parts

    def _container(self, node: ast.List | ast.Tuple | ast.Set) -> ir.Expr:
        return ir.Container(_CONTAINER_KINDS[type(node)], self.exprs(node.elts), self.at(node))

    def _dict(self, node: ast.Dict) -> ir.Expr:
        keys: list[ir.Expr | None] = []
        values: list[ir.Expr] = []
        for key, value in zip(node.keys, node.values):
            keys.append(self.optional(key))
            values.append(self.expr(value))
        return ir.Dict(tuple(keys), tuple(values), self.at(node))

    def _comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> ir.Expr:
        lowered = []
        for g in node.generators:
            iterable = self.expr(g.iter)
            target = self.expr(g.target)
            ifs = self.exprs(g.ifs)
            lowered.append(ir.Generator(target, iterable, ifs, bool(g.is_async), self.at(g)))
        generators = tuple(lowered)
        if isinstance(node, ast.DictComp):
            key = self.expr(node.key)
            return ir.Comprehension("dict", key, self.expr(node.value), generators, self.at(node))
        return ir.Comprehension(
            _COMPREHENSION_KINDS[type(node)], self.expr(node.elt), None, generators, self.at(node)
        )

    def _await(self, node: ast.Await) -> ir.Expr:
        return ir.Await(self.expr(node.value), self.at(node))

    def _yield(self, node: ast.Yield) -> ir.Expr:
        return ir.Yield(self.optional(node.value), self.at(node))

    def _yield_from(self, node: ast.YieldFrom) -> ir.Expr:
        return ir.YieldFrom(self.expr(node.value), self.at(node))

    def _named_expr(self, node: ast.NamedExpr) -> ir.Expr:
        value = self.expr(node.value)
        target = ir.Name(node.target.id, self.at(node.target))
        self.builder.bind(target.id)
        return ir.NamedExpr(target, value, self.at(node))


_STATEMENTS: dict[type, Callable[[_Lowerer, ast.stmt], ir.Stmt | None]] = {
    ast.Expr: _Lowerer._expr_stmt,
    ast.Assign: _Lowerer._assign,
    ast.AnnAssign: _Lowerer._ann_assign,
    ast.AugAssign: _Lowerer._aug_assign,
    ast.If: _Lowerer._if,
    ast.While: _Lowerer._while,
    ast.For: _Lowerer._for,
    ast.AsyncFor: _Lowerer._for,
    ast.Try: _Lowerer._try,
    ast.With: _Lowerer._with,
    ast.AsyncWith: _Lowerer._with,
    ast.Return: _Lowerer._return,
    ast.Raise: _Lowerer._raise,
    ast.Assert: _Lowerer._assert,
    ast.Delete: _Lowerer._delete,
    ast.Global: _Lowerer._global,
    ast.Nonlocal: _Lowerer._global,
    ast.Import: _Lowerer._import,
    ast.ImportFrom: _Lowerer._import_from,
    ast.FunctionDef: _Lowerer._function_def,
    ast.AsyncFunctionDef: _Lowerer._function_def,
    ast.ClassDef: _Lowerer._class_def,
    ast.Break: _Lowerer._simple,
    ast.Continue: _Lowerer._simple,
}  # type: ignore[dict-item]
for _name in ("TryStar",):
    if hasattr(ast, _name):
        _STATEMENTS[getattr(ast, _name)] = _Lowerer._try  # type: ignore[assignment]
if hasattr(ast, "Match"):
    _STATEMENTS[ast.Match] = _Lowerer._match  # type: ignore[attr-defined]

_Lowerer.EXPRESSIONS = {
    ast.Name: _Lowerer._name,
    ast.Constant: _Lowerer._constant,
    ast.Attribute: _Lowerer._attribute,
    ast.Subscript: _Lowerer._subscript,
    ast.Slice: _Lowerer._slice,
    ast.Starred: _Lowerer._starred,
    ast.Call: _Lowerer._call,
    ast.BinOp: _Lowerer._bin_op,
    ast.BoolOp: _Lowerer._bool_op,
    ast.UnaryOp: _Lowerer._unary_op,
    ast.Compare: _Lowerer._compare,
    ast.IfExp: _Lowerer._if_exp,
    ast.JoinedStr: _Lowerer._joined_str,
    ast.List: _Lowerer._container,
    ast.Tuple: _Lowerer._container,
    ast.Set: _Lowerer._container,
    ast.Dict: _Lowerer._dict,
    ast.ListComp: _Lowerer._comprehension,
    ast.SetComp: _Lowerer._comprehension,
    ast.GeneratorExp: _Lowerer._comprehension,
    ast.DictComp: _Lowerer._comprehension,
    ast.Lambda: _Lowerer._lambda,
    ast.Await: _Lowerer._await,
    ast.Yield: _Lowerer._yield,
    ast.YieldFrom: _Lowerer._yield_from,
    ast.NamedExpr: _Lowerer._named_expr,
}
