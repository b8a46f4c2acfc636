"""The intermediate representation (IR) the value-flow engine analyses.

A function body is lowered (by `from_ast`, from the standard library's `ast`) to a
small tree of plain data: statements that keep their structure (`If` has its branches,
`Try` its handlers) and expressions that keep only what decides where values go.
`structure()` gives a tree's shape without its syntax, for comparing lowerings.

What the IR keeps and drops:
- every expression node a rule could ask about is an IR node, and every IR node keeps
  what the front end was asked to keep of the syntax node it came from in `syntax`:
  the node itself (for mapping back), or only where it was (`from_ast.Span`, so that
  the tree can be let go);
- string literals keep their value, integers theirs (a literal key or index); other
  constants only their kind;
- f-strings keep their formatted expressions (`FString.parts`), in source order, and
  their literal text;
- nested functions, classes and lambdas are opaque: they bind a name (decorators,
  defaults and bases are expressions of the enclosing body), their bodies are lowered
  on their own;
- `match` keeps each case's guard, body and the names its pattern captures;
- annotations, `pass`, `type` aliases and import details beyond the names bound are
  dropped.

Nodes compare by identity (the engine keys its results by node); they are slotted
dataclasses, treated as immutable once built. They are not `frozen=True`: a frozen
dataclass costs about three times as much to construct, and lowering builds one node
per expression of every function of every file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

#: what an IR node keeps of the syntax it was lowered from: the `ast` node, or a span
Syntax = Any


def _node(cls: type) -> type:
    """Turn a class body of annotations into an IR node class: a slotted dataclass with
    identity equality and a trailing `syntax` field."""
    annotations = dict(getattr(cls, "__annotations__", {}))  # the bases have none
    annotations["syntax"] = "Syntax"
    namespace = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in ("__dict__", "__weakref__", "__annotations__")
    }
    namespace["__annotations__"] = annotations
    namespace["__slots__"] = tuple(annotations)
    rebuilt = type(cls.__name__, cls.__bases__, namespace)
    rebuilt.__qualname__ = cls.__qualname__
    return dataclasses.dataclass(eq=False, repr=False)(rebuilt)


class Node:
    """Base of every IR node."""

    __slots__ = ()

    def __repr__(self) -> str:
        fields = ", ".join(
            f"{f.name}={getattr(self, f.name)!r}"
            for f in dataclasses.fields(self)  # type: ignore[arg-type]
            if f.name != "syntax"
        )
        return f"{type(self).__name__}({fields})"


class Expr(Node):
    __slots__ = ()


class Stmt(Node):
    __slots__ = ()


Body = tuple[Stmt, ...]

# -- expressions -------------------------------------------------------------------------


@_node
class Name(Expr):
    """A name, read or bound (its place in the tree says which)."""

    id: str


@_node
class Const(Expr):
    """A literal. `kind` is "str", "bytes", "int", "float", "complex", "bool", "None"
    or "Ellipsis"; `value` is the value of a str, int or bool literal, else None."""

    kind: str
    value: str | int | bool | None


@_node
class Attribute(Expr):
    value: Expr
    attr: str


@_node
class Subscript(Expr):
    """`value[index]`. `key` is the literal str or int key (`x["k"]`, `x[0]`, `x[-1]`),
    None for a computed key, a slice or several indices; `slice` says the index is a
    slice."""

    value: Expr
    index: Expr
    key: str | int | None
    slice: bool


@_node
class Starred(Expr):
    """`*value` in a call, a display or an assignment target."""

    value: Expr


@_node
class Keyword(Expr):
    """`name=value` in a call; `**value` when `name` is None."""

    name: str | None
    value: Expr


@_node
class Call(Expr):
    """A call. `name` is the dotted name of `func` when it is a Name/Attribute chain
    (`boto3.client`); `args` are positional (a `Starred` for `*x`); `index` numbers the
    calls of a function in lowering order (it is their position in `Function.calls`)."""

    func: Expr
    name: str | None
    args: tuple[Expr, ...]
    keywords: tuple[Keyword, ...]
    index: int


@_node
class BinOp(Expr):
    """`left op right`, `op` as written: "+", "%", "//", "@", "<<", ..."""

    op: str
    left: Expr
    right: Expr


@_node
class BoolOp(Expr):
    """`a and b and c` (op "and" or "or"), n-ary."""

    op: str
    values: tuple[Expr, ...]


@_node
class UnaryOp(Expr):
    """op is "not", "-", "+" or "~"."""

    op: str
    operand: Expr


@_node
class Compare(Expr):
    """`left op1 c1 op2 c2 ...`; ops are "==", "!=", "<", "<=", ">", ">=", "is",
    "is not", "in", "not in"."""

    left: Expr
    ops: tuple[str, ...]
    comparators: tuple[Expr, ...]


@_node
class IfExp(Expr):
    test: Expr
    body: Expr
    orelse: Expr


@_node
class FString(Expr):
    """An f-string (or a concatenation with one): its formatted expressions, including
    those of format specs, in source order; its literal text (format specs not
    included); whether a formatted expression comes first."""

    parts: tuple[Expr, ...]
    text: str
    leads: bool


@_node
class Container(Expr):
    """A list, tuple or set display (`kind`); elements may be `Starred`."""

    kind: str
    elements: tuple[Expr, ...]


@_node
class Dict(Expr):
    """A dict display; a None key is a `**mapping` entry."""

    keys: tuple[Expr | None, ...]
    values: tuple[Expr, ...]


@_node
class Generator(Node):
    """One `for target in iter if ...` clause of a comprehension."""

    target: Expr
    iter: Expr
    ifs: tuple[Expr, ...]
    is_async: bool


@_node
class Comprehension(Expr):
    """A list, set, dict or generator comprehension (`kind`: "list", "set", "dict",
    "generator"). `element` is the element, or the key of a dict comprehension, whose
    value is `value`."""

    kind: str
    element: Expr
    value: Expr | None
    generators: tuple[Generator, ...]


@_node
class Lambda(Expr):
    """A lambda: opaque here (its body is a function of its own)."""


@_node
class Await(Expr):
    value: Expr


@_node
class Yield(Expr):
    value: Expr | None


@_node
class YieldFrom(Expr):
    value: Expr


@_node
class NamedExpr(Expr):
    """`target := value`."""

    target: Name
    value: Expr


@_node
class Slice(Expr):
    lower: Expr | None
    upper: Expr | None
    step: Expr | None


@_node
class Opaque(Expr):
    """Syntax the IR does not model (newer than the front end knows); holds nothing."""


# -- statements --------------------------------------------------------------------------


@_node
class Assign(Stmt):
    """`t1 = t2 = value` (also an annotated assignment with a value)."""

    targets: tuple[Expr, ...]
    value: Expr


@_node
class AugAssign(Stmt):
    target: Expr
    op: str
    value: Expr


@_node
class ExprStmt(Stmt):
    value: Expr


@_node
class If(Stmt):
    test: Expr
    body: Body
    orelse: Body


@_node
class While(Stmt):
    test: Expr
    body: Body
    orelse: Body


@_node
class For(Stmt):
    target: Expr
    iter: Expr
    body: Body
    orelse: Body
    is_async: bool


@_node
class Handler(Node):
    """`except types as name:`; `types` are the dotted names of the caught classes as
    written (empty for a bare `except:`), `name` the bound name or None."""

    types: tuple[str, ...]
    type: Expr | None
    name: str | None
    body: Body


@_node
class Try(Stmt):
    """`try` (also `try`/`except*`)."""

    body: Body
    handlers: tuple[Handler, ...]
    orelse: Body
    finalbody: Body


@_node
class WithItem(Node):
    expr: Expr
    target: Expr | None


@_node
class With(Stmt):
    items: tuple[WithItem, ...]
    body: Body
    is_async: bool


@_node
class Return(Stmt):
    value: Expr | None


@_node
class Raise(Stmt):
    exc: Expr | None
    cause: Expr | None


@_node
class Break(Stmt):
    pass


@_node
class Continue(Stmt):
    pass


@_node
class Assert(Stmt):
    test: Expr
    msg: Expr | None


@_node
class Delete(Stmt):
    targets: tuple[Expr, ...]


@_node
class Global(Stmt):
    """`global` (nonlocal=False) or `nonlocal` (nonlocal=True) names."""

    names: tuple[str, ...]
    nonlocal_: bool


@_node
class Import(Stmt):
    """An import: `bindings` pairs each bound name with the dotted name it stands for
    (`import a.b` binds "a" to "a"; `from a import b as c` binds "c" to "a.b"; a
    relative import keeps its leading dots: ".models.Item"). `from m import *` binds
    nothing."""

    bindings: tuple[tuple[str, str], ...]


@_node
class FunctionDef(Stmt):
    """A nested function: binds `name`; its decorators and parameter defaults are
    evaluated here, its body is not lowered into this one."""

    name: str
    decorators: tuple[Expr, ...]
    defaults: tuple[Expr, ...]


@_node
class ClassDef(Stmt):
    """A nested class: binds `name`; decorators and bases (keyword values included)
    are evaluated here, the body is not lowered into this one."""

    name: str
    decorators: tuple[Expr, ...]
    bases: tuple[Expr, ...]


@_node
class MatchCase(Node):
    """One `case`: the names its pattern captures (sorted), its guard and body."""

    captures: tuple[str, ...]
    guard: Expr | None
    body: Body


@_node
class Match(Stmt):
    subject: Expr
    cases: tuple[MatchCase, ...]


# -- functions ---------------------------------------------------------------------------


@_node
class Param(Node):
    """A parameter; `kind` is "posonly", "positional", "vararg", "kwonly" or "varkw"."""

    name: str
    kind: str
    has_default: bool


@_node
class Function(Node):
    """A lowered function (or lambda, or module: its top-level statements).

    `calls` are all the calls of the body in lowering order (`Call.index`), `local`
    the names the body binds (parameters included; `global`/`nonlocal` names not),
    `declared_global` the names it declares `global` or `nonlocal`, `constants` the
    local names every binding of which is a literal container of str/int constants
    (`ALLOWED = {"a", "b"}`)."""

    name: str
    params: tuple[Param, ...]
    body: Body
    calls: tuple[Call, ...]
    local: frozenset
    declared_global: frozenset
    constants: frozenset


# -- walking -----------------------------------------------------------------------------

_FIELDS: dict[type, tuple[str, ...]] = {}
_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type) -> tuple[str, ...]:
    """Every field but `syntax`."""
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls) if f.name != "syntax")
    return found


def _node_fields(cls: type) -> tuple[str, ...]:
    """The fields that may hold IR nodes below this one (their annotation names an IR
    class; `Function.calls` lists nodes of its body again, so it is not one)."""
    found = _NODE_FIELDS.get(cls)
    if found is None:
        found = _NODE_FIELDS[cls] = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in ("syntax", "calls")
            and any(c.isupper() for c in str(f.type).replace("None", ""))
        )
    return found


def children(node: Node) -> list[Node]:
    """The IR nodes directly below `node`, in field order."""
    found: list[Node] = []
    for name in _node_fields(node.__class__):
        value = getattr(node, name)
        if isinstance(value, tuple):
            found.extend(item for item in value if item is not None)
        elif value is not None:
            found.append(value)
    return found


def walk(node: Node) -> Iterator[Node]:
    """`node` and every IR node below it (pre-order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(children(current)))


