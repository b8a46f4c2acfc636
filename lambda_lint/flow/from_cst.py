"""The libcst front end: lowers a libcst function, lambda or module to the flow IR.

The check stage runs the engine on libcst trees, because rules are libcst visitors:
`lower_function(node).ir_of(cst_node)` maps any expression a rule holds back to its IR
node, including the wrappers libcst puts around expressions (`Arg`, `Element`,
`ComparisonTarget`, `SubscriptElement`/`Index`, `FormattedStringExpression`, ...) and
the pieces of an implicitly concatenated string.

libcst keeps what `ast` drops, and the lowering removes it so that both front ends give
structurally equal IR: parentheses vanish, `a and b and c` (two nested binary
`BooleanOperation`s in libcst) becomes one n-ary `BoolOp`, `"a" "b"` becomes one
constant, `None`/`True`/`False` (names in libcst) become constants, `del a, b` has two
targets, and call arguments are split into positional and keyword ones.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from typing import Callable, Union

import libcst as cst

from lambda_lint.flow import ir
from lambda_lint.flow.lowering import (
    AUGMENTED_OPERATORS,
    BINARY_OPERATORS,
    COMPARISON_OPERATORS,
    UNARY_OPERATORS,
    Lowerer,
    import_binding,
    subscript,
)

Lowerable = Union[cst.FunctionDef, cst.Lambda, cst.Module]

_NAMED_CONSTANTS: dict[str, tuple[str, object]] = {
    "None": ("None", None),
    "True": ("bool", True),
    "False": ("bool", False),
}
_COMPREHENSION_KINDS = {cst.ListComp: "list", cst.SetComp: "set", cst.GeneratorExp: "generator"}
_CONTAINER_KINDS = {cst.List: "list", cst.Tuple: "tuple", cst.Set: "set"}


def lower_function(node: Lowerable) -> ir.Lowered:
    """Lower a function, lambda or module (its top-level statements)."""
    lowerer = _Lowerer()
    if isinstance(node, cst.Module):
        lowered = lowerer.lower("<module>", (), node.body, node)
    elif isinstance(node, cst.Lambda):
        lowered = lowerer.lower_lambda(_params(node.params), node.body, node)
    else:
        lowered = lowerer.lower(_id(node.name), _params(node.params), node.body.body, node)
    aliases = lowerer.aliases
    lowered.unwrap = lambda syntax: aliases.get(syntax) or _wrapped(syntax)
    return lowered


#: libcst nodes that wrap an expression, and the field holding it
_WRAPPERS = {
    cst.Arg: "value",
    cst.Element: "value",
    cst.DictElement: "value",
    cst.StarredDictElement: "value",
    cst.SubscriptElement: "slice",
    cst.Index: "value",
    cst.ComparisonTarget: "comparator",
    cst.FormattedStringExpression: "expression",
    cst.Decorator: "decorator",
    cst.AssignTarget: "target",
    cst.WithItem: "item",
    cst.From: "item",
    cst.CompIf: "test",
    cst.AsName: "name",
}


def _wrapped(node: cst.CSTNode) -> cst.CSTNode | None:
    """The expression a libcst wrapper node stands for."""
    field = _WRAPPERS.get(type(node))
    return getattr(node, field) if field is not None else None


def _params(node: cst.Parameters) -> list[ir.Param]:
    params = [
        ir.Param(_id(p.name), "posonly", p.default is not None, p) for p in node.posonly_params
    ]
    params += [ir.Param(_id(p.name), "positional", p.default is not None, p) for p in node.params]
    if isinstance(node.star_arg, cst.Param):
        params.append(ir.Param(_id(node.star_arg.name), "vararg", False, node.star_arg))
    params += [
        ir.Param(_id(p.name), "kwonly", p.default is not None, p) for p in node.kwonly_params
    ]
    if node.star_kwarg is not None:
        params.append(ir.Param(_id(node.star_kwarg.name), "varkw", False, node.star_kwarg))
    return params


def _defaults(node: cst.Parameters) -> list[cst.BaseExpression]:
    ordered = [*node.posonly_params, *node.params, *node.kwonly_params]
    return [p.default for p in ordered if p.default is not None]


def _string_value(node: cst.SimpleString) -> str | None:
    """The value of a str literal (None for bytes). Literals without escapes are read
    directly: libcst evaluates them with `ast.literal_eval`, which is slow."""
    prefix = node.prefix.lower()
    if "b" in prefix:
        return None
    if "\\" not in node.value:
        return node.value[len(prefix) + len(node.quote) : -len(node.quote)]
    value = node.evaluated_value
    return value if isinstance(value, str) else None


def _capture_names(pattern: cst.CSTNode) -> tuple[str, ...]:
    """The names a `match` pattern binds, sorted."""
    names = set()
    stack = [pattern]
    while stack:
        node = stack.pop()
        for field in ("name", "rest"):
            found = getattr(node, field, None)
            if isinstance(found, cst.Name) and isinstance(
                node, (cst.MatchAs, cst.MatchStar, cst.MatchMapping)
            ):
                names.add(_id(found))
        stack.extend(node.children)
    return tuple(sorted(names))


def _id(name: cst.Name) -> str:
    """An identifier as Python reads it: NFKC-normalised (`ast` does this too)."""
    text = name.value
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{_id(node.attr)}"
    return _id(node) if isinstance(node, cst.Name) else ""


def _parenthesized(node: cst.CSTNode) -> bool:
    return bool(getattr(node, "lpar", None))


class _Lowerer(Lowerer):
    def __init__(self) -> None:
        super().__init__()
        #: pieces of concatenated strings, mapped to the whole
        self.aliases: dict[cst.CSTNode, cst.CSTNode] = {}

    # -- statements ----------------------------------------------------------------

    def suite(self, suite: cst.BaseSuite) -> ir.Body:
        return self.block(suite.body)  # type: ignore[arg-type]

    def block(self, statements: Iterable[cst.CSTNode]) -> ir.Body:
        lowered: list[ir.Stmt] = []
        for statement in statements:
            if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
                lowered.extend(self.block(statement.body))
                continue
            method = _STATEMENTS.get(type(statement))
            if method is not None:
                result = method(self, statement)
                if result is not None:
                    lowered.append(result)
        return tuple(lowered)

    def _orelse(self, node: cst.If | cst.Else | None) -> ir.Body:
        if node is None:
            return ()
        if isinstance(node, cst.If):
            return (self._if(node),)
        return self.suite(node.body)

    def _assign(self, node: cst.Assign) -> ir.Stmt:
        value = self.expr(node.value)
        return ir.Assign(tuple(self.target(t.target, value) for t in node.targets), value, node)

    def _aug_assign(self, node: cst.AugAssign) -> ir.Stmt:
        target = self.target(node.target)
        op = AUGMENTED_OPERATORS[type(node.operator).__name__]
        return ir.AugAssign(target, op, self.expr(node.value), node)

    def _if(self, node: cst.If) -> ir.Stmt:
        test = self.expr(node.test)
        return ir.If(test, self.suite(node.body), self._orelse(node.orelse), node)

    def _while(self, node: cst.While) -> ir.Stmt:
        test = self.expr(node.test)
        return ir.While(test, self.suite(node.body), self._orelse(node.orelse), node)

    def _for(self, node: cst.For) -> ir.Stmt:
        iterable = self.expr(node.iter)
        target = self.target(node.target)
        body, orelse = self.suite(node.body), self._orelse(node.orelse)
        return ir.For(target, iterable, body, orelse, node.asynchronous is not None, node)

    def _try(self, node: cst.Try | cst.TryStar) -> ir.Stmt:
        body = self.suite(node.body)
        handlers = tuple(self._handler(h) for h in node.handlers)
        orelse = self._orelse(node.orelse)
        finalbody = self.suite(node.finalbody.body) if node.finalbody is not None else ()
        return ir.Try(body, handlers, orelse, finalbody, node)

    def _handler(self, node: cst.ExceptHandler | cst.ExceptStarHandler) -> ir.Handler:
        name = None
        if node.name is not None and isinstance(node.name.name, cst.Name):
            name = _id(node.name.name)
        return self.handler(node.type, name, node.body.body, node)

    def _with(self, node: cst.With) -> ir.Stmt:
        items = []
        for item in node.items:
            expr = self.expr(item.item)
            target = self.target(item.asname.name) if item.asname is not None else None
            items.append(ir.WithItem(expr, target, item))
        return ir.With(tuple(items), self.suite(node.body), node.asynchronous is not None, node)

    def _raise(self, node: cst.Raise) -> ir.Stmt:
        exc = self.optional(node.exc)
        cause = self.optional(node.cause.item if node.cause is not None else None)
        return ir.Raise(exc, cause, node)

    def _assert(self, node: cst.Assert) -> ir.Stmt:
        test = self.expr(node.test)
        return ir.Assert(test, self.optional(node.msg), node)

    def _delete(self, node: cst.Del) -> ir.Stmt:
        target = node.target
        if isinstance(target, cst.Tuple) and not _parenthesized(target):
            targets = tuple(self.target(e.value) for e in target.elements)
        else:
            targets = (self.target(target),)
        return ir.Delete(targets, node)

    def _global(self, node: cst.Global | cst.Nonlocal) -> ir.Stmt:
        names = tuple(_id(item.name) for item in node.names)
        self.builder.declared_global.update(names)
        return ir.Global(names, isinstance(node, cst.Nonlocal), node)

    def _import(self, node: cst.Import) -> ir.Stmt:
        bindings = tuple(
            import_binding(_dotted(a.name), None, _dotted(a.asname.name) if a.asname else None)  # type: ignore[arg-type]
            for a in node.names
        )
        self.builder.bind(*(name for name, _ in bindings))
        return ir.Import(bindings, node)

    def _import_from(self, node: cst.ImportFrom) -> ir.Stmt:
        module = "." * len(node.relative) + (_dotted(node.module) if node.module else "")
        bindings: tuple[tuple[str, str], ...] = ()
        if not isinstance(node.names, cst.ImportStar):
            bindings = tuple(
                import_binding(
                    module,
                    _dotted(a.name),
                    _dotted(a.asname.name) if a.asname else None,  # type: ignore[arg-type]
                )
                for a in node.names
            )
        self.builder.bind(*(name for name, _ in bindings))
        return ir.Import(bindings, node)

    def _function_def(self, node: cst.FunctionDef) -> ir.Stmt:
        decorators = self.exprs(d.decorator for d in node.decorators)
        defaults = self.exprs(_defaults(node.params))
        self.builder.bind(_id(node.name))
        return ir.FunctionDef(_id(node.name), decorators, defaults, node)

    def _class_def(self, node: cst.ClassDef) -> ir.Stmt:
        decorators = self.exprs(d.decorator for d in node.decorators)
        bases = tuple(self._argument(a) for a in node.bases) + self.exprs(
            a.value for a in node.keywords
        )
        self.builder.bind(_id(node.name))
        return ir.ClassDef(_id(node.name), decorators, bases, node)

    def _match(self, node: cst.Match) -> ir.Stmt:
        cases = [(_capture_names(c.pattern), c.guard, c.body.body, c) for c in node.cases]
        return self.match(node.subject, cases, node)

    def _simple(self, node: cst.CSTNode) -> ir.Stmt:
        return self.loop_exit(isinstance(node, cst.Break), node)

    # -- expressions ---------------------------------------------------------------

    def _name(self, node: cst.Name) -> ir.Expr:
        constant = _NAMED_CONSTANTS.get(node.value)
        if constant is not None:
            return ir.Const(constant[0], constant[1], node)  # type: ignore[arg-type]
        return ir.Name(_id(node), node)

    def _integer(self, node: cst.Integer) -> ir.Expr:
        return ir.Const("int", int(node.value, 0), node)

    def _float(self, node: cst.Float) -> ir.Expr:
        return ir.Const("float", None, node)

    def _imaginary(self, node: cst.Imaginary) -> ir.Expr:
        return ir.Const("complex", None, node)

    def _ellipsis(self, node: cst.Ellipsis) -> ir.Expr:
        return ir.Const("Ellipsis", None, node)

    def _simple_string(self, node: cst.SimpleString) -> ir.Expr:
        value = _string_value(node)
        return ir.Const("bytes" if value is None else "str", value, node)

    def _formatted_string(self, node: cst.FormattedString) -> ir.Expr:
        return ir.FString(tuple(self._formatted(node.parts)), node)

    def _formatted(self, parts: Sequence[cst.BaseFormattedStringContent]) -> list[ir.Expr]:
        lowered: list[ir.Expr] = []
        for part in parts:
            if isinstance(part, cst.FormattedStringExpression):
                lowered.append(self.expr(part.expression))
                if part.format_spec:
                    lowered += self._formatted(part.format_spec)
        return lowered

    def _concatenated_string(self, node: cst.ConcatenatedString) -> ir.Expr:
        pieces = self._string_pieces(node)
        for piece in pieces:
            self.aliases[piece] = node
        if any(isinstance(p, cst.FormattedString) for p in pieces):
            parts: list[ir.Expr] = []
            for piece in pieces:
                if isinstance(piece, cst.FormattedString):
                    parts += self._formatted(piece.parts)
            return ir.FString(tuple(parts), node)
        values = [_string_value(p) for p in pieces]  # type: ignore[arg-type]
        if any(v is None for v in values):
            return ir.Const("bytes", None, node)
        return ir.Const("str", "".join(values), node)  # type: ignore[arg-type]

    def _string_pieces(self, node: cst.BaseExpression) -> list[cst.BaseExpression]:
        if isinstance(node, cst.ConcatenatedString):
            return self._string_pieces(node.left) + self._string_pieces(node.right)
        return [node]

    def _attribute(self, node: cst.Attribute) -> ir.Expr:
        return ir.Attribute(self.expr(node.value), _id(node.attr), node)

    def _subscript(self, node: cst.Subscript) -> ir.Expr:
        value = self.expr(node.value)
        elements = node.slice
        first = elements[0].slice
        if len(elements) == 1 and isinstance(first, cst.Slice):
            return subscript(value, self._slice(first), True, node)
        single = len(elements) == 1 and not isinstance(elements[0].comma, cst.Comma)
        if single and isinstance(first, cst.Index) and not first.star:
            return subscript(value, self.expr(first.value), False, node)
        index = ir.Container("tuple", tuple(self._subscript_element(e) for e in elements), node)
        return subscript(value, index, False, node)

    def _subscript_element(self, element: cst.SubscriptElement) -> ir.Expr:
        inner = element.slice
        if isinstance(inner, cst.Slice):
            return self._slice(inner)
        value = self.expr(inner.value)  # type: ignore[union-attr]
        return ir.Starred(value, inner) if inner.star else value  # type: ignore[union-attr]

    def _argument(self, arg: cst.Arg) -> ir.Expr:
        """A positional argument (a `Starred` for `*x`)."""
        value = self.expr(arg.value)
        return ir.Starred(value, arg) if arg.star == "*" else value

    def _call(self, node: cst.Call) -> ir.Expr:
        func = self.expr(node.func)
        positional = [a for a in node.args if a.keyword is None and a.star != "**"]
        args = tuple(self._argument(a) for a in positional)
        keywords = [
            ir.Keyword(_id(a.keyword) if a.keyword else None, self.expr(a.value), a)
            for a in node.args
            if a.keyword is not None or a.star == "**"
        ]
        return self.builder.call(func, args, keywords, node)

    def _binary_operation(self, node: cst.BinaryOperation) -> ir.Expr:
        op = BINARY_OPERATORS[type(node.operator).__name__]
        return ir.BinOp(op, self.expr(node.left), self.expr(node.right), node)

    def _boolean_operation(self, node: cst.BooleanOperation) -> ir.Expr:
        op = "and" if isinstance(node.operator, cst.And) else "or"
        operator = type(node.operator)
        operands = self._operands(node.left, operator) + self._operands(node.right, operator)
        return ir.BoolOp(op, self.exprs(operands), node)

    def _operands(self, node: cst.BaseExpression, operator: type) -> list[cst.BaseExpression]:
        """The operands of `a and b and c` below one of its two libcst nodes (libcst
        nests the binary operations to the left; parentheses end the chain)."""
        if (
            isinstance(node, cst.BooleanOperation)
            and isinstance(node.operator, operator)
            and not _parenthesized(node)
        ):
            return self._operands(node.left, operator) + self._operands(node.right, operator)
        return [node]

    def _unary_operation(self, node: cst.UnaryOperation) -> ir.Expr:
        op = UNARY_OPERATORS[type(node.operator).__name__]
        return ir.UnaryOp(op, self.expr(node.expression), node)

    def _comparison(self, node: cst.Comparison) -> ir.Expr:
        left = self.expr(node.left)
        ops = tuple(COMPARISON_OPERATORS[type(c.operator).__name__] for c in node.comparisons)
        comparators = self.exprs(c.comparator for c in node.comparisons)
        return ir.Compare(left, ops, comparators, node)

    def _container(self, node: cst.List | cst.Tuple | cst.Set) -> ir.Expr:
        elements = tuple(
            self.expr(e) if isinstance(e, cst.StarredElement) else self.expr(e.value)
            for e in node.elements
        )
        return ir.Container(_CONTAINER_KINDS[type(node)], elements, node)

    def _dict(self, node: cst.Dict) -> ir.Expr:
        keys: list[ir.Expr | None] = []
        values: list[ir.Expr] = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                keys.append(self.expr(element.key))
            else:
                keys.append(None)
            values.append(self.expr(element.value))
        return ir.Dict(tuple(keys), tuple(values), node)

    def _generators(self, clause: cst.CompFor | None) -> tuple[ir.Generator, ...]:
        lowered = []
        while clause is not None:
            iterable = self.expr(clause.iter)
            target = self.expr(clause.target)
            ifs = self.exprs(c.test for c in clause.ifs)
            lowered.append(
                ir.Generator(target, iterable, ifs, clause.asynchronous is not None, clause)
            )
            clause = clause.inner_for_in
        return tuple(lowered)

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp) -> ir.Expr:
        generators = self._generators(node.for_in)
        kind = _COMPREHENSION_KINDS[type(node)]
        return ir.Comprehension(kind, self.expr(node.elt), None, generators, node)

    def _dict_comprehension(self, node: cst.DictComp) -> ir.Expr:
        generators = self._generators(node.for_in)
        key = self.expr(node.key)
        return ir.Comprehension("dict", key, self.expr(node.value), generators, node)

    def _await(self, node: cst.Await) -> ir.Expr:
        return ir.Await(self.expr(node.expression), node)

    def _yield(self, node: cst.Yield) -> ir.Expr:
        if isinstance(node.value, cst.From):
            return ir.YieldFrom(self.expr(node.value.item), node)
        return ir.Yield(self.optional(node.value), node)

    def _named_expr(self, node: cst.NamedExpr) -> ir.Expr:
        value = self.expr(node.value)
        target = ir.Name(_id(node.target), node.target)  # type: ignore[arg-type]
        self.builder.bind(target.id)
        return ir.NamedExpr(target, value, node)


_STATEMENTS: dict[type, Callable[[_Lowerer, cst.CSTNode], ir.Stmt | None]] = {
    cst.Expr: _Lowerer._expr_stmt,
    cst.Assign: _Lowerer._assign,
    cst.AnnAssign: _Lowerer._ann_assign,
    cst.AugAssign: _Lowerer._aug_assign,
    cst.If: _Lowerer._if,
    cst.While: _Lowerer._while,
    cst.For: _Lowerer._for,
    cst.Try: _Lowerer._try,
    cst.TryStar: _Lowerer._try,
    cst.With: _Lowerer._with,
    cst.Return: _Lowerer._return,
    cst.Raise: _Lowerer._raise,
    cst.Assert: _Lowerer._assert,
    cst.Del: _Lowerer._delete,
    cst.Global: _Lowerer._global,
    cst.Nonlocal: _Lowerer._global,
    cst.Import: _Lowerer._import,
    cst.ImportFrom: _Lowerer._import_from,
    cst.FunctionDef: _Lowerer._function_def,
    cst.ClassDef: _Lowerer._class_def,
    cst.Match: _Lowerer._match,
    cst.Break: _Lowerer._simple,
    cst.Continue: _Lowerer._simple,
}  # type: ignore[dict-item]

_Lowerer.EXPRESSIONS = {
    cst.Name: _Lowerer._name,
    cst.Integer: _Lowerer._integer,
    cst.Float: _Lowerer._float,
    cst.Imaginary: _Lowerer._imaginary,
    cst.Ellipsis: _Lowerer._ellipsis,
    cst.SimpleString: _Lowerer._simple_string,
    cst.FormattedString: _Lowerer._formatted_string,
    cst.ConcatenatedString: _Lowerer._concatenated_string,
    cst.Attribute: _Lowerer._attribute,
    cst.Subscript: _Lowerer._subscript,
    cst.StarredElement: _Lowerer._starred,
    cst.Call: _Lowerer._call,
    cst.BinaryOperation: _Lowerer._binary_operation,
    cst.BooleanOperation: _Lowerer._boolean_operation,
    cst.UnaryOperation: _Lowerer._unary_operation,
    cst.Comparison: _Lowerer._comparison,
    cst.IfExp: _Lowerer._if_exp,
    cst.List: _Lowerer._container,
    cst.Tuple: _Lowerer._container,
    cst.Set: _Lowerer._container,
    cst.Dict: _Lowerer._dict,
    cst.ListComp: _Lowerer._comprehension,
    cst.SetComp: _Lowerer._comprehension,
    cst.GeneratorExp: _Lowerer._comprehension,
    cst.DictComp: _Lowerer._dict_comprehension,
    cst.Lambda: _Lowerer._lambda,
    cst.Await: _Lowerer._await,
    cst.Yield: _Lowerer._yield,
    cst.NamedExpr: _Lowerer._named_expr,
}