def structure(value: object) -> object:
    """A hashable, comparable form of an IR tree without its syntax: what makes two
    lowerings of the same source equal."""
    if isinstance(value, Node):
        cls = type(value)
        return (cls.__name__, *(structure(getattr(value, f)) for f in _fields(cls)))
    if isinstance(value, tuple):
        return tuple(structure(item) for item in value)
    if isinstance(value, frozenset):
        return tuple(sorted(value))
    return value


def dotted(expr: Expr) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(expr, Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if isinstance(expr, Name):
        parts.append(expr.id)
        return ".".join(reversed(parts))
    return None


def literal_key(expr: Expr) -> str | int | None:
    """The key a literal index denotes: a str or int literal (`-1` included)."""
    if isinstance(expr, Const) and expr.kind in ("str", "int"):
        return expr.value  # type: ignore[return-value]
    if (
        isinstance(expr, UnaryOp)
        and expr.op == "-"
        and isinstance(expr.operand, Const)
        and expr.operand.kind == "int"
    ):
        return -expr.operand.value  # type: ignore[operator]
    return None


def literal_value(expr: Expr) -> str | int | None:
    if isinstance(expr, Const) and expr.kind in ("str", "int"):
        return expr.value  # type: ignore[return-value]
    return None


def literal_values(expr: Expr) -> tuple[str | int, ...] | None:
    """The values of a literal container of str/int constants (a tuple, list or set)."""
    if not isinstance(expr, Container):
        return None
    values = [literal_value(e) for e in expr.elements]
    if not values or any(v is None for v in values):
        return None
    return tuple(sorted(set(values), key=repr))  # type: ignore[arg-type]


def render(expr: Expr, depth: int = 0) -> str:
    """A short text for an expression, for origins and messages: `record['body']`,
    `json.loads(...)`, `event.get('q')`."""
    if depth > 6:
        return "..."
    if isinstance(expr, Name):
        return expr.id
    if isinstance(expr, Attribute):
        return f"{render(expr.value, depth + 1)}.{expr.attr}"
    if isinstance(expr, Subscript):
        key = "[...]" if expr.key is None else f"[{expr.key!r}]"
        return f"{render(expr.value, depth + 1)}{key}"
    if isinstance(expr, Call):
        func = expr.func
        if isinstance(func, Attribute) and func.attr in ("get", "pop", "setdefault") and expr.args:
            key = literal_key(expr.args[0])
            inside = "..." if key is None else repr(key)
            return f"{render(func.value, depth + 1)}.{func.attr}({inside})"
        return f"{render(func, depth + 1)}(...)"
    return "..."
